// "random": a uniformly random feasible node/device, drawn from the Placer's seeded generator, so
// the same seed gives the same schedule.
#include "core/placement/scorer.h"

namespace suanli::core {
namespace {

class RandomScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "random"; }
  Choice choice() const override { return Choice::kUniformUnscored; }
  double Score(const Capacity&, const PlacementOption&, PlacementRng&) override { return 0; }
};

}  // namespace

std::unique_ptr<PlacementScorer> MakeRandomScorer() { return std::make_unique<RandomScorer>(); }

}  // namespace suanli::core
