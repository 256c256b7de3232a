#include "core/placement/scorer_test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(PackingScorer, SharedDeviceThenUsedNodeThenIdleNode) {
  // Node 0: device 0 has 300 free, device 1 is whole. Node 1: idle.
  ClusterState s = MakeCluster(2, 2);
  s.jobs.push_back(Running(MakeJob(1, 700), 0, {0}, 0, 700));
  ScoringFixture f("packing", s);
  const double shared = f.Score(0, {0}, 250);
  const double used_node = f.Score(0, {1}, 250);
  const double idle_node = f.Score(1, {0}, 250);
  EXPECT_LT(shared, used_node);
  EXPECT_LT(used_node, idle_node);
  EXPECT_EQ(f.scorer->choice(), PlacementScorer::Choice::kLowestDrawTies);
}

TEST(PackingScorer, CpuOnlyAsksScoreAtRandomFromTheSeed) {
  ClusterState s = MakeCluster(2, 2);
  ScoringFixture a("packing", s), b("packing", s);
  const double first = a.Score(0, {}, 0);
  EXPECT_EQ(first, b.Score(0, {}, 0));  // same seed, same draw
  EXPECT_GE(first, 0.0);
  EXPECT_LT(first, 1.0);
  EXPECT_NE(first, a.Score(0, {}, 0));  // the next draw
}

}  // namespace
}  // namespace suanli::core
