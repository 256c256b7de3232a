#include "cli/main.h"

#include <CLI/CLI.hpp>

#include "agent/command.h"
#include "server/command.h"
#include "sim/command.h"

namespace suanli::cli {

int Main(int argc, char** argv) {
  CLI::App app{"suanli: share scarce accelerators fairly"};
  app.require_subcommand(1);
  server::RegisterCommands(app);
  agent::RegisterCommands(app);
  sim::RegisterCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

}  // namespace suanli::cli
