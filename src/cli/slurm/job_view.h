#pragma once
// How a Suanli job (the API's job object, docs/api.md) reads in Slurm's words: state codes and
// names, reasons, partition, node lists, TRES and times. Pure: JSON in, text out, so that the
// formatting is tested on samples without a server.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::cli::slurm_cmd {

struct SlurmState {
  std::string_view code;  // "PD"
  std::string_view name;  // "PENDING"
};

// PENDING PD, STARTING CF (CONFIGURING), RUNNING R, COMPLETED CD, FAILED F, CANCELLED CA,
// TIMEOUT TO, PREEMPTED PR, LOST NF (NODE_FAIL), OUT_OF_MEMORY OOM.
SlurmState StateOf(const nlohmann::json& job);

// squeue/sacct -t: short or long Slurm names, any case ("PD", "pending", "R,CG", "all").
// Returns the long names. COMPLETING (CG) is accepted and never matches: the API has no such
// state (a cancelled job is CANCELLED at once).
Result<std::set<std::string>> ParseStateFilter(const std::vector<std::string>& words);

// The Suanli API state names a Slurm filter stands for (for GET /jobs?state=).
std::vector<std::string> ApiStatesFor(const std::set<std::string>& slurm_names);

// The id as Slurm prints it: "7", or "7_3" for task 3 of array 7 (a collapsed row of pending
// tasks carries its own, "7_[4-500%2]", in "slurm_id").
std::string SlurmJobId(const nlohmann::json& job);

// A pending job's reason in Slurm's word where one fits (Resources, Priority, AssocGrpGRES,
// AssocGrpBillingMinutes, None), else Suanli's own text; "None" for jobs that are not pending.
std::string SlurmReason(const nlohmann::json& job);

// The partition a job asked for: its accelerator type(s) ("nvidia-a100", "a,b" for several),
// or kAllPartition when any node will do (see docs/slurm.md, "Partitions").
inline constexpr std::string_view kAllPartition = "all";
std::string JobPartition(const nlohmann::json& job);

// The nodes a job holds, compressed as Slurm writes them ("node[1-3]"); "" when none.
std::string JobNodeList(const nlohmann::json& job);
// Distinct nodes held, or the gang size while the job is not placed.
int64_t JobNodeCount(const nlohmann::json& job);
int64_t JobTasks(const nlohmann::json& job);
double JobCpus(const nlohmann::json& job);  // all tasks together
// squeue %b: "gres/gpu:nvidia-a100:2" per task (Suanli's task = Slurm's node), or "N/A".
std::string JobTresPerNode(const nlohmann::json& job);
// sacct AllocTRES: "cpu=8,mem=32G,node=2,gres/gpu=4"; "" before the job started.
std::string JobAllocTres(const nlohmann::json& job);
// sacct ExitCode "code:signal" ("0:0", "3:0", "0:9").
std::string JobExitCode(const nlohmann::json& job);

// Unix seconds -> "2026-12-06T23:27:11" in local time as Slurm prints it; `none` when null.
std::string SlurmTime(const nlohmann::json& epoch, std::string_view none = "N/A");
// The job's time limit as squeue prints it ("1:00:00", "UNLIMITED").
std::string JobTimeLimit(const nlohmann::json& job);
// Run time so far (squeue %M: "0:05", "1:02:03", "2-03:04:05").
std::string JobRunTime(const nlohmann::json& job, double now);
// sacct Elapsed: always "HH:MM:SS" or "D-HH:MM:SS".
std::string JobElapsedLong(const nlohmann::json& job, double now);
double JobRunSeconds(const nlohmann::json& job, double now);

// A string field of the job, or "" (for name, user, tenant...).
std::string JobText(const nlohmann::json& job, const char* key);

}  // namespace suanli::cli::slurm_cmd
