// Regression on a committed excerpt of philly.csv (300 jobs of 1-8 GPUs, 9 VCs, Oct 2017) replayed
// with the core's strict FIFO. The expected schedule comes from an independent model: on one
// 8-GPU node, strict FIFO starts each job at the first event time, no earlier than its submission
// and its predecessor's start, at which enough GPUs are free.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "core/policy.h"
#include "sim/cluster_spec.h"
#include "sim/engine.h"
#include "sim/metrics.h"
#include "sim/report.h"
#include "sim/runner.h"

namespace suanli::sim {
namespace {

std::string Excerpt() {
  const char* dir = std::getenv("SUANLI_SOURCE_DIR");
  return std::string(dir ? dir : ".") + "/src/sim/testdata/philly_excerpt.csv";
}

// Start times by the independent strict-FIFO model on one node of `gpus` GPUs.
std::vector<int64_t> StrictFifoStarts(const std::vector<TraceJob>& jobs, int64_t gpus) {
  std::vector<std::pair<int64_t, int64_t>> running;  // (end_s, gpus)
  std::vector<int64_t> starts;
  int64_t last_start = 0;
  for (const auto& j : jobs) {
    int64_t t = std::max(j.submit_s, last_start);
    while (true) {
      int64_t used = 0;
      int64_t next_end = INT64_MAX;
      for (const auto& [end, g] : running) {
        if (end > t) {
          used += g;
          next_end = std::min(next_end, end);
        }
      }
      if (gpus - used >= j.num_gpus) break;
      t = next_end;
    }
    starts.push_back(t);
    running.emplace_back(t + j.duration_s, j.num_gpus);
    last_start = t;
  }
  return starts;
}

TEST(RegressionTest, CoreFifoOnPhillyExcerptMatchesIndependentModel) {
  auto trace = LoadTrace(Excerpt());
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  ASSERT_EQ(trace->jobs.size(), 300u);
  ASSERT_TRUE(trace->bad_rows.empty());
  auto cluster = ParseInlineCluster("1x8");
  ASSERT_TRUE(cluster.ok());
  WorkloadOptions wo;
  wo.tenants_from_trace = true;
  auto w = BuildWorkload(*trace, *cluster, wo);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->jobs.size(), 300u);
  core::PolicyConfig config;
  config.name = "fifo";
  auto policy = core::MakePolicy(config);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  auto out = RunEngine(*w, *cluster, **policy, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();

  std::vector<int64_t> expected = StrictFifoStarts(trace->jobs, 8);
  double jct_sum = 0, gpu_seconds = 0;
  int64_t last_end = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    gpu_seconds += static_cast<double>(trace->jobs[i].duration_s * trace->jobs[i].num_gpus);
    last_end = std::max(last_end, expected[i] + trace->jobs[i].duration_s);
    ASSERT_EQ(out->jobs[i].first_start, expected[i] * 1000) << "job " << w->jobs[i].name;
    ASSERT_EQ(out->jobs[i].end, (expected[i] + trace->jobs[i].duration_s) * 1000);
    jct_sum +=
        static_cast<double>(expected[i] + trace->jobs[i].duration_s - trace->jobs[i].submit_s);
  }
  RunSummary s = Summarize("fifo", {{&*w, &*out}});
  EXPECT_EQ(s.finished, 300);
  EXPECT_NEAR(s.jct_s.mean, jct_sum / 300, 1e-6);
  EXPECT_EQ(s.preemptions, 0);
  const double makespan = static_cast<double>(last_end - trace->jobs[0].submit_s);
  EXPECT_NEAR(s.makespan_s, makespan, 1e-6);
  EXPECT_NEAR(s.utilization, gpu_seconds / (8 * makespan), 1e-9);
}

TEST(RegressionTest, WholePipelineIsDeterministicAndAccountsEveryRow) {
  auto trace = LoadTrace(Excerpt());
  ASSERT_TRUE(trace.ok());
  SimOptions o;
  o.cluster = "2x8";
  o.policies = {"fifo", "default"};
  o.workload.tenants_from_trace = true;
  o.filter.limit_jobs = 250;
  std::string first;
  for (int round = 0; round < 2; ++round) {
    auto report = RunSimulation(*trace, o);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->input.replayed + report->input.beyond_limit, 300);
    ASSERT_EQ(report->runs.size(), 2u);
    for (const auto& run : report->runs) EXPECT_EQ(run.summary.finished, 250) << run.label;
    std::string bytes = ToJson(*report).dump() + ToMarkdown(*report) + ToHtml(*report);
    if (round == 0)
      first = bytes;
    else
      EXPECT_EQ(bytes, first);
  }
}

// The simulator tells the policy which jobs changed (core::JobFeed) so that a cycle costs what
// changed; the server builds a fresh state every cycle. Both must give the very same schedule.
TEST(RegressionTest, JobFeedGivesTheSameScheduleAsReadingEverything) {
  auto trace = LoadTrace(Excerpt());
  ASSERT_TRUE(trace.ok());
  auto cluster = ParseInlineCluster("2x8");  // contention: queues, reservations, preemptions
  ASSERT_TRUE(cluster.ok());
  WorkloadOptions wo;
  wo.tenants_from_trace = true;
  wo.checkpointable = true;
  auto w = BuildWorkload(*trace, *cluster, wo);
  ASSERT_TRUE(w.ok());
  for (const std::string name :
       {"default", "fifo", "backfill", "fair", "las", "srtf", "sjf-oracle", "srtf-oracle"}) {
    core::PolicyConfig config;
    config.name = name;
    RunOutcome runs[2];
    for (int feed = 0; feed < 2; ++feed) {
      auto policy = core::MakePolicy(config);
      ASSERT_TRUE(policy.ok());
      EngineOptions eo;
      eo.job_feed = feed == 1;
      eo.tick_ms = 30 * 60 * 1000;  // cycles where only time moves: promotion, starvation
      auto out = RunEngine(*w, *cluster, **policy, eo);
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      runs[feed] = std::move(*out);
    }
    EXPECT_EQ(runs[0].cycles, runs[1].cycles) << name;
    EXPECT_EQ(runs[0].preemptions, runs[1].preemptions) << name;
    ASSERT_EQ(runs[0].jobs.size(), runs[1].jobs.size());
    for (size_t i = 0; i < runs[0].jobs.size(); ++i) {
      const JobOutcome& a = runs[0].jobs[i];
      const JobOutcome& b = runs[1].jobs[i];
      ASSERT_EQ(a.first_start, b.first_start) << name << " job " << w->jobs[i].name;
      ASSERT_EQ(a.end, b.end) << name << " job " << w->jobs[i].name;
      ASSERT_EQ(a.preemptions, b.preemptions) << name << " job " << w->jobs[i].name;
    }
  }
}

}  // namespace
}  // namespace suanli::sim
