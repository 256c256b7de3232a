// The supervisor's state machine with a fake launcher and a hand-moved clock: fencing, time limits,
// grace periods, kills by attempt, restart recovery, and what each ending is reported as.
#include "agent/supervisor.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>

#include "agent/fs_util.h"
#include "agent/testing/fake_launcher.h"

namespace suanli::agent {
namespace {

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = std::filesystem::temp_directory_path() /
            ("sup-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(work_);
    host_.cpus = 4;
    host_.numa_cpus = {{0, 1, 2, 3}};
    host_.mem_mb = 8192;
    Device d;
    d.index = 0;
    d.type = "nvidia-a100";
    host_.devices = {d};
    Make();
  }
  void TearDown() override { std::filesystem::remove_all(work_); }
  void Make(std::map<pid_t, bool> alive = {}) {
    SupervisorOptions o;
    o.work_dir = work_;
    o.node_name = "node-a";
    o.private_tmp = false;
    auto launcher = std::make_unique<FakeLauncher>();
    launcher_ = launcher.get();
    launcher_->alive = std::move(alive);
    sup_ = std::make_unique<Supervisor>(o, host_, nullptr, std::move(launcher), &clock_);
    ASSERT_TRUE(sup_->Recover().ok());
  }
  LaunchSpec Spec(int64_t job, int64_t attempt = 1) {
    LaunchSpec s;
    s.ref = {job, attempt, 0};
    s.command = {"true"};
    s.user = "nobody";
    s.grace_s = 10;
    return s;
  }
  void Exit(const TaskRef& ref, const std::string& status) {
    ASSERT_TRUE(WriteFileAtomic(sup_->TaskDir(ref) + "/exit", status + "\n").ok());
  }
  std::vector<TaskEvent> Exits() {
    std::vector<TaskEvent> out;
    for (auto& e : sup_->PendingEvents())
      if (e.event == "exited") out.push_back(e);
    return out;
  }

  std::string work_;
  HostInfo host_;
  FakeClock clock_{1'000'000};
  FakeLauncher* launcher_ = nullptr;
  std::unique_ptr<Supervisor> sup_;
};

TEST_F(SupervisorTest, StartsOnceReportsTheExitAndFencesTheAttemptForever) {
  sup_->Launch(Spec(7));
  ASSERT_EQ(launcher_->requests.size(), 1u);
  EXPECT_EQ(launcher_->requests[0].exec_path, "/usr/bin/true");
  auto ev = sup_->PendingEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].event, "started");
  sup_->AckEvents(ev);
  sup_->Launch(Spec(7));  // the controller repeats itself
  EXPECT_EQ(launcher_->requests.size(), 1u) << "a second launch of the same attempt must not start";
  EXPECT_EQ(sup_->Running().size(), 1u);

  Exit({7, 1, 0}, "exit 3");
  sup_->Tick();
  auto exits = Exits();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].exit_code, 3);
  EXPECT_FALSE(exits[0].signal.has_value());
  EXPECT_TRUE(exits[0].reason.empty());
  EXPECT_TRUE(sup_->Running().empty());
  sup_->AckEvents(exits);
  EXPECT_TRUE(sup_->PendingEvents().empty());
  sup_->Launch(Spec(7));
  EXPECT_EQ(launcher_->requests.size(), 1u) << "even after it ended";
  Make();  // and after an agent restart
  sup_->Launch(Spec(7));
  EXPECT_EQ(launcher_->requests.size(), 0u);
  EXPECT_TRUE(sup_->PendingEvents().empty());
}

TEST_F(SupervisorTest, TimeLimitTerminatesWithGraceThenKillsAndReportsTimeout) {
  LaunchSpec s = Spec(8);
  s.time_limit_s = 60;
  sup_->Launch(s);
  sup_->AckEvents(sup_->PendingEvents());
  clock_.Advance(59'000);
  sup_->Tick();
  EXPECT_FALSE(Exists(sup_->JobFilesDir(s.ref) + "/preempt"));
  clock_.Advance(1'000);
  sup_->Tick();
  EXPECT_TRUE(Exists(sup_->JobFilesDir(s.ref) + "/preempt"))
      << "the job is told termination started";
  EXPECT_EQ(*ReadFile(sup_->JobFilesDir(s.ref) + "/preempt"), "TIMEOUT\n");
  Exit(s.ref, "signal 15");
  sup_->Tick();
  auto exits = Exits();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].reason, "TIMEOUT");
  EXPECT_EQ(exits[0].signal, 15);
  EXPECT_FALSE(exits[0].exit_code.has_value());
}

