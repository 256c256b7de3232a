// Checks the integration helpers themselves on plain system commands, so a failure elsewhere is
// never the helpers' fault.
#include <gtest/gtest.h>
#include <signal.h>

#include "support/cluster.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace suanli::it {
namespace {

TEST(SupportSelfTest, RunCommandCapturesOutputAndExitCode) {
  auto out = RunCommand({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(out.exit.exit_code, 3) << out.Describe();
  EXPECT_EQ(out.out, "out\n");
  EXPECT_EQ(out.err, "err\n");
}

TEST(SupportSelfTest, RunCommandPassesEnvironment) {
  auto out = RunCommand({"/bin/sh", "-c", "echo $SUANLI_IT_PROBE"}, {{"SUANLI_IT_PROBE", "v42"}});
  EXPECT_EQ(out.out, "v42\n") << out.Describe();
}

TEST(SupportSelfTest, RunCommandKillsOnTimeout) {
  auto start = std::chrono::steady_clock::now();
  auto out = RunCommand({"/bin/sleep", "30"}, {}, std::chrono::milliseconds(200));
  EXPECT_EQ(out.exit.term_signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SupportSelfTest, ChildProcessTerminates) {
  TempDir dir("self");
  auto child = ChildProcess::Spawn({"/bin/sleep", "30"}, {}, dir.path() + "/o", dir.path() + "/e");
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_TRUE(child->running());
  EXPECT_FALSE(child->Wait(std::chrono::milliseconds(50)).has_value());
  child->Signal(SIGTERM);
  auto info = child->Wait(std::chrono::seconds(5));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->term_signal, SIGTERM);
}

TEST(SupportSelfTest, PollUntilStopsWhenDone) {
  int calls = 0;
  EXPECT_TRUE(PollUntil([&] { return ++calls == 3; }, std::chrono::seconds(5),
                        std::chrono::milliseconds(1)));
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(PollUntil([] { return false; }, std::chrono::milliseconds(30)));
}

TEST(SupportSelfTest, TrimDropsSurroundingWhitespace) {
  EXPECT_EQ(Trim("  42\n"), "42");
  EXPECT_EQ(Trim("\n\n"), "");
}

}  // namespace
}  // namespace suanli::it
