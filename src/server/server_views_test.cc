// Scheduler-facing views over HTTP: pending reasons from the core, metrics gauges, the dashboard.
#include <gtest/gtest.h>

#include "server/test_harness.h"

namespace suanli::server::testing {
namespace {

TEST(ServerViewsTest, PendingJobSaysWhyAndMetricsCountIt) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "node-a", 2);
  ASSERT_EQ(agent.Register().status, 200);
  json job{{"command", {"sleep", "100"}},
           {"cpus", 1},
           {"mem_mb", 1024},
           {"gpus", 2},
           {"gpu_type", "nvidia-a100"}};
  int64_t first = admin.Post("/api/v1/jobs", job).body["id"];
  int64_t second = admin.Post("/api/v1/jobs", job).body["id"];
  ASSERT_EQ(agent.PollFor("launch").size(), 1u);
  json waiting = WaitForJob(admin, second, [](const json& j) {
    return j["state"] == "PENDING" && j["reason"] != "waiting for the next scheduling pass";
  });
  EXPECT_FALSE(waiting["reason"].get<std::string>().empty());
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(first)).body["state"], "STARTING");

  Response m = s.As("").Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.text.find("suanli_accelerators_total{type=\"nvidia-a100\"} 2"), std::string::npos)
      << m.text;
  EXPECT_NE(m.text.find("suanli_accelerators_allocated{type=\"nvidia-a100\"} 2"),
            std::string::npos);
  EXPECT_NE(m.text.find("suanli_jobs_pending{tenant=\"root\"} 1"), std::string::npos);
  EXPECT_NE(m.text.find("suanli_jobs_running{tenant=\"root\"} 1"), std::string::npos);
  Response tenants = admin.Get("/api/v1/tenants");
  EXPECT_DOUBLE_EQ(tenants.body["tenants"][0]["allocated"]["nvidia-a100"].get<double>(), 2);
  Response nodes = admin.Get("/api/v1/nodes");
  EXPECT_EQ(nodes.body["nodes"][0]["jobs"], json::array({first}));
  EXPECT_DOUBLE_EQ(nodes.body["nodes"][0]["allocated"]["gpus"].get<double>(), 2);
}

TEST(ServerViewsTest, ServesTheDashboardWithIndexFallback) {
  std::string web = TempDir("web");
  {
    std::ofstream(fs::path(web) / "index.html") << "<html>suanli dashboard</html>";
    std::ofstream(fs::path(web) / "app.js") << "console.log(1)";
  }
  ServerOptions o;
  o.data_dir = TempDir("webdata");
  o.listen = "127.0.0.1:0";
  o.web_dir = web;
  auto s = Server::Start(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  httplib::Client c((*s)->url());
  auto index = c.Get("/");
  ASSERT_TRUE(index);
  EXPECT_NE(index->body.find("suanli dashboard"), std::string::npos);
  auto js = c.Get("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->body, "console.log(1)");
  auto deep = c.Get("/jobs/42");  // a route of the single-page app
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 200);
  EXPECT_NE(deep->body.find("suanli dashboard"), std::string::npos);
  auto api = c.Get("/api/v1/nope");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 404);
  EXPECT_NE(api->body.find("NOT_FOUND"), std::string::npos);
  (*s)->Stop();
}

}  // namespace
}  // namespace suanli::server::testing
