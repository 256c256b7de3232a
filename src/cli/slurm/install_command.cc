// suanli install-slurm-commands: links named sbatch, squeue, ... to this binary.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <ostream>

#include "cli/slurm/commands.h"

namespace suanli::cli::slurm_cmd {
namespace {

namespace fs = std::filesystem;

struct InstallCommand {
  std::string prefix;
  bool force = false;
};

// The default: beside the binary when that directory is writable (a build tree, /opt/suanli/bin),
// else ~/.local/bin, which needs no root and is on most users' PATH.
fs::path DefaultPrefix(const fs::path& self, CommandContext& ctx) {
  fs::path dir = self.parent_path();
  if (access(dir.c_str(), W_OK) == 0) return dir;
  return fs::path(ctx.env("HOME")) / ".local" / "bin";
}

int RunInstall(CommandContext& ctx, const InstallCommand& c) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    ctx.err << "suanli install-slurm-commands: cannot find this binary: " << ec.message() << "\n";
    return kExitError;
  }
  fs::path prefix = c.prefix.empty() ? DefaultPrefix(self, ctx) : fs::path(c.prefix);
  fs::create_directories(prefix, ec);
  if (ec) {
    ctx.err << "suanli install-slurm-commands: cannot create " << prefix.string() << ": "
            << ec.message() << "\n";
    return kExitError;
  }
  // Check every name first, so that a refusal leaves nothing half installed.
  for (std::string_view name : SlurmCommandNames()) {
    fs::path link = prefix / name;
    auto st = fs::symlink_status(link, ec);
    if (!fs::exists(st)) continue;
    bool ours = fs::is_symlink(st) && fs::equivalent(link, self, ec);
    if (!ours && !c.force) {
      ctx.err << "suanli install-slurm-commands: " << link.string()
              << " exists and is not a link to suanli (a real Slurm command?); not replaced. "
                 "Use --force to replace it, or --prefix for another directory\n";
      return kExitError;
    }
  }
  for (std::string_view name : SlurmCommandNames()) {
    fs::path link = prefix / name;
    fs::remove(link, ec);
    fs::create_symlink(self, link, ec);
    if (ec) {
      ctx.err << "suanli install-slurm-commands: cannot link " << link.string() << ": "
              << ec.message() << "\n";
      return kExitError;
    }
  }
  ctx.out << "linked sbatch squeue scancel sacct sinfo scontrol srun salloc in " << prefix.string()
          << " to " << self.string() << "\n";
  return kExitOk;
}

}  // namespace

void RegisterSlurmCommands(CLI::App& app, CommandContext& ctx) {
  for (std::string_view name : SlurmCommandNames()) {
    // Listed for --help only: Run() hands these to RunSlurmCommand before CLI11 parses.
    app.add_subcommand(std::string(name),
                       "Slurm's " + std::string(name) + " over Suanli's API (docs/slurm.md)");
  }
  auto c = std::make_shared<InstallCommand>();
  auto* cmd = app.add_subcommand(
      "install-slurm-commands",
      "link sbatch, squeue, scancel, sacct, sinfo, scontrol, srun, salloc to this binary");
  cmd->add_option("--prefix", c->prefix,
                  "directory for the links (default: this binary's directory if writable, else "
                  "~/.local/bin)");
  cmd->add_flag("--force", c->force, "replace files of those names that are not suanli links");
  SetAction(cmd, ctx, [&ctx, c] { return RunInstall(ctx, *c); });
}

}  // namespace suanli::cli::slurm_cmd
