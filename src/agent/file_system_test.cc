// One suite for both FileSystems: the real one in a temporary directory and the in-memory fake, so
// the fake the supervisor's failure tests run on behaves as the machine does.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "agent/fs_util.h"
#include "agent/testing/fake_file_system.h"

namespace suanli::agent {
namespace {

struct RealFs {
  RealFs() {
    root = std::filesystem::temp_directory_path() /
           ("fs-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
  }
  ~RealFs() { std::filesystem::remove_all(root); }
  FileSystem* fs() { return DefaultFileSystem(); }
  std::string root;
};

struct FakeFs {
  FakeFs() { (void)fake.MakeDirs(root, 0755); }
  FileSystem* fs() { return &fake; }
  FakeFileSystem fake;
  std::string root = "/fake-root";
};

template <typename Impl>
class FileSystemContract : public ::testing::Test {
 protected:
  FileSystem* fs() { return impl_.fs(); }
  std::string P(const std::string& rel) { return impl_.root + "/" + rel; }
  Impl impl_;
};

using Implementations = ::testing::Types<RealFs, FakeFs>;
TYPED_TEST_SUITE(FileSystemContract, Implementations);

TYPED_TEST(FileSystemContract, WritesReplaceAtomicallyAndReadBack) {
  FileSystem* fs = this->fs();
  std::string f = this->P("task.json");
  ASSERT_TRUE(fs->WriteFileAtomic(f, "first", 0600).ok());
  ASSERT_TRUE(fs->WriteFileAtomic(f, "second!", 0600).ok());
  EXPECT_EQ(*fs->ReadFile(f), "second!");
  auto info = fs->Stat(f);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 7);
  EXPECT_FALSE(info->is_dir);
  EXPECT_FALSE(fs->Exists(f + ".tmp")) << "the temporary is renamed away";
  EXPECT_EQ(fs->ListDir(this->impl_.root), std::vector<std::string>{"task.json"});
}

TYPED_TEST(FileSystemContract, MissingFilesAreNotFoundAndNamed) {
  FileSystem* fs = this->fs();
  std::string f = this->P("absent");
  EXPECT_FALSE(fs->Exists(f));
  auto r = fs->ReadFile(f);
  ASSERT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find(f), std::string::npos);
  EXPECT_EQ(fs->ReadAt(f, 0, 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs->Stat(f).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs->ListDir(f).empty());
  Status w = fs->WriteFileAtomic(this->P("no-dir/file"), "x", 0644);
  EXPECT_FALSE(w.ok()) << "the parent directory is not created implicitly";
  EXPECT_NE(w.message().find("no-dir/file"), std::string::npos) << w.message();
  EXPECT_TRUE(fs->RemoveTree(this->P("absent-dir")).ok()) << "removing nothing is fine";
}

TYPED_TEST(FileSystemContract, AppendsReadsAtOffsetsAndTruncates) {
  FileSystem* fs = this->fs();
  std::string log = this->P("stdout");
  ASSERT_TRUE(fs->Append(log, "hello ").ok());
  ASSERT_TRUE(fs->Append(log, "world").ok());
  EXPECT_EQ(*fs->ReadAt(log, 0, 5), "hello");
  EXPECT_EQ(*fs->ReadAt(log, 6, 100), "world") << "short at the end";
  EXPECT_EQ(*fs->ReadAt(log, 11, 4), "") << "nothing past it";
  ASSERT_TRUE(fs->Truncate(log).ok());
  EXPECT_EQ(fs->Stat(log)->size, 0);
  ASSERT_TRUE(fs->Append(log, "again").ok());
  EXPECT_EQ(*fs->ReadFile(log), "again");
  EXPECT_FALSE(fs->Truncate(this->P("absent")).ok());
}

TYPED_TEST(FileSystemContract, AJobsOwnFileIsReadOnlyWhenItsOwnerIsTheJobs) {
  FileSystem* fs = this->fs();
  std::string out = this->P("slurm-7.out");
  ASSERT_TRUE(fs->Append(out, "step 1\n").ok());
  const int me = static_cast<int>(geteuid());
  ASSERT_TRUE(fs->SetOwner(out, me, static_cast<int>(getegid())).ok());
  EXPECT_EQ(*fs->ReadAtOwnedBy(out, 5, 100, me), "1\n");
  auto other = fs->ReadAtOwnedBy(out, 0, 100, me + 1);
  ASSERT_EQ(other.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(other.status().message().find(out), std::string::npos) << other.status().message();
  EXPECT_EQ(fs->ReadAtOwnedBy(this->P("absent"), 0, 1, me).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(fs->MakeDirs(this->P("d"), 0755).ok());
  ASSERT_TRUE(fs->SetOwner(this->P("d"), me, static_cast<int>(getegid())).ok());
  EXPECT_EQ(fs->ReadAtOwnedBy(this->P("d"), 0, 1, me).status().code(),
            StatusCode::kPermissionDenied)
      << "a directory is not a log";
}

TEST(RealFileSystemTest, AJobsFileIsNotReadThroughASymbolicLink) {
  RealFs real;
  std::string secret = real.root + "/secret", link = real.root + "/slurm-8.out";
  ASSERT_TRUE(real.fs()->WriteFileAtomic(secret, "not yours", 0600).ok());
  std::filesystem::create_symlink(secret, link);
  auto r = real.fs()->ReadAtOwnedBy(link, 0, 100, static_cast<int>(geteuid()));
  ASSERT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("symbolic link"), std::string::npos) << r.status().message();
}

TYPED_TEST(FileSystemContract, DirectoriesNestListAndRemoveAsTrees) {
  FileSystem* fs = this->fs();
  std::string dir = this->P("tasks/7.1.0/tmp");
  ASSERT_TRUE(fs->MakeDirs(dir, 0711).ok());
  ASSERT_TRUE(fs->MakeDirs(dir, 0711).ok()) << "existing is fine";
  EXPECT_TRUE(fs->Stat(this->P("tasks/7.1.0"))->is_dir);
  ASSERT_TRUE(fs->WriteFileAtomic(this->P("tasks/7.1.0/exit"), "exit 0\n", 0644).ok());
  ASSERT_TRUE(fs->SetMode(dir, 0700).ok());
  auto names = fs->ListDir(this->P("tasks/7.1.0"));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"exit", "tmp"}));
  ASSERT_TRUE(fs->RemoveTree(this->P("tasks/7.1.0")).ok());
  EXPECT_FALSE(fs->Exists(dir));
  EXPECT_FALSE(fs->Exists(this->P("tasks/7.1.0/exit")));
  EXPECT_TRUE(fs->Exists(this->P("tasks")));
  ASSERT_TRUE(fs->WriteFileAtomic(this->P("tasks/file"), "x", 0644).ok());
  EXPECT_FALSE(fs->MakeDirs(this->P("tasks/file/sub"), 0755).ok()) << "a file is in the way";
}

