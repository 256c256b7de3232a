// Lifecycle of tasks on a real `suanli agent`: cancel/preempt with a grace period (checkpoint
// written, SUANLI_PREEMPT_FILE present), kill after the grace period, time limits, exit codes and
// signals, logs uploaded, and an agent killed with -9 that re-attaches to its still-running task
// without starting it twice — against a fake controller on loopback.
#include <gtest/gtest.h>

#include "agent_fake_controller.h"

namespace suanli::agent_test {
namespace {

class AgentLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void StartNode(const std::vector<std::string>& extra = {}) {
    agent_ = StartAgent(fc_, node_, dir_, extra);
    ASSERT_TRUE(fc_.WaitRegistered(node_, ++registrations_)) << AgentLog();
  }
  void TearDown() override {
    agent_.reset();
    KillLeftoverTasks(node_);
  }
  std::string AgentLog() { return ReadText(dir_ + "/" + node_ + ".log"); }
  int Lines(const std::string& path) {
    std::string t = ReadText(path);
    return static_cast<int>(std::count(t.begin(), t.end(), '\n'));
  }

  FakeController fc_;
  std::string dir_;
  // Unique per test process: ctest runs test cases in parallel, and an agent owns its node's
  // cgroups.
  std::string node_ = "life-" + std::to_string(getpid());
  std::unique_ptr<ChildProcess> agent_;
  int registrations_ = 0;
};

TEST_F(AgentLifecycleTest, PreemptionGivesAGracePeriodToCheckpoint) {
  StartNode();
  json j = BasicLaunch(201, "trap 'cat \"$SUANLI_PREEMPT_FILE\" > " + dir_ +
                                "/reason; echo saved > " + dir_ +
                                "/ckpt; echo grace=$SUANLI_GRACE_S; exit 0' TERM\n"
                                "echo running\nwhile :; do sleep 0.1; done\n");
  j["grace_s"] = 20;
  fc_.Launch(node_, j);
  ASSERT_TRUE(fc_.WaitLog(201, 0, "stdout", "running")) << AgentLog();
  auto t0 = std::chrono::steady_clock::now();
  fc_.Kill(node_, 201, 1, -1, "PREEMPTED");
  json exit = fc_.WaitExit(201, 0);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s)
      << "it checkpointed and left within its grace";
  EXPECT_EQ(exit["reason"], "PREEMPTED");
  EXPECT_EQ(exit["exit_code"], 0);
  EXPECT_EQ(ReadText(dir_ + "/ckpt"), "saved\n");
  EXPECT_EQ(ReadText(dir_ + "/reason"), "PREEMPTED\n");
  EXPECT_TRUE(fc_.WaitLog(201, 0, "stdout", "grace=20"));
}

TEST_F(AgentLifecycleTest, CancelKillsTheWholeTreeWhenTheGracePeriodRunsOut) {
  StartNode();
  // Ignores SIGTERM (children inherit that), so only the kill after the grace period ends it.
  fc_.Launch(node_, BasicLaunch(202, "trap '' TERM; (sleep 3202 &); echo up; sleep 3202"));
  ASSERT_TRUE(fc_.WaitLog(202, 0, "stdout", "up")) << AgentLog();
  auto t0 = std::chrono::steady_clock::now();
  fc_.Kill(node_, 202, 1, 1, "CANCELLED");
  json exit = fc_.WaitExit(202, 0);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, 900ms) << "SIGKILL came before the grace period ended";
  EXPECT_LT(took, 10s);
  EXPECT_EQ(exit["reason"], "CANCELLED");
  EXPECT_EQ(exit["signal"], 9);
  int left = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc"))
    left += ReadText(e.path().string() + "/cmdline").find("3202") != std::string::npos;
  EXPECT_EQ(left, 0) << "a background process escaped the kill";
}

