#include "agent/output_files.h"

#include <gtest/gtest.h>

namespace suanli::agent {
namespace {

LaunchSpec Spec(const std::string& output, const std::string& error) {
  LaunchSpec s;
  s.ref = {42, 1, 0};
  s.name = "train";
  s.user = "alice";
  s.output_pattern = output;
  s.error_pattern = error;
  return s;
}

LaunchSpec Task3(const std::string& output, const std::string& error) {
  LaunchSpec s = Spec(output, error);
  s.ref.task = 3;
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
  EXPECT_EQ(f.stderr_path, "/logs/alice/42.gpu07.2.0.err");
  EXPECT_FALSE(f.stderr_to_stdout);
  EXPECT_FALSE(f.append);
}

TEST(OutputFilesTest, AFileWithoutAPerTaskSymbolIsTheFirstTasksOnly) {
  // Task 3 of a gang: the shared output is task 0's (as sbatch's batch step runs once); its own
  // error file, named per task, is its own; its stdout stays in the agent's log.
  auto f = ExpandOutputFiles(Task3("/logs/%x-%j.out", "/logs/%j.%5t.err"), Env());
  EXPECT_TRUE(f.stdout_path.empty());
  EXPECT_EQ(f.stderr_path, "/logs/42.00003.err");
  EXPECT_FALSE(f.stderr_to_stdout);
  EXPECT_FALSE(ExpandOutputFiles(Task3("/logs/%x-%j.out", ""), Env()).any());
  EXPECT_FALSE(ExpandOutputFiles(Task3("/logs/100%%t-%j.out", ""), Env()).any())
      << "%%t is a literal percent and a t";
  auto per_node = ExpandOutputFiles(Task3("/logs/%j-%N.out", "/logs/shared.err"), Env());
  EXPECT_EQ(per_node.stdout_path, "/logs/42-gpu07.out");
  EXPECT_TRUE(per_node.stderr_path.empty());
  EXPECT_FALSE(per_node.stderr_to_stdout) << "an error was asked for: not folded into stdout";
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
