#include "core/order/starvation.h"

#include <gtest/gtest.h>

#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(Starvation, AJobWaitingPastTheBoundGoesFirstOldestQueuedFirst) {
  const Starvation starvation(kHourMs);
  Job j = MakeJob(1, 1000, 1, /*submit=*/0);
  j.queued_since = 10;
  QueueRank rank;
  rank.level = 3;
  rank.secondary = 42;
  starvation.Apply(j, kHourMs - 1, rank);
  EXPECT_EQ(rank.level, 3);  // not yet
  EXPECT_EQ(starvation.NextChange(j, kHourMs - 1), kHourMs);
  starvation.Apply(j, kHourMs, rank);
  EXPECT_EQ(rank.level, -1);
  EXPECT_EQ(rank.secondary, 0);
  EXPECT_EQ(rank.time, 10);
  EXPECT_EQ(starvation.NextChange(j, kHourMs), kUnknownTime);
}

TEST(Starvation, TimeSpentRunningDoesNotCount) {
  const Starvation starvation(kHourMs);
  Job j = MakeJob(1, 1000);
  j.ran_ms = 10 * kMin;
  EXPECT_FALSE(starvation.Starving(j, kHourMs));
  EXPECT_TRUE(starvation.Starving(j, kHourMs + 10 * kMin));
  EXPECT_EQ(starvation.NextChange(j, 0), kHourMs + 10 * kMin);
}

TEST(Starvation, ARunningJobKeepsItsRank) {
  const Starvation starvation(kMin);
  QueueRank rank;
  rank.level = 2;
  starvation.Apply(Running(MakeJob(1, 1000), 0, {0}, 0), kHourMs, rank);
  EXPECT_EQ(rank.level, 2);
}

}  // namespace
}  // namespace suanli::core
