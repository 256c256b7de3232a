// Small scenarios whose right answer is worked out by hand.
#include <gtest/gtest.h>

#include "core/policy.h"
#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

std::unique_ptr<Policy> Make(const std::string& name, const std::string& placement = "auto") {
  PolicyConfig c;
  c.name = name;
  c.placement = placement;
  auto p = MakePolicy(c);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

TEST(MakePolicyTest, UnknownNamesAreRejectedWithTheKnownOnes) {
  PolicyConfig c;
  c.name = "nope";
  auto p = MakePolicy(c);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("unknown policy 'nope'"), std::string::npos);
  EXPECT_NE(p.status().message().find("sjf-oracle"), std::string::npos);
  c.name = "fifo";
  c.placement = "magic";
  auto q = MakePolicy(c);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("fgd"), std::string::npos);
  for (const auto& name : PolicyNames()) {
    c.name = name;
    c.placement = "auto";
    EXPECT_TRUE(MakePolicy(c).ok()) << name;
  }
}

TEST(GangTest, AllOrNothing) {
  // Two 4-GPU nodes; node 0 has 2 devices busy. A gang of 2 × 4 GPUs cannot start (only one node
  // is whole); a gang of 2 × 2 GPUs can (node 0's two free devices + node 1).
  ClusterState s = MakeCluster(2, 4);
  s.jobs.push_back(Running(MakeJob(1, 2000), 0, {0, 1}, 0));
  s.jobs.push_back(MakeJob(2, 4000, 2, 10));
  auto policy = Make("backfill");
  CycleResult r = policy->Schedule(s, 100);
  EXPECT_EQ(r.placements.size(), 0u);
  ASSERT_NE(FindPending(r, 2), nullptr);
  EXPECT_NE(
      FindPending(r, 2)->Reason(100).find("waiting for 2 tasks × 4 × nvidia-a100 (6 free of 8)"),
      std::string::npos)
      << FindPending(r, 2)->Reason(100);

  s.jobs[1] = MakeJob(2, 2000, 2, 10);
  r = policy->Schedule(s, 100);
  ASSERT_EQ(r.placements.size(), 1u);
  ASSERT_EQ(r.placements[0].tasks.size(), 2u);
  // Packed: the gang takes the whole free node 1 (both tasks), not node 0's leftovers.
  EXPECT_EQ(r.placements[0].tasks[0].node, 1);
  EXPECT_EQ(r.placements[0].tasks[1].node, 1);
}

TEST(TopologyTest, OneNodeAndOneIslandWhenPossible) {
  // Two 8-GPU nodes with two NVLink islands of 4 each. Node 0 has device 0 busy.
  ClusterState s = MakeCluster(2, 8, {"nvidia-a100"}, 2);
  s.jobs.push_back(Running(MakeJob(1, 1000), 0, {0}, 0));
  s.jobs.push_back(MakeJob(2, 4000, 1, 1));  // fits node 0's whole island 1
  s.jobs.push_back(MakeJob(3, 8000, 1, 2));  // needs the whole node 1
  auto policy = Make("fifo");
  CycleResult r = policy->Schedule(s, 10);
  ASSERT_EQ(r.placements.size(), 2u);
  const Placement* p2 = FindPlacement(r, 2);
  ASSERT_NE(p2, nullptr);
  EXPECT_EQ(p2->tasks[0].node, 0);
  EXPECT_EQ(p2->tasks[0].devices, (std::vector<int32_t>{4, 5, 6, 7}));
  const Placement* p3 = FindPlacement(r, 3);
  ASSERT_NE(p3, nullptr);
  EXPECT_EQ(p3->tasks[0].node, 1);
  EXPECT_EQ(p3->tasks[0].devices.size(), 8u);
}

TEST(FifoTest, StrictHeadOfLineBlocking) {
  ClusterState s = MakeCluster(1, 8);
  s.jobs.push_back(Running(MakeJob(1, 4000), 0, {0, 1, 2, 3}, 0));
  s.jobs.push_back(MakeJob(2, 8000, 1, 10));
  s.jobs.push_back(MakeJob(3, 1000, 1, 20));
  CycleResult r = Make("fifo")->Schedule(s, 100);
  EXPECT_TRUE(r.placements.empty());
  ASSERT_EQ(r.pending.size(), 2u);
  EXPECT_NE(FindPending(r, 3)->Reason(100).find("behind job 2"), std::string::npos)
      << FindPending(r, 3)->Reason(100);
}

