#include "core/placement/scorer_test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(BestFitScorer, PrefersTheNodeLeftWithLeastFree) {
  // Node 0 has one of its two devices taken; node 1 is idle: node 0 is the tighter fit.
  ClusterState s = MakeCluster(2, 2);
  s.jobs.push_back(Running(MakeJob(1, 1000), 0, {0}, 0));
  ScoringFixture f("best-fit", s);
  EXPECT_LT(f.Score(0, {1}, 1000), f.Score(1, {0}, 1000));
}

TEST(BestFitScorer, PrefersTheTightestDeviceForAFraction) {
  // One node: device 0 has 300 free, device 1 600; a 0.25 task scores lower on device 0.
  ClusterState s = MakeCluster(1, 2);
  s.jobs.push_back(Running(MakeJob(1, 700), 0, {0}, 0, 700));
  s.jobs.push_back(Running(MakeJob(2, 400), 0, {1}, 0, 400));
  ScoringFixture f("best-fit", s);
  EXPECT_LT(f.Score(0, {0}, 250), f.Score(0, {1}, 250));
}

TEST(BestFitScorer, TopologyScoresFractionsTheSameWay) {
  ClusterState s = MakeCluster(2, 2);
  s.jobs.push_back(Running(MakeJob(1, 500), 0, {0}, 0, 500));
  ScoringFixture best("best-fit", s), topology("topology", s);
  EXPECT_DOUBLE_EQ(best.Score(0, {0}, 250), topology.Score(0, {0}, 250));
  EXPECT_DOUBLE_EQ(best.Score(1, {1}, 250), topology.Score(1, {1}, 250));
  EXPECT_TRUE(topology.scorer->TopologyForWholeDevices());
  EXPECT_FALSE(best.scorer->TopologyForWholeDevices());
}

}  // namespace
}  // namespace suanli::core
