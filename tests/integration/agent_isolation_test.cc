// The agent isolates jobs: memory limits kill only the offender (OUT_OF_MEMORY), CPU sets confine,
// the pids limit stops a fork bomb, /tmp is private, the environment is scrubbed, accounts fall
// back. Real `suanli agent` processes against a fake controller on loopback.
#include <gtest/gtest.h>

#include "agent_fake_controller.h"

namespace suanli::agent_test {
namespace {

class AgentIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  void StartNode(const std::vector<std::string>& extra = {}) {
    agent_ = StartAgent(fc_, node_, dir_, extra);
    ASSERT_TRUE(fc_.WaitRegistered(node_)) << AgentLog();
  }
  void TearDown() override {
    agent_.reset();
    KillLeftoverTasks(node_);
  }
  std::string AgentLog() { return ReadText(dir_ + "/" + node_ + ".log"); }

  FakeController fc_;
  std::string dir_;
  // Unique per test process: ctest runs test cases in parallel, and an agent owns its node's
  // cgroups.
  std::string node_ = "iso-" + std::to_string(getpid());
  std::unique_ptr<ChildProcess> agent_;
};

TEST_F(AgentIsolationTest, MemoryHogIsKilledAsOutOfMemoryWhileNeighbourFinishes) {
  if (auto why = CgroupSkipReason(); !why.empty()) GTEST_SKIP() << why;
  StartNode();
  // `tail` keeps a line in memory until it ends; /dev/zero has no newline, so it grows without
  // bound.
  json hog = BasicLaunch(101, "head -c 1000000000 /dev/zero | tail > /dev/null; echo survived");
  hog["mem_mb"] = 64;
  json neighbour = BasicLaunch(102, "sleep 2; echo neighbour-done");
  neighbour["mem_mb"] = 64;
  fc_.Launch(node_, hog);
  fc_.Launch(node_, neighbour);
  json hog_exit = fc_.WaitExit(101, 0);
  ASSERT_FALSE(hog_exit.is_null()) << AgentLog();
  EXPECT_EQ(hog_exit["reason"], "OUT_OF_MEMORY") << hog_exit.dump();
  json n_exit = fc_.WaitExit(102, 0);
  ASSERT_FALSE(n_exit.is_null()) << AgentLog();
  EXPECT_EQ(n_exit["exit_code"], 0) << n_exit.dump();
  EXPECT_TRUE(n_exit["reason"].is_null()) << n_exit.dump();
  EXPECT_TRUE(fc_.WaitLog(102, 0, "stdout", "neighbour-done"));
  EXPECT_TRUE(agent_->Running()) << "the agent itself must survive a job's OOM";
}

TEST_F(AgentIsolationTest, CpuHogIsConfinedToItsCpuSet) {
  if (auto why = CgroupSkipReason(); !why.empty()) GTEST_SKIP() << why;
  StartNode();
  json hog = BasicLaunch(111,
                         "grep Cpus_allowed_list /proc/self/status; "
                         "timeout 1 sh -c 'while :; do :; done'; "
                         "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || true; echo end");
  hog["cpus"] = 1;
  fc_.Launch(node_, hog);
  json exit = fc_.WaitExit(111, 0);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  ASSERT_TRUE(fc_.WaitLog(111, 0, "stdout", "end"));
  std::string out = fc_.Log(111, 0, "stdout");
  // One CPU: "Cpus_allowed_list:\t0" (or another single id), not a range or list.
  size_t tab = out.find(":\t");
  ASSERT_NE(tab, std::string::npos) << out;
  std::string cpus = out.substr(tab + 2, out.find('\n', tab) - tab - 2);
  EXPECT_EQ(cpus.find_first_of(",-"), std::string::npos) << "allowed CPUs: " << cpus;
  EXPECT_FALSE(cpus.empty());
}

TEST_F(AgentIsolationTest, ForkBombIsStoppedByThePidsLimitAndCleanedUp) {
  if (auto why = CgroupSkipReason(); !why.empty()) GTEST_SKIP() << why;
  StartNode();
  // Bounded: tries 500 sleepers, counts how many forks the kernel allowed, then exits. The sleepers
  // left behind must die with the task.
  json bomb = BasicLaunch(121,
                          "import os, time\n"
                          "ok = failed = 0\n"
                          "for i in range(500):\n"
                          "    try:\n"
                          "        pid = os.fork()\n"
                          "    except OSError:\n"
                          "        failed += 1\n"
                          "        continue\n"
                          "    if pid == 0:\n"
                          "        os.execv('/bin/sleep', ['sleep', '3121'])\n"
                          "    ok += 1\n"
                          "print('forked', ok, 'failed', failed, flush=True)\n");
  bomb["script"] = "#!/usr/bin/python3\n" + bomb["script"].get<std::string>();
  bomb["pids_max"] = 50;
  fc_.Launch(node_, bomb);
  json exit = fc_.WaitExit(121, 0, 60s);
  ASSERT_FALSE(exit.is_null()) << AgentLog();
  EXPECT_EQ(exit["exit_code"], 0) << exit.dump();
  ASSERT_TRUE(fc_.WaitLog(121, 0, "stdout", "forked")) << fc_.Log(121, 0, "stderr");
  int ok = 0, failed = 0;
  sscanf(fc_.Log(121, 0, "stdout").c_str(), "forked %d failed %d", &ok, &failed);
  EXPECT_LT(ok, 50);
  EXPECT_GT(ok, 10);
  EXPECT_EQ(ok + failed, 500);
  // Every sleeper is gone once the task is over.
  int left = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string cmd = ReadText(e.path().string() + "/cmdline");
    left += cmd.find("3121") != std::string::npos && cmd.rfind("sleep", 0) == 0;
  }
  EXPECT_EQ(left, 0);
}

