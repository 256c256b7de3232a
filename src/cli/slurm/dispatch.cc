// Which Slurm command runs: by the name the binary was called by, or the first argument.
#include <algorithm>
#include <array>

#include "cli/slurm/commands.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<std::string_view, 8> kNames = {"sbatch", "squeue",   "scancel", "sacct",
                                                    "sinfo",  "scontrol", "srun",    "salloc"};

}  // namespace

std::span<const std::string_view> SlurmCommandNames() { return kNames; }

bool IsSlurmCommand(std::string_view name) {
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

int RunSlurmCommand(std::string_view name, const std::vector<std::string>& args,
                    CommandContext& ctx) {
  if (name == "sbatch") return RunSbatch(args, ctx);
  if (name == "squeue") return RunSqueue(args, ctx);
  if (name == "scancel") return RunScancel(args, ctx);
  if (name == "sacct") return RunSacct(args, ctx);
  if (name == "sinfo") return RunSinfo(args, ctx);
  if (name == "scontrol") return RunScontrol(args, ctx);
  if (name == "srun") return RunSrun(args, ctx);
  return RunSalloc(args, ctx);
}

}  // namespace suanli::cli::slurm_cmd
