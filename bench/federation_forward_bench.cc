// Jobs forwarded durably per second by the federation broker: a broker and one center (a real
// controller, no agent, so the jobs stay PENDING there) in this process on 127.0.0.1 with port 0.
// The center is announced to the broker by one report holding a pool large enough for every job;
// then C client threads submit N jobs to the broker over HTTP. Each job is routed, stored
// FORWARDING (fsync), forwarded to the center with its idempotency key (the center commits it),
// and stored FORWARDED (fsync) before the client gets its answer.
//
//   build/bench/federation_forward_bench [N=2000] [C=16]     target: >= 1,000 jobs/s
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "federation/broker.h"
#include "federation/broker_state.h"
#include "federation/center_client.h"
#include "server/server.h"

namespace {

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace suanli;
  using nlohmann::json;
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int c = argc > 2 ? std::atoi(argv[2]) : 16;
  if (n <= 0 || c <= 0) {
    std::fprintf(stderr, "usage: %s [N>0] [C>0]\n", argv[0]);
    return 2;
  }
  char tmpl[] = "/tmp/suanli-fwd-bench-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  server::ServerOptions so;
  so.data_dir = dir + "/center";
  so.listen = "127.0.0.1:0";
  auto center = server::Server::Start(so);
  if (!center.ok()) {
    std::fprintf(stderr, "center: %s\n", center.status().ToString().c_str());
    return 1;
  }
  federation::BrokerOptions bo;
  bo.data_dir = dir + "/broker";
  bo.listen = "127.0.0.1:0";
  bo.lease_timeout_ms = 600000;  // one report for the whole run
  bo.http_threads = c + 4;
  auto broker = federation::Broker::Start(bo);
  if (!broker.ok()) {
    std::fprintf(stderr, "broker: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  federation::CenterReport report;
  report.name = "bench";
  report.region = "local";
  report.url = (*center)->url();
  report.token = FirstLine((*center)->admin_token_path());
  report.pools.push_back({"nvidia-a100", 1000000, 0, 0, 8, 2.0, 0, {}});
  auto joined = federation::CenterClient((*broker)->url(), (*broker)->join_token())
                    .PostJson("/api/v1/federation/report", federation::ReportJson(report));
  if (!joined.ok()) {
    std::fprintf(stderr, "report: %s\n", joined.status().ToString().c_str());
    return 1;
  }
  const std::string admin = FirstLine((*broker)->admin_token_path());
  std::atomic<int> next{0}, forwarded{0}, failed{0};
  std::mutex first_mu;
  std::string first_failure;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int t = 0; t < c; ++t) {
    clients.emplace_back([&] {
      federation::CenterClient client((*broker)->url(), admin, 30000);
      json body{{"command", {"true"}},
                {"gpus", 1},
                {"gpu_type", "nvidia-a100"},
                {"time_limit_s", 600},
                {"objective", "cheapest"}};
      for (int i = next++; i < n; i = next++) {
        auto r = client.PostJson("/api/v1/jobs", body);
        if (r.ok() && r->value("broker_state", "") == "FORWARDED") {
          ++forwarded;
        } else if (failed++ == 0) {
          std::lock_guard lock(first_mu);
          first_failure = r.ok() ? r->dump() : r.status().ToString();
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "federation_forward_bench: %d jobs, %d clients: %d forwarded, %d failed in %.2f s "
      "= %.0f jobs/s forwarded durably (target >= 1000)\n",
      n, c, forwarded.load(), failed.load(), s, forwarded.load() / s);
  if (failed.load() > 0) std::printf("first failure: %s\n", first_failure.c_str());
  (*broker)->Stop();
  (*center)->Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return failed.load() == 0 ? 0 : 1;
}
