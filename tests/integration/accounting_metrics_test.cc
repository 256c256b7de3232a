// Issue points 9 and 10: usage after jobs finish, /metrics series, and bad input answered clearly.
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class AccountingMetricsTest : public UpTest {};

TEST_F(AccountingMetricsTest, UsageCountsFinishedJobs) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  int64_t a = Submit({"--cpus", "1", "--", "sleep", "0.5"});
  int64_t b = Submit({"--cpus", "1", "--", "sleep", "0.5"});
  auto wait = up().Cli({"wait", std::to_string(a), std::to_string(b), "--timeout", "30s"});
  ASSERT_EQ(wait.exit.exit_code, 0) << wait.Describe();
  nlohmann::json row;
  ASSERT_TRUE(PollUntil(
      [&] {
        auto usage = up().Cli({"usage", "--json"});
        auto j = nlohmann::json::parse(usage.out, nullptr, false);
        if (!j.is_object()) return false;
        for (const auto& r : j.value("rows", nlohmann::json::array())) {
          if (r.value("key", "") == "root" && r.value("jobs", 0) >= 2) row = r;
        }
        return !row.is_null();
      },
      std::chrono::seconds(10)))
      << up().Cli({"usage", "--json"}).out;
  EXPECT_GE(row.value("cpu_s", 0.0), 0.8) << "two 0.5 s jobs on one CPU each: " << row.dump();
  auto by_user = nlohmann::json::parse(up().Cli({"usage", "--by", "user", "--json"}).out);
  bool admin_row = false;
  for (const auto& r : by_user["rows"]) admin_row = admin_row || r.value("key", "") == "admin";
  EXPECT_TRUE(admin_row) << by_user.dump();
  auto csv = up().Cli({"usage", "--csv"});
  EXPECT_EQ(csv.exit.exit_code, 0) << csv.Describe();
  EXPECT_NE(csv.out.find("root,"), std::string::npos) << csv.out;
  auto table = up().Cli({"usage", "--since", "2020-01-01"});
  EXPECT_EQ(table.out.rfind("TENANT  ", 0), 0u) << table.Describe();
}

TEST_F(AccountingMetricsTest, MetricsExposeTheNamedSeries) {
  START_UP({"--accelerators", "nvidia-a100:2"});
  ASSERT_TRUE(HasUpNode(up()));
  Submit({"--", "true"});
  auto m = HttpClient(up().url(), "").Get("/metrics");
  ASSERT_EQ(m.status, 200) << m.Describe();
  for (const char* series :
       {"suanli_jobs_pending", "suanli_jobs_running", "suanli_accelerators_total",
        "suanli_accelerators_allocated", "suanli_scheduling_cycle_duration_seconds",
        "suanli_api_request_duration_seconds"}) {
    EXPECT_NE(m.body.find(series), std::string::npos) << "missing " << series;
  }
  EXPECT_NE(m.body.find("suanli_accelerators_total{type=\"nvidia-a100\"} 2"), std::string::npos)
      << m.body;
}

TEST_F(AccountingMetricsTest, ImpossibleAskNamesTheResourceAndLargestNode) {
  START_UP({"--accelerators", "nvidia-a100:2"});
  ASSERT_TRUE(HasUpNode(up()));
  auto out = up().Cli({"submit", "--gpus", "16", "--gpu-type", "nvidia-a100", "--", "true"});
  EXPECT_EQ(out.exit.exit_code, 2) << out.Describe();
  EXPECT_NE(out.err.find("nvidia-a100"), std::string::npos) << out.Describe();
  EXPECT_NE(out.err.find("largest node has 2"), std::string::npos) << out.Describe();
  auto mem = up().Cli({"submit", "--mem", "500G", "--", "true"});
  EXPECT_EQ(mem.exit.exit_code, 2) << mem.Describe();
  EXPECT_NE(mem.err.find("largest node"), std::string::npos) << mem.Describe();
}

TEST_F(AccountingMetricsTest, MalformedRequestsAre400NamingTheProblem) {
  START_UP({"--no-agent"});
  auto admin = up().Admin();
  auto broken = admin.Post("jobs", std::string("{\"command\": [\"true\"]"));
  EXPECT_EQ(broken.status, 400) << broken.Describe();
  EXPECT_EQ(broken.json()["error"].value("code", ""), "INVALID_ARGUMENT") << broken.Describe();
  auto unknown = admin.Post("jobs", nlohmann::json{{"command", {"true"}}, {"gpuz", 1}});
  EXPECT_EQ(unknown.status, 400) << unknown.Describe();
  EXPECT_NE(unknown.body.find("gpuz"), std::string::npos) << unknown.Describe();
  auto negative = admin.Post("jobs", nlohmann::json{{"command", {"true"}}, {"cpus", -1}});
  EXPECT_EQ(negative.status, 400) << negative.Describe();
  EXPECT_NE(negative.body.find("cpus"), std::string::npos) << negative.Describe();
  auto wrong_type = admin.Post("jobs", nlohmann::json{{"command", "true"}, {"mem_mb", "lots"}});
  EXPECT_EQ(wrong_type.status, 400) << wrong_type.Describe();
  auto no_auth = HttpClient(up().url(), "").Get("jobs");
  EXPECT_EQ(no_auth.status, 401) << no_auth.Describe();
}

TEST_F(AccountingMetricsTest, AgentThatDisappearsMidJobLosesTheJob) {
  START_UP({"--no-agent", "--node-timeout", "1s"});
  std::string work = dir() + "/agent-work";
  auto agent =
      ChildProcess::Spawn({SuanliBinary(), "agent", "--url", up().url(), "--join-token-file",
                           up().data_dir() + "/join.token", "--name", "n1", "--work-dir", work},
                          {}, dir() + "/agent.out", dir() + "/agent.err");
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ASSERT_TRUE(HasUpNode(up())) << ReadFileOr(dir() + "/agent.err");
  int64_t id = Submit({"--", "sleep", "30"});
  WaitForState(id, "RUNNING");
  agent->KillHard();  // the agent and the jobs it started: the node is gone
  auto job = WaitForState(id, "LOST,PENDING", std::chrono::seconds(15));
  auto final_job = Job(id);
  bool lost_in_history = false;
  for (const auto& h : final_job["history"])
    lost_in_history = lost_in_history || h.value("state", "") == "LOST";
  EXPECT_TRUE(lost_in_history) << final_job.dump();
  EXPECT_TRUE(final_job.value("requeue", false));
  EXPECT_EQ(job["state"] == "PENDING" || job["state"] == "LOST", true);
  auto nodes = up().Admin().Get("nodes").json();
  ASSERT_EQ(nodes["nodes"].size(), 1u);
  EXPECT_EQ(nodes["nodes"][0]["state"], "DOWN") << nodes.dump();
}

}  // namespace
}  // namespace suanli::it
