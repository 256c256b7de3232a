#include "cli/slurm/support.h"

#include <algorithm>
#include <ctime>
#include <ostream>
#include <set>

#include "slurm/array_spec.h"

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

Result<SlurmJobRef> ParseSlurmJobRef(const std::string& text) {
  SlurmJobRef ref;
  const size_t bar = text.find('_');
  auto id = ParseJobId(text.substr(0, bar));
  if (!id.ok()) return InvalidArgument("Invalid job id specified: " + text);
  ref.id = *id;
  if (bar == std::string::npos) return ref;
  std::string tasks = text.substr(bar + 1);
  if (tasks.size() >= 2 && tasks.front() == '[' && tasks.back() == ']') {
    tasks = tasks.substr(1, tasks.size() - 2);
  }
  auto spec = suanli::slurm::ParseArraySpec(tasks, {4'000'000, 100'001});
  if (!spec.ok() || spec->max_running) return InvalidArgument("Invalid job id specified: " + text);
  ref.tasks = spec->task_ids;
  return ref;
}

Result<int64_t> ParseSlurmJobId(const std::string& text) {
  SUANLI_ASSIGN_OR_RETURN(SlurmJobRef ref, ParseSlurmJobRef(text));
  if (ref.tasks) return InvalidArgument("Invalid job id " + text + ": give the job's own id");
  return ref.id;
}

Result<std::vector<nlohmann::json>> FindSlurmJobs(const ApiClient& client, const SlurmJobRef& ref) {
  SUANLI_ASSIGN_OR_RETURN(nlohmann::json job, client.Get("jobs/" + std::to_string(ref.id)));
  const nlohmann::json& array = job.contains("array") ? job["array"] : nlohmann::json();
  const bool is_array = array.is_object() && array.value("job_id", int64_t{0}) == ref.id;
  if (!is_array) {
    if (ref.tasks) return NotFound("job " + std::to_string(ref.id) + " is not a job array");
    return std::vector<nlohmann::json>{job};
  }
  SUANLI_ASSIGN_OR_RETURN(
      std::vector<nlohmann::json> tasks,
      ListJobs(client, {{"array", std::to_string(ref.id)}, {"all", "true"}}));
  if (!ref.tasks) return tasks;
  std::set<uint32_t> wanted(ref.tasks->begin(), ref.tasks->end());
  std::vector<nlohmann::json> out;
  for (auto& t : tasks) {
    if (wanted.count(t["array"].value("task_id", uint32_t{0}))) out.push_back(std::move(t));
  }
  if (out.empty()) return NotFound("job array " + std::to_string(ref.id) + " has no such task");
  return out;
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
