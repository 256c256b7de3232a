// squeue: GET /jobs (or GET /jobs/{id} for -j) printed in Slurm's columns.
#include <algorithm>
#include <array>
#include <map>
#include <ostream>

#include "cli/slurm/args.h"
#include "cli/slurm/columns.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/squeue_sort.h"
#include "cli/slurm/support.h"
#include "slurm/array_spec.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<ArgSpec, 15> kSpecs = {{
    {"array", 'r', false},  // one row per array task, pending ones too
    {"user", 'u', true},
    {"jobs", 'j', true},
    {"states", 't', true},
    {"name", 'n', true},
    {"partition", 'p', true},
    {"account", 'A', true},
    {"format", 'o', true},
    {"sort", 'S', true},
    {"me", 0, false},
    {"noheader", 'h', false},
    {"long", 'l', false},
    {"start", 0, false},
    {"all", 'a', false},  // Slurm: hidden partitions too; Suanli has none, so a no-op
    {"help", 0, false},
}};

// Pending tasks of one array share a row, as Slurm shows them: "7_[4-500%2]".
std::vector<nlohmann::json> CollapsePendingTasks(const std::vector<nlohmann::json>& jobs) {
  std::vector<nlohmann::json> out;
  std::map<int64_t, size_t> row_of;  // array id -> its pending row in out
  std::map<int64_t, std::vector<uint32_t>> tasks_of;
  for (const auto& job : jobs) {
    const nlohmann::json* array = job.contains("array") && job["array"].is_object()
                                      ? &job["array"]
                                      : nullptr;
    if (array == nullptr || job.value("state", "") != "PENDING") {
      out.push_back(job);
      continue;
    }
    const int64_t id = array->value("job_id", int64_t{0});
    tasks_of[id].push_back(array->value("task_id", uint32_t{0}));
    if (!row_of.count(id)) {
      row_of[id] = out.size();
      out.push_back(job);
    }
  }
  for (const auto& [id, tasks] : tasks_of) {
    nlohmann::json& row = out[row_of[id]];
    if (tasks.size() == 1) continue;
    suanli::slurm::ArraySpec spec;
    spec.task_ids = tasks;
    if (uint32_t m = row["array"].value("max_running", uint32_t{0}); m > 0) spec.max_running = m;
    row["slurm_id"] = std::to_string(id) + "_[" + suanli::slurm::FormatArraySpec(spec) + "]";
  }
  return out;
}

}  // namespace

int RunSqueue(const std::vector<std::string>& args, CommandContext& ctx) {
  auto parsed = ParseArgs(args, kSpecs);
  if (!parsed.ok()) return SlurmError(ctx, "squeue", parsed.status().message());
  const ParsedArgs& a = *parsed;
  if (a.Has("help")) {
    ctx.out << "Usage: squeue [-u USER] [-j IDS] [-t STATES] [--me] [-h] [-l] [--start] "
               "[-o FORMAT] [-S FIELDS]  (Suanli: see docs/slurm.md)\n";
    return kExitOk;
  }
  if (!a.positional.empty()) {
    return SlurmError(ctx, "squeue", "unexpected argument '" + a.positional[0] + "'");
  }
  std::string_view default_format =
      a.Has("start") ? kSqueueStart : (a.Has("long") ? kSqueueLong : kSqueueDefault);
  // -o, else SQUEUE_FORMAT (as squeue(1) reads it), else the default for -l/--start.
  const std::string env_format = ctx.env("SQUEUE_FORMAT");
  std::string format = a.Has("format")       ? a.Last("format")
                       : !env_format.empty() ? env_format
                                             : std::string(default_format);
  auto columns = ParseSqueueFormat(format);
  if (!columns.ok()) return SlurmError(ctx, "squeue", columns.status().message());
  // -S, else SQUEUE_SORT; without either the jobs are listed by id.
  const std::string sort_spec = a.Has("sort") ? a.Last("sort") : ctx.env("SQUEUE_SORT");
  std::vector<SortKey> sort_keys;
  if (!sort_spec.empty()) {
    auto keys = ParseSqueueSort(sort_spec);
    if (!keys.ok()) return SlurmError(ctx, "squeue", keys.status().message());
    sort_keys = *keys;
  }
  std::set<std::string> states;
  if (a.Has("states")) {
    auto s = ParseStateFilter(a.List("states"));
    if (!s.ok()) return SlurmError(ctx, "squeue", s.status().message());
    states = *s;
  }
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "squeue", client.status().message());
  std::vector<std::string> users = a.List("user");
  if (a.Has("me")) {
    auto me = WhoAmI(*client);
    if (!me.ok()) return SlurmError(ctx, "squeue", me.status().message());
    users.push_back(*me);
  }

  std::vector<nlohmann::json> jobs;
  if (a.Has("jobs")) {
    // Slurm shows a job named with -j whatever its state.
    for (const auto& text : a.List("jobs")) {
      auto ref = ParseSlurmJobRef(text);
      if (!ref.ok()) return SlurmError(ctx, "squeue", ref.status().message());
      auto found = FindSlurmJobs(*client, *ref);
      if (!found.ok()) {
        if (found.status().code() == StatusCode::kNotFound) {
          return SlurmError(ctx, "squeue", "Invalid job id specified");
        }
        return SlurmError(ctx, "squeue", found.status().message());
      }
      jobs.insert(jobs.end(), found->begin(), found->end());
    }
  } else {
    QueryParams q;
    if (!states.empty()) {
      std::string list;
      for (const auto& s : ApiStatesFor(states)) list += (list.empty() ? "" : ",") + s;
      if (list.empty()) list = "PENDING";  // only COMPLETING asked: nothing matches, see below
      q.emplace_back("state", list);
    }
    if (users.size() == 1) q.emplace_back("user", users[0]);
    auto listed = ListJobs(*client, q);
    if (!listed.ok()) return SlurmError(ctx, "squeue", listed.status().message());
    jobs = std::move(*listed);
  }
  std::vector<std::string> names = a.List("name"), partitions = a.List("partition"),
                           accounts = a.List("account");
  std::vector<nlohmann::json> shown;
  for (const auto& job : jobs) {
    if (!states.empty() && !states.count(std::string(StateOf(job).name))) continue;
    if (a.Has("start") && job.value("state", "") != "PENDING") continue;
    if (!InList(users, JobText(job, "user")) || !InList(names, JobText(job, "name")) ||
        !InList(partitions, JobPartition(job)) || !InList(accounts, JobText(job, "tenant"))) {
      continue;
    }
    shown.push_back(job);
  }
  if (!a.Has("array")) shown = CollapsePendingTasks(shown);
  if (!sort_keys.empty()) SortJobs(sort_keys, &shown);
  ctx.out << RenderSqueue(*columns, shown, NowSeconds(), !a.Has("noheader"));
  return kExitOk;
}

}  // namespace suanli::cli::slurm_cmd