TEST_F(AgentIsolationTest, JobCannotReadAnotherJobsPrivateTmp) {
  if (geteuid() != 0) GTEST_SKIP() << "not root: cannot create mount namespaces";
  if (system("unshare -m true 2>/dev/null") != 0)
    GTEST_SKIP() << "mount namespaces are unavailable";
  StartNode();
  std::string flag = dir_ + "/a-wrote";
  json a = BasicLaunch(
      131, "echo secret > /tmp/secret-131; touch " + flag + "; sleep 4; cat /tmp/secret-131");
  fc_.Launch(node_, a);
  for (int i = 0; i < 100 && !std::filesystem::exists(flag); ++i)
    std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(std::filesystem::exists(flag)) << AgentLog();
  json b = BasicLaunch(132, "ls -a /tmp; cat /tmp/secret-131 && echo LEAKED || echo not-visible");
  fc_.Launch(node_, b);
  ASSERT_FALSE(fc_.WaitExit(132, 0).is_null());
  ASSERT_TRUE(fc_.WaitLog(132, 0, "stdout", "visible")) << fc_.Log(132, 0, "stderr");
  EXPECT_NE(fc_.Log(132, 0, "stdout").find("not-visible"), std::string::npos);
  EXPECT_EQ(fc_.Log(132, 0, "stdout").find("LEAKED"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists("/tmp/secret-131")) << "the job's /tmp leaked onto the host";
  ASSERT_FALSE(fc_.WaitExit(131, 0).is_null());
  EXPECT_TRUE(fc_.WaitLog(131, 0, "stdout", "secret")) << "a job still sees its own /tmp";
}

TEST_F(AgentIsolationTest, EnvironmentIsScrubbedDevicesAreMaskedAndUnknownUsersFallBack) {
  setenv("AGENT_SECRET_TOKEN", "do-not-leak", 1);
  StartNode({"--accelerators", "nvidia-a100:4"});
  unsetenv("AGENT_SECRET_TOKEN");
  json j = BasicLaunch(141, "env | sort; echo whoami=$(id -un)");
  j["user"] = "no-such-user-141";
  j["devices"] = {1, 3};
  j["gpu_type"] = "nvidia-a100";
  j["env"] = {{"MY_SETTING", "42"}};
  fc_.Launch(node_, j);
  ASSERT_FALSE(fc_.WaitExit(141, 0).is_null()) << AgentLog();
  ASSERT_TRUE(fc_.WaitLog(141, 0, "stdout", "whoami="));
  std::string out = fc_.Log(141, 0, "stdout");
  EXPECT_EQ(out.find("AGENT_SECRET_TOKEN"), std::string::npos) << out;
  EXPECT_NE(out.find("MY_SETTING=42\n"), std::string::npos) << out;
  EXPECT_NE(out.find("CUDA_VISIBLE_DEVICES=1,3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SUANLI_JOB_ID=141\n"), std::string::npos) << out;
  EXPECT_NE(out.find("RANK=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("WORLD_SIZE=1\n"), std::string::npos) << out;
  if (geteuid() == 0) {
    EXPECT_NE(out.find("whoami=nobody"), std::string::npos) << out;
    EXPECT_TRUE(fc_.WaitLog(141, 0, "stderr", "has no account on this node"));
  }
  // The node reported the declared devices at registration.
  json node = fc_.Node(node_);
  ASSERT_EQ(node["devices"].size(), 4u) << node.dump();
  EXPECT_EQ(node["devices"][0]["type"], "nvidia-a100");
}

TEST_F(AgentIsolationTest, OtherTasksGpuDeviceNodesReadAsDevNull) {
  // A fake /dev (--dev-root) with one readable file per GPU: a job that ignores
  // CUDA_VISIBLE_DEVICES and opens every node must find its own two and /dev/null for the others.
  if (geteuid() != 0) GTEST_SKIP() << "not root: cannot create mount namespaces";
  if (system("unshare -m true 2>/dev/null") != 0)
    GTEST_SKIP() << "mount namespaces are unavailable";
  std::string dev = dir_ + "/dev";
  std::filesystem::create_directories(dev);
  chmod(dev.c_str(), 0755);
  for (int i = 0; i < 4; ++i) {
    std::string path = dev + "/nvidia" + std::to_string(i);
    std::ofstream(path) << "gpu-" << i;
    chmod(path.c_str(), 0644);
  }
  std::ofstream(dev + "/nvidiactl") << "ctl";
  chmod((dev + "/nvidiactl").c_str(), 0644);
  StartNode({"--accelerators", "nvidia-a100:4", "--dev-root", dev});
  std::string script = "for n in 0 1 2 3 ctl; do printf \"nvidia$n=%s;\" \"$(cat " + dev +
                       "/nvidia$n)\"; done; echo";
  json j = BasicLaunch(161, script);
  j["devices"] = {1, 3};
  j["gpu_type"] = "nvidia-a100";
  fc_.Launch(node_, j);
  ASSERT_FALSE(fc_.WaitExit(161, 0).is_null()) << AgentLog();
  ASSERT_TRUE(fc_.WaitLog(161, 0, "stdout", "nvidiactl=")) << fc_.Log(161, 0, "stderr");
  EXPECT_NE(fc_.Log(161, 0, "stdout")
                .find("nvidia0=;nvidia1=gpu-1;nvidia2=;nvidia3=gpu-3;"
                      "nvidiactl=ctl;"),
            std::string::npos)
      << fc_.Log(161, 0, "stdout") << fc_.Log(161, 0, "stderr");
  // Only the job's own mount namespace changed: the host still sees every file.
  EXPECT_EQ(ReadText(dev + "/nvidia0"), "gpu-0");
}

TEST_F(AgentIsolationTest, SystemAccountsAreNotHandedToSuanliUsers) {
  // A tenant admin named a user "daemon": the job must not run as the system account.
  if (geteuid() != 0) GTEST_SKIP() << "not root: jobs run as the agent's own account";
  StartNode();
  json j = BasicLaunch(171, "echo account=$(id -un)");
  j["user"] = "daemon";
  fc_.Launch(node_, j);
  ASSERT_FALSE(fc_.WaitExit(171, 0).is_null()) << AgentLog();
  ASSERT_TRUE(fc_.WaitLog(171, 0, "stdout", "account="));
  EXPECT_NE(fc_.Log(171, 0, "stdout").find("account=nobody"), std::string::npos)
      << fc_.Log(171, 0, "stdout");
  EXPECT_TRUE(fc_.WaitLog(171, 0, "stderr", "is a system account below --min-uid 1000"))
      << fc_.Log(171, 0, "stderr");
}

TEST_F(AgentIsolationTest, RootJobsNeedTheAllowRootFlag) {
  if (geteuid() != 0) GTEST_SKIP() << "not root";
  StartNode();  // no --allow-root
  fc_.Launch(node_, BasicLaunch(151, "echo uid=$(id -u)"));
  ASSERT_FALSE(fc_.WaitExit(151, 0).is_null());
  ASSERT_TRUE(fc_.WaitLog(151, 0, "stdout", "uid="));
  EXPECT_EQ(fc_.Log(151, 0, "stdout").find("uid=0"), std::string::npos);
  EXPECT_TRUE(fc_.WaitLog(151, 0, "stderr", "--allow-root"));
}

}  // namespace
}  // namespace suanli::agent_test