// A real child stands in for the job's main process: it leads its own process group, as jobs do,
// and dies of whatever it is sent, so waitpid tells which signal reached it and when.
pid_t StandInForTheJob() {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    for (;;) pause();
  }
  setpgid(pid, pid);
  return pid;
}

int SignalThatEnded(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
    usleep(10'000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return 0;  // still alive after 0.5 s: nothing was sent
}

TEST_F(SupervisorTest, SignalAheadOfTheTimeLimitGoesOnceAtItsMomentEvenAcrossARestart) {
  for (bool batch_only : {true, false}) {
    SCOPED_TRACE(batch_only ? "B: the main process" : "every process");
    LaunchSpec s = Spec(batch_only ? 20 : 21);
    s.time_limit_s = 600;
    s.signal_number = SIGUSR1;
    s.signal_before_s = 120;
    s.signal_batch_only = batch_only;
    sup_->Launch(s);
    pid_t job = StandInForTheJob();
    ASSERT_TRUE(
        WriteFileAtomic(sup_->TaskDir(s.ref) + "/pid", "pid " + std::to_string(job) + "\n").ok());
    clock_.Advance(479'000);
    sup_->Tick();
    int status = 0;
    EXPECT_EQ(waitpid(job, &status, WNOHANG), 0) << "sent before its moment";
    clock_.Advance(1'000);  // 480 s in: 120 s before the 600 s limit
    Make({{4242, true}});   // and the agent restarted meanwhile
    sup_->Tick();
    EXPECT_EQ(SignalThatEnded(job), SIGUSR1);
    EXPECT_FALSE(Exists(sup_->JobFilesDir(s.ref) + "/preempt")) << "a warning, not a termination";
    // The next process in that pid's place must not get it again, after a restart either.
    pid_t next = StandInForTheJob();
    ASSERT_TRUE(
        WriteFileAtomic(sup_->TaskDir(s.ref) + "/pid", "pid " + std::to_string(next) + "\n").ok());
    Make({{4242, true}});
    clock_.Advance(1'000);
    sup_->Tick();
    EXPECT_EQ(SignalThatEnded(next), 0) << "sent twice";
    Exit(s.ref, "exit 0");
    sup_->Tick();
    sup_->AckEvents(sup_->PendingEvents());
  }
}

// sbatch --output: the job opens its own file (the launch request says which, expanded for the
// task); the agent ships what this job wrote there, from where the file ended when it appended,
// once the job says the file is open, and still after an agent restart.
TEST_F(SupervisorTest, AJobsOwnOutputFileIsAskedForExpandedAndShippedFromWhereItBegan) {
  const std::string home = work_ + "/home";
  std::filesystem::create_directories(home);
  const std::string out = home + "/train-30.out";
  std::ofstream(out) << "an earlier run\n";
  // The account `nobody` when the test is root (the agent then switches), else the test's own.
  const uid_t owner = geteuid() == 0 ? getpwnam("nobody")->pw_uid : geteuid();
  ASSERT_EQ(chown(out.c_str(), owner, static_cast<gid_t>(-1)), 0);
  LaunchSpec s = Spec(30);
  s.name = "train";
  s.output_pattern = home + "/%x-%j.out";
  s.output_append = true;
  sup_->Launch(s);
  ASSERT_EQ(launcher_->requests.size(), 1u);
  const SpawnRequest& req = launcher_->requests[0];
  EXPECT_EQ(req.user_stdout_path, out);
  EXPECT_TRUE(req.user_stderr_path.empty());
  EXPECT_TRUE(req.user_stderr_to_stdout) << "an output alone takes stderr too";
  EXPECT_TRUE(req.user_files_append);
  EXPECT_EQ(req.user_files_gate, sup_->TaskDir(s.ref) + "/user_files_open");
  std::ofstream(out, std::ios::app) << "step 1\n";
  EXPECT_TRUE(sup_->NextLogChunks(1 << 20).empty()) << "not before the job opened its file";
  std::ofstream(req.user_files_gate) << "open\n";
  auto chunks = sup_->NextLogChunks(1 << 20);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].stream, "stdout");
  EXPECT_EQ(chunks[0].chunk.offset, 0);
  EXPECT_EQ(chunks[0].chunk.data, "step 1\n") << "the earlier run's line is not this job's log";
  sup_->AckLog(chunks[0], true);
  Make({{4242, true}});  // the agent restarts: the file and where this job began are remembered
  std::ofstream(out, std::ios::app) << "step 2\n";
  chunks = sup_->NextLogChunks(1 << 20);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].chunk.offset, 0) << "shipped again from the start: the server keeps offsets";
  EXPECT_EQ(chunks[0].chunk.data, "step 1\nstep 2\n");
  Exit(s.ref, "exit 0");
  sup_->Tick();
}

