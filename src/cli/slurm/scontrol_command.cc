// scontrol: show hostnames/hostlist (src/slurm's hostlist), show job N (GET /jobs/{id}).
#include <ostream>

#include "cli/slurm/columns.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/support.h"
#include "slurm/hostlist.h"

namespace suanli::cli::slurm_cmd {
namespace {

std::string Or(const std::string& v, const char* none) { return v.empty() ? none : v; }

void PrintJob(std::ostream& out, const nlohmann::json& job, double now) {
  auto time_of = [&](const char* key) {
    return SlurmTime(job.contains(key) ? job[key] : nlohmann::json(), "Unknown");
  };
  out << "JobId=" << JobText(job, "id") << " JobName=" << JobText(job, "name") << "\n"
      << "   UserId=" << JobText(job, "user") << " Account=" << JobText(job, "tenant")
      << " Priority=" << Or(JobText(job, "priority"), "0") << "\n"
      << "   JobState=" << StateOf(job).name << " Reason=" << SlurmReason(job)
      << " Dependency=(null)\n"
      << "   Requeue=" << (job.value("requeue", false) ? 1 : 0)
      << " Restarts=" << std::max(0, job.value("attempt", 1) - 1)
      << " ExitCode=" << JobExitCode(job) << "\n"
      << "   RunTime=" << JobElapsedLong(job, now) << " TimeLimit=" << JobTimeLimit(job) << "\n"
      << "   SubmitTime=" << time_of("submit_time") << " StartTime=" << time_of("start_time")
      << " EndTime=" << time_of("end_time") << "\n"
      << "   Partition=" << JobPartition(job) << " NodeList=" << Or(JobNodeList(job), "(null)")
      << "\n"
      << "   NumNodes=" << JobNodeCount(job) << " NumTasks=" << JobTasks(job)
      << " NumCPUs=" << SacctValue(job, "NCPUS", now) << "\n"
      << "   TRES=" << Or(JobAllocTres(job), "(null)") << " TresPerNode=" << JobTresPerNode(job)
      << "\n";
  std::string reason = JobText(job, "reason");
  if (!reason.empty() && reason != SlurmReason(job)) out << "   SuanliReason=" << reason << "\n";
}

int ShowJob(const std::vector<std::string>& args, CommandContext& ctx) {
  if (args.size() < 3)
    return SlurmError(ctx, "scontrol", "show job needs a job id (all jobs: squeue)");
  auto id = ParseSlurmJobId(args[2]);
  if (!id.ok()) return SlurmError(ctx, "scontrol", id.status().message());
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "scontrol", client.status().message());
  auto job = client->Get("jobs/" + std::to_string(*id));
  if (!job.ok()) {
    return SlurmError(ctx, "scontrol",
                      job.status().code() == StatusCode::kNotFound ? "Invalid job id specified"
                                                                   : job.status().message());
  }
  PrintJob(ctx.out, *job, NowSeconds());
  return kExitOk;
}

int ShowHosts(const std::vector<std::string>& args, CommandContext& ctx, bool expand, bool sorted) {
  std::string list;
  for (size_t i = 2; i < args.size(); ++i) list += (list.empty() ? "" : ",") + args[i];
  if (list.empty()) {
    // Inside a Suanli job, SUANLI_NODELIST (comma-separated) stands in for Slurm's variable.
    list = ctx.env("SLURM_JOB_NODELIST");
    if (list.empty()) list = ctx.env("SUANLI_NODELIST");
  }
  if (list.empty()) {
    return SlurmError(ctx, "scontrol", "no hostlist given and SLURM_JOB_NODELIST is not set");
  }
  auto hosts = suanli::slurm::ExpandHostlist(list);
  if (!hosts.ok()) return SlurmError(ctx, "scontrol", hosts.status().message());
  if (expand) {
    for (const auto& h : *hosts) ctx.out << h << "\n";
  } else {
    ctx.out << (sorted ? suanli::slurm::CompressHostlistSorted(*hosts)
                       : suanli::slurm::CompressHostlist(*hosts))
            << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunScontrol(const std::vector<std::string>& args, CommandContext& ctx) {
  if (args.size() >= 2 && args[0] == "show") {
    const std::string& what = args[1];
    if (what == "hostnames") return ShowHosts(args, ctx, true, false);
    if (what == "hostlist") return ShowHosts(args, ctx, false, false);
    if (what == "hostlistsorted") return ShowHosts(args, ctx, false, true);
    if (what == "job" || what == "jobs") return ShowJob(args, ctx);
  }
  std::string said;
  for (const auto& w : args) said += (said.empty() ? "" : " ") + w;
  return SlurmError(ctx, "scontrol",
                    "'" + said +
                        "' is not supported by Suanli yet (supported: show hostnames [LIST], show "
                        "hostlist LIST, show hostlistsorted LIST, show job ID)");
}

}  // namespace suanli::cli::slurm_cmd