// The fake's disk-full error must read like the machine's: the real one is reached through
// /dev/full, which answers every write with ENOSPC.
TEST(FakeFileSystem, DiskFullFailsLikeTheMachineAndChangesNothing) {
  Status real = DefaultFileSystem()->Append("/dev/full", "x");
  ASSERT_FALSE(real.ok());
  EXPECT_EQ(real.message(), "cannot write /dev/full: No space left on device");
  FakeFileSystem fake;
  ASSERT_TRUE(fake.MakeDirs("/dev", 0755).ok());
  ASSERT_TRUE(fake.WriteFileAtomic("/dev/full", "", 0644).ok());
  fake.SetFreeBytes(0);
  EXPECT_EQ(fake.Append("/dev/full", "x").message(), real.message());
  EXPECT_EQ(fake.MakeDirs("/w", 0755).message(),
            "cannot create directory /w: No space left on device")
      << "a new directory needs a block too";

  fake.SetFreeBytes(10);
  ASSERT_TRUE(fake.MakeDirs("/w", 0755).ok());
  ASSERT_TRUE(fake.WriteFileAtomic("/w/a", "12345678", 0644).ok());
  Status full = fake.WriteFileAtomic("/w/a", "123", 0644);
  EXPECT_EQ(full.message(), "cannot write /w/a.tmp: No space left on device")
      << "the temporary needs room while the old file still exists";
  EXPECT_EQ(*fake.ReadFile("/w/a"), "12345678") << "the old content survives";
  ASSERT_TRUE(fake.RemoveTree("/w/a").ok());
  EXPECT_TRUE(fake.WriteFileAtomic("/w/a", "123", 0644).ok()) << "removing frees the space";
  fake.FailWritesTo("/w/a", EIO);
  EXPECT_EQ(fake.Append("/w/a", "4").message(), "cannot write /w/a: Input/output error");
  fake.ClearFailures();
  EXPECT_TRUE(fake.Append("/w/a", "4").ok());
}

}  // namespace
}  // namespace suanli::agent
