// "clustering" (GPU clustering): nodes already running tasks with the same accelerator ask first,
// so like tasks share nodes; among them (and among the rest) best fit by accelerator.
#include <algorithm>

#include "core/placement/scorer.h"

namespace suanli::core {
namespace {

class ClusteringScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "clustering"; }

  void BeginCycle(const ClusterState& state, const Capacity& cap) override {
    asks_on_node_.assign(static_cast<size_t>(cap.num_nodes()), {});
    for (const Job& job : state.jobs) {
      if (job.phase == JobPhase::kRunning) Record(job.allocation);
    }
  }

  double Score(const Capacity& cap, const PlacementOption& option, PlacementRng&) override {
    bool same = false;
    if (static_cast<size_t>(option.node) < asks_on_node_.size()) {
      const auto& asks = asks_on_node_[option.node];
      same = std::find(asks.begin(), asks.end(), option.r->accel_milli) != asks.end();
    }
    const Leftover left = LeftoverOf(cap, option);
    return (same ? 0.0 : 4.0) + left.accel + 0.01 * left.device;
  }

  void Placed(const std::vector<TaskAllocation>& tasks) override { Record(tasks); }

 private:
  void Record(const std::vector<TaskAllocation>& tasks) {
    for (const auto& task : tasks) {
      if (task.node < 0 || static_cast<size_t>(task.node) >= asks_on_node_.size()) continue;
      asks_on_node_[task.node].push_back(task.res.accel_milli);
    }
  }

  std::vector<std::vector<int64_t>> asks_on_node_;  // accelerator asks running on each node
};

}  // namespace

std::unique_ptr<PlacementScorer> MakeClusteringScorer() {
  return std::make_unique<ClusteringScorer>();
}

}  // namespace suanli::core