TEST(BackfillTest, NeverDelaysTheHeadReservation) {
  // Node of 8 GPUs, 4 held by job 1 until t = 1000 s (its limit). Job 2 (8 GPUs) is the head:
  // reserved start at 1000 s. Job 3 (1 GPU, limit 2000 s) would delay it: must wait.
  // Job 4 (1 GPU, limit 500 s) ends before 1000 s: backfills.
  ClusterState s = MakeCluster(1, 8);
  Job running = Running(MakeJob(1, 4000), 0, {0, 1, 2, 3}, 0);
  running.time_limit = 1000 * kSec;
  s.jobs.push_back(running);
  Job head_job = MakeJob(2, 8000, 1, 10);
  head_job.time_limit = 100 * kSec;
  s.jobs.push_back(head_job);
  Job long_job = MakeJob(3, 1000, 1, 20);
  long_job.time_limit = 2000 * kSec;
  Job short_job = MakeJob(4, 1000, 1, 30);
  short_job.time_limit = 500 * kSec;
  s.jobs.push_back(long_job);
  s.jobs.push_back(short_job);
  CycleResult r = Make("backfill")->Schedule(s, 100 * kSec);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 4);
  EXPECT_TRUE(r.placements[0].backfilled);
  const PendingInfo* head = FindPending(r, 2);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->est_start, 1000 * kSec);
  EXPECT_NE(head->Reason(100 * kSec).find("reserved start in ~15 min"), std::string::npos)
      << head->Reason(100 * kSec);
  const PendingInfo* blocked = FindPending(r, 3);
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(blocked->est_start, 1100 * kSec);  // after the head job's limit
}

TEST(BackfillTest, OtherNodesStayUsable) {
  // Node 0: 4 of 8 free; node 1: 1 of 8 free. The 8-GPU head reserves node 0 (closest to fitting);
  // a 1-GPU job with no limit still starts on node 1.
  ClusterState s = MakeCluster(2, 8);
  s.jobs.push_back(Running(MakeJob(1, 4000), 0, {0, 1, 2, 3}, 0));
  s.jobs.push_back(Running(MakeJob(2, 7000), 1, {0, 1, 2, 3, 4, 5, 6}, 0));
  s.jobs.push_back(MakeJob(3, 8000, 1, 10));
  s.jobs.push_back(MakeJob(4, 1000, 1, 20));
  s.jobs.push_back(MakeJob(5, 1000, 1, 30));
  CycleResult r = Make("backfill")->Schedule(s, 100);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 4);
  EXPECT_EQ(r.placements[0].tasks[0].node, 1);
  EXPECT_NE(FindPending(r, 3)->Reason(100).find("resources are being reserved"), std::string::npos)
      << FindPending(r, 3)->Reason(100);
}

TEST(QuotaTest, LimitBlocksWithAClearReason) {
  ClusterState s = MakeCluster(2, 8);
  s.tenants[0].name = "physics";
  s.tenants[0].limit = {kUnlimited, kUnlimited, 8000};
  s.jobs.push_back(Running(MakeJob(1, 8000), 0, {0, 1, 2, 3, 4, 5, 6, 7}, 0));
  s.jobs.push_back(MakeJob(2, 1000, 1, 10));
  CycleResult r = Make("default")->Schedule(s, 100);
  EXPECT_TRUE(r.placements.empty());
  ASSERT_NE(FindPending(r, 2), nullptr);
  EXPECT_EQ(FindPending(r, 2)->Reason(100), "tenant physics is at its quota 8/8 nvidia-a100");
}

