// Issue points 2-4 through the real CLI against `suanli up`: subcommands, --json, exit codes,
// submit with idempotency keys, and jobs that really run on the local agent.
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class CliJobsTest : public UpTest {};

TEST_F(CliJobsTest, ExitCodesAreTheDocumentedOnes) {
  START_UP({"--no-agent"});
  auto missing = up().Cli({"show", "999"});
  EXPECT_EQ(missing.exit.exit_code, 3) << missing.Describe();
  EXPECT_NE(missing.err.find("999"), std::string::npos) << missing.Describe();
  auto bad_token = up().Cli({"queue"}, std::string("sl_not_a_token"));
  EXPECT_EQ(bad_token.exit.exit_code, 4) << bad_token.Describe();
  auto usage = up().Cli({"submit", "--mem", "lots", "--", "true"});
  EXPECT_EQ(usage.exit.exit_code, 2) << usage.Describe();
  EXPECT_NE(usage.err.find("invalid size 'lots'"), std::string::npos) << usage.Describe();
  auto flags = up().Cli({"queue", "--bogus"});
  EXPECT_EQ(flags.exit.exit_code, 2) << flags.Describe();
  ASSERT_TRUE(up().Terminate().has_value());
  auto unreachable = RunCli({"queue", "--url", up().url(), "--token", up().admin_token()});
  EXPECT_EQ(unreachable.exit.exit_code, 5) << unreachable.Describe();
  EXPECT_NE(unreachable.err.find("cannot reach the server"), std::string::npos);
}

TEST_F(CliJobsTest, DataDirFallbackFindsTheServer) {
  START_UP({"--no-agent"});
  auto out = RunCli({"whoami", "--data-dir", up().data_dir()});
  EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
  EXPECT_EQ(out.out, "admin (admin of root)\n");
}

TEST_F(CliJobsTest, ReadCommandsTakeJson) {
  START_UP({"--no-agent"});
  int64_t id = Submit({"--name", "j", "--", "true"});
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"queue", "--json"},
                                             {"show", std::to_string(id), "--json"},
                                             {"nodes", "--json"},
                                             {"tenant", "list", "--json"},
                                             {"user", "list", "--json"},
                                             {"usage", "--json"},
                                             {"whoami", "--json"}}) {
    auto out = up().Cli(args);
    EXPECT_EQ(out.exit.exit_code, 0) << args[0] << ": " << out.Describe();
    EXPECT_TRUE(nlohmann::json::parse(out.out, nullptr, false).is_object())
        << args[0] << " --json printed: " << out.out;
  }
  auto queue = nlohmann::json::parse(up().Cli({"queue", "--json"}).out);
  ASSERT_EQ(queue["jobs"].size(), 1u);
  EXPECT_EQ(queue["jobs"][0]["id"], id);
  auto table = up().Cli({"queue"});
  EXPECT_EQ(table.out.rfind("ID  NAME  TENANT  USER   STATE    GPUS  NODES  TIME  REASON\n", 0), 0u)
      << table.out;
}

TEST_F(CliJobsTest, IdempotencyKeyReturnsTheSameJob) {
  START_UP({"--no-agent"});
  int64_t a = Submit({"--idempotency-key", "k-1", "--", "true"});
  int64_t b = Submit({"--idempotency-key", "k-1", "--", "true"});
  int64_t c = Submit({"--idempotency-key", "k-2", "--", "true"});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto all = nlohmann::json::parse(up().Cli({"queue", "--all", "--json"}).out);
  EXPECT_EQ(all["jobs"].size(), 2u) << all.dump();
}

TEST_F(CliJobsTest, EchoHelloCompletesWithItsLogs) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up())) << "the local agent never came UP";
  int64_t id = Submit({"--name", "hello", "--", "echo", "hello"});
  auto wait = up().Cli({"wait", std::to_string(id), "--timeout", "30s"});
  EXPECT_EQ(wait.exit.exit_code, 0) << wait.Describe();
  auto logs = up().Cli({"logs", std::to_string(id)});
  EXPECT_EQ(logs.exit.exit_code, 0) << logs.Describe();
  EXPECT_EQ(logs.out, "hello\n");
  auto show = up().Cli({"show", std::to_string(id), "--json"});
  auto job = nlohmann::json::parse(show.out);
  EXPECT_EQ(job["state"], "COMPLETED");
  EXPECT_EQ(job["exit_code"], 0);
  for (const char* field : {"id", "state", "reason", "tenant", "user", "resources", "nodes",
                            "exit_code", "submit_time", "start_time", "end_time", "history"}) {
    EXPECT_TRUE(job.contains(field)) << "show --json lacks " << field << ": " << show.out;
  }
  EXPECT_TRUE(job["start_time"].is_number());
  EXPECT_TRUE(job["end_time"].is_number());
  EXPECT_LE(job["submit_time"].get<double>(), job["start_time"].get<double>());
  EXPECT_LE(job["start_time"].get<double>(), job["end_time"].get<double>());
  std::vector<std::string> states;
  for (const auto& h : job["history"]) states.push_back(h.value("state", ""));
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.front(), "PENDING");
  EXPECT_EQ(states.back(), "COMPLETED");
  EXPECT_NE(std::find(states.begin(), states.end(), "RUNNING"), states.end());
  auto human = up().Cli({"show", std::to_string(id)});
  EXPECT_NE(human.out.find("State:       COMPLETED"), std::string::npos) << human.out;
}

