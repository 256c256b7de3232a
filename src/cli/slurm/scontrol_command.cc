// scontrol: show hostnames/hostlist (src/slurm's hostlist), show job N (GET /jobs/{id}), hold and
// release (POST /jobs/{id}/hold|release).
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
  out << "JobId=" << JobText(job, "id");
  if (job.contains("array") && job["array"].is_object()) {
    out << " ArrayJobId=" << job["array"].value("job_id", int64_t{0})
        << " ArrayTaskId=" << job["array"].value("task_id", int64_t{0});
  }
  out << " JobName=" << JobText(job, "name") << "\n"
      << "   UserId=" << JobText(job, "user") << " Account=" << JobText(job, "tenant")
      << " Priority=" << Or(JobText(job, "priority"), "0") << "\n"
      << "   JobState=" << StateOf(job).name << " Reason=" << SlurmReason(job)
      << " Dependency=" << Or(JobText(job, "dependency"), "(null)") << "\n"
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
  auto ref = ParseSlurmJobRef(args[2]);
  if (!ref.ok()) return SlurmError(ctx, "scontrol", ref.status().message());
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "scontrol", client.status().message());
  auto jobs = FindSlurmJobs(*client, *ref);
  if (!jobs.ok()) {
    return SlurmError(ctx, "scontrol",
                      jobs.status().code() == StatusCode::kNotFound ? "Invalid job id specified"
                                                                    : jobs.status().message());
  }
  for (size_t i = 0; i < jobs->size(); ++i) {
    if (i > 0) ctx.out << "\n";
    PrintJob(ctx.out, (*jobs)[i], NowSeconds());
  }
  return kExitOk;
}

// scontrol hold|release ID...: a job, a whole array by its id, or the tasks named.
int HoldOrRelease(const std::vector<std::string>& args, CommandContext& ctx, bool hold) {
  if (args.size() < 2) return SlurmError(ctx, "scontrol", args[0] + " needs a job id");
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "scontrol", client.status().message());
  int code = kExitOk;
  for (size_t i = 1; i < args.size(); ++i) {
    // Slurm accepts a comma list in one word as well as several words.
    for (size_t start = 0; start <= args[i].size();) {
      size_t comma = args[i].find(',', start);
      if (args[i].find('[', start) < comma) comma = args[i].find(',', args[i].find(']', start));
      if (comma == std::string::npos) comma = args[i].size();
      const std::string text = args[i].substr(start, comma - start);
      start = comma + 1;
      if (text.empty()) continue;
      auto ref = ParseSlurmJobRef(text);
      if (!ref.ok()) {
        code = SlurmError(ctx, "scontrol", ref.status().message());
        continue;
      }
      std::vector<std::pair<int64_t, bool>> targets;  // id, whole array
      if (!ref->tasks) {
        targets.emplace_back(ref->id, true);
      } else {
        auto found = FindSlurmJobs(*client, *ref);
        if (!found.ok()) {
          code = SlurmError(ctx, "scontrol", "Invalid job id specified: " + text);
          continue;
        }
        for (const auto& j : *found) targets.emplace_back(j.value("id", int64_t{0}), false);
      }
      for (const auto& [id, whole] : targets) {
        nlohmann::json body = nlohmann::json::object();
        if (whole) body["array"] = true;
        auto r = client->Post("jobs/" + std::to_string(id) + (hold ? "/hold" : "/release"), body);
        if (!r.ok()) {
          code = SlurmError(ctx, "scontrol",
                            r.status().code() == StatusCode::kNotFound
                                ? "Invalid job id specified: " + text
                                : "Job " + std::to_string(id) + ": " + r.status().message());
        }
      }
    }
  }
  return code;
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
  if (!args.empty() && (args[0] == "hold" || args[0] == "uhold")) return HoldOrRelease(args, ctx, true);
  if (!args.empty() && args[0] == "release") return HoldOrRelease(args, ctx, false);
  std::string said;
  for (const auto& w : args) said += (said.empty() ? "" : " ") + w;
  return SlurmError(ctx, "scontrol",
                    "'" + said +
                        "' is not supported by Suanli yet (supported: show hostnames [LIST], show "
                        "hostlist LIST, show hostlistsorted LIST, show job ID, hold ID, release ID)");
}

}  // namespace suanli::cli::slurm_cmd
