#include "agent/output_files.h"

#include <gtest/gtest.h>

namespace suanli::agent {
namespace {

LaunchSpec Spec(const std::string& output, const std::string& error) {
  LaunchSpec s;
  s.ref = {42, 1, 3};
  s.name = "train";
  s.user = "alice";
  s.output_pattern = output;
  s.error_pattern = error;
  return s;
}

EnvMap Env() {
  return {{"SUANLI_NODE", "gpu07"},
          {"SLURM_NODEID", "2"},
          {"SUANLI_ARRAY_JOB_ID", "40"},
          {"SUANLI_ARRAY_TASK_ID", "5"}};
}

TEST(OutputFilesTest, PatternsAreExpandedForThisTask) {
  auto f = ExpandOutputFiles(Spec("/logs/%x-%A_%a.out", "/logs/%u/%j.%N.%n.%t.err"), Env());
  EXPECT_EQ(f.stdout_path, "/logs/train-40_5.out");
  EXPECT_EQ(f.stderr_path, "/logs/alice/42.gpu07.2.3.err");
  EXPECT_FALSE(f.stderr_to_stdout);
  EXPECT_FALSE(f.append);
}

TEST(OutputFilesTest, AnOutputAloneTakesBothStreamsAndAnErrorAloneOnlyItsOwn) {
  auto both = ExpandOutputFiles(Spec("/logs/%j.out", ""), Env());
  EXPECT_EQ(both.stdout_path, "/logs/42.out");
  EXPECT_TRUE(both.stderr_path.empty());
  EXPECT_TRUE(both.stderr_to_stdout);
  auto same = ExpandOutputFiles(Spec("/logs/%j.log", "/logs/%j.log"), Env());
  EXPECT_TRUE(same.stderr_to_stdout) << "one file named twice is opened once";
  auto err = ExpandOutputFiles(Spec("", "/logs/%j.err"), Env());
  EXPECT_TRUE(err.stdout_path.empty());
  EXPECT_EQ(err.stderr_path, "/logs/42.err");
  EXPECT_FALSE(err.stderr_to_stdout);
}

TEST(OutputFilesTest, NothingAskedNothingOpenedAndANonArrayJobIsItsOwnArray) {
  EXPECT_FALSE(ExpandOutputFiles(Spec("", ""), Env()).any());
  auto f = ExpandOutputFiles(Spec("/o/%A-%a-%%.out", ""), {{"SUANLI_NODE", "n1"}});
  EXPECT_EQ(f.stdout_path, "/o/42-4294967294-%.out") << "Slurm's %A and %a outside an array";
}

}  // namespace
}  // namespace suanli::agent
