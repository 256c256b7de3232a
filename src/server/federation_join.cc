#include "server/federation_join.h"

#include "server/prices.h"
#include "server/server.h"

namespace suanli::server {

void AddFederationOptions(CLI::App* cmd, FederationFlags* f) {
  cmd->add_option("--federation", f->broker_url,
                  "join the federation whose broker serves at this URL (suanli broker)");
  cmd->add_option("--federation-token", f->token, "the broker's join.token");
  cmd->add_option("--center", f->center, "this center's name in the federation");
  cmd->add_option("--region", f->region, "this center's region (e.g. east, west)");
  cmd->add_option("--report-interval", f->interval,
                  "how often the center reports to the broker (default 2s; the broker's "
                  "--lease-timeout must be several times this)");
}

Result<std::unique_ptr<federation::Reporter>> StartFederationReporter(
    const FederationFlags& f, int64_t interval_ms, const Server& server,
    const ServerOptions& options) {
  if (!f.given()) {
    if (!f.token.empty() || !f.center.empty() || !f.region.empty()) {
      return InvalidArgument("--federation-token, --center and --region need --federation URL");
    }
    return std::unique_ptr<federation::Reporter>();
  }
  if (f.center.empty() || f.region.empty()) {
    return InvalidArgument("--federation needs --center NAME and --region REGION");
  }
  federation::ReporterOptions r;
  r.broker_url = f.broker_url;
  r.broker_token = f.token;
  r.center = f.center;
  r.region = f.region;
  r.center_url = server.url();
  r.center_token_path = server.admin_token_path();
  if (interval_ms <= 0) {
    return InvalidArgument("--report-interval must be a positive duration like 2s or 500ms, got '" +
                           f.interval + "'");
  }
  r.interval_ms = interval_ms;
  SUANLI_ASSIGN_OR_RETURN(core::PriceTable prices,
                          LoadPriceTable(options.prices_file, options.data_dir));
  r.prices = prices.accel_hour;
  r.default_price = prices.default_accel_hour;
  return federation::Reporter::Start(r);
}

}  // namespace suanli::server
