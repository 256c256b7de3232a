#pragma once
// Protocol C, as FGD's artifact (Weng et al., ATC'23; hkust-adsl/kubernetes-scheduler-simulator,
// workload tuning 1.3, shuffled pods) runs it: every pod of the trace once, in a seeded random
// order, then pods sampled with replacement while the GPU demand that has arrived stays within
// `target_arrived` x the cluster's GPU capacity (a trace already above the target loses pods at
// random instead). Pods never depart; each gets exactly one scheduling cycle on arrival, and a
// pod the policy cannot place is dropped (counted as failed). The cluster is its GPU nodes only,
// as in the artifact's node list, so pods that ask for no GPU compete for the GPU nodes' CPU and
// memory. The figure of merit is allocated GPU capacity / total GPU capacity, recorded at every
// whole percent of arrived demand.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/policy.h"
#include "sim/workload.h"

namespace suanli::sim {

struct FragmentationRun {
  uint64_t seed = 0;
  int64_t pods_arrived = 0, pods_placed = 0, pods_failed = 0;
  double final_alloc_pct = 0;
  std::vector<double> alloc_pct_at;  // index = arrived GPU demand in whole percent (0..target)
};

struct FragmentationSummary {
  std::string label;  // policy/placement
  std::vector<FragmentationRun> runs;
  double mean_pct = 0, min_pct = 0, max_pct = 0;
  std::vector<double> mean_curve;  // mean over seeds of alloc_pct_at
};

// One seed. `pods` is the workload built from the pod trace for `cluster`; `config` builds the
// policy (its seed is set from `seed`).
Result<FragmentationRun> RunFragmentation(const Workload& pods, const core::ClusterState& cluster,
                                          core::PolicyConfig config, uint64_t seed,
                                          double target_arrived = 1.30);

FragmentationSummary SummarizeFragmentation(const std::string& label,
                                            std::vector<FragmentationRun> runs);

}  // namespace suanli::sim
