// "topology": whole devices by topology packing (a gang on the fewest switches, nodes and islands;
// best fit by free whole devices, so a job that fits one node lands on one node and larger gangs
// on whole free nodes); fractional asks fall back to best-fit.
#include "core/placement/best_fit.h"

namespace suanli::core {
namespace {

class TopologyScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "topology"; }
  bool TopologyForWholeDevices() const override { return true; }
  double Score(const Capacity& cap, const PlacementOption& option, PlacementRng&) override {
    return BestFitScore(cap, option);
  }
};

}  // namespace

std::unique_ptr<PlacementScorer> MakeTopologyScorer() { return std::make_unique<TopologyScorer>(); }

}  // namespace suanli::core
