#pragma once
// Registers the `suanli agent` subcommand. Parsing lives beside the code it configures.
#include <CLI/CLI.hpp>

namespace suanli::agent {

void RegisterCommands(CLI::App& app);

}  // namespace suanli::agent