TEST(QuotaTest, BudgetBlocks) {
  ClusterState s = MakeCluster(1, 8);
  s.tenants[0].name = "physics";
  s.tenants[0].accel_hour_budget = 100;
  s.tenants[0].accel_hours_used = 105.25;
  s.jobs.push_back(MakeJob(1, 1000));
  CycleResult r = Make("fair")->Schedule(s, 0);
  EXPECT_TRUE(r.placements.empty());
  EXPECT_EQ(FindPending(r, 1)->Reason(0),
            "tenant physics is over its accelerator-hour budget (105.3 of 100 h used this period)");
}

TEST(QuotaTest, BorrowedCapacityIsReclaimedByPreemption) {
  // One 8-GPU node. Tenant "owner" is guaranteed 8 GPUs; "guest" has no guarantee and borrows
  // all 8 with two 4-GPU jobs. When the owner asks for 4, the guest's newest job is preempted.
  ClusterState s = MakeCluster(1, 8);
  s.tenants[0].name = "owner";
  s.tenants[0].guarantee = {kUnlimited, kUnlimited, 8000};
  s.tenants.push_back(Tenant{.name = "guest"});
  Job a = Running(MakeJob(1, 4000, 1, 0, 1), 0, {0, 1, 2, 3}, 100);
  Job b = Running(MakeJob(2, 4000, 1, 0, 1), 0, {4, 5, 6, 7}, 200);
  s.jobs = {a, b, MakeJob(3, 4000, 1, 300, 0)};
  for (const std::string name : {"fair", "default"}) {
    CycleResult r = Make(name)->Schedule(s, 400);
    ASSERT_EQ(r.preemptions.size(), 1u) << name;
    EXPECT_EQ(r.preemptions[0].job, 2) << name;  // newest: least work lost
    EXPECT_EQ(r.preemptions[0].for_job, 3);
    EXPECT_EQ(r.preemptions[0].reason, "reclaimed by tenant owner (guarantee 8 × nvidia-a100)");
    ASSERT_EQ(r.placements.size(), 1u);
    EXPECT_EQ(r.placements[0].job, 3);
    EXPECT_EQ(r.placements[0].tasks[0].devices, (std::vector<int32_t>{4, 5, 6, 7}));
  }
  // Without a guarantee there is nothing to reclaim: the owner's job waits.
  s.tenants[0].guarantee.clear();
  CycleResult r = Make("fair")->Schedule(s, 400);
  EXPECT_TRUE(r.preemptions.empty());
  EXPECT_TRUE(r.placements.empty());
}

TEST(FairShareTest, DrfSharesFollowWeights) {
  // 12 GPUs (3 nodes × 4), tenants weighted 2:1, each with 20 one-GPU jobs: 8 and 4.
  ClusterState s = MakeCluster(3, 4);
  s.tenants[0].name = "a";
  s.tenants[0].weight = 2;
  s.tenants.push_back(Tenant{.name = "b", .weight = 1});
  JobId id = 1;
  for (int i = 0; i < 20; ++i) {
    s.jobs.push_back(MakeJob(id++, 1000, 1, i, 1));  // b submits first: FIFO would favour it
    s.jobs.push_back(MakeJob(id++, 1000, 1, 100 + i, 0));
  }
  CycleResult r = Make("fair")->Schedule(s, 1000);
  int by_tenant[2] = {0, 0};
  for (const auto& p : r.placements) by_tenant[s.jobs[p.job - 1].tenant]++;
  EXPECT_EQ(by_tenant[0], 8);
  EXPECT_EQ(by_tenant[1], 4);
}

TEST(FairShareTest, HierarchyComparesSubtreesFirst) {
  // Root tenants "x" (weight 1) and "y" (weight 1); x has two children. 8 GPUs: x's subtree gets
  // 4 in total, split 2/2 between its children; y gets 4.
  ClusterState s = MakeCluster(1, 8);
  s.tenants = {Tenant{.name = "x"}, Tenant{.name = "y"}, Tenant{.name = "x1", .parent = 0},
               Tenant{.name = "x2", .parent = 0}};
  JobId id = 1;
  for (int i = 0; i < 10; ++i) {
    for (int t : {1, 2, 3}) s.jobs.push_back(MakeJob(id++, 1000, 1, i, t));
  }
  CycleResult r = Make("fair")->Schedule(s, 1000);
  int by_tenant[4] = {0, 0, 0, 0};
  for (const auto& p : r.placements) by_tenant[s.jobs[p.job - 1].tenant]++;
  EXPECT_EQ(by_tenant[1], 4);
  EXPECT_EQ(by_tenant[2], 2);
  EXPECT_EQ(by_tenant[3], 2);
}

