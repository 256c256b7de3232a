#pragma once
// Protocol C (FGD, Weng et al. ATC'23): pods are sampled with replacement from a trace and
// submitted one at a time, never departing, until the GPU demand that has arrived reaches
// `target_arrived` × the cluster's GPU capacity. Each pod gets exactly one scheduling cycle on
// arrival; a pod the policy cannot place is dropped (counted as failed). The figure of merit is
// allocated GPU capacity / total GPU capacity, recorded at every whole percent of arrived demand.
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
