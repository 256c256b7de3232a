// sacct: finished and running jobs from GET /jobs?all=true, in sacct's columns.
#include <array>
#include <ostream>

#include "cli/slurm/args.h"
#include "cli/slurm/columns.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/support.h"
#include "slurm/begin_time.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<ArgSpec, 13> kSpecs = {{
    {"jobs", 'j', true},
    {"starttime", 'S', true},
    {"endtime", 'E', true},
    {"format", 'o', true},
    {"parsable", 'p', false},
    {"parsable2", 'P', false},
    {"allocations", 'X', false},  // Suanli records no steps: every row is an allocation
    {"noheader", 'n', false},
    {"allusers", 'a', false},
    {"user", 'u', true},
    {"state", 's', true},
    {"name", 0, true},
    {"brief", 'b', false},
}};

double Time(const nlohmann::json& job, const char* key, double fallback) {
  return job.contains(key) && job[key].is_number() ? job[key].get<double>() : fallback;
}

// Midnight today, local time: sacct's default -S.
int64_t MidnightToday(const suanli::slurm::BeginClock& clock) {
  int64_t local = clock.now_unix + clock.utc_offset_seconds;
  return local - (local % 86400 + 86400) % 86400 - clock.utc_offset_seconds;
}

}  // namespace

int RunSacct(const std::vector<std::string>& args, CommandContext& ctx) {
  auto parsed = ParseArgs(args, kSpecs);
  if (!parsed.ok()) return SlurmError(ctx, "sacct", parsed.status().message());
  const ParsedArgs& a = *parsed;
  // -o, else -b, else SACCT_FORMAT (sacct(1)), else the default columns.
  const std::string env_format = ctx.env("SACCT_FORMAT");
  std::string format = a.Has("format")       ? a.Last("format")
                       : a.Has("brief")      ? "JobID,State,ExitCode"
                       : !env_format.empty() ? env_format
                                             : std::string(kSacctDefault);
  auto columns = ParseSacctFormat(format);
  if (!columns.ok()) return SlurmError(ctx, "sacct", columns.status().message());
  auto clock = LocalClock();
  bool by_id = a.Has("jobs");
  // With -j, Slurm looks at the jobs named whatever their time; otherwise since midnight.
  double since = by_id && !a.Has("starttime") ? 0 : static_cast<double>(MidnightToday(clock));
  double until = 1e18;
  for (const auto& [key, target] :
       {std::pair<const char*, double*>{"starttime", &since}, {"endtime", &until}}) {
    if (!a.Has(key)) continue;
    auto t = suanli::slurm::ParseBeginTime(a.Last(key), clock);
    if (!t.ok())
      return SlurmError(ctx, "sacct",
                        "invalid time '" + a.Last(key) + "': " + t.status().message());
    *target = static_cast<double>(*t);
  }
  std::set<std::string> states;
  if (a.Has("state")) {
    auto s = ParseStateFilter(a.List("state"));
    if (!s.ok()) return SlurmError(ctx, "sacct", s.status().message());
    states = *s;
  }
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "sacct", client.status().message());
  std::vector<std::string> users = a.List("user");
  if (users.empty() && !a.Has("allusers") && !by_id) {
    auto me = WhoAmI(*client);  // sacct shows the caller's own jobs unless told otherwise
    if (!me.ok()) return SlurmError(ctx, "sacct", me.status().message());
    users.push_back(*me);
  }
  std::vector<nlohmann::json> jobs;
  if (by_id) {
    for (const auto& text : a.List("jobs")) {
      auto ref = ParseSlurmJobRef(text);
      if (!ref.ok()) return SlurmError(ctx, "sacct", ref.status().message());
      auto found = FindSlurmJobs(*client, *ref);  // an array's id: all its tasks
      if (found.ok()) {
        jobs.insert(jobs.end(), found->begin(), found->end());
      } else if (found.status().code() != StatusCode::kNotFound) {
        return SlurmError(ctx, "sacct", found.status().message());
      }  // an unknown id prints no row, as in Slurm
    }
  } else {
    auto listed = ListJobs(*client, {{"all", "true"}});
    if (!listed.ok()) return SlurmError(ctx, "sacct", listed.status().message());
    jobs = std::move(*listed);
  }
  std::vector<nlohmann::json> shown;
  double now = NowSeconds();
  for (const auto& job : jobs) {
    if (Time(job, "submit_time", 0) > until || Time(job, "end_time", now) < since) continue;
    if (!states.empty() && !states.count(std::string(StateOf(job).name))) continue;
    if (!InList(users, JobText(job, "user")) || !InList(a.List("name"), JobText(job, "name"))) {
      continue;
    }
    shown.push_back(job);
  }
  SacctLayout layout = a.Has("parsable2")  ? SacctLayout::kParsable2
                       : a.Has("parsable") ? SacctLayout::kParsable
                                           : SacctLayout::kTable;
  ctx.out << RenderSacct(*columns, shown, now, layout, !a.Has("noheader"));
  return kExitOk;
}

}  // namespace suanli::cli::slurm_cmd
