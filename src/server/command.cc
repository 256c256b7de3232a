#include "server/command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "server/federation_join.h"
#include "server/rate_limit.h"
#include "server/server.h"

namespace suanli::server {

namespace {

// "10s", "500ms", "2m", "1h" or a plain number of seconds -> milliseconds; -1 when malformed.
int64_t ParseDurationMs(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return -1;
  double v = 0;
  try {
    v = std::stod(text.substr(0, i));
  } catch (const std::exception&) {
    return -1;
  }
  std::string unit = text.substr(i);
  double mult = unit == "ms"                    ? 1
                : (unit == "s" || unit.empty()) ? 1000
                : unit == "m"                   ? 60000
                : unit == "h"                   ? 3600000
                                                : -1;
  if (mult < 0) return -1;
  return static_cast<int64_t>(v * mult);
}

}  // namespace

void AddApiLimitOptions(CLI::App* cmd, ApiLimitFlags* f) {
  cmd->add_option("--max-connections", f->max_connections,
                  "HTTP connections open at once; past it new ones get 503")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-source", f->max_connections_per_source,
                  "HTTP connections open at once from one IP address (0 = no cap); past it 429")
      ->capture_default_str();
  cmd->add_option("--http-request-timeout", f->request_timeout,
                  "a request's header and body must arrive within this (e.g. 10s, 500ms)")
      ->capture_default_str();
  cmd->add_option("--rate-limit", f->rate_limit,
                  "requests per user token: N/s, N/min, N/h or off; past it 429 with Retry-After")
      ->capture_default_str();
  cmd->add_option("--rate-burst", f->rate_burst,
                  "requests a token may make at once (default: one second's worth)");
  cmd->add_option("--max-pending-per-user", f->max_pending_per_user,
                  "PENDING jobs one user may have (0 = no cap); past it submissions get 429")
      ->capture_default_str();
  cmd->add_option("--max-pending-per-tenant", f->max_pending_per_tenant,
                  "PENDING jobs submitted to one tenant (0 = no cap); past it 429")
      ->capture_default_str();
}

Status ApplyApiLimitFlags(const ApiLimitFlags& f, ServerOptions* o) {
  if (f.max_connections < 1) return InvalidArgument("--max-connections must be positive");
  if (f.max_connections_per_source < 0) {
    return InvalidArgument("--max-connections-per-source must be 0 (no cap) or more");
  }
  int64_t timeout_ms = ParseDurationMs(f.request_timeout);
  if (timeout_ms <= 0) {
    return InvalidArgument("--http-request-timeout must be a positive duration like 10s, got '" +
                           f.request_timeout + "'");
  }
  auto rate = ParseRateLimit(f.rate_limit);
  if (!rate.ok()) return InvalidArgument("--rate-limit: " + rate.status().message());
  if (f.rate_burst < 0) return InvalidArgument("--rate-burst must be 0 or more");
  if (f.max_pending_per_user < 0 || f.max_pending_per_tenant < 0) {
    return InvalidArgument("--max-pending-per-user and --max-pending-per-tenant must be 0 (no "
                           "cap) or more");
  }
  o->max_connections = f.max_connections;
  o->max_connections_per_source = f.max_connections_per_source;
  o->http_request_timeout_ms = timeout_ms;
  o->rate_limit_per_s = rate->per_second;
  o->rate_limit_burst = f.rate_burst;
  o->max_pending_per_user = f.max_pending_per_user;
  o->max_pending_per_tenant = f.max_pending_per_tenant;
  return Status::Ok();
}

void RegisterCommands(CLI::App& app) {
  auto opts = std::make_shared<ServerOptions>();
  auto limits = std::make_shared<ApiLimitFlags>();
  auto node_timeout = std::make_shared<std::string>("10s");
  auto federation = std::make_shared<FederationFlags>();
  auto* cmd = app.add_subcommand("server", "run the controller: REST API, scheduler, store");
  cmd->add_option("--data-dir", opts->data_dir, "state directory (SQLite, logs, tokens)")
      ->capture_default_str();
  cmd->add_option("--store", opts->store_uri,
                  "where the state lives: sqlite:PATH (default DATA_DIR/suanli.db) or "
                  "postgresql://USER@HOST:PORT/DB");
  cmd->add_option("--listen", opts->listen, "HOST:PORT to serve on; port 0 picks a free port")
      ->capture_default_str();
  cmd->add_option("--node-timeout", *node_timeout,
                  "a node silent this long is DOWN and its jobs LOST (e.g. 10s, 500ms)")
      ->capture_default_str();
  cmd->add_option("--policy", opts->policy, "scheduling policy (core::PolicyNames)")
      ->capture_default_str();
  cmd->add_option("--web-dir", opts->web_dir, "dashboard files (default: beside the binary)");
  cmd->add_option("--prices", opts->prices_file,
                  "accounting price table JSON (default: DATA_DIR/prices.json if present)");
  AddApiLimitOptions(cmd, limits.get());
  AddFederationOptions(cmd, federation.get());
  cmd->callback([opts, limits, node_timeout, federation] {
    if (Status st = ApplyApiLimitFlags(*limits, opts.get()); !st.ok()) {
      std::cerr << "suanli server: " << st.message() << "\n";
      throw CLI::RuntimeError(2);
    }
    opts->node_timeout_ms = ParseDurationMs(*node_timeout);
    if (opts->node_timeout_ms <= 0) {
      std::cerr << "suanli server: --node-timeout must be a positive duration like 10s, got '"
                << *node_timeout << "'\n";
      throw CLI::RuntimeError(2);
    }
    // Block the stop signals in every thread, then wait for one here.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    auto server = Server::Start(*opts);
    if (!server.ok()) {
      std::cerr << "suanli server: " << server.status().ToString() << "\n";
      throw CLI::RuntimeError(1);
    }
    auto reporter = StartFederationReporter(
        *federation, ParseDurationMs(federation->interval), **server, *opts);
    if (!reporter.ok()) {
      std::cerr << "suanli server: " << reporter.status().message() << "\n";
      (*server)->Stop();
      throw CLI::RuntimeError(2);
    }
    std::cout << "suanli server at " << (*server)->url() << "\n"
              << "admin token in " << (*server)->admin_token_path() << "\n"
              << std::flush;
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("received signal {}, stopping", sig);
    if (*reporter) (*reporter)->Stop();
    (*server)->Stop();
  });
}

}  // namespace suanli::server