TEST(HeterogeneityTest, FasterTypeChosen) {
  // Node 0 has v100s (type 0), node 1 a100s (type 1). The job runs 2× faster on a100.
  ClusterState s = MakeCluster(2, 4, {"nvidia-v100", "nvidia-a100"});
  Job j = MakeJob(1, 2000);
  j.type_speed = {{0, 1.0}, {1, 2.0}};
  s.jobs.push_back(j);
  CycleResult r = Make("default")->Schedule(s, 0);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].tasks[0].node, 1);
  EXPECT_EQ(r.placements[0].tasks[0].type, 1);
  // With the a100s busy and no time limit to weigh waiting against, it starts on v100s now.
  s.jobs.insert(s.jobs.begin(), Running(MakeJob(9, 4000), 1, {0, 1, 2, 3}, 0, -1, 1));
  r = Make("default")->Schedule(s, 0);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].tasks[0].type, 0);
}

TEST(FlexibleShapeTest, PicksTheShapeThatFinishesSooner) {
  // One 8-GPU node, 4 GPUs busy until `busy_until`. The job: 8 GPUs at 1.0 or 4 GPUs at 0.55,
  // time limit 1000 s. Now = 0.
  //  busy until 100 s: wait → 100 + 1000 = 1100 s; start now → 1000 / 0.55 = 1818 s: wait.
  //  busy until 1000 s: wait → 2000 s; start now → 1818 s: take the 4-GPU shape.
  for (Time busy_until : {100 * kSec, 1000 * kSec}) {
    ClusterState s = MakeCluster(1, 8);
    Job running = Running(MakeJob(1, 4000), 0, {0, 1, 2, 3}, 0);
    running.time_limit = busy_until;
    s.jobs.push_back(running);
    Job j = MakeJob(2, 8000);
    Shape flex = j.shapes[0];
    flex.per_task.accel_milli = 4000;
    flex.per_task.mem_mb = 4096;  // more host memory makes up for fewer devices
    flex.speed = 0.55;
    j.shapes.push_back(flex);
    j.time_limit = 1000 * kSec;
    s.jobs.push_back(j);
    CycleResult r = Make("default")->Schedule(s, 0);
    if (busy_until == 100 * kSec) {
      EXPECT_TRUE(r.placements.empty());
      EXPECT_EQ(FindPending(r, 2)->est_start, 100 * kSec);
    } else {
      ASSERT_EQ(r.placements.size(), 1u);
      EXPECT_EQ(r.placements[0].shape_index, 1);
    }
  }
}

TEST(PreemptionTest, VictimsLoseTheLeastWork) {
  // One 8-GPU node with four 2-GPU priority-0 jobs. Job 2 is checkpointable; job 4 started last.
  // A priority-10 job asking 2 GPUs preempts the checkpointable job (loses nothing); asking 4, it
  // also takes the newest non-checkpointable one (least work thrown away).
  ClusterState s = MakeCluster(1, 8);
  for (int i = 0; i < 4; ++i) {
    Job j = Running(MakeJob(i + 1, 2000), 0, {2 * i, 2 * i + 1}, 100 * i);
    j.checkpointable = i == 1;
    s.jobs.push_back(j);
  }
  Job urgent = MakeJob(10, 2000, 1, 500);
  urgent.priority = 10;
  s.jobs.push_back(urgent);
  CycleResult r = Make("priority")->Schedule(s, 1000);
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 2);
  EXPECT_EQ(r.preemptions[0].reason, "preempted for job 10 (priority 10 > 0)");
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].tasks[0].devices, (std::vector<int32_t>{2, 3}));

  s.jobs.back().shapes[0].per_task.accel_milli = 4000;
  r = Make("priority")->Schedule(s, 1000);
  ASSERT_EQ(r.preemptions.size(), 2u);
  EXPECT_EQ(r.preemptions[0].job, 2);
  EXPECT_EQ(r.preemptions[1].job, 4);
}

