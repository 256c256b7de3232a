#pragma once
// Registers the `suanli server` subcommand. Parsing lives beside the code it configures.
#include <CLI/CLI.hpp>

namespace suanli::server {

void RegisterCommands(CLI::App& app);

}  // namespace suanli::server
