#include "core/placement/scorer_test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(ClusteringScorer, PrefersNodesRunningTheSameAsk) {
  // Node 0 runs a half-GPU task, node 1 a whole-GPU one: another half goes to node 0 even though
  // node 1 is the tighter fit, and another whole one to node 1.
  ClusterState s = MakeCluster(2, 4);
  s.jobs.push_back(Running(MakeJob(1, 500), 0, {0}, 0, 500));
  s.jobs.push_back(Running(MakeJob(2, 3000), 1, {0, 1, 2}, 0));
  ScoringFixture f("clustering", s);
  EXPECT_LT(f.Score(0, {1}, 500), f.Score(1, {3}, 500));
  EXPECT_LT(f.Score(1, {3}, 3000), f.Score(0, {1}, 3000));
}

TEST(ClusteringScorer, LearnsFromWhatItPlacesThisCycle) {
  ClusterState s = MakeCluster(2, 2);
  ScoringFixture f("clustering", s);
  const double before = f.Score(1, {0}, 250);
  TaskAllocation t;
  t.node = 1;
  t.devices = {1};
  t.res.accel_milli = 250;
  f.scorer->Placed({t});
  EXPECT_LT(f.Score(1, {0}, 250), before);  // node 1 now runs a 0.25 task
}

}  // namespace
}  // namespace suanli::core