TEST(PreemptionTest, LasPreemptsJobsThatReceivedMoreService) {
  // A checkpointable job has used 2 GPUs for 10 h (20 device-hours: LAS queue 2). A new job
  // (queue 0) needs the GPUs: the old one is preempted. A non-checkpointable one is left alone.
  ClusterState s = MakeCluster(1, 2);
  Job old = Running(MakeJob(1, 2000), 0, {0, 1}, 0);
  old.attained_service_ms = 20.0 * kHourMs;
  old.checkpointable = true;
  s.jobs = {old, MakeJob(2, 1000, 1, 10 * kHourMs)};
  CycleResult r = Make("las")->Schedule(s, 10 * kHourMs + kMin);
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 1);
  EXPECT_NE(r.preemptions[0].reason.find("LAS queue 0 < 2"), std::string::npos);
  ASSERT_EQ(r.placements.size(), 1u);
  s.jobs[0].checkpointable = false;
  r = Make("las")->Schedule(s, 10 * kHourMs + kMin);
  EXPECT_TRUE(r.preemptions.empty());
}

// SRTF by time limit: a pending job takes the GPU from a running job only when that one has much
// more time left (over twice as much), and what is left falls as the running job runs.
TEST(PreemptionTest, SrtfTakesFromJobsWithMuchMoreTimeLeftAsTheyRun) {
  ClusterState s = MakeCluster(1, 1);
  Job running = Running(MakeJob(1, 1000), 0, {0}, 0);
  running.time_limit = 10 * kHourMs;
  Job waiting = MakeJob(2, 1000, 1, kHourMs);
  waiting.time_limit = kHourMs;
  s.jobs = {running, waiting};
  // After 1 h the running job has 9 h left, over twice the waiting job's 1 h: preempted.
  CycleResult r = Make("srtf")->Schedule(s, kHourMs);
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 1);
  EXPECT_NE(r.preemptions[0].reason.find("much less time remaining"), std::string::npos);
  // After 8.5 h it has 1.5 h left, under twice 1 h: it keeps the GPU.
  r = Make("srtf")->Schedule(s, 8 * kHourMs + 30 * kMin);
  EXPECT_TRUE(r.preemptions.empty());
  // A checkpointable job counts the time it ran before its current run too: 7.5 h earlier plus
  // 1 h now leave 1.5 h.
  s.jobs[0].checkpointable = true;
  s.jobs[0].ran_ms = 8 * kHourMs + 30 * kMin;  // as the caller keeps it: both runs
  s.jobs[0].start_time = 7 * kHourMs + 30 * kMin;
  r = Make("srtf")->Schedule(s, 8 * kHourMs + 30 * kMin);
  EXPECT_TRUE(r.preemptions.empty());
  // The same job, had it run only its current hour, would have 9 h left.
  s.jobs[0].ran_ms = kHourMs;
  r = Make("srtf")->Schedule(s, 8 * kHourMs + 30 * kMin);
  EXPECT_EQ(r.preemptions.size(), 1u);
}

// SJF without declared limits ranks by learned estimates; a job with neither goes last.
TEST(LearnedEstimateTest, SjfRanksByEstimateWhereNoLimitIsDeclared) {
  ClusterState s = MakeCluster(1, 1);
  Job unknown = MakeJob(1, 1000, 1, 0);  // no limit, no history
  Job long_job = MakeJob(2, 1000, 1, 1);
  long_job.estimated_duration = 10 * kHourMs;
  Job short_job = MakeJob(3, 1000, 1, 2);
  short_job.estimated_duration = kHourMs;
  s.jobs = {unknown, long_job, short_job};
  CycleResult r = Make("sjf")->Schedule(s, 10);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 3);
  s.jobs.pop_back();
  r = Make("sjf")->Schedule(s, 10);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 2);  // an estimate, however long, beats knowing nothing
  // The shorter of limit and estimate ranks: a 2 h limit beats a 10 h estimate, and a 30 min
  // estimate beats a 2 h limit.
  s.jobs[0].time_limit = 2 * kHourMs;
  r = Make("sjf")->Schedule(s, 10);
  EXPECT_EQ(r.placements[0].job, 1);
  s.jobs[1].estimated_duration = 30 * kMin;
  r = Make("sjf")->Schedule(s, 10);
  EXPECT_EQ(r.placements[0].job, 2);
  // FIFO ignores estimates.
  r = Make("fifo")->Schedule(s, 10);
  EXPECT_EQ(r.placements[0].job, 1);
}

