#include "sim/engine.h"

#include <gtest/gtest.h>

#include <map>

#include "sim/cluster_spec.h"
#include "sim/metrics.h"
#include "sim/report.h"
#include "sim/synthetic.h"
#include "sim/test_policy.h"

namespace suanli::sim {
namespace {

const char* kHeader = "job_id,tenant,submit_time_s,duration_s,num_gpus";

struct Replay {
  Workload workload;
  core::ClusterState cluster;
  RunOutcome outcome;
  RunSummary summary;
};

Replay RunLines(const std::vector<std::string>& lines, const std::string& cluster_spec,
                bool lifo = false, bool checkpointable = true, bool tenants = false) {
  Replay r;
  auto trace = ParseTrace(lines, "test");
  EXPECT_TRUE(trace.ok()) << trace.status().ToString();
  auto cluster = ParseInlineCluster(cluster_spec);
  EXPECT_TRUE(cluster.ok());
  r.cluster = *cluster;
  WorkloadOptions wo;
  wo.checkpointable = checkpointable;
  wo.tenants_from_trace = tenants;
  auto w = BuildWorkload(*trace, r.cluster, wo);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  r.workload = std::move(*w);
  testing::TestPolicy policy(lifo);
  auto out = RunEngine(r.workload, r.cluster, policy, {});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  r.outcome = std::move(*out);
  r.summary = Summarize("t", {{&r.workload, &r.outcome}}, 4);
  return r;
}

TEST(EngineTest, TwoJobsOnOneGpuByHand) {
  // A runs 0..100; B arrives at 10, waits 90 s, runs 100..150.
  Replay r = RunLines({kHeader, "A,x,0,100,1", "B,x,10,50,1"}, "1x1");
  ASSERT_EQ(r.outcome.jobs.size(), 2u);
  EXPECT_EQ(r.outcome.jobs[0].end, 100000);
  EXPECT_EQ(r.outcome.jobs[1].first_start, 100000);
  EXPECT_EQ(r.outcome.jobs[1].end, 150000);
  EXPECT_EQ(r.outcome.jobs[1].pending_ms, 90000);
  EXPECT_DOUBLE_EQ(r.summary.jct_s.mean, 120);   // (100 + 140) / 2
  EXPECT_DOUBLE_EQ(r.summary.queue_s.mean, 45);  // (0 + 90) / 2
  EXPECT_DOUBLE_EQ(r.summary.queue_s.max, 90);
  EXPECT_DOUBLE_EQ(r.summary.makespan_s, 150);
  EXPECT_DOUBLE_EQ(r.summary.utilization, 1.0);
  EXPECT_DOUBLE_EQ(r.summary.slowdown.mean, (1.0 + 140.0 / 50.0) / 2);
  EXPECT_EQ(r.summary.finished, 2);
}

TEST(EngineTest, GangSpansNodesAndUtilizationIsTimeWeighted) {
  // A needs 8 GPUs = 2 tasks × 4 on a 2 × 4 cluster: 0..60. B (4 GPUs) then runs 60..90.
  Replay r = RunLines({kHeader, "A,x,0,60,8", "B,x,0,30,4"}, "2x4");
  ASSERT_EQ(r.workload.jobs[0].job.shapes[0].tasks, 2);
  EXPECT_EQ(r.workload.jobs[0].job.shapes[0].per_task.accel_milli, 4000);
  EXPECT_EQ(r.outcome.jobs[0].end, 60000);
  EXPECT_EQ(r.outcome.jobs[1].first_start, 60000);
  EXPECT_EQ(r.outcome.jobs[1].end, 90000);
  EXPECT_NEAR(r.summary.utilization, 600.0 / 720.0, 1e-12);  // (8×60 + 4×30) / (8×90)
  // Timeline over 4 buckets of 22.5 s: full, full, [45,67.5) = 15 s full + 7.5 s half, then half.
  ASSERT_EQ(r.summary.utilization_timeline.size(), 4u);
  EXPECT_NEAR(r.summary.utilization_timeline[0], 1.0, 1e-12);
  EXPECT_NEAR(r.summary.utilization_timeline[2], (15 + 7.5 * 0.5) / 22.5, 1e-12);
  EXPECT_NEAR(r.summary.utilization_timeline[3], 0.5, 1e-12);
}

TEST(EngineTest, PreemptedCheckpointableJobResumes) {
  // LIFO: B (t=10) preempts A after 10 s; B runs 10..60; A resumes with 90 s left: 60..150.
  Replay r = RunLines({kHeader, "A,x,0,100,1", "B,x,10,50,1"}, "1x1", /*lifo=*/true);
  EXPECT_EQ(r.outcome.jobs[1].end, 60000);
  EXPECT_EQ(r.outcome.jobs[0].end, 150000);
  EXPECT_EQ(r.outcome.jobs[0].preemptions, 1);
  EXPECT_EQ(r.outcome.jobs[0].pending_ms, 50000);
  EXPECT_EQ(r.outcome.preemptions, 1);
  EXPECT_DOUBLE_EQ(r.outcome.lost_accel_ms, 0);
}

TEST(EngineTest, PreemptedJobWithoutCheckpointLosesItsRun) {
  Replay r =
      RunLines({kHeader, "A,x,0,100,1", "B,x,10,50,1"}, "1x1", true, /*checkpointable=*/false);
  EXPECT_EQ(r.outcome.jobs[0].end, 160000);  // restarts from scratch at 60
  EXPECT_DOUBLE_EQ(r.outcome.lost_accel_ms, 10000);
  EXPECT_NEAR(r.summary.lost_gpu_h, 10.0 / 3600, 1e-12);
}

TEST(EngineTest, TenantShareAgainstWeightedFairShare) {
  // x's two jobs take both GPUs 0..100 while y waits; y runs 100..200.
  // Fair share: [0,100) x=1,y=1 GPU (equal weights); [100,200) y=1. So x got 2× fair, y 0.5×.
  Replay r = RunLines({kHeader, "x1,x,0,100,1", "x2,x,0,100,1", "y1,y,0,100,1"}, "1x2", false, true,
                      /*tenants=*/true);
  ASSERT_EQ(r.summary.tenants.size(), 2u);
  const auto& x = r.summary.tenants[0];
  const auto& y = r.summary.tenants[1];
  EXPECT_EQ(x.name, "x");
  EXPECT_NEAR(x.received_gpu_h, 200.0 / 3600, 1e-12);
  EXPECT_NEAR(x.fair_gpu_h, 100.0 / 3600, 1e-12);
  EXPECT_NEAR(y.fair_gpu_h, 200.0 / 3600, 1e-12);
  EXPECT_NEAR(x.fair_ratio, 2.0, 1e-9);
  EXPECT_NEAR(y.fair_ratio, 0.5, 1e-9);
  EXPECT_NEAR(x.entitlement, 0.5, 1e-12);
  // Jain over min(1, ratio) = (1, 0.5): 1.5² / (2 × 1.25) = 0.9.
  EXPECT_NEAR(r.summary.jain_fairness, 0.9, 1e-9);
  EXPECT_DOUBLE_EQ(y.max_queue_s, 100);
}

TEST(EngineTest, AlternativeShapeRunsAtItsSpeed) {
  // 8 GPUs on 2 × 4 are 2 tasks × 4; the flexible shape is 2 tasks × 2 GPUs at speed 0.5, which
  // the test policy picks: 100 s of work takes 200 s on half the GPUs.
  auto trace = ParseTrace({kHeader, "big,x,0,100,8"}, "test");
  ASSERT_TRUE(trace.ok());
  auto cluster = ParseInlineCluster("2x4");
  ASSERT_TRUE(cluster.ok());
  WorkloadOptions wo;
  wo.flexible_fraction = 1;
  wo.flexible_speed = 0.5;
  auto w = BuildWorkload(*trace, *cluster, wo);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->jobs.size(), 1u) << (w->infeasible.empty() ? "" : w->infeasible[0].reason);
  testing::TestPolicy policy(false, /*last_shape=*/true);
  auto out = RunEngine(*w, *cluster, policy, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->jobs[0].end, 200000);
  EXPECT_EQ(out->jobs[0].shape_index, 1);
  RunSummary s = Summarize("t", {{&*w, &*out}});
  EXPECT_EQ(s.alternative_shape_runs, 1);
  EXPECT_DOUBLE_EQ(s.utilization, 0.5);  // 4 of 8 GPUs for the whole 200 s
}

// Runs the lines on `cluster_spec` with the test FIFO and the given node events.
Result<RunOutcome> RunWithNodeEvents(const std::vector<std::string>& lines,
                                     const std::string& cluster_spec, bool checkpointable,
                                     std::vector<NodeEvent> events) {
  auto trace = ParseTrace(lines, "test");
  EXPECT_TRUE(trace.ok());
  auto cluster = ParseInlineCluster(cluster_spec);
  EXPECT_TRUE(cluster.ok());
  WorkloadOptions wo;
  wo.checkpointable = checkpointable;
  auto w = BuildWorkload(*trace, *cluster, wo);
  EXPECT_TRUE(w.ok());
  testing::TestPolicy policy;
  EngineOptions eo;
  eo.node_events = std::move(events);
  return RunEngine(*w, *cluster, policy, eo);
}

TEST(EngineTest, NodeLossRequeuesItsJobWithItsWork) {
  // A on node 0, B on node 1, both 0..100. Node 0 leaves at 30: A keeps 30 s of work and waits
  // for B's GPU (node 0 is gone for good), 70 s more: 100..170.
  auto out =
      RunWithNodeEvents({kHeader, "A,x,0,100,1", "B,x,0,100,1"}, "2x1", true, {{30000, 0, false}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->jobs[0].end, 170000);
  EXPECT_EQ(out->jobs[0].node_losses, 1);
  EXPECT_EQ(out->jobs[0].preemptions, 0);
  EXPECT_EQ(out->jobs[0].pending_ms, 70000);
  EXPECT_EQ(out->jobs[1].end, 100000);
  EXPECT_EQ(out->jobs[1].node_losses, 0);
  EXPECT_EQ(out->node_losses, 1);
  EXPECT_EQ(out->preemptions, 0);
  EXPECT_DOUBLE_EQ(out->lost_accel_ms, 0);
}

TEST(EngineTest, NodeLossWithoutCheckpointRestartsAndANodeThatReturnsIsUsed) {
  // Node 0 leaves at 30 and is back at 40: A (no checkpoint) loses 30 s and restarts there at 40,
  // ahead of C, which waits for B to end at 100.
  auto out = RunWithNodeEvents({kHeader, "A,x,0,100,1", "B,x,0,100,1", "C,x,0,50,1"}, "2x1", false,
                               {{40000, 0, true}, {30000, 0, false}, {999000, 1, false}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->jobs[0].end, 140000);
  EXPECT_EQ(out->jobs[0].node_losses, 1);
  EXPECT_DOUBLE_EQ(out->jobs[0].lost_accel_ms, 30000);
  EXPECT_EQ(out->jobs[2].first_start, 100000);
  EXPECT_EQ(out->jobs[2].end, 150000);
  // The last event comes after every job has ended: ignored, the run ends with its last job.
  EXPECT_EQ(out->end, 150000);
  EXPECT_EQ(out->node_losses, 1);
}

TEST(EngineTest, GangLosesEveryTaskWithOneNode) {
  // A is a gang over both nodes (2 × 4 GPUs, 0..60); node 1 leaves at 20 and never returns: A
  // can never fit again, so B (4 GPUs, queued behind A) is held by strict FIFO, and the run ends
  // with both unfinished rather than looping.
  auto out =
      RunWithNodeEvents({kHeader, "A,x,0,60,8", "B,x,1,30,4"}, "2x4", true, {{20000, 1, false}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->jobs[0].node_losses, 1);
  EXPECT_EQ(out->jobs[0].end, core::kUnknownTime);
  EXPECT_EQ(out->jobs[1].end, core::kUnknownTime);
}

TEST(EngineTest, RejectsAPlacementThatDoubleBooksADevice) {
  // A policy that places every pending job on device 0 of node 0.
  class Greedy : public core::Policy {
   public:
    std::string_view name() const override { return "greedy"; }
    core::CycleResult Schedule(const core::ClusterState& state, core::Time) override {
      core::CycleResult r;
      for (const auto& j : state.jobs) {
        if (j.phase != core::JobPhase::kPending) continue;
        core::Placement p;
        p.job = j.id;
        core::TaskAllocation t;
        t.node = 0;
        t.devices = {0};
        t.res = j.shapes[0].per_task;
        p.tasks.push_back(t);
        r.placements.push_back(p);
      }
      return r;
    }
  } greedy;
  auto trace = ParseTrace({kHeader, "a,x,0,100,1", "b,x,0,100,1"}, "test");
  auto cluster = ParseInlineCluster("1x2");
  auto w = BuildWorkload(*trace, *cluster, {});
  ASSERT_TRUE(w.ok());
  auto out = RunEngine(*w, *cluster, greedy, {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInternal);
  EXPECT_NE(out.status().message().find("beyond its free share"), std::string::npos)
      << out.status().message();
}

TEST(EngineTest, ReplayIsByteIdentical) {
  auto trace = GenerateSyntheticTrace("synthetic:jobs=400,tenants=3,seed=5,interarrival=30");
  ASSERT_TRUE(trace.ok());
  auto cluster = ParseInlineCluster("4x8");
  ASSERT_TRUE(cluster.ok());
  WorkloadOptions wo;
  wo.tenants_from_trace = true;
  std::string first;
  for (int round = 0; round < 2; ++round) {
    auto w = BuildWorkload(*trace, *cluster, wo);
    ASSERT_TRUE(w.ok());
    testing::TestPolicy policy(round == 5);
    auto out = RunEngine(*w, *cluster, policy, {});
    ASSERT_TRUE(out.ok());
    SimReport report;
    report.parts.push_back(*w);
    PolicyRun run;
    run.label = "test-fifo";
    run.outcomes.push_back(*out);
    run.summary = Summarize(run.label, {{&report.parts[0], &run.outcomes[0]}});
    report.runs.push_back(run);
    std::string bytes =
        ToJson(report).dump() + ToMarkdown(report) + JobsCsv(report, report.runs[0]);
    if (round == 0) {
      first = bytes;
      EXPECT_GT(run.summary.finished, 0);
    } else {
      EXPECT_EQ(bytes, first);
    }
  }
}

// Records the estimate each job carries when the policy first sees it, then schedules FIFO.
class EstimateRecorder : public core::Policy {
 public:
  std::string_view name() const override { return "estimate-recorder"; }
  core::CycleResult Schedule(const core::ClusterState& state, core::Time now) override {
    for (const auto& j : state.jobs) seen.emplace(j.id, j.estimated_duration);
    return fifo_.Schedule(state, now);
  }
  std::map<core::JobId, core::Time> seen;

 private:
  testing::TestPolicy fifo_;
};

TEST(EngineTest, ArrivalsGetRunTimesLearnedOnlyFromJobsAlreadyFinished) {
  // One GPU, FIFO: A 0..10, B 10..40, C 40..60, F 60..85. F arrives at 55 when only A and B
  // finished (too little history); D at 100 after A, B, C, F: the lower median of 10, 30, 20,
  // 25 s. E, of another tenant, falls back to every 1-GPU job seen (A, B, C, F, D).
  auto trace = ParseTrace({kHeader, "A,x,0,10,1", "B,x,0,30,1", "C,x,0,20,1", "F,x,55,25,1",
                           "D,x,100,5,1", "E,y,200,5,1"},
                          "test");
  ASSERT_TRUE(trace.ok());
  auto cluster = ParseInlineCluster("1x1");
  ASSERT_TRUE(cluster.ok());
  WorkloadOptions wo;
  wo.tenants_from_trace = true;
  auto w = BuildWorkload(*trace, *cluster, wo);
  ASSERT_TRUE(w.ok());
  EstimateRecorder rec;
  ASSERT_TRUE(RunEngine(*w, *cluster, rec, {}).ok());
  auto id = [&](const std::string& name) {
    for (const auto& j : w->jobs) {
      if (j.name == name) return j.job.id;
    }
    return core::JobId{0};
  };
  EXPECT_EQ(rec.seen.at(id("A")), core::kUnknownTime);
  EXPECT_EQ(rec.seen.at(id("F")), core::kUnknownTime);
  EXPECT_EQ(rec.seen.at(id("D")), 20000);
  EXPECT_EQ(rec.seen.at(id("E")), 20000);  // median of 10, 30, 20, 25, 5 s
  // Switched off, nobody gets one.
  EstimateRecorder off;
  EngineOptions no_learning;
  no_learning.learn_durations = false;
  ASSERT_TRUE(RunEngine(*w, *cluster, off, no_learning).ok());
  EXPECT_EQ(off.seen.at(id("D")), core::kUnknownTime);
}

TEST(EngineTest, WaterFillByHand) {
  // capacity 10, demands 2, 8, 8 equal weights: 2 satisfied, the rest split 4 / 4.
  auto g = WaterFill(10, {2, 8, 8}, {1, 1, 1});
  EXPECT_NEAR(g[0], 2, 1e-9);
  EXPECT_NEAR(g[1], 4, 1e-9);
  EXPECT_NEAR(g[2], 4, 1e-9);
  // Weights 3:1, both hungry: 7.5 / 2.5.
  g = WaterFill(10, {100, 100}, {3, 1});
  EXPECT_NEAR(g[0], 7.5, 1e-9);
  EXPECT_NEAR(g[1], 2.5, 1e-9);
  // Demand below capacity: everyone gets its demand.
  g = WaterFill(10, {1, 2, 0}, {1, 1, 1});
  EXPECT_NEAR(g[0], 1, 1e-9);
  EXPECT_NEAR(g[1], 2, 1e-9);
  EXPECT_NEAR(g[2], 0, 1e-9);
}

}  // namespace
}  // namespace suanli::sim
