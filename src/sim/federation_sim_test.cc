#include "sim/federation_sim.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/policy.h"
#include "sim/cluster_spec.h"
#include "sim/federation_report.h"

namespace suanli::sim {
namespace {

using nlohmann::json;

// Demand in the east, where one small dear center is; two nodes of cheap capacity in the west.
json Tiny() {
  return json::parse(R"({
    "scheduler": "fifo",
    "regions": [{"name": "east", "demand_share": 1}, {"name": "west"}],
    "centers": [
      {"name": "e", "region": "east", "nodes": 1, "accelerators_per_node": 8,
       "price_per_hour": 10, "pue": 1.5, "carbon_g_per_kwh": 800},
      {"name": "w", "region": "west", "nodes": 2, "accelerators_per_node": 8,
       "price_per_hour": 5, "pue": 1.1, "carbon_g_per_kwh": 200}],
    "network": {"between_regions": {"gbps": 10, "egress_per_gb": 0.5}}
  })");
}

FederationNetwork Net(const json& j) {
  auto net = ParseFederationNetwork(j.dump(), "tiny.json");
  EXPECT_TRUE(net.ok()) << net.status().ToString();
  return *net;
}

// `jobs` jobs of `gpus` GPUs, one every `gap_s`, each running `run_s`.
Trace Jobs(int jobs, int gpus, int gap_s, int run_s) {
  std::vector<std::string> lines = {"job_id,tenant,submit_time_s,duration_s,num_gpus"};
  for (int i = 0; i < jobs; ++i) {
    lines.push_back("j" + std::to_string(i) + ",t," + std::to_string(i * gap_s) + "," +
                    std::to_string(run_s) + "," + std::to_string(gpus));
  }
  auto trace = ParseTrace(lines, "test");
  EXPECT_TRUE(trace.ok());
  return *trace;
}

FederationRun RunOne(const json& network, const Trace& trace, const std::string& policy) {
  FederationOptions o;
  auto policies = ParseFederationPolicies({policy});
  EXPECT_TRUE(policies.ok());
  o.policies = *policies;
  auto report = RunFederation(trace, Net(network), o);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report->runs.at(0);
}

TEST(FederationSimTest, PolicyNamesAndAll) {
  auto all = ParseFederationPolicies({"all"});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ(FederationPolicyName((*all)[4]), "default");
  auto bad = ParseFederationPolicies({"fastest"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("federation policy 'fastest' is unknown"),
            std::string::npos);
}

TEST(FederationSimTest, LocalOnlyKeepsJobsInTheirHomeRegion) {
  FederationRun r = RunOne(Tiny(), Jobs(6, 4, 10, 100), "local-only");
  EXPECT_EQ(r.jobs, 6);
  EXPECT_EQ(r.centers[0].jobs, 6);
  EXPECT_EQ(r.centers[1].jobs, 0);
  // Two 4-GPU jobs at a time on e's 8 GPUs: jobs queue, JCT above the run time.
  EXPECT_GT(r.jct_s.mean, 100);
  EXPECT_DOUBLE_EQ(r.compute_cost, 6 * 4 * 10 * 100 / 3600.0);
}

TEST(FederationSimTest, RoundRobinAlternates) {
  FederationRun r = RunOne(Tiny(), Jobs(6, 4, 10, 100), "round-robin");
  EXPECT_EQ(r.centers[0].jobs, 3);
  EXPECT_EQ(r.centers[1].jobs, 3);
}

TEST(FederationSimTest, LeastLoadedSpreadsByShare) {
  // e has 8 GPUs, w 16: after one 4-GPU job on e (50 %) the next goes to w (25 %), then w again.
  FederationRun r = RunOne(Tiny(), Jobs(3, 4, 1, 1000), "least-loaded");
  EXPECT_EQ(r.centers[0].jobs, 1);
  EXPECT_EQ(r.centers[1].jobs, 2);
  EXPECT_DOUBLE_EQ(r.jct_s.mean, 1000);  // nobody waited
}

TEST(FederationSimTest, CheapestFillsTheCheapCenterThenSpills) {
  // w holds four 4-GPU jobs at once; the fifth goes where it fits now, the dear e.
  FederationRun r = RunOne(Tiny(), Jobs(5, 4, 1, 1000), "cheapest");
  EXPECT_EQ(r.centers[1].jobs, 4);
  EXPECT_EQ(r.centers[0].jobs, 1);
}

TEST(FederationSimTest, DefaultPicksTheCheaperOfEquallyEarlyCenters) {
  FederationRun r = RunOne(Tiny(), Jobs(2, 4, 1, 1000), "default");
  EXPECT_EQ(r.centers[1].jobs, 2);  // both free: the same finish, w is half the price
  EXPECT_DOUBLE_EQ(r.jct_s.mean, 1000);
  EXPECT_DOUBLE_EQ(r.energy_kwh, 2 * 4 * 0.4 * 1000 / 3600.0 * 1.1);
  EXPECT_NEAR(r.carbon_kg, r.energy_kwh * 0.2, 1e-9);
}

TEST(FederationSimTest, StagingDelaysTheStartAndTheCopyIsCached) {
  json j = Tiny();
  // 1 TB over 10 Gbit/s: 800 s; every job needs it.
  j["datasets"] = json::parse(R"([{"name": "d", "home": "e", "size_tb": 1, "share": 1}])");
  // Two jobs far apart; e busy with neither, but cheapest picks w, which must copy d.
  FederationRun r = RunOne(j, Jobs(2, 4, 5000, 1000), "cheapest");
  EXPECT_EQ(r.centers[1].jobs, 2);
  EXPECT_EQ(r.copies, 1);  // the second job finds the cached copy
  EXPECT_DOUBLE_EQ(r.data_moved_tb, 1.0);
  EXPECT_DOUBLE_EQ(r.egress_cost, 1000 * 0.5);
  EXPECT_EQ(r.staged_jobs, 1);
  EXPECT_DOUBLE_EQ(r.jct_s.max, 1800);  // 800 s staging + 1000 s run
  EXPECT_DOUBLE_EQ(r.jct_s.mean, 1400);
  // default weighs the staging: finishing at e (no copy) is 800 s earlier, past the slack.
  FederationRun d = RunOne(j, Jobs(2, 4, 5000, 1000), "default");
  EXPECT_EQ(d.centers[0].jobs, 2);
  EXPECT_EQ(d.copies, 0);
  EXPECT_DOUBLE_EQ(d.jct_s.mean, 1000);
}

TEST(FederationSimTest, ResidencyBoundDataNeverLeavesItsRegion) {
  json j = Tiny();
  j["datasets"] = json::parse(
      R"([{"name": "d", "home": "e", "size_tb": 1, "share": 0.5, "residency": "east"}])");
  for (const char* policy : {"local-only", "round-robin", "least-loaded", "cheapest", "default"}) {
    FederationRun r = RunOne(j, Jobs(40, 4, 10, 500), policy);
    EXPECT_EQ(r.residency_violations, 0) << policy;
    EXPECT_EQ(r.copies, 0) << policy;  // the only center in its region is its home
    EXPECT_EQ(r.jobs, 40) << policy;
  }
  // And the jobs that need it all ran in the east: with every job needing it, w gets none.
  j["datasets"][0]["share"] = 1;
  FederationRun r = RunOne(j, Jobs(10, 4, 10, 500), "round-robin");
  EXPECT_EQ(r.centers[1].jobs, 0);
  EXPECT_EQ(r.centers[0].jobs, 10);
}

TEST(FederationSimTest, JobsNoCenterCanHoldAreRejectedByName) {
  // 16 GPUs (two tasks of 8) fit only w, outside the home region; 24 fit the three nodes of the
  // network together but no one center, so the rule refuses them.
  FederationRun r = RunOne(Tiny(), Jobs(1, 16, 1, 100), "local-only");
  EXPECT_EQ(r.spilled, 1);
  EXPECT_EQ(r.centers[1].jobs, 1);
  FederationOptions o;
  o.policies = {FederationPolicy::kDefault};
  auto report = RunFederation(Jobs(1, 24, 1, 100), Net(Tiny()), o);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->runs[0].rejected, 1);
  EXPECT_NE(report->runs[0].rejected_examples[0].find("j0: "), std::string::npos);
}

TEST(FederationSimTest, SameInputsGiveByteIdenticalReports) {
  json j = Tiny();
  j["datasets"] = json::parse(R"([{"name": "d", "home": "e", "size_tb": 0.1, "share": 0.3}])");
  j["regions"][1]["demand_share"] = 0.4;
  FederationOptions o;
  o.policies = *ParseFederationPolicies({"all"});
  Trace t = Jobs(200, 2, 7, 300);
  auto a = RunFederation(t, Net(j), o);
  auto b = RunFederation(t, Net(j), o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ToJson(*a).dump(), ToJson(*b).dump());
  EXPECT_EQ(ToMarkdown(*a), ToMarkdown(*b));
  // A different seed draws other home regions.
  j["seed"] = 7;
  auto c = RunFederation(t, Net(j), o);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(ToJson(*a).dump(), ToJson(*c).dump());
}

TEST(FederationSimTest, DemandFollowsTheRegionShares) {
  json j = Tiny();
  j["regions"][0]["demand_share"] = 3;
  j["regions"][1]["demand_share"] = 1;
  FederationNetwork net = Net(j);
  auto w = BuildWorkload(Jobs(4000, 1, 1, 10), UnionCluster(net), {});
  ASSERT_TRUE(w.ok());
  int east = 0;
  for (const auto& d : DrawDemand(net, *w)) east += d.region == 0 ? 1 : 0;
  EXPECT_NEAR(east / 4000.0, 0.75, 0.03);
}

TEST(FederationSimTest, LiveEngineReplaysAsTheBatchEngine) {
  auto cluster = ParseInlineCluster("2x8");
  ASSERT_TRUE(cluster.ok());
  auto w = BuildWorkload(Jobs(300, 3, 5, 400), *cluster, {});
  ASSERT_TRUE(w.ok());
  core::PolicyConfig config;
  config.name = "fifo";
  auto p1 = core::MakePolicy(config);
  auto p2 = core::MakePolicy(config);
  ASSERT_TRUE(p1.ok() && p2.ok());
  auto batch = RunEngine(*w, *cluster, **p1, {});
  ASSERT_TRUE(batch.ok());
  LiveEngine live(w->tenants, *cluster, **p2, {});
  for (const auto& sj : w->jobs) {
    ASSERT_TRUE(live.RunBefore(sj.job.submit_time).ok());
    live.Submit(sj);
  }
  auto out = live.Finish();
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->jobs.size(), batch->jobs.size());
  for (size_t i = 0; i < out->jobs.size(); ++i) {
    EXPECT_EQ(out->jobs[i].first_start, batch->jobs[i].first_start) << i;
    EXPECT_EQ(out->jobs[i].end, batch->jobs[i].end) << i;
  }
  EXPECT_EQ(out->cycles, batch->cycles);
  EXPECT_EQ(out->allocation_steps, batch->allocation_steps);
}

}  // namespace
}  // namespace suanli::sim

