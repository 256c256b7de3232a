// The supervisor's failure paths, without root: cgroups that cannot be made, a disk that fills up
// at launch, after the fork and while logs are rotated. The fakes (cgroups, file system, launcher)
// fail on demand; the clock is moved by hand.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/supervisor.h"
#include "agent/testing/fake_cgroup.h"
#include "agent/testing/fake_file_system.h"
#include "agent/testing/fake_launcher.h"
#include "agent/testing/supervisor_setup.h"

namespace suanli::agent {
namespace {

constexpr const char* kWork = "/agent-work";
constexpr const char* kNoSpace = "No space left on device";

class SupervisorFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SupervisorOptions o = NoRootOptions(kWork);
    o.log_rotate_bytes = 10;
    auto cgroups = std::make_unique<FakeCgroupManager>("suanli/node-a");
    cgroups_ = cgroups.get();
    auto launcher = std::make_unique<FakeLauncher>();
    launcher_ = launcher.get();
    sup_ = std::make_unique<Supervisor>(o, SmallHost(), std::move(cgroups), std::move(launcher),
                                        &clock_, &fs_);
    ASSERT_TRUE(sup_->Recover().ok());
  }
  LaunchSpec Spec(int64_t job) {
    LaunchSpec s = TrueTask(job);
    s.mem_mb = 64;
    return s;
  }
  std::string Dir(int64_t job) { return sup_->TaskDir({job, 1, 0}); }
  // The single event pending, which must be an exit.
  TaskEvent OnlyExit() {
    auto ev = sup_->PendingEvents();
    EXPECT_EQ(ev.size(), 1u);
    if (ev.empty()) return {};
    EXPECT_EQ(ev[0].event, "exited");
    return ev[0];
  }
  void ExpectLaunchFailedNothingLeft(int64_t job, const std::string& cause) {
    TaskEvent e = OnlyExit();
    EXPECT_EQ(e.reason.rfind("LAUNCH_FAILED: ", 0), 0u) << e.reason;
    EXPECT_NE(e.reason.find(cause), std::string::npos) << e.reason;
    EXPECT_NE(e.message.find(cause), std::string::npos) << e.message;
    EXPECT_TRUE(launcher_->requests.empty()) << "nothing was started";
    EXPECT_TRUE(cgroups_->Existing().empty()) << "no cgroup is left behind";
    EXPECT_TRUE(sup_->Running().empty());
    EXPECT_FALSE(fs_.Exists(Dir(job) + "/tmp")) << "no job directory is left behind";
    sup_->AckEvents({e});
    EXPECT_TRUE(sup_->PendingEvents().empty());
  }
  // The agent keeps serving: the next launch starts, on the CPU the failed one had (released).
  void ExpectNextLaunchStarts(int64_t job) {
    sup_->Launch(Spec(job));
    ASSERT_EQ(launcher_->requests.size(), 1u);
    EXPECT_EQ(sup_->Running(), std::vector<TaskRef>{Spec(job).ref});
    ASSERT_NE(cgroups_->group(Spec(job).ref.Key()), nullptr);
    EXPECT_EQ(cgroups_->group(Spec(job).ref.Key())->limits.cpus, std::vector<int>{0});
  }
  // Shipping as the agent's poll loop does, each chunk acknowledged as uploaded.
  std::vector<LogChunk> ShipStdout() {
    std::vector<LogChunk> out;
    for (auto& w : sup_->NextLogChunks(100)) {
      sup_->AckLog(w, true);
      if (w.stream == "stdout") out.push_back(w.chunk);
    }
    return out;
  }

  FakeClock clock_{1'000'000};
  FakeFileSystem fs_{&clock_};
  FakeCgroupManager* cgroups_ = nullptr;
  FakeLauncher* launcher_ = nullptr;
  std::unique_ptr<Supervisor> sup_;
};

TEST_F(SupervisorFailureTest, CgroupCreationFailureFailsTheLaunchWithTheCgroupError) {
  cgroups_->FailCreate(EACCES);
  sup_->Launch(Spec(7));
  ExpectLaunchFailedNothingLeft(
      7, "cannot create cgroup /fake-cgroup/suanli/node-a/7.1.0: Permission denied");
  EXPECT_EQ(*fs_.ReadFile(Dir(7) + "/launch_error"),
            "cannot create cgroup /fake-cgroup/suanli/node-a/7.1.0: Permission denied\n");
  sup_->Launch(Spec(7));
  EXPECT_TRUE(sup_->PendingEvents().empty()) << "the failed attempt stays fenced";
  cgroups_->FailCreate(0);
  ExpectNextLaunchStarts(8);
}

TEST_F(SupervisorFailureTest, CgroupLimitWriteFailureFailsTheLaunchNamingTheFile) {
  cgroups_->FailLimitWrite("memory.max", EINVAL);
  sup_->Launch(Spec(7));
  ExpectLaunchFailedNothingLeft(7, "/fake-cgroup/suanli/node-a/7.1.0/memory.max: Invalid argument");
  cgroups_->FailLimitWrite("memory.max", 0);
  ExpectNextLaunchStarts(8);
}

