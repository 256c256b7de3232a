// scancel: POST /jobs/{id}/cancel for the ids given and/or the jobs the filters select.
#include <algorithm>
#include <array>
#include <ostream>

#include "cli/slurm/args.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/support.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<ArgSpec, 6> kSpecs = {{
    {"user", 'u', true},
    {"state", 't', true},
    {"name", 'n', true},
    {"partition", 'p', true},
    {"account", 'A', true},
    {"quiet", 'Q', false},
}};

}  // namespace

int RunScancel(const std::vector<std::string>& args, CommandContext& ctx) {
  auto parsed = ParseArgs(args, kSpecs);
  if (!parsed.ok()) return SlurmError(ctx, "scancel", parsed.status().message());
  const ParsedArgs& a = *parsed;
  std::vector<SlurmJobRef> refs;
  for (const auto& text : a.positional) {
    auto ref = ParseSlurmJobRef(text);
    if (!ref.ok()) return SlurmError(ctx, "scancel", ref.status().message());
    refs.push_back(*ref);
  }
  bool filtered =
      a.Has("user") || a.Has("state") || a.Has("name") || a.Has("partition") || a.Has("account");
  if (refs.empty() && !filtered) {
    return SlurmError(ctx, "scancel", "No job identification provided");
  }
  std::set<std::string> states;
  if (a.Has("state")) {
    auto s = ParseStateFilter(a.List("state"));
    if (!s.ok()) return SlurmError(ctx, "scancel", s.status().message());
    states = *s;
  }
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "scancel", client.status().message());
  // What to cancel: a job id (a whole array by its id, in one request) or the tasks named.
  std::vector<int64_t> ids;
  std::set<int64_t> whole_arrays;
  int code = kExitOk;
  for (const auto& ref : refs) {
    if (!ref.tasks) {
      ids.push_back(ref.id);
      whole_arrays.insert(ref.id);
      continue;
    }
    auto found = FindSlurmJobs(*client, ref);
    if (!found.ok()) {
      code = SlurmError(ctx, "scancel", "Kill job error on job id " + std::to_string(ref.id) +
                                            ": Invalid job id specified");
      continue;
    }
    for (const auto& j : *found) ids.push_back(j.value("id", int64_t{0}));
  }
  if (filtered) {
    auto jobs = ListJobs(*client, {});  // pending and running: only those can be cancelled
    if (!jobs.ok()) return SlurmError(ctx, "scancel", jobs.status().message());
    std::vector<int64_t> selected;
    for (const auto& job : *jobs) {
      int64_t id = job.value("id", 0);
      if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
      if (!states.empty() && !states.count(std::string(StateOf(job).name))) continue;
      if (!InList(a.List("user"), JobText(job, "user")) ||
          !InList(a.List("name"), JobText(job, "name")) ||
          !InList(a.List("partition"), JobPartition(job)) ||
          !InList(a.List("account"), JobText(job, "tenant"))) {
        continue;
      }
      selected.push_back(id);
    }
    ids = selected;
    whole_arrays.clear();  // the filters picked each task themselves
  }
  for (int64_t id : ids) {
    nlohmann::json body = nlohmann::json::object();
    if (whole_arrays.count(id)) body["array"] = true;
    auto r = client->Post("jobs/" + std::to_string(id) + "/cancel", body);
    if (r.ok()) continue;
    std::string why = r.status().message();
    if (r.status().code() == StatusCode::kNotFound) why = "Invalid job id specified";
    if (r.status().code() == StatusCode::kFailedPrecondition) {
      why = "Job/step already completing or completed";
    }
    if (!a.Has("quiet") || r.status().code() != StatusCode::kFailedPrecondition) {
      code =
          SlurmError(ctx, "scancel", "Kill job error on job id " + std::to_string(id) + ": " + why);
    }
  }
  return code;
}

}  // namespace suanli::cli::slurm_cmd
