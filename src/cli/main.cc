#include "cli/main.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "agent/command.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/slurm/commands.h"
#include "server/command.h"
#include "sim/command.h"

namespace suanli::cli {

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const EnvLookup& env) {
  // Slurm's commands parse their own options (Slurm's spelling, not CLI11's): by the name the
  // binary was called by (a link named squeue), or as `suanli squeue ...`.
  if (!args.empty()) {
    std::string program = std::filesystem::path(args[0]).filename().string();
    if (slurm_cmd::IsSlurmCommand(program)) {
      CommandContext slurm_ctx{out, err, env};
      return slurm_cmd::RunSlurmCommand(program, {args.begin() + 1, args.end()}, slurm_ctx);
    }
    if (args.size() > 1 && slurm_cmd::IsSlurmCommand(args[1])) {
      CommandContext slurm_ctx{out, err, env};
      return slurm_cmd::RunSlurmCommand(args[1], {args.begin() + 2, args.end()}, slurm_ctx);
    }
  }
  CLI::App app{"suanli: share scarce accelerators fairly (exit codes: see docs/cli.md)"};
  app.require_subcommand(1);
  CommandContext ctx{out, err, env};
  ctx.saw_double_dash = std::find(args.begin(), args.end(), "--") != args.end();
  RegisterUpCommand(app, ctx);
  RegisterBrokerCommand(app, ctx);
  RegisterCenterCommands(app, ctx);
  server::RegisterCommands(app);
  agent::RegisterCommands(app);
  sim::RegisterCommands(app);
  RegisterJobCommands(app, ctx);
  RegisterAccountCommands(app, ctx);
  RegisterClusterCommands(app, ctx);
  RegisterServiceCommands(app, ctx);
  RegisterAdminCommands(app, ctx);
  slurm_cmd::RegisterSlurmCommands(app, ctx);
  std::vector<std::string> storage = args.empty() ? std::vector<std::string>{"suanli"} : args;
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    // CLI11's own codes for bad flags (105, 106, ...) collapse into the one documented usage code.
    if (e.get_name() == "RuntimeError" || code == 0) return code;
    return kExitUsage;
  }
  return ctx.exit_code;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return Run(args, std::cout, std::cerr);
}

}  // namespace suanli::cli
