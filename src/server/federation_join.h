#pragma once
// A center joining a federation: the `--federation URL --federation-token T --center NAME
// --region REGION` flags of `suanli server` and `suanli up`, and the reporter they start beside
// the controller (src/federation/reporter.h; it reads this center's REST API, never the
// controller's state directly).
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "base/result.h"
#include "federation/reporter.h"

namespace suanli::server {

class Server;
struct ServerOptions;

struct FederationFlags {
  std::string broker_url;
  std::string token;
  std::string center;
  std::string region;
  std::string interval = "2s";
  bool given() const { return !broker_url.empty(); }
};
void AddFederationOptions(CLI::App* cmd, FederationFlags* flags);

// Null when no --federation was given. Prices come from the center's price table (--prices or
// DATA_DIR/prices.json), so the broker routes on what users here are charged. `interval_ms` is
// --report-interval as the caller parsed it (-1 when malformed).
Result<std::unique_ptr<federation::Reporter>> StartFederationReporter(const FederationFlags& flags,
                                                                      int64_t interval_ms,
                                                                      const Server& server,
                                                                      const ServerOptions& options);

}  // namespace suanli::server
