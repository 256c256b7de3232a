#include "federation/reporter.h"

#include <gtest/gtest.h>

namespace suanli::federation {
namespace {

using nlohmann::json;

ReporterOptions Options() {
  ReporterOptions o;
  o.center = "east-1";
  o.region = "east";
  o.center_url = "http://127.0.0.1:9";
  o.prices = {{"nvidia-a100", 2.5}};
  o.default_price = 2.0;
  return o;
}

TEST(ReporterTest, AReportCountsPoolsQueueLargestNodeReleasesAndTheBrokersJobs) {
  json overview{{"accelerators",
                 {{{"type", "nvidia-a100"}, {"total", 12}, {"allocated", 4}},
                  {{"type", "ascend-910b"}, {"total", 8}, {"allocated", 0}}}}};
  auto dev = [](const std::string& type, int n) {
    json d = json::array();
    for (int i = 0; i < n; ++i) d.push_back({{"index", i}, {"type", type}});
    return d;
  };
  json nodes{{"nodes",
              {{{"name", "n1"}, {"state", "UP"}, {"devices", dev("nvidia-a100", 4)}},
               {{"name", "n2"}, {"state", "UP"}, {"devices", dev("nvidia-a100", 8)}},
               {{"name", "n3"}, {"state", "DOWN"}, {"devices", dev("ascend-910b", 8)}}}}};
  const int64_t now = 1'000'000'000;
  json jobs{{"jobs",
             {{{"id", 1},
               {"state", "RUNNING"},
               {"start_time", 999'000.0},
               {"time_limit_s", 3600},
               {"estimated_run_s", nullptr},
               {"resources", {{"gpus", 2.0}, {"gpu_type", "nvidia-a100"}, {"tasks", 2}}},
               {"idempotency_key", nullptr}},
              {{"id", 2},
               {"state", "PENDING"},
               {"resources", {{"gpus", 0.5}, {"gpu_type", "nvidia-a100"}, {"tasks", 1}}},
               {"idempotency_key", "broker:7"}},
              {{"id", 3},
               {"state", "COMPLETED"},
               {"resources", {{"gpus", 1.0}, {"gpu_type", "nvidia-a100"}, {"tasks", 1}}},
               {"idempotency_key", "broker:8:1"}}}}};
  auto r = BuildReport(overview, nodes, jobs, Options(), now);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->pools.size(), 2u);
  const AccelPool& ascend = r->pools[0];  // by type name
  const AccelPool& a100 = r->pools[1];
  EXPECT_EQ(a100.type, "nvidia-a100");
  EXPECT_EQ(a100.total, 12);
  EXPECT_EQ(a100.allocated, 4);
  EXPECT_EQ(a100.queued, 1);  // half a device still takes one
  EXPECT_EQ(a100.largest_node, 8);
  EXPECT_DOUBLE_EQ(a100.price_per_hour, 2.5);
  ASSERT_EQ(a100.releases.size(), 1u);
  EXPECT_EQ(a100.releases[0].devices, 4);
  EXPECT_EQ(a100.releases[0].at, (999'000 + 3600) * int64_t{1000});
  EXPECT_EQ(ascend.largest_node, 0);             // its only node is DOWN
  EXPECT_DOUBLE_EQ(ascend.price_per_hour, 2.0);  // not in the price table: the default
  ASSERT_EQ(r->jobs.size(), 2u);
  EXPECT_EQ(r->jobs[0].key, "broker:7");
  EXPECT_EQ(r->jobs[0].state, "PENDING");
  EXPECT_EQ(r->jobs[1].id, 3);
}

TEST(ReporterTest, BadOptionsAreRefusedNamingTheFlag) {
  ReporterOptions o = Options();
  o.broker_url = "http://127.0.0.1:9";
  o.broker_token = "";
  auto r = Reporter::Start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--federation-token"), std::string::npos);
  o.broker_token = "t";
  o.center = "no spaces please";
  r = Reporter::Start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("center"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace suanli::federation
