#include "server/draining_tasks.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

DrainingTasks::Task On(std::string node, store::JobId job, std::vector<int32_t> devices,
                       TimeMs deadline = 1000) {
  DrainingTasks::Task t;
  t.job = job;
  t.attempt = 1;
  t.task = 0;
  t.held.node = std::move(node);
  t.held.devices = std::move(devices);
  t.deadline = deadline;
  return t;
}

store::TaskPlacement Placed(int32_t task, std::string node, std::vector<int32_t> devices) {
  store::TaskPlacement t;
  t.task = task;
  t.node = std::move(node);
  t.devices = std::move(devices);
  return t;
}

TEST(DrainingTasksTest, ATaskDrainsUntilItExitsOrItsDeadlinePasses) {
  DrainingTasks d;
  EXPECT_TRUE(d.empty());
  d.Add(On("n1", 1, {0}, 500));
  d.Add(On("n1", 2, {1}, 900));
  EXPECT_TRUE(d.Contains({1, 1, 0}));
  EXPECT_FALSE(d.Contains({1, 2, 0}));  // another attempt
  EXPECT_TRUE(d.Exited({1, 1, 0}));
  EXPECT_FALSE(d.Exited({1, 1, 0}));
  EXPECT_FALSE(d.DropExpired(899));
  EXPECT_TRUE(d.DropExpired(900));
  EXPECT_TRUE(d.empty());
}

TEST(DrainingTasksTest, OnlyTasksAddedSinceTheMarkAreHandedOver) {
  DrainingTasks d;
  d.Add(On("n1", 1, {0}));
  const size_t mark = d.mark();
  d.Add(On("n1", 2, {1}));
  d.Add(On("n2", 3, {0}));
  d.HandOverSince(mark);
  ASSERT_EQ(d.tasks().size(), 3u);
  EXPECT_FALSE(d.tasks()[0].handed_over);
  EXPECT_TRUE(d.tasks()[1].handed_over);
  EXPECT_TRUE(d.tasks()[2].handed_over);
}

TEST(DrainingTasksTest, ALaunchWaitsOnlyForAHandedOverTaskOnItsDevices) {
  DrainingTasks d;
  d.Add(On("n1", 1, {0}));  // not handed over: its resources were never offered
  const size_t mark = d.mark();
  d.Add(On("n1", 2, {1, 2}));
  d.Add(On("n2", 3, {}));  // holds no device: blocks every task on n2
  d.HandOverSince(mark);
  std::vector<store::TaskPlacement> placement = {Placed(0, "n1", {0}), Placed(1, "n1", {2}),
                                                 Placed(2, "n1", {3}), Placed(3, "n2", {5}),
                                                 Placed(4, "n3", {})};
  EXPECT_EQ(d.WaitingForHandedOver(placement), (std::set<int32_t>{1, 3}));
  // A task without devices waits for any handed-over task on its node.
  EXPECT_EQ(d.WaitingForHandedOver({Placed(0, "n1", {})}), (std::set<int32_t>{0}));
}

TEST(DrainingTasksTest, ANodeGoingDownTakesItsTasksAlong) {
  DrainingTasks d;
  d.Add(On("n1", 1, {0}));
  d.Add(On("n2", 2, {0}));
  d.Add(On("n1", 3, {1}));
  auto taken = d.TakeOnNode("n1");
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].job, 1);
  EXPECT_EQ(taken[1].job, 3);
  ASSERT_EQ(d.tasks().size(), 1u);
  EXPECT_EQ(d.tasks()[0].job, 2);
}

}  // namespace
}  // namespace suanli::server
