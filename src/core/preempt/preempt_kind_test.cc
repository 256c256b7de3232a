// The rule of each preemption kind on its own: which running job it may take.
#include "core/preempt/preempt_kind.h"

#include <gtest/gtest.h>

namespace suanli::core {
namespace {

TEST(PreemptKindTest, PriorityTakesOnlyAStrictlyWorseBand) {
  EXPECT_TRUE(PriorityMayTake(/*job_prio=*/0, /*victim_prio=*/1));
  EXPECT_FALSE(PriorityMayTake(1, 1));
  EXPECT_FALSE(PriorityMayTake(2, 1));
}

TEST(PreemptKindTest, LasTakesALaterQueueInTheSameOrWorseBandWhenTheVictimAllows) {
  EXPECT_TRUE(LasMayTake(/*job_prio=*/0, /*job_level=*/0, /*victim_prio=*/0, /*victim_level=*/1,
                         /*victim_las_ok=*/true));
  EXPECT_FALSE(LasMayTake(0, 1, 0, 1, true));   // same queue
  EXPECT_FALSE(LasMayTake(1, 0, 0, 1, true));   // victim in a better band
  EXPECT_FALSE(LasMayTake(0, 0, 0, 1, false));  // not checkpointable, too young or starved
}

TEST(PreemptKindTest, RemainingNeedsMoreThanTwiceTheTimeLeft) {
  EXPECT_TRUE(RemainingMayTake(/*job_prio=*/0, /*job_remaining=*/10, /*victim_prio=*/0,
                               /*victim_remaining=*/21, /*victim_ok=*/true));
  EXPECT_FALSE(RemainingMayTake(0, 10, 0, 20, true));  // exactly twice is not enough
  EXPECT_FALSE(RemainingMayTake(0, 10, 0, 100, false));
  EXPECT_FALSE(RemainingMayTake(1, 10, 0, 100, true));
}

TEST(PreemptKindTest, ReasonsNameTheJobAndTheRule) {
  Job job;
  job.id = 7;
  job.priority = 5;
  Job victim;
  victim.priority = 1;
  EXPECT_EQ(PriorityReason(job, victim), "preempted for job 7 (priority 5 > 1)");
  EXPECT_EQ(LasReason(job, -1, 2),
            "preempted for job 7, which has received less service (LAS queue 0 < 2)");
  EXPECT_EQ(RemainingReason(job), "preempted for job 7, which has much less time remaining");
}

}  // namespace
}  // namespace suanli::core