// An estimate only ranks: a job without a declared limit never backfills into room held for the
// head job, however short its estimate, since nothing makes it end in time.
TEST(LearnedEstimateTest, EstimatesNeverLetAJobBackfill) {
  ClusterState s = MakeCluster(1, 8);
  Job running = Running(MakeJob(1, 4000), 0, {0, 1, 2, 3}, 0);
  running.time_limit = 1000 * kSec;
  Job head_job = MakeJob(2, 8000, 1, 10);
  head_job.time_limit = 100 * kSec;
  Job estimated = MakeJob(3, 1000, 1, 20);
  estimated.estimated_duration = 500 * kSec;
  Job limited = MakeJob(4, 1000, 1, 30);
  limited.time_limit = 500 * kSec;
  s.jobs = {running, head_job, estimated, limited};
  CycleResult r = Make("sjf")->Schedule(s, 100 * kSec);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 4);
  EXPECT_TRUE(r.placements[0].backfilled);
  EXPECT_NE(FindPending(r, 3), nullptr);
  EXPECT_EQ(FindPending(r, 2)->est_start, 1000 * kSec);
}

// SRTF with estimates: what is left falls as a job runs, and stops at 0 once it overruns its
// estimate (it is then never taken for being long).
TEST(LearnedEstimateTest, SrtfUsesWhatIsLeftOfTheEstimate) {
  ClusterState s = MakeCluster(1, 1);
  Job running = Running(MakeJob(1, 1000), 0, {0}, 0);
  running.estimated_duration = 10 * kHourMs;
  Job waiting = MakeJob(2, 1000, 1, kHourMs);
  waiting.estimated_duration = kHourMs;
  s.jobs = {running, waiting};
  CycleResult r = Make("srtf")->Schedule(s, kHourMs);  // 9 h left against 1 h
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 1);
  r = Make("srtf")->Schedule(s, 9 * kHourMs);  // 1 h left: keeps the GPU
  EXPECT_TRUE(r.preemptions.empty());
  r = Make("srtf")->Schedule(s, 30 * kHourMs);  // 20 h past its estimate: 0 left, not -20 h
  EXPECT_TRUE(r.preemptions.empty());
  // Without the estimate nothing is known of the running job: SRTF leaves it alone.
  s.jobs[0].estimated_duration = kUnknownTime;
  r = Make("srtf")->Schedule(s, kHourMs);
  EXPECT_EQ(r.preemptions.size(), 1u) << "an unknown remaining time counts as endless";
}

// One scheduler kept while the cluster shrinks: the reservation plan of the previous cycle must
// not reach nodes that are gone (this read past the end of a per-node buffer).
TEST(BackfillTest, ReservationPlanSurvivesTheClusterShrinking) {
  ClusterState s = MakeCluster(3, 8);
  for (int32_t n = 0; n < 3; ++n) {
    Job j = Running(MakeJob(n + 1, 8000), n, {0, 1, 2, 3, 4, 5, 6, 7}, 0);
    if (n == 2) j.time_limit = kHourMs;
    s.jobs.push_back(j);
  }
  s.jobs.push_back(MakeJob(10, 8000, 1, 1));
  auto policy = Make("backfill");
  CycleResult r = policy->Schedule(s, 10);
  EXPECT_EQ(FindPending(r, 10)->est_start, kHourMs);
  s.nodes.pop_back();  // node 2 and its job are gone
  s.jobs.erase(s.jobs.begin() + 2);
  s.jobs[1].time_limit = 2 * kHourMs;
  r = policy->Schedule(s, 20);
  EXPECT_TRUE(r.placements.empty());
  EXPECT_EQ(FindPending(r, 10)->est_start, 2 * kHourMs);
}

