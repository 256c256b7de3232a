// One suite for every CgroupManager: the real one over a plain directory (fake_fs mode, runs
// anywhere), the real one over the machine's cgroup v2 (root with a writable hierarchy only), and
// the in-memory fake the supervisor's failure tests use.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "agent/cgroup.h"
#include "agent/fs_util.h"
#include "agent/testing/fake_cgroup.h"

namespace suanli::agent {
namespace {

constexpr const char* kGroup = "7.1.0";

std::string UniqueName(const std::string& prefix) {
  return prefix + "-" + std::to_string(getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// The real manager over a directory tree standing in for a v2 cgroupfs.
struct RealOnPlainDir {
  RealOnPlainDir() : root(std::filesystem::temp_directory_path() / UniqueName("cgc")) {
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    CgroupLayout layout;
    layout.version = 2;
    layout.unified = root;
    manager = std::make_unique<CgroupFsManager>(layout, "suanli/node-a", /*fake_fs=*/true);
  }
  ~RealOnPlainDir() { std::filesystem::remove_all(root); }
  std::string skip_reason() const { return ""; }
  // A directory where the temporary of `file` would go makes writing that limit fail.
  bool BreakLimitWrite(const std::string& file) {
    std::string dir = root + "/suanli/node-a/" + kGroup + "/" + file + ".tmp/in-the-way";
    return MakeDirs(dir).ok();
  }
  std::string root;
  std::unique_ptr<CgroupManager> manager;
};

// The real manager over the machine's cgroup v2, in a parent of its own.
struct RealOnMachine {
  RealOnMachine() {
    CgroupLayout layout = DetectCgroupLayout();
    if (geteuid() != 0) {
      skip = "needs root to create cgroups";
    } else if (layout.version != 2) {
      skip = "needs a cgroup v2 hierarchy (" + layout.Describe() + ")";
    } else if (access(layout.unified.c_str(), W_OK) != 0) {
      skip = layout.unified + " is not writable";
    }
    parent = UniqueName("suanli-contract");
    unified = layout.unified;
    manager = std::make_unique<CgroupFsManager>(layout, parent);
  }
  ~RealOnMachine() {
    if (skip.empty()) rmdir((unified + "/" + parent).c_str());
  }
  std::string skip_reason() const { return skip; }
  bool BreakLimitWrite(const std::string&) { return false; }  // the kernel's files cannot be
  std::string skip, parent, unified;
  std::unique_ptr<CgroupManager> manager;
};

struct Fake {
  Fake() : fake(new FakeCgroupManager("suanli/node-a")), manager(fake) {}
  std::string skip_reason() const { return ""; }
  bool BreakLimitWrite(const std::string& file) {
    fake->FailLimitWrite(file, EACCES);
    return true;
  }
  FakeCgroupManager* fake;
  std::unique_ptr<CgroupManager> manager;
};

template <typename Impl>
class CgroupContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!impl_.skip_reason().empty()) GTEST_SKIP() << impl_.skip_reason();
    ASSERT_TRUE(impl_.manager->Init().ok());
  }
  CgroupManager& m() { return *impl_.manager; }
  CgroupLimits Limits() {
    CgroupLimits l;
    l.cpu_quota = 1;
    l.memory_bytes = 64 << 20;
    l.pids_max = 50;
    return l;
  }
  Impl impl_;
};

using Implementations = ::testing::Types<RealOnPlainDir, RealOnMachine, Fake>;
TYPED_TEST_SUITE(CgroupContract, Implementations);

TYPED_TEST(CgroupContract, CreatedGroupsAreListedOpenedAndDestroyed) {
  auto cg = this->m().Create(kGroup, this->Limits());
  ASSERT_TRUE(cg.ok()) << cg.status().ToString();
  EXPECT_TRUE((*cg)->enforced());
  std::string path = (*cg)->path();
  EXPECT_EQ(path.substr(path.rfind('/') + 1), kGroup);
  ASSERT_FALSE((*cg)->ProcsFiles().empty());
  for (const auto& f : (*cg)->ProcsFiles()) EXPECT_EQ(f.substr(f.rfind('/')), "/cgroup.procs");
  EXPECT_TRUE((*cg)->Pids().empty()) << "no process joined yet";
  EXPECT_EQ((*cg)->OomKills(), 0);
  EXPECT_EQ(this->m().Existing(), std::vector<std::string>{kGroup});
  EXPECT_EQ(this->m().Open(kGroup)->path(), path) << "after a restart the same group is found";
  EXPECT_TRUE((*cg)->KillAll().ok()) << "killing an empty group is fine";
  ASSERT_TRUE((*cg)->Destroy().ok());
  EXPECT_TRUE(this->m().Existing().empty());
}

TYPED_TEST(CgroupContract, AFailedLimitWriteLeavesNoGroupAndNamesTheFile) {
  if (!this->impl_.BreakLimitWrite("memory.max"))
    GTEST_SKIP() << "this implementation cannot be made to fail a limit write";
  auto cg = this->m().Create(kGroup, this->Limits());
  ASSERT_FALSE(cg.ok());
  EXPECT_NE(cg.status().message().find(std::string(kGroup) + "/memory.max"), std::string::npos)
      << cg.status().message();
  EXPECT_TRUE(this->m().Existing().empty()) << "the half-made group is removed";
}

TEST(FakeCgroupManager, CreationFailsLikeMkdirAndRecordsLimits) {
  FakeCgroupManager m("suanli/node-a");
  m.FailCreate(EACCES);
  auto failed = m.Create(kGroup, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(),
            "cannot create cgroup /fake-cgroup/suanli/node-a/7.1.0: Permission denied");
  EXPECT_TRUE(m.Existing().empty());
  m.FailCreate(0);
  CgroupLimits l;
  l.pids_max = 9;
  auto cg = m.Create(kGroup, l);
  ASSERT_TRUE(cg.ok());
  ASSERT_NE(m.group(kGroup), nullptr);
  EXPECT_EQ(m.group(kGroup)->limits.pids_max, 9);
  m.group(kGroup)->pids = {42};
  EXPECT_FALSE((*cg)->Destroy().ok()) << "a group with processes cannot be removed";
  ASSERT_TRUE((*cg)->KillAll().ok());
  EXPECT_EQ(m.group(kGroup)->kills, 1);
  EXPECT_TRUE((*cg)->Destroy().ok());
}

}  // namespace
}  // namespace suanli::agent
