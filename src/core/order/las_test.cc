#include "core/order/las.h"

#include <gtest/gtest.h>

#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(LasQueues, LevelCountsThresholdsCrossed) {
  const LasQueues las({100, 1000}, 0);
  Job j = MakeJob(1, 1000);
  EXPECT_EQ(las.Level(j), 0);
  j.attained_service_ms = 100;
  EXPECT_EQ(las.Level(j), 1);
  j.attained_service_ms = 5000;
  EXPECT_EQ(las.Level(j), 2);
  EXPECT_EQ(las.NextThreshold(50), 100);
  EXPECT_EQ(las.NextThreshold(5000), std::numeric_limits<double>::infinity());
}

TEST(LasQueues, ADemotedJobThatWaitedTwiceItsRunIsPromoted) {
  const LasQueues las({100}, 2.0);
  Job j = MakeJob(1, 1000);  // one device: its run time equals its service
  j.attained_service_ms = 1000;
  j.queued_since = 0;
  QueueRank rank;
  las.Apply(j, 1999, rank);
  EXPECT_EQ(rank.level, 1);
  EXPECT_EQ(las.NextChange(j, 1999), 2000);
  las.Apply(j, 2000, rank);
  EXPECT_EQ(rank.level, 0);
  EXPECT_EQ(las.NextChange(j, 2000), kUnknownTime);
}

TEST(LasQueues, WithoutPromotionOrInQueueZeroNothingChanges) {
  Job j = MakeJob(1, 1000);
  j.attained_service_ms = 1000;
  EXPECT_EQ(LasQueues({100}, 0).NextChange(j, 0), kUnknownTime);
  j.attained_service_ms = 0;
  EXPECT_EQ(LasQueues({100}, 2.0).NextChange(j, 0), kUnknownTime);
}

TEST(LasQueues, RunningJobsAreNeverPromoted) {
  const LasQueues las({100}, 2.0);
  Job j = Running(MakeJob(1, 1000), 0, {0}, 0);
  j.attained_service_ms = 1000;
  QueueRank rank;
  las.Apply(j, 1000000, rank);
  EXPECT_EQ(rank.level, 1);
}

TEST(LasQueues, TiresiasThresholdsAreOneTenAndHundredDeviceHours) {
  const auto las = LasQueues::Tiresias();
  Job j = MakeJob(1, 1000);
  j.attained_service_ms = 3600.0 * 1000 * 10;
  EXPECT_EQ(las->Level(j), 2);
}

}  // namespace
}  // namespace suanli::core
