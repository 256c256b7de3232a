#pragma once
// The Slurm user commands (issue #13), each over the existing REST API. `suanli squeue ...` and a
// link named `squeue` to the suanli binary run the same code (dispatch.cc).
#include <CLI/CLI.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_support.h"

namespace suanli::cli::slurm_cmd {

// sbatch squeue scancel sacct sinfo scontrol srun salloc, in the order `--help` lists them.
std::span<const std::string_view> SlurmCommandNames();
bool IsSlurmCommand(std::string_view name);

// Runs Slurm command `name` with the words after it; returns the exit code.
int RunSlurmCommand(std::string_view name, const std::vector<std::string>& args,
                    CommandContext& ctx);

int RunSbatch(const std::vector<std::string>& args, CommandContext& ctx);
int RunSqueue(const std::vector<std::string>& args, CommandContext& ctx);
int RunScancel(const std::vector<std::string>& args, CommandContext& ctx);
int RunSacct(const std::vector<std::string>& args, CommandContext& ctx);
int RunSinfo(const std::vector<std::string>& args, CommandContext& ctx);
int RunScontrol(const std::vector<std::string>& args, CommandContext& ctx);
int RunSrun(const std::vector<std::string>& args, CommandContext& ctx);
int RunSalloc(const std::vector<std::string>& args, CommandContext& ctx);

// Lists the Slurm commands in `suanli --help` (they are run before CLI11 parses anything, since
// their options are Slurm's), and adds `suanli install-slurm-commands`.
void RegisterSlurmCommands(CLI::App& app, CommandContext& ctx);

}  // namespace suanli::cli::slurm_cmd
