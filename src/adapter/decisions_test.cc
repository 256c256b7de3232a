// CheckCycle and the Ledger: the checks every decision passes, in the server as in the simulator.
#include "adapter/decisions.h"

#include <gtest/gtest.h>

#include <map>

namespace suanli::adapter {
namespace {

// Two nodes of 4 devices, 16 cpus, 64 GB; tenants root <- {a, b}.
core::ClusterState TwoNodes() {
  core::ClusterState s;
  s.accel_types = {"gpu"};
  for (int n = 0; n < 2; ++n) {
    core::Node node;
    node.name = "n" + std::to_string(n);
    node.cpu_milli = 16000;
    node.mem_mb = 64000;
    node.devices.assign(4, core::Device{});
    s.nodes.push_back(node);
  }
  s.tenants.resize(3);
  s.tenants[0].name = "root";
  s.tenants[1].name = "a";
  s.tenants[1].parent = 0;
  s.tenants[2].name = "b";
  s.tenants[2].parent = 0;
  return s;
}

core::Job Gang(core::JobId id, int32_t tenant, int tasks, int devices) {
  core::Job j;
  j.id = id;
  j.tenant = tenant;
  core::Shape shape;
  shape.tasks = tasks;
  shape.per_task.cpu_milli = 1000;
  shape.per_task.mem_mb = 1000;
  shape.per_task.accel_milli = devices * 1000;
  j.shapes.push_back(shape);
  return j;
}

core::Placement On(const core::Job& job, std::vector<std::pair<int, std::vector<int>>> tasks) {
  core::Placement p;
  p.job = job.id;
  for (auto& [node, devs] : tasks) {
    core::TaskAllocation a;
    a.node = node;
    a.devices = devs;
    a.type = devs.empty() ? core::kNoAccel : 0;
    a.res = job.shapes[0].per_task;
    p.tasks.push_back(a);
  }
  return p;
}

struct Fixture {
  core::ClusterState state = TwoNodes();
  std::map<core::JobId, core::Job> jobs;
  JobLookup lookup = [this](core::JobId id) -> const core::Job* {
    auto it = jobs.find(id);
    return it == jobs.end() ? nullptr : &it->second;
  };
};

TEST(CheckCycleTest, AcceptsAGangAndTakesItsDevices) {
  Fixture f;
  Ledger ledger(f.state);
  f.jobs[1] = Gang(1, 1, 2, 4);
  core::CycleResult r;
  r.placements.push_back(On(f.jobs[1], {{0, {0, 1, 2, 3}}, {1, {0, 1, 2, 3}}}));
  auto checked = CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  ASSERT_EQ(checked->placements.size(), 1u);
  EXPECT_EQ(checked->placements[0].accel_milli, 8000);
  EXPECT_EQ(ledger.allocated_milli(), 8000);
}

TEST(CheckCycleTest, ADoubleBookedDeviceFailsStrictAndIsRefusedLenient) {
  for (Checking mode : {Checking::kStrict, Checking::kLenient}) {
    Fixture f;
    Ledger ledger(f.state);
    f.jobs[1] = Gang(1, 1, 1, 2);
    f.jobs[2] = Gang(2, 2, 1, 2);
    core::CycleResult r;
    r.placements.push_back(On(f.jobs[1], {{0, {0, 1}}}));
    r.placements.push_back(On(f.jobs[2], {{0, {1, 2}}}));  // device 1 twice
    auto checked = CheckCycle(r, f.lookup, ledger, "test", mode);
    if (mode == Checking::kStrict) {
      ASSERT_FALSE(checked.ok());
      EXPECT_NE(checked.status().message().find("placed job 2 on device 1 of node n0"),
                std::string::npos)
          << checked.status().message();
    } else {
      ASSERT_TRUE(checked.ok());
      ASSERT_EQ(checked->placements.size(), 1u);
      EXPECT_EQ(checked->placements[0].placement.job, 1);
      ASSERT_EQ(checked->refused.size(), 1u);
      EXPECT_EQ(checked->refused[0].job, 2);
      EXPECT_EQ(ledger.allocated_milli(), 2000);  // the refused one took nothing
    }
  }
}

TEST(CheckCycleTest, AVictimsDevicesAreFreeForThePlacementsOfTheSameCycle) {
  Fixture f;
  Ledger ledger(f.state);
  core::Job victim = Gang(1, 2, 1, 4);
  victim.phase = core::JobPhase::kRunning;
  victim.allocation = On(victim, {{0, {0, 1, 2, 3}}}).tasks;
  ledger.Hold(victim);
  f.jobs[1] = victim;
  f.jobs[2] = Gang(2, 1, 1, 4);
  core::CycleResult r;
  r.placements.push_back(On(f.jobs[2], {{0, {0, 1, 2, 3}}}));
  // Without the preemption the devices are taken...
  Ledger copy = ledger;
  EXPECT_FALSE(CheckCycle(r, f.lookup, copy, "test", Checking::kStrict).ok());
  // ...with it, the victim is released first whatever order the policy listed them in.
  r.preemptions.push_back({1, "test"});
  auto checked = CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_EQ(checked->preemptions.size(), 1u);
  EXPECT_EQ(checked->placements.size(), 1u);
}

TEST(CheckCycleTest, RefusesUnknownJobsRunningJobsAndRepeats) {
  Fixture f;
  Ledger ledger(f.state);
  f.jobs[1] = Gang(1, 1, 1, 1);
  core::Job running = Gang(2, 1, 1, 1);
  running.phase = core::JobPhase::kRunning;
  running.allocation = On(running, {{1, {0}}}).tasks;
  ledger.Hold(running);
  f.jobs[2] = running;
  core::CycleResult r;
  r.placements.push_back(On(f.jobs[1], {{0, {0}}}));
  r.placements.push_back(On(f.jobs[1], {{0, {1}}}));  // twice
  r.placements.push_back(On(f.jobs[2], {{0, {2}}}));  // already running
  r.preemptions.push_back({9, "x"});                  // unknown
  r.preemptions.push_back({1, "x"});                  // pending, not running
  auto checked = CheckCycle(r, f.lookup, ledger, "test", Checking::kLenient);
  ASSERT_TRUE(checked.ok());
  ASSERT_EQ(checked->refused.size(), 4u);
  EXPECT_NE(checked->refused[0].why.find("preempted job 9, which is not active"),
            std::string::npos);
  EXPECT_NE(checked->refused[1].why.find("preempted job 1, which is not running"),
            std::string::npos);
  EXPECT_NE(checked->refused[2].why.find("placed job 1 twice"), std::string::npos);
  EXPECT_NE(checked->refused[3].why.find("placed job 2, which is already running"),
            std::string::npos);
  EXPECT_EQ(checked->placements.size(), 1u);
}

TEST(LedgerTest, AParentsLimitCoversItsWholeSubtree) {
  Fixture f;
  f.state.tenants[0].limit = {core::kUnlimited, core::kUnlimited, 6000};  // root: 6 devices
  Ledger ledger(f.state);
  f.jobs[1] = Gang(1, 1, 1, 4);
  f.jobs[2] = Gang(2, 2, 1, 4);
  core::CycleResult r;
  r.placements.push_back(On(f.jobs[1], {{0, {0, 1, 2, 3}}}));
  r.placements.push_back(On(f.jobs[2], {{1, {0, 1, 2, 3}}}));
  auto checked = CheckCycle(r, f.lookup, ledger, "test", Checking::kLenient);
  ASSERT_TRUE(checked.ok());
  ASSERT_EQ(checked->refused.size(), 1u);
  EXPECT_NE(checked->refused[0].why.find("past tenant 'root''s limit of 6000 gpu milli"),
            std::string::npos)
      << checked->refused[0].why;
  // Once job 1 ends, job 2 fits under the limit.
  core::Job done = f.jobs[1];
  done.allocation = checked->placements[0].tasks;
  ledger.Release(done);
  core::CycleResult again;
  again.placements.push_back(r.placements[1]);
  EXPECT_TRUE(CheckCycle(again, f.lookup, ledger, "test", Checking::kStrict).ok());
}

TEST(LedgerTest, NoPlacementForATenantWhoseAncestorSpentItsBudget) {
  Fixture f;
  f.state.tenants[0].accel_hour_budget = 10;
  f.state.tenants[0].accel_hours_used = 10;
  Ledger ledger(f.state);
  f.jobs[1] = Gang(1, 2, 1, 1);
  core::CycleResult r;
  r.placements.push_back(On(f.jobs[1], {{0, {0}}}));
  auto refused = CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("tenant 'root' has used its budget"),
            std::string::npos);
  f.state.tenants[0].accel_hours_used = 9.5;  // a new period, say
  ledger.UpdateTenants(f.state.tenants);
  EXPECT_TRUE(CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict).ok());
}

