// The server's scheduling pass as the controller runs it, core view and decision checks
// included: 100,000 pending jobs on 10,000 nodes × 8 accelerators, with an in-memory store and a
// fake clock (no HTTP). Prints figures (not a test). Target: a pass <= 50 ms.
//   build/bench/controller_pass_bench [policy]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "core/policy.h"
#include "server/controller.h"
#include "store/store.h"

namespace {

using namespace suanli;
using nlohmann::json;

constexpr int kNodes = 10000;
constexpr int kDevices = 8;
constexpr int kPending = 100000;
constexpr int kTenants = 20;

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Philly-like sizes (as scheduler_bench): mostly 1 GPU, some 2/4/8, a few gangs of 2-8 × 8.
server::SubmitRequest MakeJob(int64_t i) {
  const uint64_t r = Mix(42 ^ static_cast<uint64_t>(i));
  server::SubmitRequest req;
  req.tenant = "t" + std::to_string(r % kTenants);
  req.spec.name = "bench";
  req.spec.command = {"true"};
  req.spec.checkpointable = true;
  const int bucket = static_cast<int>((r >> 8) % 100);
  int64_t gpus = bucket < 70 ? 1 : bucket < 80 ? 2 : bucket < 88 ? 4 : bucket < 97 ? 8 : 0;
  req.spec.main.tasks = 1;
  if (gpus == 0) {
    gpus = 8;
    req.spec.main.tasks = 2 + static_cast<int32_t>((r >> 20) % 7);
  }
  req.spec.main.gpus = static_cast<double>(gpus);
  req.spec.main.cpus = 4.0 * static_cast<double>(gpus);
  req.spec.main.mem_mb = 16384 * gpus;
  req.spec.main.gpu_type = "nvidia-a100";
  req.spec.time_limit_s = (r >> 32) % 2 ? static_cast<int64_t>((r >> 40) % 86400) + 60 : 0;
  return req;
}

double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Bench {
  FakeClock clock{1'000'000};
  std::unique_ptr<store::Store> db = store::NewMemoryStore();
  std::unique_ptr<server::Controller> c;
  // (job, attempt, task) of tasks launched, by node.
  std::vector<std::vector<server::TaskRef>> running{kNodes};

  bool Setup(const std::string& policy_name, bool incremental) {
    server::ControllerOptions o;
    o.data_dir = "/tmp/suanli-controller-pass-bench";
    o.node_timeout_ms = 1LL << 50;
    o.starting_timeout_ms = 1LL << 50;
    o.max_pass_interval_ms = 1LL << 50;
    o.sample_interval_ms = 1LL << 50;
    o.incremental_view = incremental;
    core::PolicyConfig pc;
    pc.name = policy_name;
    auto policy = core::MakePolicy(pc);
    if (!policy.ok()) return false;
    c = std::make_unique<server::Controller>(o, db.get(), &clock, std::move(*policy), nullptr,
                                             nullptr);
    if (!c->Load().ok()) return false;
    const server::Principal admin{"admin", "root", server::Role::kAdmin};
    for (int t = 0; t < kTenants; ++t) {
      store::TenantRecord rec;
      rec.name = "t" + std::to_string(t);
      rec.parent = "root";
      rec.weight = 1.0 + t % 3;
      if (c->CreateTenant(admin, rec).status != 201) return false;
    }
    for (int n = 0; n < kNodes; ++n) {
      server::RegisterRequest reg;
      reg.node.name = "n" + std::to_string(n);
      reg.node.cpus = 128;
      reg.node.mem_mb = 1024 * 1024;
      for (int d = 0; d < kDevices; ++d)
        reg.node.devices.push_back({d, "nvidia-a100", "", 81920, d / 4});
      if (c->RegisterAgent(reg).status != 200) return false;
    }
    for (int i = 1; i <= kPending; ++i) {
      server::SubmitRequest req = MakeJob(i);
      if (c->SubmitJob(admin, req).status != 201) return false;
    }
    return db->Commit(c->TakeBatch()).ok();
  }

  double Pass() {
    clock.Advance(1000);
    const auto t0 = std::chrono::steady_clock::now();
    c->Tick();
    const double ms = Millis(std::chrono::steady_clock::now() - t0);
    (void)db->Commit(c->TakeBatch());
    return ms;
  }

  // Each node's agent takes its launches and reports them started.
  void StartLaunched() {
    for (int n = 0; n < kNodes; ++n) {
      server::PollRequest poll;
      poll.wait_ms = 0;
      for (const auto& r : running[n]) poll.running.push_back(r);
      auto reply = c->PollAgent("n" + std::to_string(n), poll);
      json body = json::parse(reply.body);
      server::PollRequest started;
      started.wait_ms = 0;
      for (const auto& l : body["launch"]) {
        server::TaskRef ref{l["job_id"].get<int64_t>(), l["attempt"].get<int32_t>(),
                            l["task"].get<int32_t>()};
        running[n].push_back(ref);
        started.events.push_back(server::AgentEvent{ref, "started", {}, {}, ""});
      }
      for (const auto& r : running[n]) started.running.push_back(r);
      if (!started.events.empty()) c->PollAgent("n" + std::to_string(n), started);
    }
    (void)db->Commit(c->TakeBatch());
  }

  // One task in `every` ends (its whole job fails or completes with it).
  void EndSome(int every) {
    for (int n = 0; n < kNodes; n += every) {
      if (running[n].empty()) continue;
      server::TaskRef ref = running[n].back();
      running[n].pop_back();
      server::PollRequest poll;
      poll.wait_ms = 0;
      poll.events.push_back(server::AgentEvent{ref, "exited", 0, {}, ""});
      for (const auto& r : running[n]) poll.running.push_back(r);
      c->PollAgent("n" + std::to_string(n), poll);
    }
    (void)db->Commit(c->TakeBatch());
  }
};

void Run(const std::string& policy, bool incremental) {
  Bench b;
  if (!b.Setup(policy, incremental)) {
    std::fprintf(stderr, "setup failed\n");
    return;
  }
  const double fill = b.Pass();
  b.StartLaunched();
  std::vector<double> full, after_end;
  for (int k = 0; k < 5; ++k) {
    full.push_back(b.Pass());
    b.EndSome(100);  // about 1 % of the running tasks
    after_end.push_back(b.Pass());
    b.StartLaunched();
  }
  std::sort(full.begin(), full.end());
  std::sort(after_end.begin(), after_end.end());
  std::printf(
      "%-8s %-12s fill %7.1f ms | full cluster: fastest %6.1f ms, median %6.1f ms | after 1 %% "
      "end: fastest %6.1f ms, median %6.1f ms\n",
      policy.c_str(), incremental ? "incremental" : "rebuilt", fill, full[0], full[2], after_end[0],
      after_end[2]);
}

}  // namespace

int main(int argc, char** argv) {
  std::string policy = argc > 1 ? argv[1] : "default";
  spdlog::set_level(
      spdlog::level::err);  // a line per node and per relaunch would drown the figures
  std::printf(
      "controller pass, %d pending on %d nodes x %d accelerators (fastest and median of 5)\n",
      kPending, kNodes, kDevices);
  Run(policy, false);
  Run(policy, true);
  return 0;
}
