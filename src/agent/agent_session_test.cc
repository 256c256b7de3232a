// The agent's conversation with a controller that goes away and comes back: tasks keep running
// within the fence period, failed rounds are retried after a pause (never in a hot loop), and
// every final task state buffered meanwhile is delivered once the controller answers again. A
// fake controller, file system and launcher, and a hand-moved clock: nothing sleeps.
#include "agent/agent_session.h"

#include <gtest/gtest.h>

#include "agent/testing/fake_controller_client.h"
#include "agent/testing/fake_file_system.h"
#include "agent/testing/fake_launcher.h"
#include "agent/testing/supervisor_setup.h"

namespace suanli::agent {
namespace {

using Reach = FakeControllerClient::Reachability;
constexpr int64_t kFenceMs = 8000;

class AgentSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto launcher = std::make_unique<FakeLauncher>();
    launcher_ = launcher.get();
    sup_ = std::make_unique<Supervisor>(NoRootOptions("/agent-work"), SmallHost(), nullptr,
                                        std::move(launcher), &clock_, &fs_);
    ASSERT_TRUE(sup_->Recover().ok());
    client_.reply.heartbeat_ms = 1000;
    client_.reply.fence_ms = kFenceMs;
    SessionOptions so;
    so.node = "node-a";
    session_ = std::make_unique<AgentSession>(so, &client_, sup_.get(), &mu_, &clock_, [] {
      return nlohmann::json{{"name", "node-a"}};
    });
    ASSERT_TRUE(session_->Register().ok());
  }
  LaunchSpec Spec(int64_t job) {
    LaunchSpec s = TrueTask(job);
    s.grace_s = 10;
    return s;
  }
  // The controller sends the launch; the next poll reports it started.
  void StartTask(int64_t job) {
    PollAnswer a;
    a.launch = {Spec(job)};
    client_.answers.push_back(a);
    ASSERT_EQ(session_->PollOnce(), 0);
    ASSERT_EQ(session_->PollOnce(), 0);
    ASSERT_EQ(client_.reports[Spec(job).ref].size(), 1u);
    ASSERT_EQ(client_.reports[Spec(job).ref][0].event, "started");
  }
  // The agent's two loops for one failed round: poll, wait as told, look after the tasks.
  void FailedRound() {
    int64_t wait = session_->PollOnce();
    EXPECT_EQ(wait, 1000) << "a failed round is retried after a pause, not at once";
    clock_.Advance(wait);
    session_->MonitorOnce();
  }
  void Exit(int64_t job, const std::string& status) {
    ASSERT_TRUE(
        fs_.WriteFileAtomic(sup_->TaskDir(Spec(job).ref) + "/exit", status + "\n", 0644).ok());
  }
  std::vector<FakeControllerClient::Report>& Reports(int64_t job) {
    return client_.reports[Spec(job).ref];
  }

  FakeClock clock_{1'000'000};
  FakeFileSystem fs_{&clock_};
  FakeLauncher* launcher_ = nullptr;
  std::unique_ptr<Supervisor> sup_;
  FakeControllerClient client_{&clock_};
  std::mutex mu_;
  std::unique_ptr<AgentSession> session_;
};

TEST_F(AgentSessionTest, ShortOutageKeepsTasksRunningAndDeliversTheExitCodeOnceBack) {
  StartTask(7);
  StartTask(8);
  client_.Set(Reach::kRefusing);
  FailedRound();
  FailedRound();
  Exit(7, "exit 42");  // ends while the controller is away
  for (int i = 0; i < 4; ++i) FailedRound();
  EXPECT_EQ(clock_.NowMs() - 1'000'000, 6000) << "still inside the 8 s fence period";
  EXPECT_EQ(sup_->Running(), std::vector<TaskRef>{Spec(8).ref}) << "the other task runs on";
  EXPECT_FALSE(fs_.Exists(sup_->JobFilesDir(Spec(8).ref) + "/preempt")) << "and is not stopped";
  EXPECT_EQ(Reports(7).size(), 1u) << "nothing got through meanwhile";
  EXPECT_GE(client_.calls_failed, 6);

  client_.Set(Reach::kUp);
  EXPECT_EQ(session_->PollOnce(), 0);
  ASSERT_EQ(Reports(7).size(), 2u);
  EXPECT_EQ(Reports(7)[1].event, "exited");
  EXPECT_EQ(Reports(7)[1].exit_code, 42);
  EXPECT_EQ(Reports(7)[1].reason, "");
  session_->PollOnce();
  EXPECT_EQ(Reports(7).size(), 2u) << "acknowledged: not sent again";
  EXPECT_EQ(sup_->Running(), std::vector<TaskRef>{Spec(8).ref});
}

