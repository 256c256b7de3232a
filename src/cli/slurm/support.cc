#include "cli/slurm/support.h"

#include <algorithm>
#include <ctime>
#include <ostream>
#include <set>

namespace suanli::cli::slurm_cmd {

int SlurmError(CommandContext& ctx, std::string_view command, const std::string& message) {
  ctx.err << command << ": error: " << message << "\n";
  return kSlurmExitError;
}

void SlurmWarning(CommandContext& ctx, std::string_view command, const std::string& message) {
  ctx.err << command << ": warning: " << message << "\n";
}

Result<std::vector<nlohmann::json>> ListJobs(const ApiClient& client, QueryParams query) {
  query.emplace_back("limit", "100000");
  SUANLI_ASSIGN_OR_RETURN(nlohmann::json reply, client.Get("jobs", query));
  if (!reply.contains("jobs") || !reply["jobs"].is_array()) {
    return Internal("the server's answer has no \"jobs\" list");
  }
  std::vector<nlohmann::json> jobs(reply["jobs"].begin(), reply["jobs"].end());
  std::sort(jobs.begin(), jobs.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("id", 0) < b.value("id", 0);
  });
  return jobs;
}

Result<std::string> WhoAmI(const ApiClient& client) {
  SUANLI_ASSIGN_OR_RETURN(nlohmann::json me, client.Get("whoami"));
  if (!me.contains("user") || !me["user"].is_string()) {
    return Internal("the server's whoami answer has no user");
  }
  return me["user"].get<std::string>();
}

Result<ClusterTypes> FetchClusterTypes(const ApiClient& client) {
  SUANLI_ASSIGN_OR_RETURN(nlohmann::json reply, client.Get("nodes"));
  ClusterTypes out;
  out.known = true;
  std::set<std::string> types;
  if (reply.contains("nodes") && reply["nodes"].is_array()) {
    for (const auto& n : reply["nodes"]) {
      if (!n.contains("devices") || !n["devices"].is_array()) continue;
      for (const auto& d : n["devices"]) {
        if (d.contains("type") && d["type"].is_string()) types.insert(d["type"].get<std::string>());
      }
    }
  }
  out.accel_types.assign(types.begin(), types.end());
  return out;
}

Result<int64_t> ParseSlurmJobId(const std::string& text) {
  if (text.find('_') != std::string::npos) {
    return InvalidArgument("Invalid job id " + text +
                           ": job arrays are not supported by Suanli yet");
  }
  auto id = ParseJobId(text);
  if (!id.ok()) return InvalidArgument("Invalid job id specified: " + text);
  return id;
}

bool InList(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

suanli::slurm::BeginClock LocalClock() {
  auto now = static_cast<int64_t>(NowSeconds());
  auto t = static_cast<time_t>(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  return {now, static_cast<int64_t>(tm.tm_gmtoff)};
}

}  // namespace suanli::cli::slurm_cmd
