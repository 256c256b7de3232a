// Speed of the federation simulator: the whole Philly trace (74k jobs) routed over the 8-hub
// example network, every center replaying with the real engine, once per routing policy,
// single-threaded. Target (issue #15): <= 10 s per policy. Prints wall time and jobs/s.
// Usage: federation_sim_bench [TRACE] [NETWORK.json] [POLICY...] (POLICY "all" by default)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/federation_network.h"
#include "sim/federation_sim.h"
#include "sim/trace.h"
#include "sim/workload.h"

int main(int argc, char** argv) {
  using namespace suanli;
  const std::string trace_path = argc > 1 ? argv[1] : "/work/shared/traces/philly.csv";
  // The network file is found from the source tree ($SUANLI_SOURCE_DIR, else the working
  // directory), as the tests find theirs.
  const char* root = std::getenv("SUANLI_SOURCE_DIR");
  const std::string net_path =
      argc > 2 ? argv[2] : std::string(root ? root : ".") + "/examples/federation/8-hubs.json";
  std::vector<std::string> names;
  for (int i = 3; i < argc; ++i) names.push_back(argv[i]);
  if (names.empty()) names = {"all"};
  auto policies = sim::ParseFederationPolicies(names);
  if (!policies.ok()) {
    std::fprintf(stderr, "federation_sim_bench: %s\n", policies.status().ToString().c_str());
    return 2;
  }
  auto t0 = std::chrono::steady_clock::now();
  auto trace = sim::LoadTrace(trace_path);
  auto net = sim::LoadFederationNetwork(net_path);
  if (!trace.ok() || !net.ok()) {
    std::fprintf(stderr, "federation_sim_bench: %s\n",
                 (!trace.ok() ? trace.status() : net.status()).ToString().c_str());
    return 1;
  }
  auto workload = sim::BuildWorkload(*trace, sim::UnionCluster(*net), {});
  if (!workload.ok()) {
    std::fprintf(stderr, "federation_sim_bench: %s\n", workload.status().ToString().c_str());
    return 1;
  }
  const auto demand = sim::DrawDemand(*net, *workload);
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("trace %s: %zu jobs over %zu centers of %s; parse + build %.3f s\n",
              trace_path.c_str(), workload->jobs.size(), net->centers.size(), net_path.c_str(),
              load_s);
  std::printf("%-13s %10s %12s %12s %14s\n", "policy", "replay_s", "jobs/s", "avg_jct_s",
              "total_cost");
  int over = 0;
  for (auto p : *policies) {
    auto start = std::chrono::steady_clock::now();
    auto run = sim::RunFederationPolicy(*workload, demand, *net, p, {});
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!run.ok()) {
      std::printf("%-13s %s\n", sim::FederationPolicyName(p).c_str(),
                  run.status().ToString().c_str());
      ++over;
      continue;
    }
    std::printf("%-13s %10.3f %12.0f %12.0f %14.0f%s\n", run->policy.c_str(), secs,
                static_cast<double>(run->jobs) / std::max(secs, 1e-9), run->jct_s.mean,
                run->total_cost, secs > 10.0 ? "  (over the 10 s target)" : "");
    if (secs > 10.0) ++over;
  }
  return over > 0 ? 1 : 0;
}
