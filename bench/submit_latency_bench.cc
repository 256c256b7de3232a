// Submit -> RUNNING latency on an idle local agent, the way `suanli up` runs: the controller and
// the agent in one process on 127.0.0.1 with port 0 and a temporary data dir. Jobs are submitted
// one after another (each waits for the previous to finish); the latency of each is the RUNNING
// entry of its history minus its submit_time, both stamped by the controller.
//
//   build/bench/submit_latency_bench [N=50]     target: p50 <= 20 ms
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "local_platform.h"

int main(int argc, char** argv) {
  using namespace suanli;
  using bench::Percentile;
  int n = argc > 1 ? std::atoi(argv[1]) : 50;
  if (n <= 0) {
    std::fprintf(stderr, "usage: %s [N>0]\n", argv[0]);
    return 2;
  }
  auto platform = bench::LocalPlatform::Start();
  if (!platform) return 1;
  cli::ApiClient& api = *platform->api;

  std::vector<double> server_ms, client_ms, placed_ms, launched_ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto job = api.Post(
        "jobs", {{"command", {"true"}}, {"name", "lat-" + std::to_string(i)}, {"cpus", 0.1}});
    if (!job.ok()) {
      std::fprintf(stderr, "submit: %s\n", job.status().ToString().c_str());
      return 1;
    }
    std::string path = "jobs/" + std::to_string(job->value("id", 0));
    double client = -1;
    nlohmann::json last;
    for (int polls = 0; polls < 20000; ++polls) {
      auto r = api.Get(path);
      if (!r.ok()) {
        std::fprintf(stderr, "show: %s\n", r.status().ToString().c_str());
        return 1;
      }
      last = *r;
      std::string state = last.value("state", "");
      if (client < 0 && state != "PENDING" && state != "STARTING") {
        client = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count();
      }
      if (state == "COMPLETED" || state == "FAILED") break;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    double running_at = -1, starting_at = -1;
    for (const auto& h : last.value("history", nlohmann::json::array())) {
      if (h.value("state", "") == "RUNNING") running_at = h.value("time", -1.0);
      if (h.value("state", "") == "STARTING") starting_at = h.value("time", -1.0);
    }
    if (running_at < 0) {
      std::fprintf(stderr, "job %d never ran: %s\n", i, last.dump().c_str());
      return 1;
    }
    server_ms.push_back((running_at - last.value("submit_time", 0.0)) * 1000.0);
    if (starting_at >= 0) {
      placed_ms.push_back((starting_at - last.value("submit_time", 0.0)) * 1000.0);
      launched_ms.push_back((running_at - starting_at) * 1000.0);
    }
    client_ms.push_back(client);
  }
  std::printf("submit -> RUNNING on an idle local agent, %d jobs one after another\n", n);
  std::printf(
      "  controller timestamps (history RUNNING - submit_time): p50 %.1f ms  p90 %.1f ms  p99 %.1f "
      "ms  max %.1f ms\n",
      Percentile(server_ms, 50), Percentile(server_ms, 90), Percentile(server_ms, 99),
      Percentile(server_ms, 100));
  std::printf(
      "  client view (POST start -> show says RUNNING or later):  p50 %.1f ms  p90 %.1f ms  p99 "
      "%.1f ms  max %.1f ms\n",
      Percentile(client_ms, 50), Percentile(client_ms, 90), Percentile(client_ms, 99),
      Percentile(client_ms, 100));
  std::printf(
      "  of which submit -> STARTING (scheduled): p50 %.1f ms  p90 %.1f ms; STARTING -> RUNNING "
      "(agent): p50 %.1f ms  p90 %.1f ms\n",
      Percentile(placed_ms, 50), Percentile(placed_ms, 90), Percentile(launched_ms, 50),
      Percentile(launched_ms, 90));
  std::printf("  target p50 <= 20 ms: %s\n", Percentile(server_ms, 50) <= 20.0 ? "met" : "NOT met");
  std::string dir = platform->dir;
  platform.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