TEST_F(SupervisorTest, KillsAddressAnAttemptAndOlderOnesOnly) {
  sup_->Launch(Spec(9, 2));
  sup_->Kill({9, 1, 0, "CANCELLED"});  // aimed at an older attempt: not this one
  EXPECT_FALSE(Exists(sup_->JobFilesDir({9, 2, 0}) + "/preempt"));
  sup_->Kill({9, 2, -1, "PREEMPTED"});
  EXPECT_EQ(*ReadFile(sup_->JobFilesDir({9, 2, 0}) + "/preempt"), "PREEMPTED\n");
  launcher_->alive[4242] =
      false;  // the shim ended without writing a status: treat as exit file absent
  Exit({9, 2, 0}, "exit 0");
  sup_->Tick();
  auto exits = Exits();
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].reason, "PREEMPTED")
      << "a job that exits cleanly in its grace period was still preempted";
  EXPECT_EQ(exits[0].exit_code, 0);
}

TEST_F(SupervisorTest, ANewerAttemptSupersedesTheOldOne) {
  sup_->Launch(Spec(10, 1));
  sup_->Launch(Spec(10, 2));
  EXPECT_EQ(launcher_->requests.size(), 2u);
  EXPECT_EQ(*ReadFile(sup_->JobFilesDir({10, 1, 0}) + "/preempt"), "STALE\n");
  sup_->Launch(Spec(10, 1));  // stale launch arriving late is ignored
  EXPECT_EQ(launcher_->requests.size(), 2u);
}

TEST_F(SupervisorTest, RestartReattachesRunningTasksAndReportsEndedOnes) {
  sup_->Launch(Spec(11));
  sup_->Launch(Spec(12));
  sup_->Launch(Spec(13));
  sup_->AckEvents(sup_->PendingEvents());
  auto alive = launcher_->alive;
  Exit({12, 1, 0}, "signal 9");  // ended while the agent was away
  alive[4244] = false;           // job 13's shim vanished without a status
  Make(alive);
  sup_->Tick();
  EXPECT_EQ(sup_->Running(), (std::vector<TaskRef>{{11, 1, 0}}));
  auto exits = Exits();
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_EQ(exits[0].ref.job_id, 12);
  EXPECT_EQ(exits[0].signal, 9);
  EXPECT_EQ(exits[1].ref.job_id, 13);
  EXPECT_EQ(exits[1].reason, "LOST");
}

TEST_F(SupervisorTest, ImpossibleLaunchIsReportedNotDropped) {
  LaunchSpec s = Spec(14);
  s.devices = {5};
  sup_->Launch(s);
  auto ev = sup_->PendingEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].event, "exited");
  EXPECT_EQ(ev[0].reason.rfind("LAUNCH_FAILED: ", 0), 0u) << ev[0].reason;
  EXPECT_NE(ev[0].message.find("device 5"), std::string::npos);
  sup_->AckEvents(ev);
  sup_->Launch(s);
  EXPECT_TRUE(sup_->PendingEvents().empty()) << "fenced like any other attempt";
  LaunchSpec missing = Spec(15);
  missing.command = {"no-such-program-xyz"};
  sup_->Launch(missing);
  ev = sup_->PendingEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NE(ev[0].message.find("no-such-program-xyz"), std::string::npos);
}

}  // namespace
}  // namespace suanli::agent
