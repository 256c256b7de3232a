#include "server/command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

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

void RegisterCommands(CLI::App& app) {
  auto opts = std::make_shared<ServerOptions>();
  auto node_timeout = std::make_shared<std::string>("10s");
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
  cmd->callback([opts, node_timeout] {
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
    std::cout << "suanli server at " << (*server)->url() << "\n"
              << "admin token in " << (*server)->admin_token_path() << "\n"
              << std::flush;
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("received signal {}, stopping", sig);
    (*server)->Stop();
  });
}

}  // namespace suanli::server
