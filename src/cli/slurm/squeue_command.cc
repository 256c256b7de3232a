// squeue: GET /jobs (or GET /jobs/{id} for -j) printed in Slurm's columns.
#include <algorithm>
#include <array>
#include <ostream>

#include "cli/slurm/args.h"
#include "cli/slurm/columns.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/support.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<ArgSpec, 13> kSpecs = {{
    {"user", 'u', true},
    {"jobs", 'j', true},
    {"states", 't', true},
    {"name", 'n', true},
    {"partition", 'p', true},
    {"account", 'A', true},
    {"format", 'o', true},
    {"me", 0, false},
    {"noheader", 'h', false},
    {"long", 'l', false},
    {"start", 0, false},
    {"all", 'a', false},  // Slurm: hidden partitions too; Suanli has none, so a no-op
    {"help", 0, false},
}};

}  // namespace

int RunSqueue(const std::vector<std::string>& args, CommandContext& ctx) {
  auto parsed = ParseArgs(args, kSpecs);
  if (!parsed.ok()) return SlurmError(ctx, "squeue", parsed.status().message());
  const ParsedArgs& a = *parsed;
  if (a.Has("help")) {
    ctx.out << "Usage: squeue [-u USER] [-j IDS] [-t STATES] [--me] [-h] [-l] [--start] "
               "[-o FORMAT]  (Suanli: see docs/slurm.md)\n";
    return kExitOk;
  }
  if (!a.positional.empty()) {
    return SlurmError(ctx, "squeue", "unexpected argument '" + a.positional[0] + "'");
  }
  std::string_view default_format =
      a.Has("start") ? kSqueueStart : (a.Has("long") ? kSqueueLong : kSqueueDefault);
  std::string format = a.Has("format") ? a.Last("format") : std::string(default_format);
  auto columns = ParseSqueueFormat(format);
  if (!columns.ok()) return SlurmError(ctx, "squeue", columns.status().message());
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
      auto id = ParseSlurmJobId(text);
      if (!id.ok()) return SlurmError(ctx, "squeue", id.status().message());
      auto job = client->Get("jobs/" + std::to_string(*id));
      if (!job.ok()) {
        if (job.status().code() == StatusCode::kNotFound) {
          return SlurmError(ctx, "squeue", "Invalid job id specified");
        }
        return SlurmError(ctx, "squeue", job.status().message());
      }
      jobs.push_back(*job);
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
  ctx.out << RenderSqueue(*columns, shown, NowSeconds(), !a.Has("noheader"));
  return kExitOk;
}

}  // namespace suanli::cli::slurm_cmd
