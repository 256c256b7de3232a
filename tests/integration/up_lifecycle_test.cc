// Issue point 1: `suanli up` starts, says where everything is, stops cleanly on SIGTERM, and a
// restart resumes the same state.
#include <signal.h>

#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class UpLifecycleTest : public UpTest {};

TEST_F(UpLifecycleTest, PrintsAddressesTokenPathAndCliHelp) {
  START_UP();
  std::string out = up().stdout_text();
  EXPECT_NE(out.find("API:          " + up().url() + "/api/v1"), std::string::npos) << out;
  EXPECT_NE(out.find("Dashboard:    " + up().url() + "/"), std::string::npos) << out;
  EXPECT_NE(out.find(up().data_dir() + "/admin.token"), std::string::npos) << out;
  EXPECT_NE(out.find("export SUANLI_URL=" + up().url()), std::string::npos) << out;
  EXPECT_EQ(up().url().rfind("http://127.0.0.1:", 0), 0u) << "port 0 must pick a loopback port";
  EXPECT_NE(up().url(), "http://127.0.0.1:0");
  // The dashboard is served at / (a page even when the web assets are not built).
  EXPECT_EQ(HttpClient(up().url(), "").Get("/").status, 200);
}

TEST_F(UpLifecycleTest, SigtermStopsCleanlyAndSigintToo) {
  START_UP();
  auto info = up().Terminate();
  ASSERT_TRUE(info.has_value()) << "suanli up did not stop within 15 s of SIGTERM";
  EXPECT_TRUE(info->exited());
  EXPECT_EQ(info->exit_code, 0);
  EXPECT_NE(up().stderr_text().find("stopped cleanly"), std::string::npos) << up().stderr_text();
  EXPECT_EQ(HttpClient(up().url(), "").Get("/api/v1/healthz").status, 0)
      << "still serving after stop";

  START_UP();
  up().process().Signal(SIGINT);
  auto again = up().process().Wait(std::chrono::seconds(15));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->exit_code, 0);
}

TEST_F(UpLifecycleTest, RestartResumesTheSameState) {
  START_UP({"--no-agent"});
  auto t = up().Cli({"tenant", "create", "physics", "--quota", "nvidia-a100=8,cpus=64"});
  ASSERT_EQ(t.exit.exit_code, 0) << t.Describe();
  int64_t first = Submit({"--name", "before-restart", "--", "true"});
  std::string token_before = up().admin_token();
  ASSERT_TRUE(up().Terminate().has_value());

  START_UP({"--no-agent"});
  EXPECT_EQ(up().admin_token(), token_before) << "the admin token must survive a restart";
  auto job = Job(first);
  EXPECT_EQ(job.value("name", ""), "before-restart");
  EXPECT_EQ(job.value("state", ""), "PENDING");
  auto tenants = up().Cli({"tenant", "list", "--json"});
  ASSERT_EQ(tenants.exit.exit_code, 0) << tenants.Describe();
  bool found = false;
  auto list = nlohmann::json::parse(tenants.out);
  for (const auto& x : list["tenants"]) {
    if (x.value("name", "") == "physics") {
      found = true;
      EXPECT_EQ(x["quota"].value("nvidia-a100", 0.0), 8.0);
    }
  }
  EXPECT_TRUE(found) << tenants.out;
  int64_t second = Submit({"--", "true"});
  EXPECT_GT(second, first) << "job ids must not be reused after a restart";
}

TEST_F(UpLifecycleTest, BadFlagsAreRefusedWithAClearMessage) {
  auto out = RunCli({"up", "--data-dir", dir() + "/x", "--listen", "127.0.0.1:0", "--accelerators",
                     "nvidia-a100"});
  EXPECT_EQ(out.exit.exit_code, 2) << out.Describe();
  EXPECT_NE(out.err.find("expected TYPE:N"), std::string::npos) << out.Describe();
  auto timeout = RunCli({"up", "--data-dir", dir() + "/x", "--node-timeout", "soon"});
  EXPECT_EQ(timeout.exit.exit_code, 2) << timeout.Describe();
  EXPECT_NE(timeout.err.find("--node-timeout"), std::string::npos) << timeout.Describe();
}

}  // namespace
}  // namespace suanli::it
