#include <gtest/gtest.h>

#include <cmath>

#include "core/policy.h"
#include "core/test_support.h"
#include "core/usage_tracker.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(CheckFeasibleTest, NamesTheResourceAndTheLargestNode) {
  ClusterState s = MakeCluster(4, 8);
  EXPECT_TRUE(CheckFeasible(s, MakeJob(1, 8000)).ok());
  EXPECT_TRUE(CheckFeasible(s, MakeJob(1, 8000, 4)).ok());
  Status st = CheckFeasible(s, MakeJob(1, 16000));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "asks 16 × nvidia-a100 per task but the largest node has 8 × nvidia-a100");
  st = CheckFeasible(s, MakeJob(1, 8000, 5));
  EXPECT_EQ(st.message(), "asks 5 tasks of 8 × nvidia-a100 but the whole cluster holds only 4");
  Job big_cpu = MakeJob(1, 1000);
  big_cpu.shapes[0].per_task.cpu_milli = 128000;
  EXPECT_EQ(CheckFeasible(s, big_cpu).message(),
            "asks 128 cpus per task but the largest node has 64 cpus");
  Job odd = MakeJob(1, 1500);
  EXPECT_NE(CheckFeasible(s, odd).message().find("must be whole"), std::string::npos);
  Job wrong_type = MakeJob(1, 1000);
  wrong_type.shapes[0].accel_types = {7};
  EXPECT_FALSE(CheckFeasible(s, wrong_type).ok());
  Job none;
  EXPECT_FALSE(CheckFeasible(s, none).ok());
}

TEST(CheckFeasibleTest, AnyFeasibleShapeAdmits) {
  ClusterState s = MakeCluster(1, 8);
  Job j = MakeJob(1, 16000);
  Shape alt = j.shapes[0];
  alt.per_task.accel_milli = 4000;
  alt.speed = 0.5;
  j.shapes.push_back(alt);
  EXPECT_TRUE(CheckFeasible(s, j).ok());
  Job frac = MakeJob(2, 250);
  EXPECT_TRUE(CheckFeasible(s, frac).ok());
}

TEST(UsageTrackerTest, DecaysWithTheHalfLife) {
  ClusterState s = MakeCluster(1, 8);
  s.tenants = {Tenant{.name = "root"}, Tenant{.name = "leaf", .parent = 0}, Tenant{.name = "idle"}};
  s.jobs.push_back(Running(MakeJob(1, 2000, 1, 0, 1), 0, {0, 1}, 0));
  UsageTracker tracker(kHourMs);
  tracker.Advance(s, 0);
  tracker.Advance(s, kHourMs);
  // 2 devices for one half-life: 2 · h/ln2 · (1 − 1/2) device-ms.
  const double expected = 2.0 * kHourMs / std::log(2.0) * 0.5;
  EXPECT_NEAR(tracker.usage(1), expected, 1e-6 * expected);
  EXPECT_NEAR(tracker.usage(0), expected, 1e-6 * expected);  // ancestors are charged too
  EXPECT_EQ(tracker.usage(2), 0.0);
  s.jobs.clear();
  tracker.Advance(s, 2 * kHourMs);
  EXPECT_NEAR(tracker.usage(1), expected / 2, 1e-6 * expected);
  tracker.Advance(s, kHourMs);  // time going backwards is ignored
  EXPECT_NEAR(tracker.usage(1), expected / 2, 1e-6 * expected);
  tracker.Fill(s);
  EXPECT_NEAR(s.tenants[1].decayed_usage, expected / 2, 1e-6 * expected);
  // Without decay usage is the plain integral.
  UsageTracker flat(0);
  s.jobs.push_back(Running(MakeJob(1, 2000, 1, 0, 1), 0, {0, 1}, 0));
  flat.Advance(s, 0);
  flat.Advance(s, 10 * kSec);
  EXPECT_DOUBLE_EQ(flat.usage(1), 20.0 * kSec);
}

}  // namespace
}  // namespace suanli::core