TEST(LedgerTest, ACpuOnlyJobNeedsFreeCpuAndNoDevice) {
  Fixture f;
  Ledger ledger(f.state);
  core::Job big = Gang(1, 1, 1, 0);
  big.shapes[0].per_task.cpu_milli = 17000;  // more than a node has
  f.jobs[1] = big;
  core::CycleResult r;
  r.placements.push_back(On(big, {{0, {}}}));
  auto checked = CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.status().message().find("beyond its free cpu or memory"), std::string::npos);
}

TEST(LedgerTest, NothingIsPlacedOnANodeThatLeftUntilItReturns) {
  Fixture f;
  Ledger ledger(f.state);
  EXPECT_EQ(ledger.capacity_milli(), 8000);
  ledger.SetSchedulable(1, false);
  ledger.SetSchedulable(1, false);  // a repeat changes nothing
  EXPECT_EQ(ledger.capacity_milli(), 4000);
  f.jobs[1] = Gang(1, 1, 1, 4);
  core::CycleResult r;
  r.placements.push_back(On(f.jobs[1], {{1, {0, 1, 2, 3}}}));
  auto refused = CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not schedulable"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(ledger.allocated_milli(), 0);
  ledger.SetSchedulable(1, true);
  EXPECT_EQ(ledger.capacity_milli(), 8000);
  auto accepted = CheckCycle(r, f.lookup, ledger, "test", Checking::kStrict);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(ledger.allocated_milli(), 4000);
  ledger.SetSchedulable(7, false);  // no such node: ignored
  EXPECT_EQ(ledger.capacity_milli(), 8000);
}

}  // namespace
}  // namespace suanli::adapter
