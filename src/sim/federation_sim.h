#pragma once
// Replays a trace on a network of centers (`suanli sim --federation`). Every center runs the
// project's own engine and core policy (LiveEngine); this layer only decides, at each job's
// submission, which center gets it, from what the centers report at that moment, then delays
// the job's arrival there by the staging of its dataset and accounts cost, energy, carbon and
// data moved. The `default` policy is federation::Route itself, as the broker decides.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "sim/federation_network.h"
#include "sim/metrics.h"
#include "sim/trace.h"
#include "sim/workload.h"

namespace suanli::sim {

enum class FederationPolicy { kLocalOnly, kRoundRobin, kLeastLoaded, kCheapest, kDefault };
std::string FederationPolicyName(FederationPolicy p);
// Names (or "all") into policies, in the order given; an unknown name is an InvalidArgument
// naming the known ones.
Result<std::vector<FederationPolicy>> ParseFederationPolicies(
    const std::vector<std::string>& names);

struct CenterResult {
  std::string name;
  std::string region;
  int64_t capacity = 0;    // accelerators
  int64_t jobs = 0;        // routed here
  double utilization = 0;  // allocated / capacity accelerator-time over the federation's span
  double gpu_h = 0;
  double cost = 0;  // compute
  double energy_kwh = 0;
  double carbon_kg = 0;
};

struct FederationRun {
  std::string policy;
  int64_t jobs = 0;  // routed
  int64_t finished = 0;
  int64_t rejected = 0;   // no center could ever take them (Route's error), not replayed
  int64_t spilled = 0;    // local-only: no center of the home region could take them
  Distribution jct_s;     // end − submission at the federation (staging included)
  double avg_wait_s = 0;  // first start − submission
  double compute_cost = 0;
  double egress_cost = 0;
  double total_cost = 0;
  double energy_kwh = 0;
  double carbon_kg = 0;
  double data_moved_tb = 0;
  int64_t copies = 0;                // datasets copied to a center (each cached there afterwards)
  int64_t staged_jobs = 0;           // jobs whose start waited for a copy
  int64_t preemptions = 0;           // by the centers' own schedulers
  int64_t residency_violations = 0;  // a resident dataset copied out of its region: always 0
  double utilization_cv = 0;         // coefficient of variation of the centers' utilization
  double utilization_max_min = 0;    // highest / lowest center utilization (0 when one is idle)
  double makespan_s = 0;
  std::vector<CenterResult> centers;
  std::vector<std::string> rejected_examples;  // first few reasons
};

struct FederationReport {
  std::string trace;
  std::string network;
  int64_t trace_jobs = 0;
  int64_t infeasible = 0;  // too large for every center together (not replayed)
  std::vector<FederationRun> runs;
};

struct FederationOptions {
  std::vector<FederationPolicy> policies;
  WorkloadOptions workload;
  EngineOptions engine;
};

// Which job needs what and comes from where, drawn once per job from the network's seed.
struct JobDemand {
  int region = 0;    // index into regions
  int dataset = -1;  // index into datasets, -1 = none
};
std::vector<JobDemand> DrawDemand(const FederationNetwork& net, const Workload& workload);

Result<FederationRun> RunFederationPolicy(const Workload& workload,
                                          const std::vector<JobDemand>& demand,
                                          const FederationNetwork& net, FederationPolicy policy,
                                          const EngineOptions& engine);

Result<FederationReport> RunFederation(const Trace& trace, const FederationNetwork& net,
                                       const FederationOptions& options);

}  // namespace suanli::sim
