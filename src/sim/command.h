#pragma once
// Registers the `suanli sim` subcommand. Parsing lives beside the code it configures.
#include <CLI/CLI.hpp>

namespace suanli::sim {

void RegisterCommands(CLI::App& app);

}  // namespace suanli::sim
