// How fast a node's resources go from an ended task to the next one (issue #13, Speed): the
// platform as `suanli up` runs it (controller and one local agent in this process, loopback,
// SQLite), the agent declaring 8 CPUs.
//   1. 20 whole-node `true` jobs submitted at once: they run one after another, so the time per
//      job is what a node is held past its task's end. (Before ends were reported at once, each
//      waited for the agent's next heartbeat: 1,031 ms per job.)
//   2. An array of N one-second tasks (`sleep 1`, 1 CPU each) on the 8 slots: its makespan
//      against the ideal ceil(N/8) s. Target: within 1.2x (N = 1000: 125 s ideal).
//
//   build/bench/task_turnover_bench [N=200]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "local_platform.h"

namespace {

using Clock = std::chrono::steady_clock;
using suanli::cli::ApiClient;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Polls the job list until every job from `first` to `last` has ended; false on an error, a job
// that did not complete, or `timeout_s`.
bool WaitAllCompleted(ApiClient& api, int64_t first, int64_t last, double timeout_s) {
  const auto t0 = Clock::now();
  while (SecondsSince(t0) < timeout_s) {
    auto r = api.Get("jobs?all=true&limit=100000");
    if (!r.ok()) {
      std::fprintf(stderr, "list: %s\n", r.status().ToString().c_str());
      return false;
    }
    int64_t done = 0;
    for (const auto& j : r->value("jobs", nlohmann::json::array())) {
      int64_t id = j.value("id", int64_t{0});
      if (id < first || id > last) continue;
      std::string state = j.value("state", "");
      if (state == "COMPLETED") {
        ++done;
      } else if (state != "PENDING" && state != "STARTING" && state != "RUNNING") {
        std::fprintf(stderr, "job %lld ended %s: %s\n", static_cast<long long>(id), state.c_str(),
                     j.value("reason", "").c_str());
        return false;
      }
    }
    if (done == last - first + 1) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "jobs %lld..%lld not all done within %.0f s\n",
               static_cast<long long>(first), static_cast<long long>(last), timeout_s);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace suanli;
  const int n = argc > 1 ? std::atoi(argv[1]) : 200;
  if (n <= 0) {
    std::fprintf(stderr, "usage: %s [N>0]\n", argv[0]);
    return 2;
  }
  constexpr int kSlots = 8;
  auto platform = bench::LocalPlatform::Start(
      [&](server::ServerOptions& so) { so.max_array_tasks = static_cast<uint32_t>(n) + 1; },
      [](agent::AgentOptions& ao) {
        ao.cpus = kSlots;
        ao.mem_mb = 16000;
      });
  if (!platform) return 1;
  ApiClient& api = *platform->api;

  // 1. Whole-node jobs in a row.
  constexpr int kWhole = 20;
  int64_t first = 0, last = 0;
  auto t0 = Clock::now();
  for (int i = 0; i < kWhole; ++i) {
    auto job = api.Post("jobs", {{"command", {"true"}},
                                 {"name", "whole-" + std::to_string(i)},
                                 {"cpus", kSlots},
                                 {"mem_mb", 1000}});
    if (!job.ok()) {
      std::fprintf(stderr, "submit: %s\n", job.status().ToString().c_str());
      return 1;
    }
    last = job->value("id", int64_t{0});
    if (i == 0) first = last;
  }
  if (!WaitAllCompleted(api, first, last, 120)) return 1;
  const double whole_s = SecondsSince(t0);
  std::printf("%d whole-node `true` jobs one after another: %.0f ms per job (%.2f s in all)\n",
              kWhole, whole_s * 1000 / kWhole, whole_s);

  // 2. One-second tasks on the 8 slots.
  t0 = Clock::now();
  auto arr = api.Post("jobs", {{"command", {"sleep", "1"}},
                               {"name", "turnover"},
                               {"array", "1-" + std::to_string(n)},
                               {"cpus", 1},
                               {"mem_mb", 100}});
  if (!arr.ok()) {
    std::fprintf(stderr, "submit array: %s\n", arr.status().ToString().c_str());
    return 1;
  }
  first = arr->value("id", int64_t{0});
  if (!WaitAllCompleted(api, first, first + n - 1, 10.0 * n)) return 1;
  const double makespan = SecondsSince(t0);
  const double ideal = static_cast<double>((n + kSlots - 1) / kSlots);
  std::printf(
      "array of %d one-second tasks on %d slots: %.1f s, ideal %.0f s: %.3fx (target <= 1.2x: "
      "%s)\n",
      n, kSlots, makespan, ideal, makespan / ideal, makespan / ideal <= 1.2 ? "met" : "NOT met");

  std::string dir = platform->dir;
  platform.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
