#include "sim/command.h"

#include <iostream>

namespace suanli::sim {

// Placeholder until the sim module lands; it fails loudly rather than pretending to work.
void RegisterCommands(CLI::App& app) {
  auto* cmd = app.add_subcommand("sim", "(not built yet)");
  cmd->callback([] {
    std::cerr << "suanli sim: not implemented yet\n";
    throw CLI::RuntimeError(70);
  });
}

}  // namespace suanli::sim
