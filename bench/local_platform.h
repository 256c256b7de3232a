#pragma once
// What the end-to-end benchmarks share: the platform as `suanli up` runs it (a controller and one
// local agent in this process, on 127.0.0.1 port 0 with a temporary data dir) and an admin client
// for its REST API, plus a percentile of a sample. Header-only: each bench is one binary.
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "cli/api_client.h"
#include "server/server.h"

namespace suanli::bench {

// The p-th percentile (0..100) of `v`, nearest rank; 0 for an empty sample.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct LocalPlatform {
  std::string dir;  // the temporary directory holding data/ and agent-work/
  std::unique_ptr<server::Server> server;
  std::unique_ptr<agent::Agent> agent;
  std::unique_ptr<cli::ApiClient> api;  // as the admin

  // Starts both; prints what failed to stderr and returns null on error. `tune_server` and
  // `tune_agent` may change the options before the start (e.g. the agent's CPU count).
  static std::unique_ptr<LocalPlatform> Start(
      const std::function<void(server::ServerOptions&)>& tune_server = {},
      const std::function<void(agent::AgentOptions&)>& tune_agent = {}) {
    auto p = std::make_unique<LocalPlatform>();
    char tmpl[] = "/tmp/suanli-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      return nullptr;
    }
    p->dir = tmpl;
    server::ServerOptions so;
    so.data_dir = p->dir + "/data";
    so.listen = "127.0.0.1:0";
    if (tune_server) tune_server(so);
    auto server = server::Server::Start(so);
    if (!server.ok()) {
      std::fprintf(stderr, "controller: %s\n", server.status().ToString().c_str());
      return nullptr;
    }
    p->server = std::move(server).value();
    agent::AgentOptions ao;
    ao.server_url = p->server->url();
    ao.join_token = p->server->join_token();
    ao.name = "bench";
    ao.work_dir = p->dir + "/agent-work";
    if (tune_agent) tune_agent(ao);
    auto agent = agent::Agent::Start(ao);
    if (!agent.ok()) {
      std::fprintf(stderr, "agent: %s\n", agent.status().ToString().c_str());
      return nullptr;
    }
    p->agent = std::move(agent).value();
    std::ifstream token_file(p->server->admin_token_path());
    std::string token;
    std::getline(token_file, token);
    cli::Connection c;
    c.url = p->server->url();
    c.token = token;
    c.url_source = c.token_source = "bench";
    p->api = std::make_unique<cli::ApiClient>(c);
    return p;
  }
};

}  // namespace suanli::bench
