// "packing", FGD's GPU-packing baseline: share a partly used device (the tightest) before opening
// a whole one, whole devices of a partly used node (the fewest) before an idle node (the
// smallest); no preference for CPU-only asks (a random node).
#include "core/placement/scorer.h"

namespace suanli::core {
namespace {

class PackingScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "packing"; }
  // The tiers tie often; like FGD's artifact (the Kubernetes scheduler picks among equal scores
  // at random) the Placer draws among them, seeded, instead of taking the first node.
  Choice choice() const override { return Choice::kLowestDrawTies; }

  double Score(const Capacity& cap, const PlacementOption& option, PlacementRng& rng) override {
    const int32_t n = option.node;
    const std::vector<int32_t>& devices = *option.devices;
    const Leftover left = LeftoverOf(cap, option);
    if (devices.empty()) return rng.Unit();
    int64_t whole_used = 0, whole_free = 0, shared_left = 0;
    for (int32_t d : devices) {
      if (cap.device_free(n, d) >= cap.device_total(n, d)) {
        ++whole_used;
      } else {
        shared_left += cap.device_free(n, d);
      }
    }
    for (int32_t d = 0; d < cap.num_devices(n); ++d) {
      if (cap.device_type(n, d) != kNoAccel && cap.device_free(n, d) >= cap.device_total(n, d)) {
        ++whole_free;
      }
    }
    if (left.node_idle) return 4.0 + 0.01 * static_cast<double>(whole_free);
    if (whole_used > 0) return 2.0 + 0.01 * static_cast<double>(whole_used);
    return Ratio(shared_left, kMilliPerDevice * static_cast<int64_t>(devices.size()));
  }
};

}  // namespace

std::unique_ptr<PlacementScorer> MakePackingScorer() { return std::make_unique<PackingScorer>(); }

}  // namespace suanli::core