TEST(ReasonsTest, EveryPendingJobHasAReason) {
  ClusterState s = MakeCluster(1, 8);
  Job running = Running(MakeJob(1, 8000), 0, {0, 1, 2, 3, 4, 5, 6, 7}, 0);
  running.time_limit = 40 * kMin;
  s.jobs.push_back(running);
  for (JobId id = 2; id <= 5; ++id) {
    Job j = MakeJob(id, 2000, 1, id);
    j.time_limit = 10 * kMin;
    s.jobs.push_back(j);
  }
  CycleResult r = Make("default")->Schedule(s, 0);
  ASSERT_EQ(r.pending.size(), 4u);
  for (const auto& p : r.pending) {
    EXPECT_FALSE(p.Reason(0).empty());
    EXPECT_EQ(p.est_start, 40 * kMin) << p.job;  // all four fit in the 8 GPUs freed at 40 min
  }
  EXPECT_EQ(FindPending(r, 2)->Reason(0),
            "waiting for 2 × nvidia-a100 (0 free of 8); reserved start in ~40 min");
  EXPECT_EQ(FindPending(r, 5)->Reason(0),
            "waiting for 2 × nvidia-a100 (0 free of 8); behind 3 higher-ranked jobs; estimated "
            "start in ~40 min");
  PolicyConfig quiet;
  quiet.explain_pending = false;
  auto policy = MakePolicy(quiet);
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE((*policy)->Schedule(s, 0).pending.empty());
}

TEST(StarvationTest, LongWaitersGoFirstUnderDefault) {
  // Two jobs of different tenants want the only GPU. The younger tenant is further below its
  // share, but the other job has waited more than a day (past the starvation limit): it goes first.
  ClusterState s = MakeCluster(1, 1);
  s.tenants.push_back(Tenant{.name = "b"});
  s.tenants[0].decayed_usage = 1000;  // tenant 0 used a lot before
  s.jobs = {MakeJob(1, 1000, 1, 0, 0), MakeJob(2, 1000, 1, 25 * kHourMs, 1)};
  CycleResult r = Make("default")->Schedule(s, 25 * kHourMs + 1);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 1);
  s.jobs[1].submit_time = 0;
  r = Make("default")->Schedule(s, 2 * kHourMs);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 2);  // nobody starving yet: fair share favours tenant b
}

TEST(StarvationTest, AStarvingJobStillTakesRoomFromJobsWithMoreService) {
  // Job 1 has run 25 h on all 8 GPUs (200 GPU-hours: the last LAS queue), checkpointable. Job 2
  // has waited 21 h for 8 GPUs: past the 20 h starvation limit. Ranked first as a starving job,
  // it keeps LAS's right to take the GPUs of a job that received more service.
  ClusterState s = MakeCluster(1, 8);
  Job old = Running(MakeJob(1, 8000), 0, {0, 1, 2, 3, 4, 5, 6, 7}, 0);
  old.checkpointable = true;
  old.attained_service_ms = 8 * 25.0 * kHourMs;
  s.jobs = {old, MakeJob(2, 8000, 1, 0)};
  CycleResult r = Make("default")->Schedule(s, 21 * kHourMs);
  ASSERT_EQ(r.preemptions.size(), 1u);
  EXPECT_EQ(r.preemptions[0].job, 1);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 2);
  // A victim that itself starved before it ran is not taken again.
  s.jobs[0].submit_time = -30 * kHourMs;  // waited 30 h before it started at 0
  r = Make("default")->Schedule(s, 21 * kHourMs);
  EXPECT_TRUE(r.preemptions.empty());
}