namespace suanli::sim {
namespace {

TEST(FederationSimTest, CenterReportsShapeAwareRoomAndHeavyTailedReleases) {
  auto cluster = ParseInlineCluster("2x8");
  ASSERT_TRUE(cluster.ok());
  // Three 100 s jobs of 4 GPUs teach the estimate (100 s); then d (4 GPUs, 1,000 s) and e
  // (6 GPUs) take a node each, and f (6 GPUs) waits: 6 devices are free,
  // but only the 4 beside d can hold a 4-GPU task.
  std::vector<std::string> lines = {"job_id,tenant,submit_time_s,duration_s,num_gpus",
                                    "a,t,0,100,4",
                                    "b,t,0,100,4",
                                    "c,t,0,100,4",
                                    "d,t,200,1000,4",
                                    "e,t,200,5000,6",
                                    "f,t,200,5000,6"};
  auto trace = ParseTrace(lines, "test");
  ASSERT_TRUE(trace.ok());
  auto w = BuildWorkload(*trace, *cluster, {});
  ASSERT_TRUE(w.ok());
  core::PolicyConfig config;
  config.name = "fifo";
  auto policy = core::MakePolicy(config);
  ASSERT_TRUE(policy.ok());
  LiveEngine live(w->tenants, *cluster, **policy, {});
  for (const auto& sj : w->jobs) {
    ASSERT_TRUE(live.RunBefore(sj.job.submit_time).ok());
    live.Submit(sj);
  }
  ASSERT_TRUE(live.RunBefore(700 * 1000).ok());  // d has run 500 s, five times its estimate
  core::Shape four;
  four.per_task.accel_milli = 4000;
  LiveView v = live.View(700 * 1000, four);
  EXPECT_EQ(v.allocated_devices, 10);
  EXPECT_EQ(v.queued_devices, 6);
  EXPECT_EQ(v.usable_devices, 4);
  ASSERT_EQ(v.releases.size(), 2u);
  // d and e (estimated from their tenant's 100 s runs), past their estimate, are expected to run
  // as long again as they have (500 s), not to end now.
  EXPECT_EQ(v.releases[0], (std::pair<core::Time, int64_t>{1200 * 1000, 4}));
  EXPECT_EQ(v.releases[1], (std::pair<core::Time, int64_t>{1200 * 1000, 6}));
}

TEST(FederationSimTest, RoutingSlackComesFromTheNetworkFile) {
  json j = Tiny();
  j["routing"] = json::parse(R"({"slack_share": 0, "slack_min_s": 0})");
  FederationNetwork net = Net(j);
  EXPECT_EQ(net.routing.slack_share, 0);
  EXPECT_EQ(net.routing.slack_min_s, 0);
  j["routing"]["slack_share"] = -0.1;
  auto bad = ParseFederationNetwork(j.dump(), "tiny.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("routing: 'slack_share' is -0.1"), std::string::npos);
}

}  // namespace
}  // namespace suanli::sim
