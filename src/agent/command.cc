#include "agent/command.h"

#include <iostream>

namespace suanli::agent {

// Placeholder until the agent module lands; it fails loudly rather than pretending to work.
void RegisterCommands(CLI::App& app) {
  auto* cmd = app.add_subcommand("agent", "(not built yet)");
  cmd->callback([] {
    std::cerr << "suanli agent: not implemented yet\n";
    throw CLI::RuntimeError(70);
  });
}

}  // namespace suanli::agent
