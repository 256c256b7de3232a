#include "server/job_lifecycle.h"

#include <gtest/gtest.h>

#include "base/clock.h"

namespace suanli::server {
namespace {

using store::JobRecord;
using store::JobState;

JobRecord Submitted(std::string user, std::string key = "", bool requeue = true) {
  JobRecord j;
  j.tenant = "team";
  j.user = std::move(user);
  j.spec.idempotency_key = std::move(key);
  j.spec.requeue = requeue;
  j.state = JobState::kPending;
  return j;
}

std::vector<store::TaskPlacement> OneGpu() {
  store::TaskPlacement t;
  t.node = "n1";
  t.cpus = 1;
  t.accel_milli = 1000;
  t.gpu_type = "a100";
  return {t};
}

class JobLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::WriteBatch ignored;
    store::TenantRecord root, team;
    root.name = "root";
    team.name = "team";
    team.parent = "root";
    dir.AddTenant(root, &ignored);
    dir.AddTenant(team, &ignored);
    for (const auto& t : dir.tenants()) acc.OpenBudget(t.name, t.budget_period, 0);
    clock.Set(1000);
  }

  // The team's decayed usage, as the policies see it.
  double TeamUsage() {
    core::ClusterState state;
    state.tenants.resize(dir.tenants().size());
    acc.FillUsage(state);
    return state.tenants[dir.IndexOf("team")].decayed_usage;
  }

  FakeClock clock;
  TenantDirectory dir;
  Accounting acc{&dir, core::PriceTable{}};
  JobLifecycle jobs{&clock, &acc};
  store::WriteBatch batch;
};

TEST_F(JobLifecycleTest, SubmittedJobsGetIdsInOrderAndAreFoundByTheirKey) {
  jobs.Load({}, 41);
  EXPECT_EQ(jobs.next_id(), 42);
  JobRecord& a = jobs.Add(Submitted("ann", "k1"));
  EXPECT_EQ(a.id, 42);
  EXPECT_EQ(jobs.Add(Submitted("bob")).id, 43);
  EXPECT_EQ(jobs.FindByKey("ann", "k1"), 42);
  EXPECT_FALSE(jobs.FindByKey("bob", "k1").has_value());  // keys are per user
  ASSERT_NE(jobs.Find(43), nullptr);
  EXPECT_EQ(jobs.Find(44), nullptr);
  EXPECT_EQ(jobs.changed_since_pass(), (std::set<store::JobId>{42, 43}));
  EXPECT_TRUE(jobs.TakeChanges(&batch).empty());  // none terminal
  EXPECT_EQ(batch.jobs.size(), 2u);
}

TEST_F(JobLifecycleTest, TransitionsRecordHistoryAndChargeUsageWhileResourcesAreHeld) {
  JobRecord& job = jobs.Add(Submitted("ann"));
  acc.AdvanceUsage(1000);
  jobs.StartAttempt(job, 0, OneGpu(), 1000, "placed on n1");
  EXPECT_EQ(job.state, JobState::kStarting);
  EXPECT_EQ(job.attempt, 1);
  EXPECT_EQ(job.start_time, 1000);
  clock.Set(3000);
  jobs.Transition(job, JobState::kRunning, "started on n1");
  ASSERT_EQ(job.history.size(), 2u);
  EXPECT_EQ(job.history[1].time, 3000);
  EXPECT_EQ(job.reason, "started on n1");
  clock.Set(5000);
  EXPECT_FALSE(jobs.EndAttempt(job, JobState::kCompleted, "exited with code 0", true, &batch));
  EXPECT_EQ(job.state, JobState::kCompleted);
  EXPECT_EQ(job.end_time, 5000);
  EXPECT_EQ(job.ran_ms, 4000);
  EXPECT_DOUBLE_EQ(job.attained_service_ms, 4000);  // 1 device × 4 s
  ASSERT_EQ(batch.usage.size(), 1u);
  EXPECT_DOUBLE_EQ(batch.usage[0].AccelSeconds(), 4);
  EXPECT_GT(job.cost, 0);
  // Charged 1 device from 1 s to 5 s, and nothing after it ended.
  clock.Set(9000);
  acc.AdvanceUsage(9000);
  EXPECT_NEAR(TeamUsage(), 4000, 1);
}

