#include "agent/cgroup.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "agent/fs_util.h"

namespace suanli::agent {
namespace {

const char* kHybridMountinfo =
    "25 30 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:24 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    "27 25 0:25 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "29 25 0:27 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
    "30 25 0:28 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n"
    "31 25 0:29 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
    "32 25 0:30 /docker/abc /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n";

const char* kUnifiedMountinfo =
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

TEST(CgroupLayout, HybridHostWithoutV2ControllersUsesV1) {
  auto layout =
      ParseCgroupLayout(kHybridMountinfo, [](const std::string&) { return std::string(""); });
  EXPECT_EQ(layout.version, 1);
  EXPECT_EQ(layout.v1.at("memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(layout.v1.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(layout.v1.count("devices"), 0u) << "a bind of a sub-group is not a hierarchy root";
}

TEST(CgroupLayout, UnifiedHostWithControllersUsesV2) {
  std::string asked;
  auto layout = ParseCgroupLayout(kUnifiedMountinfo, [&](const std::string& p) {
    asked = p;
    return std::string("cpuset cpu io memory hugetlb pids rdma misc\n");
  });
  EXPECT_EQ(layout.version, 2);
  EXPECT_EQ(layout.unified, "/sys/fs/cgroup");
  EXPECT_EQ(asked, "/sys/fs/cgroup/cgroup.controllers");
  auto none = ParseCgroupLayout("", [](const std::string&) { return std::string(); });
  EXPECT_EQ(none.version, 0);
}

class FakeCgroupFs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("cgfs-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string Read(const std::string& rel) {
    auto t = ReadFile(root_ + "/" + rel);
    return t.ok() ? *t : "<missing>";
  }
  std::string root_;
};

TEST_F(FakeCgroupFs, V2EnablesControllersDownTheTreeAndWritesLimits) {
  CgroupLayout layout;
  layout.version = 2;
  layout.unified = root_;
  CgroupFsManager m(layout, "suanli/node-a", /*fake_fs=*/true);
  ASSERT_TRUE(m.Init().ok());
  // The last controller written wins in a plain file; the real file accumulates. What matters:
  // every level from the root to our parent was written.
  EXPECT_EQ(Read("cgroup.subtree_control"), "+pids");
  EXPECT_EQ(Read("suanli/cgroup.subtree_control"), "+pids");
  EXPECT_EQ(Read("suanli/node-a/cgroup.subtree_control"), "+pids");
  CgroupLimits l;
  l.cpus = {2, 3};
  l.mems = "0";
  l.cpu_quota = 1.5;
  l.memory_bytes = 64 << 20;
  l.pids_max = 50;
  l.deny_devices = {"c 195:1"};
  auto cg = m.Create("7.1.0", l);
  ASSERT_TRUE(cg.ok()) << cg.status().ToString();
  EXPECT_EQ((*cg)->path(), root_ + "/suanli/node-a/7.1.0");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/cpuset.cpus"), "2-3");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/cpuset.mems"), "0");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/cpu.max"), "150000 100000");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/memory.max"), "67108864");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/memory.swap.max"), "0");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/pids.max"), "50");
  EXPECT_EQ(Read("suanli/node-a/7.1.0/devices.deny"), "<missing>") << "v2 has no devices files";
  EXPECT_EQ((*cg)->ProcsFiles(),
            std::vector<std::string>{root_ + "/suanli/node-a/7.1.0/cgroup.procs"});
  // OOM kills are read from memory.events.
  ASSERT_TRUE(WriteFileAtomic(root_ + "/suanli/node-a/7.1.0/memory.events",
                              "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n")
                  .ok());
  EXPECT_EQ((*cg)->OomKills(), 1);
  EXPECT_EQ(m.Existing(), std::vector<std::string>{"7.1.0"});
  ASSERT_TRUE((*cg)->Destroy().ok());
  EXPECT_TRUE(m.Existing().empty());
}

TEST_F(FakeCgroupFs, V1WritesEachControllerInItsOwnHierarchy) {
  CgroupLayout layout;
  layout.version = 1;
  for (const char* c : {"memory", "cpu", "cpuset", "pids", "freezer", "devices"}) {
    layout.v1[c] = root_ + "/" + c;
    std::filesystem::create_directories(root_ + "/" + c);
  }
  ASSERT_TRUE(WriteFileAtomic(root_ + "/cpuset/cpuset.cpus", "0-7\n").ok());
  ASSERT_TRUE(WriteFileAtomic(root_ + "/cpuset/cpuset.mems", "0-1\n").ok());
  CgroupFsManager m(layout, "suanli/node-b", true);
  ASSERT_TRUE(m.Init().ok());
  // v1 cpuset groups start empty: the agent copies the parent's CPUs and memory nodes down.
  EXPECT_EQ(Read("cpuset/suanli/cpuset.cpus"), "0-7\n");
  EXPECT_EQ(Read("cpuset/suanli/node-b/cpuset.mems"), "0-1\n");
  CgroupLimits l;
  l.cpus = {4};
  l.cpu_quota = 1;
  l.memory_bytes = 1 << 20;
  l.pids_max = 10;
  l.deny_devices = {"c 195:3"};
  auto cg = m.Create("9.2.1", l);
  ASSERT_TRUE(cg.ok()) << cg.status().ToString();
  EXPECT_EQ(Read("cpuset/suanli/node-b/9.2.1/cpuset.cpus"), "4");
  EXPECT_EQ(Read("cpuset/suanli/node-b/9.2.1/cpuset.mems"), "0-1\n") << "inherited";
  EXPECT_EQ(Read("cpu/suanli/node-b/9.2.1/cpu.cfs_quota_us"), "100000");
  EXPECT_EQ(Read("cpu/suanli/node-b/9.2.1/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Read("memory/suanli/node-b/9.2.1/memory.limit_in_bytes"), "1048576");
  EXPECT_EQ(Read("memory/suanli/node-b/9.2.1/memory.memsw.limit_in_bytes"), "1048576");
  EXPECT_EQ(Read("pids/suanli/node-b/9.2.1/pids.max"), "10");
  EXPECT_EQ(Read("devices/suanli/node-b/9.2.1/devices.deny"), "c 195:3 rwm");
  EXPECT_EQ((*cg)->ProcsFiles().size(), 6u) << "a new task joins every hierarchy";
  EXPECT_EQ((*cg)->path(), root_ + "/pids/suanli/node-b/9.2.1");
  ASSERT_TRUE(WriteFileAtomic(root_ + "/memory/suanli/node-b/9.2.1/memory.oom_control",
                              "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")
                  .ok());
  EXPECT_EQ((*cg)->OomKills(), 3);
}

}  // namespace
}  // namespace suanli::agent
