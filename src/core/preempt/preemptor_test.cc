// Each kind as a Preemptor (reclaim.cc, priority.cc, las.cc, remaining.cc) and the order a
// policy's preemptors are asked in (preemptors.cc).
#include "core/preempt/preemptor.h"

#include <gtest/gtest.h>

namespace suanli::core {
namespace {

TEST(Preemptors, OnePerKindInKindOrderWhateverTheListOrder) {
  const auto all = PreemptorsOf(
      {PreemptKind::kRemaining, PreemptKind::kLas, PreemptKind::kPriority, PreemptKind::kReclaim});
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0]->kind(), PreemptKind::kReclaim);
  EXPECT_EQ(all[1]->kind(), PreemptKind::kPriority);
  EXPECT_EQ(all[2]->kind(), PreemptKind::kLas);
  EXPECT_EQ(all[3]->kind(), PreemptKind::kRemaining);
  EXPECT_EQ(all[0]->name(), "reclaim");
  EXPECT_EQ(all[3]->name(), "remaining");
  EXPECT_TRUE(PreemptorsOf({}).empty());
  const auto las = PreemptorsOf({PreemptKind::kLas});
  ASSERT_EQ(las.size(), 1u);
  EXPECT_EQ(las[0], &LasPreemptor());
}

TEST(Preemptors, EachAppliesItsOwnRule) {
  const FairShare fair;
  Job job;
  job.id = 7;
  job.priority = 5;
  PreemptAsker asker{.job = &job, .prio = -5, .las_level = 0, .remaining = 10};
  PreemptVictim victim{
      .prio = 0, .level = 1, .remaining = 21, .las_ok = true, .remaining_ok = true};
  EXPECT_TRUE(PriorityPreemptor().MayTake(fair, asker, victim));
  EXPECT_TRUE(LasPreemptor().MayTake(fair, asker, victim));
  EXPECT_TRUE(RemainingPreemptor().MayTake(fair, asker, victim));
  EXPECT_FALSE(ReclaimPreemptor().MayTake(fair, asker, victim));  // not reclaiming
  victim.las_ok = false;
  victim.remaining = 20;
  EXPECT_FALSE(LasPreemptor().MayTake(fair, asker, victim));
  EXPECT_FALSE(RemainingPreemptor().MayTake(fair, asker, victim));
}

TEST(Preemptors, ReasonsAreTheKindsWords) {
  const FairShare fair;
  const ClusterState state;
  Job job;
  job.id = 7;
  job.priority = 5;
  Job victim;
  victim.priority = 1;
  const PreemptAsker asker{.job = &job, .rank_level = -1};
  EXPECT_EQ(PriorityPreemptor().Reason(state, fair, asker, victim, 0),
            "preempted for job 7 (priority 5 > 1)");
  EXPECT_EQ(LasPreemptor().Reason(state, fair, asker, victim, 2),
            "preempted for job 7, which has received less service (LAS queue 0 < 2)");
  EXPECT_EQ(RemainingPreemptor().Reason(state, fair, asker, victim, 0),
            "preempted for job 7, which has much less time remaining");
}

}  // namespace
}  // namespace suanli::core
