#include "core/placement/scorer_test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(AutoScorer, TopologyForWholeDevicesFgdForFractions) {
  // A workload of mostly whole-GPU tasks: a half on node 0's half-used device fills it, on the
  // idle node 1 it would leave half a device no whole-GPU task can use. Auto scores as FGD does.
  ClusterState s = MakeCluster(2, 2);
  s.jobs.push_back(Running(MakeJob(1, 500), 0, {0}, 0, 500));
  s.jobs.push_back(MakeJob(2, 500, 1, 2));
  for (JobId id = 3; id <= 8; ++id) s.jobs.push_back(MakeJob(id, 1000, 1, id));
  ScoringFixture automatic("auto", s), fgd("fgd", s);
  Shape half = s.jobs[1].shapes[0];
  automatic.scorer->BeforePlace(half);
  fgd.scorer->BeforePlace(half);
  EXPECT_LT(automatic.Score(0, {0}, 500), automatic.Score(1, {0}, 500));
  EXPECT_DOUBLE_EQ(automatic.Score(0, {0}, 500), fgd.Score(0, {0}, 500));
  EXPECT_DOUBLE_EQ(automatic.Score(1, {0}, 500), fgd.Score(1, {0}, 500));
  EXPECT_TRUE(automatic.scorer->TopologyForWholeDevices());
  EXPECT_FALSE(fgd.scorer->TopologyForWholeDevices());
}

}  // namespace
}  // namespace suanli::core
