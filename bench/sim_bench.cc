// Replay speed of the simulator: the whole Philly trace (74k jobs) on one shared 80 × 8 cluster,
// once per policy, single-threaded. Target: <= 2 s per policy. Prints wall time, cycles and the
// cycle rate per policy. Usage: sim_bench [TRACE] [CLUSTER] [POLICY...]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/policy.h"
#include "sim/cluster_spec.h"
#include "sim/engine.h"
#include "sim/metrics.h"
#include "sim/trace.h"
#include "sim/workload.h"

int main(int argc, char** argv) {
  using namespace suanli;
  const std::string trace_path = argc > 1 ? argv[1] : "/work/shared/traces/philly.csv";
  const std::string cluster_spec = argc > 2 ? argv[2] : "80x8";
  std::vector<std::string> policies;
  for (int i = 3; i < argc; ++i) policies.push_back(argv[i]);
  if (policies.empty()) policies = core::PolicyNames();

  auto t0 = std::chrono::steady_clock::now();
  auto trace = sim::LoadTrace(trace_path);
  if (!trace.ok()) {
    std::fprintf(stderr, "sim_bench: %s\n", trace.status().ToString().c_str());
    return 1;
  }
  auto cluster = sim::ParseClusterSpec(cluster_spec);
  if (!cluster.ok()) {
    std::fprintf(stderr, "sim_bench: %s\n", cluster.status().ToString().c_str());
    return 1;
  }
  sim::WorkloadOptions wo;
  wo.tenants_from_trace = true;
  auto workload = sim::BuildWorkload(*trace, *cluster, wo);
  if (!workload.ok()) {
    std::fprintf(stderr, "sim_bench: %s\n", workload.status().ToString().c_str());
    return 1;
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("trace %s: %zu jobs replayed on %s; parse + build %.3f s\n", trace_path.c_str(),
              workload->jobs.size(), sim::DescribeCluster(*cluster).c_str(), load_s);
  std::printf("%-12s %10s %10s %12s %12s %14s\n", "policy", "replay_s", "cycles", "cycles/s",
              "avg_jct_s", "max_queue_s");
  int over = 0;
  for (const auto& name : policies) {
    core::PolicyConfig config;
    config.name = name;
    config.explain_pending = false;
    auto policy = core::MakePolicy(config);
    if (!policy.ok()) {
      std::printf("%-12s %s\n", name.c_str(), policy.status().ToString().c_str());
      continue;
    }
    auto start = std::chrono::steady_clock::now();
    auto outcome = sim::RunEngine(*workload, *cluster, **policy, {});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!outcome.ok()) {
      std::printf("%-12s %s\n", name.c_str(), outcome.status().ToString().c_str());
      continue;
    }
    auto summary = sim::Summarize(name, {{&*workload, &*outcome}});
    std::printf("%-12s %10.3f %10lld %12.0f %12.0f %14.0f%s\n", name.c_str(), secs,
                static_cast<long long>(outcome->cycles), outcome->cycles / std::max(secs, 1e-9),
                summary.jct_s.mean, summary.queue_s.max,
                secs > 2.0 ? "  (over the 2 s target)" : "");
    if (secs > 2.0) ++over;
  }
  return 0;
}
