#include "core/placement/gang.h"

#include <gtest/gtest.h>

#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

TEST(PickWholeDevices, OneIslandThatHoldsTheAskTheTightestSuch) {
  // 8 devices in two islands of 4; island 0 has device 0 taken (3 free), island 1 all 4 free.
  ClusterState s = MakeCluster(1, 8, {"nvidia-a100"}, 2);
  s.jobs.push_back(Running(MakeJob(1, 1000), 0, {0}, 0));
  Capacity cap;
  cap.Reset(s);
  EXPECT_EQ(PickWholeDevices(cap, 0, 0, 3), (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(PickWholeDevices(cap, 0, 0, 4), (std::vector<int32_t>{4, 5, 6, 7}));
  EXPECT_EQ(PickWholeDevices(cap, 0, 0, 6).size(), 6u);  // spans both
  EXPECT_TRUE(PickWholeDevices(cap, 0, 0, 8).empty());   // only 7 free
}

TEST(PlaceGangByTopology, AGangThatFitsOneNodeLandsOnOneNode) {
  // Node 0 has 2 of 4 devices taken, node 1 is idle: a 2 x 2-GPU gang needs all of node 1.
  ClusterState s = MakeCluster(2, 4);
  s.jobs.push_back(Running(MakeJob(1, 2000), 0, {0, 1}, 0));
  Capacity cap;
  cap.Reset(s);
  Shape gang = MakeJob(2, 2000, 2).shapes[0];
  std::vector<TaskAllocation> out;
  ASSERT_TRUE(PlaceGangByTopology(gang, 0, cap, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].node, 1);
  EXPECT_EQ(out[1].node, 1);
  EXPECT_EQ(cap.whole_free(1, 0), 0);
}

TEST(PlaceGangByTopology, ASingleTaskTakesTheTightestNode) {
  ClusterState s = MakeCluster(2, 4);
  s.jobs.push_back(Running(MakeJob(1, 2000), 0, {0, 1}, 0));
  Capacity cap;
  cap.Reset(s);
  std::vector<TaskAllocation> out;
  ASSERT_TRUE(PlaceGangByTopology(MakeJob(2, 2000).shapes[0], 0, cap, out));
  EXPECT_EQ(out[0].node, 0);
  EXPECT_EQ(out[0].devices, (std::vector<int32_t>{2, 3}));
}

}  // namespace
}  // namespace suanli::core
