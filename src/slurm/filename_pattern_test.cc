#include "slurm/filename_pattern.h"

#include <gtest/gtest.h>

namespace suanli::slurm {
namespace {

FilenameValues Plain() {
  FilenameValues v;
  v.job_id = 4242;
  v.job_name = "train";
  v.user = "alice";
  v.first_node = "gpu07";
  return v;
}

FilenameValues ArrayTask() {
  FilenameValues v = Plain();
  v.job_id = 4250;
  v.array_job_id = 4242;
  v.array_task_id = 7;
  return v;
}

TEST(FilenamePatternTest, EverySymbol) {
  const auto v = Plain();
  EXPECT_EQ(ExpandFilenamePattern("slurm-%j.out", v), "slurm-4242.out");
  EXPECT_EQ(ExpandFilenamePattern("%x-%j.log", v), "train-4242.log");
  EXPECT_EQ(ExpandFilenamePattern("/home/%u/logs/%x.%N.%n.%t", v),
            "/home/alice/logs/train.gpu07.0.0");
  EXPECT_EQ(ExpandFilenamePattern("100%%-%j", v), "100%-4242");
  EXPECT_EQ(ExpandFilenamePattern("%J", v), "4242.batch");
  EXPECT_EQ(ExpandFilenamePattern("%s", v), "batch");
  EXPECT_EQ(ExpandFilenamePattern("no-symbols.txt", v), "no-symbols.txt");
}

TEST(FilenamePatternTest, ArrayJobs) {
  const auto v = ArrayTask();
  EXPECT_EQ(ExpandFilenamePattern("slurm-%A_%a.out", v), "slurm-4242_7.out");
  EXPECT_EQ(ExpandFilenamePattern("%j", v), "4250");  // each task has its own job id
  EXPECT_EQ(ExpandFilenamePattern("%b", v), "7");
  // Outside an array %A is the job id and %a is Slurm's NO_VAL.
  EXPECT_EQ(ExpandFilenamePattern("%A_%a", Plain()), "4242_4294967294");
}

TEST(FilenamePatternTest, ZeroPadding) {
  const auto v = ArrayTask();
  EXPECT_EQ(ExpandFilenamePattern("task-%5a.out", v), "task-00007.out");
  EXPECT_EQ(ExpandFilenamePattern("%3j", v), "4250");  // never truncates
  EXPECT_EQ(ExpandFilenamePattern("%8j", v), "00004250");
  EXPECT_EQ(ExpandFilenamePattern("%99a", v), "0000000007");  // at most 10 digits
  EXPECT_EQ(ExpandFilenamePattern("%5x", v), "train");        // names are not padded
  EXPECT_EQ(ExpandFilenamePattern("%5N", v), "gpu07");
}

TEST(FilenamePatternTest, UnknownSymbolsAndBackslashes) {
  const auto v = Plain();
  EXPECT_EQ(ExpandFilenamePattern("%q-%j", v), "%q-4242");
  EXPECT_EQ(ExpandFilenamePattern("%12q", v), "%12q");
  EXPECT_EQ(ExpandFilenamePattern("end%", v), "end%");
  EXPECT_EQ(ExpandFilenamePattern("end%5", v), "end%5");
  EXPECT_EQ(ExpandFilenamePattern("lit\\%j", v), "lit%j");
  EXPECT_EQ(ExpandFilenamePattern("\\%x-%j", v), "%x-%j");
}

TEST(FilenamePatternTest, ARelativePatternIsInTheWorkingDirectoryWhoseOwnPercentsStayLiteral) {
  EXPECT_EQ(AbsoluteFilenamePattern("logs/%x-%j.out", "/home/a"), "/home/a/logs/%x-%j.out");
  EXPECT_EQ(AbsoluteFilenamePattern("o.txt", "/scratch/"), "/scratch/o.txt");
  EXPECT_EQ(AbsoluteFilenamePattern("/abs/%j.out", "/home/a"), "/abs/%j.out");
  EXPECT_EQ(AbsoluteFilenamePattern("x-%j", ""), "x-%j")
      << "no directory known: left to the server";
  const std::string p = AbsoluteFilenamePattern("%j.out", "/runs/100%j");
  EXPECT_EQ(p, "/runs/100%%j/%j.out");
  EXPECT_EQ(ExpandFilenamePattern(p, Plain()), "/runs/100%j/4242.out");
}

TEST(FilenamePatternTest, Defaults) {
  EXPECT_EQ(DefaultOutputPattern(false), "slurm-%j.out");
  EXPECT_EQ(DefaultOutputPattern(true), "slurm-%A_%a.out");
}

}  // namespace
}  // namespace suanli::slurm
