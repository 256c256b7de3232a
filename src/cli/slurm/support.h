#pragma once
// What the Slurm commands share: Slurm's error style, the few API reads they all make, and the
// local clock the Slurm time syntax is read against.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/command_support.h"
#include "cli/slurm/submit_mapping.h"
#include "slurm/begin_time.h"

namespace suanli::cli::slurm_cmd {

// Slurm's commands exit 1 on any error; scripts written for them test only for non-zero.
inline constexpr int kSlurmExitError = 1;

// Prints "<command>: error: <message>" on err and returns kSlurmExitError.
int SlurmError(CommandContext& ctx, std::string_view command, const std::string& message);
void SlurmWarning(CommandContext& ctx, std::string_view command, const std::string& message);

// GET /jobs with the query; the jobs oldest first (the API lists newest first).
Result<std::vector<nlohmann::json>> ListJobs(const ApiClient& client, QueryParams query);
// The user the token belongs to (GET /whoami).
Result<std::string> WhoAmI(const ApiClient& client);
// The accelerator types the cluster's nodes have (GET /nodes), for partitions and GRES types.
Result<ClusterTypes> FetchClusterTypes(const ApiClient& client);

// Slurm job ids as users write them: "7" (a job, or a whole array by its id), "7_3" (one task of
// array 7), "7_[1-3,5]" (some of its tasks).
struct SlurmJobRef {
  int64_t id = 0;
  std::optional<std::vector<uint32_t>> tasks;  // none: the job (or array) itself
};
Result<SlurmJobRef> ParseSlurmJobRef(const std::string& text);
// Only "7": for commands that take a plain job id.
Result<int64_t> ParseSlurmJobId(const std::string& text);
// The API's job objects a reference stands for, in id order: a plain job; every task of an
// array named by its id; the tasks named. NotFound when none exists.
Result<std::vector<nlohmann::json>> FindSlurmJobs(const ApiClient& client, const SlurmJobRef& ref);

// A filter list: empty lets everything through, as an option not given does.
bool InList(const std::vector<std::string>& list, const std::string& value);

// Now, and the local zone's offset, for --begin-style times (sacct -S/-E).
suanli::slurm::BeginClock LocalClock();

}  // namespace suanli::cli::slurm_cmd
