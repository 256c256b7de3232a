#pragma once
// Registers the `suanli server` subcommand. Parsing lives beside the code it configures.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "base/result.h"

namespace suanli::server {

struct ServerOptions;

void RegisterCommands(CLI::App& app);

// The API limits (README "API limits"), shared by `suanli server` and `suanli up`: add the
// options to `cmd`, then apply what was given to the options once parsed.
struct ApiLimitFlags {
  int max_connections = 4096;
  int max_connections_per_source = 256;
  std::string request_timeout = "10s";
  std::string rate_limit = "off";
  double rate_burst = 0;
  int64_t max_pending_per_user = 0;
  int64_t max_pending_per_tenant = 0;
};
void AddApiLimitOptions(CLI::App* cmd, ApiLimitFlags* flags);
Status ApplyApiLimitFlags(const ApiLimitFlags& flags, ServerOptions* options);

}  // namespace suanli::server
