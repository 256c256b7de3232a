#include "core/placement/scorer_test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(RandomScorer, AsksThePlacerForAUniformDrawWithoutScores) {
  ScoringFixture f("random", MakeCluster(2, 2));
  EXPECT_EQ(f.scorer->choice(), PlacementScorer::Choice::kUniformUnscored);
  EXPECT_FALSE(f.scorer->TopologyForWholeDevices());
}

TEST(PlacementRng, SameSeedSameStreamAndUnitDrawsInRange) {
  PlacementRng a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    const double u = c.Unit();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
  // Seed 0 is replaced by a fixed non-zero one rather than giving a degenerate stream.
  PlacementRng zero(0), golden(0x9E3779B97F4A7C15ULL);
  EXPECT_EQ(zero.Next(), golden.Next());
}

}  // namespace
}  // namespace suanli::core
