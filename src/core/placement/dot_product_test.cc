#include "core/placement/scorer_test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(DotProductScorer, PrefersTheNodeWhoseFreeVectorAlignsWithTheAsk) {
  // Node 0 has little CPU left, node 1 all of it: a task asking CPU aligns better with node 1.
  ClusterState s = MakeCluster(2, 2);
  Job cpu_heavy = MakeJob(1, 0);
  cpu_heavy.shapes[0].per_task.cpu_milli = 60000;
  s.jobs.push_back(Running(cpu_heavy, 0, {}, 0, 0));
  ScoringFixture f("dot-product", s);
  EXPECT_LT(f.Score(1, {0}, 1000), f.Score(0, {0}, 1000));
}

TEST(DotProductScorer, ScoreIsTheNegatedAlignment) {
  // Idle node, whole device of two: cpu 1/64 x 1 + mem 1/512 x 1 + accel 1000/2000 x 1.
  ScoringFixture f("dot-product", MakeCluster(1, 2));
  EXPECT_DOUBLE_EQ(f.Score(0, {0}, 1000), -(1.0 / 64 + 1.0 / 512 + 0.5));
}

}  // namespace
}  // namespace suanli::core