TEST(OracleTest, SjfOracleSortsByTrueDurationAndBlocks) {
  ClusterState s = MakeCluster(1, 2);
  Job a = MakeJob(1, 2000, 1, 0);
  a.oracle_duration = 500;
  Job b = MakeJob(2, 1000, 1, 1);
  b.oracle_duration = 100;
  Job c = MakeJob(3, 2000, 1, 2);
  c.oracle_duration = 200;
  s.jobs = {a, b, c};
  CycleResult r = Make("sjf-oracle")->Schedule(s, 10);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 2);
  // Job 3 (200) is next and does not fit the 1 free GPU; job 1 must not pass it.
  EXPECT_NE(FindPending(r, 1)->Reason(10).find("behind job 3"), std::string::npos);
  // Non-oracle policies ignore the true durations: FIFO order.
  r = Make("fifo")->Schedule(s, 10);
  ASSERT_EQ(r.placements.size(), 1u);
  EXPECT_EQ(r.placements[0].job, 1);
}

}  // namespace
}  // namespace suanli::core

namespace suanli::core {
namespace {

TEST(RobustnessTest, StaleOrOddInputNeverCrashesAndIsExplained) {
  ClusterState s = testing::MakeCluster(1, 4);
  Job bad_type = testing::MakeJob(1, 1000);
  bad_type.shapes[0].accel_types = {7};
  Job no_tenant = testing::MakeJob(2, 1000);
  no_tenant.tenant = -1;
  Job no_shape;
  no_shape.id = 3;
  Job stale = testing::Running(testing::MakeJob(4, 1000), 9, {42}, 0);  // unknown node
  Job cpu_only = testing::MakeJob(5, 0);
  cpu_only.shapes[0].per_task.cpu_milli = 500000;  // larger than any node: waits
  s.jobs = {bad_type, no_tenant, no_shape, stale, cpu_only};
  for (const auto& name : PolicyNames()) {
    PolicyConfig c;
    c.name = name;
    auto p = MakePolicy(c);
    ASSERT_TRUE(p.ok());
    CycleResult r = (*p)->Schedule(s, 1000);
    ASSERT_EQ(r.placements.size(), 1u) << name;
    EXPECT_EQ(r.placements[0].job, 2) << name;
    ASSERT_EQ(r.pending.size(), 3u) << name;
    for (const auto& info : r.pending)
      EXPECT_FALSE(info.Reason(1000).empty()) << name << " " << info.job;
    EXPECT_EQ(testing::FindPending(r, 5)->Reason(1000),
              "asks 500 cpus per task but the largest node has 64 cpus (it cannot run until the "
              "cluster changes)")
        << name;
    EXPECT_EQ(testing::FindPending(r, 1)->Reason(1000),
              "asks for an accelerator type the cluster does not have")
        << name;
  }
}

// Pending jobs share their words; the sentence, with the start relative to the time it is read,
// is written only when someone reads it.
TEST(PendingInfoTest, ReasonWritesPlaceInLineAndStartRelativeToNow) {
  PendingInfo info;
  info.job = 7;
  info.words = std::make_shared<const std::string>("waiting for 8 × nvidia-a100 (0 free of 64)");
  EXPECT_EQ(info.Reason(0), "waiting for 8 × nvidia-a100 (0 free of 64)");
  info.ahead = 1;
  info.est_start = 3 * kHourMs;
  EXPECT_EQ(info.Reason(kHourMs),
            "waiting for 8 × nvidia-a100 (0 free of 64); behind 1 higher-ranked job; estimated "
            "start in ~2 h");
  info.ahead = 3;
  EXPECT_EQ(info.Reason(2 * kHourMs + 30 * kMin),
            "waiting for 8 × nvidia-a100 (0 free of 64); behind 3 higher-ranked jobs; estimated "
            "start in ~30 min");
  info.ahead = 0;
  info.start = PendingInfo::Start::kReserved;
  EXPECT_EQ(info.Reason(4 * kHourMs),  // read after the time passed: not a negative duration
            "waiting for 8 × nvidia-a100 (0 free of 64); reserved start in ~0 s");
  info.start = PendingInfo::Start::kReservedUnknown;
  EXPECT_NE(info.Reason(0).find("no start time can be promised"), std::string::npos);
  PendingInfo bare;  // no words at all must not crash
  EXPECT_EQ(bare.Reason(0), "");
}

}  // namespace
}  // namespace suanli::core