TEST_F(SupervisorFailureTest, DiskFullBeforeTheForkFailsTheLaunchAndReleasesItsCgroup) {
  fs_.SetFreeBytes(1);  // directories fit, the task record does not
  sup_->Launch(Spec(7));
  ExpectLaunchFailedNothingLeft(7, std::string("task.json.tmp: ") + kNoSpace);
  fs_.SetFreeBytes(-1);
  ExpectNextLaunchStarts(8);
}

TEST_F(SupervisorFailureTest, DiskFullAfterTheForkKeepsTheTaskAndRecordsItOnceThereIsRoom) {
  launcher_->on_spawn = [&] { fs_.SetFreeBytes(0); };
  sup_->Launch(Spec(7));
  auto ev = sup_->PendingEvents();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].event, "started") << "it runs: reporting it failed would start it twice";
  EXPECT_EQ(sup_->Running(), std::vector<TaskRef>{Spec(7).ref});
  auto before = nlohmann::json::parse(*fs_.ReadFile(Dir(7) + "/task.json"));
  EXPECT_EQ(before["shim_pid"], 0) << "only the record from before the fork made it to disk";
  sup_->Tick();
  EXPECT_EQ(nlohmann::json::parse(*fs_.ReadFile(Dir(7) + "/task.json"))["shim_pid"], 0);
  fs_.SetFreeBytes(-1);
  sup_->Tick();
  EXPECT_EQ(nlohmann::json::parse(*fs_.ReadFile(Dir(7) + "/task.json"))["shim_pid"], 4242)
      << "a restarted agent must find the shim";
  EXPECT_EQ(sup_->Running(), std::vector<TaskRef>{Spec(7).ref});
}

TEST_F(SupervisorFailureTest, DiskFullDuringRotationLosesNoLogAndTheExitSaysWhy) {
  sup_->Launch(Spec(7));
  sup_->AckEvents(sup_->PendingEvents());
  std::string out = Dir(7) + "/stdout";
  ASSERT_TRUE(fs_.Append(out, "0123456789abcdefghij").ok());  // over the 10-byte rotation size
  auto first = ShipStdout();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].offset, 0);
  EXPECT_EQ(first[0].data, "0123456789abcdefghij");

  fs_.SetFreeBytes(5);  // the copy to stdout.1 needs 20
  EXPECT_TRUE(ShipStdout().empty());
  EXPECT_EQ(sup_->Running(), std::vector<TaskRef>{Spec(7).ref}) << "the task keeps running";
  EXPECT_EQ(*fs_.ReadFile(out), "0123456789abcdefghij") << "not truncated: nothing lost";
  EXPECT_FALSE(fs_.Exists(out + ".1"));
  EXPECT_FALSE(fs_.Exists(out + ".1.tmp"));
  ASSERT_TRUE(fs_.Append(out, "xyz").ok());  // the job writes on
  auto more = ShipStdout();
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].offset, 20);
  EXPECT_EQ(more[0].data, "xyz");

  fs_.SetFreeBytes(-1);  // the shim records the exit, then the disk is full again
  ASSERT_TRUE(fs_.WriteFileAtomic(Dir(7) + "/exit", "exit 3\n", 0644).ok());
  fs_.SetFreeBytes(0);
  sup_->Tick();
  EXPECT_FALSE(fs_.Exists(Dir(7) + "/event.json")) << "no room to record it";
  TaskEvent e = OnlyExit();
  EXPECT_EQ(e.exit_code, 3) << "the exit is reported from memory";
  EXPECT_EQ(e.message,
            std::string("stdout log not rotated: cannot write ") + out + ".1.tmp: " + kNoSpace);
  sup_->AckEvents({e});
  EXPECT_TRUE(sup_->PendingEvents().empty());
}

TEST_F(SupervisorFailureTest, RotationResumesOnceThereIsRoomWithOffsetsContinuing) {
  sup_->Launch(Spec(7));
  sup_->AckEvents(sup_->PendingEvents());
  std::string out = Dir(7) + "/stdout";
  ASSERT_TRUE(fs_.Append(out, "0123456789abcdefghij").ok());
  ShipStdout();
  fs_.SetFreeBytes(5);
  ShipStdout();
  fs_.SetFreeBytes(-1);
  EXPECT_TRUE(ShipStdout().empty());
  EXPECT_EQ(*fs_.ReadFile(out + ".1"), "0123456789abcdefghij");
  EXPECT_EQ(*fs_.ReadFile(out), "");
  ASSERT_TRUE(fs_.Append(out, "xyz").ok());
  auto after = ShipStdout();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].offset, 20) << "one continuous log across the rotation";
  ASSERT_TRUE(fs_.WriteFileAtomic(Dir(7) + "/exit", "exit 0\n", 0644).ok());
  sup_->Tick();
  TaskEvent e = OnlyExit();
  EXPECT_EQ(e.exit_code, 0);
  EXPECT_EQ(e.message, "") << "the rotation trouble is over, so not reported";
}

}  // namespace
}  // namespace suanli::agent