TEST_F(AgentSessionTest, OutageLongerThanTheFenceStopsTasksAsLostAndReportsThemOnceBack) {
  StartTask(7);
  client_.Set(Reach::kTimingOut);  // each poll now waits out its 11 s timeout
  EXPECT_EQ(session_->PollOnce(), 1000);
  session_->MonitorOnce();
  EXPECT_EQ(*fs_.ReadFile(sup_->JobFilesDir(Spec(7).ref) + "/preempt"), "LOST\n")
      << "cut off past the fence period, the task is stopped so a requeued attempt never runs "
         "beside it";
  Exit(7, "signal 15");
  FailedRound();
  EXPECT_TRUE(sup_->Running().empty());
  client_.Set(Reach::kUp);
  session_->PollOnce();
  ASSERT_EQ(Reports(7).size(), 2u);
  EXPECT_EQ(Reports(7)[1].event, "exited");
  EXPECT_EQ(Reports(7)[1].reason, "LOST");
  EXPECT_EQ(Reports(7)[1].signal, 15);
}

TEST_F(AgentSessionTest, ForgottenNodeRegistersAgainAfterTheOutageAndStillDeliversTheExit) {
  StartTask(7);
  Exit(7, "exit 3");
  session_->MonitorOnce();
  client_.ForgetNode();
  EXPECT_EQ(session_->PollOnce(), 1000);
  EXPECT_FALSE(session_->registered());
  client_.Set(Reach::kRefusing);
  EXPECT_EQ(session_->PollOnce(), 1000) << "registering is retried after a pause";
  EXPECT_FALSE(session_->registered());
  client_.Set(Reach::kUp);
  EXPECT_EQ(session_->PollOnce(), 0);
  EXPECT_TRUE(session_->registered());
  EXPECT_EQ(client_.registrations, 2);
  ASSERT_EQ(Reports(7).size(), 2u);
  EXPECT_EQ(Reports(7)[1].exit_code, 3);
}

TEST_F(AgentSessionTest, AfterALongOutageTheWholeLogIsUploadedBeforeTheExit) {
  StartTask(7);
  std::string big(300 << 10, 'x');  // more than one 256 KiB upload
  ASSERT_TRUE(fs_.Append(sup_->TaskDir(Spec(7).ref) + "/stdout", big).ok());
  client_.Set(Reach::kRefusing);
  for (int i = 0; i < 6; ++i) FailedRound();  // more failed uploads than the exit waits for
  Exit(7, "exit 0");
  FailedRound();
  client_.Set(Reach::kUp);
  for (int i = 0; i < 3 && Reports(7).size() < 2; ++i) session_->PollOnce();
  ASSERT_EQ(Reports(7).size(), 2u);
  EXPECT_EQ(Reports(7)[1].exit_code, 0);
  std::pair<TaskRef, std::string> stdout_of_7{Spec(7).ref, "stdout"};
  EXPECT_EQ(client_.logs[stdout_of_7].size(), big.size())
      << "the exit was reported before its log was complete";
}

TEST_F(AgentSessionTest, AnEndIsReportedAtOnceOnTheSecondConnectionWithItsLogFirst) {
  StartTask(7);
  StartTask(8);
  ASSERT_TRUE(fs_.Append(sup_->TaskDir(Spec(7).ref) + "/stdout", "done\n").ok());
  FakeControllerClient beside(&clock_);  // the long poll holds client_ meanwhile
  EXPECT_FALSE(session_->MonitorOnce()) << "nothing ended yet";
  EXPECT_FALSE(session_->ReportEnds(&beside)) << "no end to report: nothing is sent";
  EXPECT_EQ(beside.polls_answered, 0);
  Exit(7, "exit 0");
  EXPECT_TRUE(session_->MonitorOnce()) << "the end is noticed and must be told now";
  PollAnswer next;
  next.launch = {Spec(9)};  // what the freed resources went to
  beside.answers.push_back(next);
  EXPECT_TRUE(session_->ReportEnds(&beside));
  ASSERT_EQ(beside.reports[Spec(7).ref].size(), 1u);
  EXPECT_EQ(beside.reports[Spec(7).ref][0].event, "exited");
  EXPECT_EQ(beside.reports[Spec(7).ref][0].exit_code, 0);
  EXPECT_EQ((beside.logs[{Spec(7).ref, "stdout"}]), "done\n") << "the log goes before the end";
  EXPECT_TRUE(beside.reports[Spec(8).ref].empty()) << "the running task has nothing new to tell";
  auto running = sup_->Running();
  EXPECT_EQ(running, (std::vector<TaskRef>{Spec(8).ref, Spec(9).ref}))
      << "the answer's launch is taken";
  session_->PollOnce();
  EXPECT_EQ(Reports(7).size(), 1u) << "acknowledged on the second connection: not sent again";
}

TEST_F(AgentSessionTest, AnEndThatCannotBeToldAtOnceGoesWithTheNextPoll) {
  StartTask(7);
  Exit(7, "exit 5");
  ASSERT_TRUE(session_->MonitorOnce());
  FakeControllerClient beside(&clock_);
  beside.Set(Reach::kRefusing);
  EXPECT_FALSE(session_->ReportEnds(&beside));
  session_->PollOnce();
  ASSERT_EQ(Reports(7).size(), 2u);
  EXPECT_EQ(Reports(7)[1].exit_code, 5);
}

}  // namespace
}  // namespace suanli::agent
