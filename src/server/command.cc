#include "server/command.h"

#include <iostream>

namespace suanli::server {

// Placeholder until the server module lands; it fails loudly rather than pretending to work.
void RegisterCommands(CLI::App& app) {
  auto* cmd = app.add_subcommand("server", "(not built yet)");
  cmd->callback([] {
    std::cerr << "suanli server: not implemented yet\n";
    throw CLI::RuntimeError(70);
  });
}

}  // namespace suanli::server
