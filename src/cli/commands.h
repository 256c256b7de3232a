#pragma once
// Registration of the client subcommands (each group in its own file).
#include <CLI/CLI.hpp>

#include "cli/command_support.h"

namespace suanli::cli {

// submit, queue, show, cancel, logs, wait (job_commands.cc)
void RegisterJobCommands(CLI::App& app, CommandContext& ctx);
// tenant, user, token, whoami (account_commands.cc)
void RegisterAccountCommands(CLI::App& app, CommandContext& ctx);
// nodes, usage (cluster_commands.cc)
void RegisterClusterCommands(CLI::App& app, CommandContext& ctx);
// admin backup|restore|migrate-store (admin_commands.cc)
void RegisterAdminCommands(CLI::App& app, CommandContext& ctx);
// service create|list|show|update|logs|delete (service_commands.cc)
void RegisterServiceCommands(CLI::App& app, CommandContext& ctx);
// broker (broker_command.cc): the federation's broker process
void RegisterBrokerCommand(CLI::App& app, CommandContext& ctx);
// center list|update (center_commands.cc), against a broker
void RegisterCenterCommands(CLI::App& app, CommandContext& ctx);
// up (up_command.cc)
void RegisterUpCommand(CLI::App& app, CommandContext& ctx);

}  // namespace suanli::cli
