// The duration orders (submit.cc, time_limit.cc, remaining.cc, oracle.cc) and what they share
// (ranker.cc).
#include <gtest/gtest.h>

#include <limits>

#include "core/order/ranker.h"
#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

constexpr double kInf = std::numeric_limits<double>::infinity();

Job Limited(Time limit, Time estimate = kUnknownTime) {
  Job j = MakeJob(1, 1000);
  j.time_limit = limit;
  j.estimated_duration = estimate;
  return j;
}

TEST(SubmitOrder, HasNoDurationKey) {
  const auto order = MakeSubmitOrder();
  const Job short_job = Limited(kMin), long_job = Limited(kHourMs);
  EXPECT_EQ(order->Key(short_job, 0).At(0), 0);
  EXPECT_EQ(order->Key(long_job, 0).At(0), 0);
}

TEST(TimeLimitOrder, DeclaredLimitOrShorterEstimateAndNeitherLast) {
  const auto order = MakeTimeLimitOrder();
  EXPECT_EQ(order->Key(Limited(kHourMs), 0).At(0), kHourMs);
  EXPECT_EQ(order->Key(Limited(kHourMs, kMin), 0).At(0), kMin);              // learned, shorter
  EXPECT_EQ(order->Key(Limited(kMin, kHourMs), 0).At(0), kMin);              // limit is shorter
  EXPECT_EQ(order->Key(Limited(0), 0).At(0), kInf);                          // neither
  EXPECT_FALSE(order->Key(Running(Limited(kHourMs), 0, {0}, 0), 10).falls);  // fixed while running
}

TEST(RemainingOrder, FallsWhileRunningAndAnEstimateStopsAtZero) {
  const auto order = MakeRemainingOrder();
  const Job running = Running(Limited(kHourMs), 0, {0}, /*start=*/1000);
  const DurationKey k = order->Key(running, 1000);
  EXPECT_TRUE(k.falls);
  EXPECT_EQ(k.At(1000), kHourMs);
  EXPECT_EQ(k.At(1000 + kMin), kHourMs - kMin);
  // An estimate of 1 min, overrun: 0, not negative; a declared limit is not floored.
  const Job estimated = Running(Limited(kHourMs, kMin), 0, {0}, 0);
  EXPECT_EQ(order->Key(estimated, 0).At(2 * kMin), 0);
  EXPECT_LT(order->Key(Running(Limited(kMin), 0, {0}, 0), 0).At(2 * kMin), 0);
}

TEST(RemainingOrder, CheckpointableJobKeepsWhatItRanBefore) {
  Job j = Limited(kHourMs);
  j.checkpointable = true;
  j.ran_ms = 10 * kMin;  // pending again after a preemption
  EXPECT_EQ(MakeRemainingOrder()->Key(j, 0).At(0), kHourMs - 10 * kMin);
  j.checkpointable = false;  // starts over
  EXPECT_EQ(MakeRemainingOrder()->Key(j, 0).At(0), kHourMs);
}

TEST(OracleOrders, ReadTheTrueDuration) {
  Job j = Limited(kHourMs);
  j.oracle_duration = 5 * kMin;
  EXPECT_EQ(MakeOracleDurationOrder()->Key(j, 0).At(0), 5 * kMin);
  const Job running = Running(j, 0, {0}, 0);
  EXPECT_EQ(MakeOracleRemainingOrder()->Key(running, 2 * kMin).At(2 * kMin), 3 * kMin);
  EXPECT_EQ(MakeOracleRemainingOrder()->Key(running, 0).At(10 * kMin), 0);  // floored
  j.oracle_duration = kUnknownTime;
  EXPECT_EQ(MakeOracleDurationOrder()->Key(j, 0).At(0), kInf);
}

TEST(DurationRanker, ApplyWritesOnlyTheSecondaryKey) {
  QueueRank rank;
  rank.prio = -3;
  rank.level = 2;
  rank.time = 77;
  MakeTimeLimitOrder()->Apply(Limited(kMin), 0, rank);
  EXPECT_EQ(rank.secondary, kMin);
  EXPECT_EQ(rank.prio, -3);
  EXPECT_EQ(rank.level, 2);
  EXPECT_EQ(rank.time, 77);
}

}  // namespace
}  // namespace suanli::core