TEST_F(CliJobsTest, NonZeroExitFailsTheJobAndWait) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  int64_t id = Submit({"--", "sh", "-c", "echo oops >&2; exit 3"});
  auto wait = up().Cli({"wait", std::to_string(id), "--timeout", "30s"});
  EXPECT_EQ(wait.exit.exit_code, 6) << wait.Describe();
  EXPECT_NE(wait.out.find("FAILED exit_code=3"), std::string::npos) << wait.Describe();
  auto job = Job(id);
  EXPECT_EQ(job["state"], "FAILED");
  EXPECT_EQ(job["exit_code"], 3);
  auto err = up().Cli({"logs", std::to_string(id), "--stderr"});
  // The agent may prepend its own notice (e.g. which account ran the job); the job's line ends it.
  EXPECT_TRUE(err.out.ends_with("oops\n")) << err.Describe();
}

TEST_F(CliJobsTest, ScriptSubmitFollowLogsAndCancel) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  std::string script = dir() + "/job.sh";
  WriteFile(script, "#!/bin/sh\nfor i in 1 2 3; do echo line $i; sleep 0.2; done\n");
  int64_t id = Submit({script});
  auto follow =
      up().Cli({"logs", std::to_string(id), "-f"}, std::nullopt, std::chrono::seconds(30));
  EXPECT_EQ(follow.exit.exit_code, 0) << follow.Describe();
  EXPECT_EQ(follow.out, "line 1\nline 2\nline 3\n");
  EXPECT_EQ(Job(id)["name"], "job.sh");

  int64_t sleeper = Submit({"--", "sleep", "60"});
  WaitForState(sleeper, "RUNNING");
  auto cancel = up().Cli({"cancel", std::to_string(sleeper)});
  EXPECT_EQ(cancel.exit.exit_code, 0) << cancel.Describe();
  auto job = WaitForState(sleeper, "CANCELLED", std::chrono::seconds(40));
  EXPECT_EQ(job["state"], "CANCELLED");
  auto again = up().Cli({"cancel", std::to_string(sleeper)});
  EXPECT_EQ(again.exit.exit_code, 1)
      << "cancelling a finished job is a conflict: " << again.Describe();
  auto wait = up().Cli({"wait", std::to_string(sleeper)});
  EXPECT_EQ(wait.exit.exit_code, 6) << wait.Describe();
}

TEST_F(CliJobsTest, PendingJobSaysWhy) {
  START_UP({"--no-agent"});
  int64_t id = Submit({"--", "true"});
  auto job = Job(id);
  EXPECT_EQ(job["state"], "PENDING");
  ASSERT_TRUE(job["reason"].is_string());
  EXPECT_FALSE(job["reason"].get<std::string>().empty());
  auto queue = up().Cli({"queue"});
  EXPECT_NE(queue.out.find(job["reason"].get<std::string>()), std::string::npos) << queue.out;
}

TEST_F(CliJobsTest, HoldReleaseChdirArrayDependencyAndBeginFromSubmitFlags) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up())) << "the local agent never came UP";
  // Held, with its working directory: pending until released, then runs there.
  int64_t held = Submit({"--hold", "--chdir", "/tmp", "--", "sh", "-c", "pwd"});
  auto job = WaitForReason(held, "JobHeldUser");
  EXPECT_EQ(job["state"], "PENDING");
  auto release = up().Cli({"release", std::to_string(held)});
  EXPECT_EQ(release.exit.exit_code, 0) << release.Describe();
  EXPECT_EQ(release.out, "job " + std::to_string(held) + " released\n");
  auto wait = up().Cli({"wait", std::to_string(held), "--timeout", "30s"});
  EXPECT_EQ(wait.exit.exit_code, 0) << wait.Describe();
  EXPECT_EQ(up().Cli({"logs", std::to_string(held)}).out, "/tmp\n");

  // An array of three, and a job after all of them.
  int64_t first = Submit({"--array", "0-2", "--", "sh", "-c", "echo $SLURM_ARRAY_TASK_ID"});
  int64_t after = Submit({"--dependency", "afterok:" + std::to_string(first), "--", "true"});
  EXPECT_EQ(after, first + 3);  // the array took three consecutive ids
  auto done = up().Cli({"wait", std::to_string(after), "--timeout", "30s"});
  EXPECT_EQ(done.exit.exit_code, 0) << done.Describe();
  for (int64_t t = 0; t < 3; ++t) {
    EXPECT_EQ(Job(first + t)["state"], "COMPLETED");
    EXPECT_EQ(up().Cli({"logs", std::to_string(first + t)}).out, std::to_string(t) + "\n");
    EXPECT_LE(Job(first + t)["end_time"].get<double>(), Job(after)["start_time"].get<double>());
  }

  // Not before an hour from now; hold then cancels it (cancel keeps its old output).
  int64_t later = Submit({"--begin", "now+1hour", "--", "true"});
  WaitForReason(later, "BeginTime");
  auto hold = up().Cli({"hold", std::to_string(later)});
  EXPECT_EQ(hold.out, "job " + std::to_string(later) + " held\n") << hold.Describe();
  WaitForReason(later, "JobHeldUser");
  // A bad --begin is refused before anything is sent.
  auto bad = up().Cli({"submit", "--begin", "someday", "--", "true"});
  EXPECT_EQ(bad.exit.exit_code, 2) << bad.Describe();
  EXPECT_NE(bad.err.find("--begin"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace suanli::it
