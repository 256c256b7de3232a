#include "sim/outage.h"

#include <gtest/gtest.h>

#include "sim/cluster_spec.h"
#include "sim/runner.h"
#include "sim/trace.h"

namespace suanli::sim {
namespace {

constexpr core::Time kHour = 3600 * 1000;

core::ClusterState Cluster(const std::string& spec) {
  auto c = ParseInlineCluster(spec);
  EXPECT_TRUE(c.ok());
  return *c;
}

std::string Describe(const std::vector<NodeEvent>& events) {
  std::string s;
  for (const auto& e : events) {
    s += (s.empty() ? "" : " ") + std::string(e.up ? "up" : "down") + ":" + std::to_string(e.node) +
         "@" + std::to_string(e.time);
  }
  return s;
}

TEST(NodeOutageTest, IndicesRangesAndNamesBecomeEventsAfterTheOrigin) {
  core::ClusterState c = Cluster("4x2");
  const std::string third = c.nodes[2].name;
  auto events = ParseNodeOutages({"0-1@1-2.5", third + "@3"}, c, 1000);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(Describe(*events), "down:0@" + std::to_string(1000 + kHour) + " down:1@" +
                                   std::to_string(1000 + kHour) + " up:0@" +
                                   std::to_string(1000 + 5 * kHour / 2) + " up:1@" +
                                   std::to_string(1000 + 5 * kHour / 2) + " down:2@" +
                                   std::to_string(1000 + 3 * kHour));
}

TEST(NodeOutageTest, OverlappingWindowsOfOneNodeMerge) {
  core::ClusterState c = Cluster("2x1");
  auto events = ParseNodeOutages({"1@0-2", "1@1-3", "1@5-6", "1@6-7"}, c, 0);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(Describe(*events), "down:1@0 up:1@" + std::to_string(3 * kHour) + " down:1@" +
                                   std::to_string(5 * kHour) + " up:1@" +
                                   std::to_string(7 * kHour));
  auto forever = ParseNodeOutages({"0@1-2", "0@1.5"}, c, 0);
  ASSERT_TRUE(forever.ok());
  EXPECT_EQ(Describe(*forever), "down:0@" + std::to_string(kHour));
}

TEST(NodeOutageTest, BadSpecsAreRefusedAndNamed) {
  core::ClusterState c = Cluster("4x2");
  struct Case {
    std::string spec, says;
  } cases[] = {
      {"0-3", "no NODES@START"},
      {"@2", "no NODES@START"},
      {"7@1", "outside 0-3 (the cluster has 4 nodes)"},
      {"2-1@1", "outside 0-3"},
      {"gpu9@1", "neither a node name"},
      {"0,,1@1", "an empty node"},
      {"0@x", "the start is not a number"},
      {"0@-1", "the start is not a number"},
      {"0@2-1", "the end must come after the start"},
      {"0@2-2", "the end must come after the start"},
      {"0@1-", "the end is not a number"},
      {"0@nan", "the start is not a number"},
  };
  for (const auto& k : cases) {
    auto events = ParseNodeOutages({k.spec}, c, 0);
    ASSERT_FALSE(events.ok()) << k.spec;
    EXPECT_EQ(events.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(events.status().message().find(k.says), std::string::npos)
        << k.spec << ": " << events.status().message();
    EXPECT_NE(events.status().message().find("'" + k.spec + "'"), std::string::npos)
        << "names the spec: " << events.status().message();
  }
}

// The whole pipeline: an outage ends runs, counts the capacity it took, and shows in the reports.
TEST(NodeOutageTest, ASimulationWithAnOutageLosesRunsAndReportsIt) {
  auto trace = ParseTrace({"job_id,tenant,submit_time_s,duration_s,num_gpus", "a,x,0,7200,4",
                           "b,x,0,7200,4", "c,x,60,600,4"},
                          "test");
  ASSERT_TRUE(trace.ok());
  SimOptions o;
  o.cluster = "2x4";
  o.policies = {"backfill"};
  auto clean = RunSimulation(*trace, o);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_EQ(clean->runs[0].summary.node_losses, 0);
  EXPECT_DOUBLE_EQ(clean->runs[0].summary.outage_gpu_h, 0);

  o.node_outages = {"0@0.5-1.5"};
  auto out = RunSimulation(*trace, o);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const RunSummary& s = out->runs[0].summary;
  EXPECT_EQ(s.node_losses, 1);            // whichever of a and b ran on node 0
  EXPECT_DOUBLE_EQ(s.outage_gpu_h, 4.0);  // 4 GPUs for one hour
  EXPECT_EQ(s.finished, 3);               // the lost job reruns when node 0 returns
  EXPECT_GT(s.makespan_s, clean->runs[0].summary.makespan_s);
  EXPECT_NE(ToMarkdown(*out).find("1 runs ended with their node"), std::string::npos);
  EXPECT_NE(SummaryCsv(*out).find(",node_losses,outage_gpu_h\n"), std::string::npos);
  EXPECT_EQ(ToJson(*out)["policies"][0]["node_losses"], 1);

  o.node_outages = {"9@1"};
  auto bad = RunSimulation(*trace, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--node-outage '9@1'"), std::string::npos);
}

}  // namespace
}  // namespace suanli::sim
