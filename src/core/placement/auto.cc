// "auto", the default placement: topology packing for whole devices (a gang on the fewest
// switches, nodes and islands), FGD for fractional ones, where fragmentation is what costs.
#include "core/placement/fgd.h"

namespace suanli::core {
namespace {

class AutoScorer : public FgdScorer {
 public:
  std::string_view name() const override { return "auto"; }
  bool TopologyForWholeDevices() const override { return true; }
  // Whole-device asks never reach Score: only fractional ones make the mix worth learning.
  void BeforePlace(const Shape& shape) override {
    if (shape.per_task.accel_milli < kMilliPerDevice) LearnMixOnce();
  }
};

}  // namespace

std::unique_ptr<PlacementScorer> MakeAutoScorer() { return std::make_unique<AutoScorer>(); }

}  // namespace suanli::core
