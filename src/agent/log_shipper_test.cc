#include "agent/log_shipper.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/fs_util.h"

namespace suanli::agent {
namespace {

class LogShipperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("logs-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = dir_ + "/stdout";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Append(const std::string& s) { std::ofstream(path_, std::ios::app) << s; }
  std::string dir_, path_;
};

TEST_F(LogShipperTest, ShipsNewBytesInChunksWithLogicalOffsets) {
  LogShipper s(path_);
  auto c = s.Next(4);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->data.empty()) << "no file yet is no data, not an error";
  Append("hello world");
  c = s.Next(4);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->offset, 0);
  EXPECT_EQ(c->data, "hell");
  EXPECT_FALSE(s.Drained());
  s.Ack(*c);
  c = s.Next(100);
  EXPECT_EQ(c->offset, 4);
  EXPECT_EQ(c->data, "o world");
  // Not acknowledged (upload failed): the same bytes come again.
  EXPECT_EQ(s.Next(100)->data, "o world");
  s.Ack(*c);
  EXPECT_TRUE(s.Drained());
}

TEST_F(LogShipperTest, RotatesOnlyWhenDrainedAndOverTheLimitKeepingOffsetsContinuous) {
  LogShipper s(path_);
  Append("0123456789");
  auto rotated = s.MaybeRotate(5);
  ASSERT_TRUE(rotated.ok());
  EXPECT_FALSE(*rotated) << "bytes not yet uploaded are never rotated away";
  s.Ack(*s.Next(100));
  rotated = s.MaybeRotate(5);
  ASSERT_TRUE(rotated.ok());
  EXPECT_TRUE(*rotated);
  EXPECT_EQ(*ReadFile(path_ + ".1"), "0123456789");
  EXPECT_EQ(*ReadFile(path_), "");
  EXPECT_EQ(s.base(), 10);
  Append("abc");
  auto c = s.Next(100);
  EXPECT_EQ(c->offset, 10) << "the stream continues where the rotated file ended";
  EXPECT_EQ(c->data, "abc");
  s.Ack(*c);
  EXPECT_FALSE(*s.MaybeRotate(5)) << "under the limit";
}

TEST_F(LogShipperTest, AUserFileIsReadAfterItsGateFromWhereTheJobBeganAndNeverRotated) {
  Append("last run\n");  // --open-mode=append onto an earlier run's output
  const int me = static_cast<int>(geteuid());
  const std::string gate = dir_ + "/user_files_open";
  LogShipper s(path_, -9, DefaultFileSystem(), UserFile{gate, me});
  Append("this run\n");
  EXPECT_TRUE(s.Next(100)->data.empty()) << "nothing before the job opened its files";
  EXPECT_TRUE(s.Drained()) << "a job that never opened them leaves nothing to wait for";
  std::ofstream(gate) << "open\n";
  auto c = s.Next(100);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->offset, 0);
  EXPECT_EQ(c->data, "this run\n") << "the earlier run's bytes are not this job's log";
  EXPECT_FALSE(s.Drained());
  s.Ack(*c);
  EXPECT_TRUE(s.Drained());
  Append(std::string(100, 'x'));
  s.Ack(*s.Next(1000));
  EXPECT_FALSE(*s.MaybeRotate(10)) << "the user's file is never truncated by the agent";
  EXPECT_EQ(std::filesystem::file_size(path_), 118u);
}

TEST_F(LogShipperTest, AUserFileNotOwnedByTheJobIsRefusedOnceAndCountsAsDrained) {
  Append("someone else's\n");
  const std::string gate = dir_ + "/user_files_open";
  std::ofstream(gate) << "open\n";
  LogShipper s(path_, 0, DefaultFileSystem(), UserFile{gate, static_cast<int>(geteuid()) + 1});
  auto c = s.Next(100);
  ASSERT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.refused().find(path_), std::string::npos) << s.refused();
  EXPECT_TRUE(s.Next(100).ok()) << "refused once, then nothing more is read";
  EXPECT_TRUE(s.Next(100)->data.empty());
  EXPECT_TRUE(s.Drained()) << "the task's end does not wait for it";
}

TEST_F(LogShipperTest, AUserFileBehindADeviceOrFifoIsNeverOpenedForReading) {
  const std::string gate = dir_ + "/user_files_open";
  std::ofstream(gate) << "open\n";
  const std::string fifo = dir_ + "/slurm-9.out";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  LogShipper s(fifo, 0, DefaultFileSystem(), UserFile{gate, static_cast<int>(geteuid())});
  auto c = s.Next(100);  // would block forever if it opened the FIFO for reading
  ASSERT_FALSE(c.ok());
  EXPECT_NE(s.refused().find("not a regular file"), std::string::npos) << s.refused();
  EXPECT_TRUE(s.Drained());
  LogShipper tty("/dev/null", 0, DefaultFileSystem(), UserFile{gate, 0});
  EXPECT_FALSE(tty.Next(100).ok()) << "a device is refused too";
}

}  // namespace
}  // namespace suanli::agent
