// "best-fit": the node left with the least free resources (the shares of accelerator, CPU and
// memory left, summed), and on it the tightest device for a fractional task.
#include "core/placement/best_fit.h"

namespace suanli::core {

double BestFitScore(const Capacity& cap, const PlacementOption& option) {
  const Leftover left = LeftoverOf(cap, option);
  return left.accel + left.cpu + left.mem + 0.01 * left.device;
}

namespace {

class BestFitScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "best-fit"; }
  double Score(const Capacity& cap, const PlacementOption& option, PlacementRng&) override {
    return BestFitScore(cap, option);
  }
};

}  // namespace

std::unique_ptr<PlacementScorer> MakeBestFitScorer() { return std::make_unique<BestFitScorer>(); }

}  // namespace suanli::core
