// "dot-product" (Tetris-style): the node whose free vector best aligns with the ask.
#include "core/placement/scorer.h"

namespace suanli::core {
namespace {

class DotProductScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "dot-product"; }
  double Score(const Capacity& cap, const PlacementOption& option, PlacementRng&) override {
    const int32_t n = option.node;
    const Resources& r = *option.r;
    const Leftover left = LeftoverOf(cap, option);
    // Alignment of the ask with what the node has free; larger is better, so negated.
    const double dot =
        Ratio(r.cpu_milli, cap.cpu_total(n)) * Ratio(cap.cpu_free(n), cap.cpu_total(n)) +
        Ratio(r.mem_mb, cap.mem_total(n)) * Ratio(cap.mem_free(n), cap.mem_total(n)) +
        Ratio(left.take, left.accel_total) * Ratio(left.accel_free, left.accel_total);
    return -dot;
  }
};

}  // namespace

std::unique_ptr<PlacementScorer> MakeDotProductScorer() {
  return std::make_unique<DotProductScorer>();
}

}  // namespace suanli::core
