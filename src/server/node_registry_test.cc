#include "server/node_registry.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

store::NodeRecord NodeRec(std::string name, std::vector<int32_t> device_indices = {}) {
  store::NodeRecord n;
  n.name = std::move(name);
  n.address = "10.0.0.1";
  n.cpus = 8;
  n.mem_mb = 1024;
  for (int32_t i : device_indices) n.devices.push_back({i, "a100", "", 0, 0});
  return n;
}

proto::PreparedLaunch LaunchOf(store::JobId job, int32_t attempt, int32_t task) {
  proto::PreparedLaunch l;
  l.launch.ref = {job, attempt, task};
  return l;
}

TEST(NodeRegistryTest, LoadedNodesAreNotSchedulableUntilTheirAgentTalks) {
  NodeSignals signals;
  NodeRegistry reg(&signals);
  reg.Load({NodeRec("n1")}, 100);
  ASSERT_NE(reg.Find("n1"), nullptr);
  EXPECT_FALSE(reg.Find("n1")->Schedulable());
  EXPECT_EQ(reg.Find("n1")->last_heartbeat, 100);
  EXPECT_TRUE(reg.Heard("n1", 150));  // news: first seen by this process
  EXPECT_TRUE(reg.Find("n1")->Schedulable());
  EXPECT_FALSE(reg.Heard("n1", 160));
  EXPECT_FALSE(reg.Heard("nobody", 160));
  EXPECT_EQ(reg.Find("nobody"), nullptr);
}

TEST(NodeRegistryTest, RegisteringKeepsTheFirstRegistrationAndTheDrainAndEmptiesTheOutbox) {
  NodeRegistry reg(nullptr);
  store::NodeRecord drained = NodeRec("n1");
  drained.registered = 10;
  drained.draining = true;
  reg.Load({drained}, 50);
  ASSERT_TRUE(reg.QueueKill("n1", proto::Kill{1, 1, 0, "STALE"}));
  store::WriteBatch batch;
  const NodeRegistry::Node& n = reg.Register(NodeRec("n1", {0, 1}), 60, &batch);
  EXPECT_EQ(n.rec.registered, 10);
  EXPECT_TRUE(n.rec.draining);
  EXPECT_FALSE(n.Schedulable());  // drained by an admin
  EXPECT_TRUE(n.outbox.kill.empty());
  EXPECT_EQ(n.rec.devices.size(), 2u);
  ASSERT_EQ(batch.nodes.size(), 1u);
  EXPECT_EQ(batch.nodes[0].registered, 10);
  EXPECT_EQ(reg.Register(NodeRec("n2"), 70, &batch).rec.registered, 70);  // a new node
}

TEST(NodeRegistryTest, SilentNodesGoDownOneAtATimeWithTheirOutboxEmptied) {
  NodeRegistry reg(nullptr);
  store::WriteBatch batch;
  reg.Register(NodeRec("a", {0}), 0, &batch);
  reg.Register(NodeRec("b", {0}), 0, &batch);
  reg.Register(NodeRec("c"), 0, &batch);
  reg.Heard("c", 900);
  reg.QueueKill("a", proto::Kill{1, 1, 0, "X"});
  std::vector<std::string> down;
  reg.TimeOut(1001, 1000, [&](const std::string& name) {
    down.push_back(name);
    EXPECT_FALSE(reg.Find(name)->up);
    EXPECT_TRUE(reg.Find(name)->outbox.kill.empty());
    // What the callback queues for a node not yet looked at is dropped when that node goes down.
    if (name == "a") reg.QueueKill("b", proto::Kill{2, 1, 0, "LOST"});
  });
  EXPECT_EQ(down, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(reg.Find("b")->outbox.kill.empty());
  EXPECT_EQ(reg.UpCount(), 1);
  EXPECT_EQ(reg.TotalByType(), (std::map<std::string, double>{}));  // c has no devices
  down.clear();
  reg.TimeOut(1002, 1000, [&](const std::string& name) { down.push_back(name); });
  EXPECT_TRUE(down.empty());  // a DOWN node goes down once
  EXPECT_TRUE(reg.Heard("a", 1003));
  EXPECT_EQ(reg.TotalByType(), (std::map<std::string, double>{{"a100", 1}}));
}

TEST(NodeRegistryTest, TakingTheOutboxRecordsLaunchesUntilAcknowledged) {
  NodeSignals signals;
  NodeRegistry reg(&signals);
  store::WriteBatch batch;
  reg.Register(NodeRec("n1"), 0, &batch);
  EXPECT_FALSE(reg.QueueLaunch("nobody", LaunchOf(1, 1, 0)));
  ASSERT_TRUE(reg.QueueLaunch("n1", LaunchOf(1, 1, 0)));
  ASSERT_TRUE(reg.QueueLaunch("n1", LaunchOf(2, 3, 1)));
  uint64_t seq = signals.Sequence("n1");
  reg.Signal("n1");
  EXPECT_EQ(signals.Sequence("n1"), seq + 1);
  std::string body = reg.TakeOutbox("n1", 100);
  EXPECT_NE(body.find("launch"), std::string::npos);
  EXPECT_TRUE(reg.Find("n1")->outbox.launch.empty());
  EXPECT_EQ(reg.Find("n1")->unacked_launches.size(), 2u);

  // Job 2 started (no longer waiting); job 1 is due only after `after_ms`.
  auto waiting = [](const TaskKey& k) { return std::get<0>(k) == 1; };
  EXPECT_TRUE(reg.TakeDueLaunches("n1", 150, 100, waiting).empty());
  EXPECT_EQ(reg.Find("n1")->unacked_launches.size(), 1u);
  auto due = reg.TakeDueLaunches("n1", 201, 100, waiting);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].task, (TaskKey{1, 1, 0}));
  EXPECT_EQ(due[0].handed_out, 100);
  EXPECT_TRUE(reg.Find("n1")->unacked_launches.empty());
}

TEST(NodeRegistryTest, WhatTasksHeldWhenDownIsKeptWhileTheAgentStillReportsThem) {
  NodeRegistry reg(nullptr);
  store::WriteBatch batch;
  reg.Register(NodeRec("n1", {4, 7}), 0, &batch);
  store::TaskPlacement held;
  held.node = "n1";
  held.devices = {7};
  reg.RememberHeld("n1", {5, 1, 0}, held);
  reg.RememberHeld("n1", {6, 2, 0}, held);
  ASSERT_TRUE(reg.HeldWhenDown("n1", {5, 1, 0}).has_value());
  EXPECT_EQ(reg.HeldWhenDown("n1", {5, 1, 0})->devices, std::vector<int32_t>{7});
  EXPECT_FALSE(reg.HeldWhenDown("n1", {5, 2, 0}).has_value());
  reg.ForgetHeldExcept("n1", {proto::TaskRef{5, 1, 0}});
  EXPECT_TRUE(reg.HeldWhenDown("n1", {5, 1, 0}).has_value());
  EXPECT_FALSE(reg.HeldWhenDown("n1", {6, 2, 0}).has_value());
  EXPECT_EQ(reg.DevicePosition("n1", 7), 1);
  EXPECT_EQ(reg.DevicePosition("n1", 5), -1);
  EXPECT_EQ(reg.DevicePosition("nobody", 7), -1);
}

}  // namespace
}  // namespace suanli::server
