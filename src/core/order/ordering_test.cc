// A policy's Ordering (ordering.cc) with priority bands (priority.h) and fair share
// (fair_share.cc).
#include "core/order/ordering.h"

#include <gtest/gtest.h>

#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(Ordering, FifoRanksBySubmissionThenId) {
  const Ordering fifo;
  const QueueRank a = fifo.RankOf(MakeJob(2, 1000, 1, 10), 100);
  const QueueRank b = fifo.RankOf(MakeJob(1, 1000, 1, 20), 100);
  EXPECT_TRUE(RankLess(a, b));
  EXPECT_EQ(fifo.NextChange(MakeJob(1, 1000), 100), kUnknownTime);
}

TEST(PriorityBands, HigherPriorityRanksFirstWhateverElse) {
  Ordering o;
  o.bands = std::make_shared<const PriorityBands>();
  o.duration = MakeTimeLimitOrder();
  Job urgent_long = MakeJob(1, 1000, 1, 50);
  urgent_long.priority = 5;
  urgent_long.time_limit = kHourMs;
  Job short_job = MakeJob(2, 1000, 1, 0);
  short_job.time_limit = kMin;
  EXPECT_TRUE(RankLess(o.RankOf(urgent_long, 100), o.RankOf(short_job, 100)));
  EXPECT_EQ(o.Band(urgent_long), -5);
  EXPECT_EQ(Ordering{}.Band(urgent_long), 0);  // no bands: one for all
}

TEST(Ordering, StarvationOverridesTheLasQueueAndTheNextChangeIsTheEarliest) {
  Ordering o;
  o.las = std::make_shared<const LasQueues>(std::vector<double>{100}, 2.0);
  o.starvation = std::make_shared<const Starvation>(kHourMs);
  Job j = MakeJob(1, 1000);
  j.attained_service_ms = 10 * kMin;  // queue 1, promoted after 20 min of waiting
  j.ran_ms = 10 * kMin;
  j.queued_since = 10 * kMin;
  EXPECT_EQ(o.RankOf(j, 11 * kMin).level, 1);
  EXPECT_EQ(o.NextChange(j, 11 * kMin), 30 * kMin);  // promotion comes before starvation
  EXPECT_EQ(o.RankOf(j, 30 * kMin).level, 0);
  EXPECT_EQ(o.RankOf(j, 70 * kMin).level, -1);
  EXPECT_EQ(o.LasLevel(j), 1);  // unpromoted, for preemption
}

TEST(FairShareInterleave, BandAndQueueFirstThenTheTenantBelowItsShare) {
  ClusterState s = MakeCluster(1, 4);
  s.tenants.push_back(Tenant{.name = "b"});
  s.jobs.push_back(Running(MakeJob(1, 2000, 1, 0, /*tenant=*/0), 0, {0, 1}, 0));
  Capacity cap;
  cap.Reset(s);
  FairShare share;
  std::vector<int32_t> running = {0};
  share.Sync(s, cap, running, /*incremental=*/false);
  QueueRank x, y;  // x from tenant 0 (holds half the cluster), y from tenant 1 (nothing)
  x.id = 1;
  y.id = 2;
  EXPECT_TRUE(FairShareInterleave::Before(share, 1, y, 0, x));
  EXPECT_FALSE(FairShareInterleave::Before(share, 0, x, 1, y));
  x.prio = -1;  // a better band wins whatever the share
  EXPECT_TRUE(FairShareInterleave::Before(share, 0, x, 1, y));
}

}  // namespace
}  // namespace suanli::core