TEST_F(JobLifecycleTest, APreemptedOrLostJobIsRequeuedWhenItsSpecAllows) {
  JobRecord& job = jobs.Add(Submitted("ann"));
  jobs.StartAttempt(job, 0, OneGpu(), 1000, "placed on n1");
  job.exit_code = 3;
  clock.Set(2000);
  EXPECT_TRUE(jobs.EndAttempt(job, JobState::kLost, "node n1 stopped responding", true, &batch));
  EXPECT_EQ(job.state, JobState::kPending);
  EXPECT_EQ(job.reason, "requeued after LOST");
  EXPECT_TRUE(job.placement.empty());
  EXPECT_EQ(job.start_time, -1);
  EXPECT_EQ(job.end_time, -1);
  EXPECT_FALSE(job.exit_code.has_value());
  EXPECT_EQ(job.ran_ms, 1000);  // what it ran is kept across attempts
  jobs.StartAttempt(job, 0, OneGpu(), 2000, "placed on n1");
  EXPECT_EQ(job.attempt, 2);
  // Not when the caller refuses it, nor for a state other than PREEMPTED or LOST.
  EXPECT_FALSE(jobs.EndAttempt(job, JobState::kPreempted, "preempted", false, &batch));
  EXPECT_EQ(job.state, JobState::kPreempted);
  JobRecord& other = jobs.Add(Submitted("bob", "", /*requeue=*/false));
  jobs.StartAttempt(other, 0, OneGpu(), 2000, "placed on n1");
  EXPECT_FALSE(jobs.EndAttempt(other, JobState::kLost, "lost", true, &batch));
  EXPECT_EQ(other.state, JobState::kLost);
}

TEST_F(JobLifecycleTest, TerminalJobsLeaveWithTheCommitThatWritesThem) {
  JobRecord& job = jobs.Add(Submitted("ann", "k"));
  const store::JobId id = job.id;
  jobs.EndAttempt(job, JobState::kCancelled, "cancelled by ann", false, &batch);
  EXPECT_TRUE(batch.usage.empty());  // never placed: nothing used
  EXPECT_EQ(jobs.TakeChanges(&batch), std::vector<store::JobId>{id});
  ASSERT_EQ(batch.jobs.size(), 1u);
  EXPECT_EQ(batch.jobs[0].state, JobState::kCancelled);
  EXPECT_EQ(jobs.Find(id), nullptr);
  EXPECT_FALSE(jobs.FindByKey("ann", "k").has_value());
  store::WriteBatch next;
  EXPECT_TRUE(jobs.TakeChanges(&next).empty());
  EXPECT_TRUE(next.jobs.empty());
}

TEST_F(JobLifecycleTest, LoadedJobsHoldingResourcesAreChargedFromTheStart) {
  JobRecord running = Submitted("ann", "k");
  running.id = 5;
  running.state = JobState::kRunning;
  running.start_time = 0;
  running.placement = OneGpu();
  jobs.Load({running}, 9);
  EXPECT_EQ(jobs.next_id(), 10);
  EXPECT_EQ(jobs.FindByKey("ann", "k"), 5);
  acc.AdvanceUsage(1000);
  acc.AdvanceUsage(3000);
  EXPECT_NEAR(TeamUsage(), 2000, 1);
  EXPECT_TRUE(jobs.changed_since_pass().empty());  // nothing changed since it was stored
}

TEST_F(JobLifecycleTest, CurrentRunCountsDevicesOrCpusSinceTheStart) {
  JobRecord job = Submitted("ann");
  EXPECT_EQ(JobLifecycle::CurrentRun(job, 5000).ran_ms, 0);  // not placed
  job.start_time = 1000;
  job.placement = OneGpu();
  job.placement.push_back(OneGpu()[0]);
  auto run = JobLifecycle::CurrentRun(job, 3000);
  EXPECT_EQ(run.ran_ms, 2000);
  EXPECT_DOUBLE_EQ(run.service_ms, 4000);
  job.placement[0].accel_milli = job.placement[1].accel_milli = 0;
  EXPECT_DOUBLE_EQ(JobLifecycle::CurrentRun(job, 3000).service_ms, 4000);  // 2 cpus
}

}  // namespace
}  // namespace suanli::server
