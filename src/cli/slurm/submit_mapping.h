#pragma once
// How an sbatch request (src/slurm's BatchRequest) becomes the body of POST /jobs (docs/api.md).
// Suanli's job is a gang of `tasks` equal tasks; a Slurm node becomes one task holding that
// node's share (its tasks' CPUs, its GPUs, its memory). docs/slurm.md, "The mapping", says why
// and lists every option's fate. Pure: the environment and the cluster's accelerator types are
// passed in.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/connection.h"
#include "slurm/batch_request.h"

namespace suanli::cli::slurm_cmd {

// What the cluster offers, from GET /nodes; `known` is false when it was not asked (--test-only).
struct ClusterTypes {
  bool known = false;
  std::vector<std::string> accel_types;  // "nvidia-a100", ...
};

struct SubmitContext {
  std::string default_name;  // the script's file name, "sbatch" for stdin, "wrap" for --wrap
  std::string submit_dir;    // becomes SLURM_SUBMIT_DIR
  EnvLookup env;             // for --export=NAME without a value
  ClusterTypes cluster;
};

struct MappedSubmission {
  nlohmann::json body;
  std::vector<std::string> warnings;  // options Suanli does not honour (yet), one per option
};

// --array, --dependency, --begin, --hold and --chdir become the API's array, dependency,
// begin_time, hold and workdir; options Suanli runs without are warnings.
Result<MappedSubmission> MapBatchRequest(const suanli::slurm::BatchRequest& request,
                                         const SubmitContext& context);

// "gpu" or "a100" as Slurm users write a type, matched to the cluster's types: exact, or the
// part after the vendor ("a100" -> "nvidia-a100"); several matches are joined with '|'.
std::string ResolveAccelType(const std::string& type, const ClusterTypes& cluster);

}  // namespace suanli::cli::slurm_cmd