TEST_F(AgentLifecycleTest, TimeLimitExitCodesSignalsAndLogs) {
  StartNode();
  json slow = BasicLaunch(203, "echo start; sleep 60");
  slow["time_limit_s"] = 1;
  slow["grace_s"] = 1;
  fc_.Launch(node_, slow);
  fc_.Launch(
      node_,
      BasicLaunch(204, "for i in $(seq 1 2000); do echo line-$i; done; echo err >&2; exit 7"));
  fc_.Launch(node_, BasicLaunch(205, "kill -SEGV $$"));
  json t = fc_.WaitExit(203, 0);
  ASSERT_FALSE(t.is_null()) << AgentLog();
  EXPECT_EQ(t["reason"], "TIMEOUT");
  json e = fc_.WaitExit(204, 0);
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["exit_code"], 7);
  EXPECT_TRUE(e["reason"].is_null());
  // Exits are reported after their logs are uploaded.
  EXPECT_NE(fc_.Log(204, 0, "stdout").find("line-2000\n"), std::string::npos);
  EXPECT_EQ(fc_.Log(204, 0, "stderr"),
            "suanli: running as root is not allowed on this node (agent flag --allow-root); "
            "running as 'nobody'\nerr\n");
  json s = fc_.WaitExit(205, 0);
  ASSERT_FALSE(s.is_null());
  EXPECT_EQ(s["signal"], 11);
  EXPECT_TRUE(s["exit_code"].is_null());
}

TEST_F(AgentLifecycleTest, AgentKilledMidJobReattachesAndNeverStartsItTwice) {
  StartNode();
  std::string runs = dir_ + "/runs";
  json j = BasicLaunch(206, "echo run >> " + runs + "; sleep 4; echo finished");
  fc_.Launch(node_, j);
  ASSERT_FALSE(fc_.WaitStarted(206, 0).is_null()) << AgentLog();
  for (int i = 0; i < 50 && Lines(runs) < 1; ++i) std::this_thread::sleep_for(100ms);
  agent_->Kill(SIGKILL);  // no goodbye: the task must live on
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(Lines(runs), 1);
  StartNode();
  json reg = fc_.Node(node_);
  ASSERT_EQ(reg["running"].size(), 1u) << reg.dump();
  EXPECT_EQ(reg["running"][0]["job_id"], 206);
  fc_.Launch(node_, j);  // a confused controller resends the launch: fenced
  json exit = fc_.WaitExit(206, 0);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  EXPECT_EQ(exit["exit_code"], 0) << exit.dump();
  EXPECT_TRUE(fc_.WaitLog(206, 0, "stdout", "finished"));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Lines(runs), 1) << "the job ran twice";
  EXPECT_EQ(
      fc_.CountEvents([](const json& e) { return e["job_id"] == 206 && e["event"] == "exited"; }),
      1);
}

TEST_F(AgentLifecycleTest, TaskThatEndsWhileTheAgentIsDownIsReportedOnRestart) {
  StartNode();
  fc_.Launch(node_, BasicLaunch(207, "sleep 1; exit 4"));
  ASSERT_FALSE(fc_.WaitStarted(207, 0).is_null()) << AgentLog();
  agent_->Kill(SIGKILL);
  std::this_thread::sleep_for(2500ms);
  StartNode();
  EXPECT_EQ(fc_.Node(node_)["running"].size(), 0u);
  json exit = fc_.WaitExit(207, 0);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  EXPECT_EQ(exit["exit_code"], 4);
}

TEST_F(AgentLifecycleTest, StaleAttemptReportedAtReRegistrationIsKilled) {
  StartNode();
  fc_.Launch(node_, BasicLaunch(208, "echo up; sleep 60"));
  ASSERT_TRUE(fc_.WaitLog(208, 0, "stdout", "up")) << AgentLog();
  agent_->Kill(SIGKILL);
  fc_.MarkStale(208, 1);  // meanwhile the controller gave up on attempt 1 and requeued the job
  StartNode();
  json exit = fc_.WaitExit(208, 0, 20s);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  EXPECT_EQ(exit["reason"], "STALE");
}

}  // namespace
}  // namespace suanli::agent_test
