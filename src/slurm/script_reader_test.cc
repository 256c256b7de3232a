#include "slurm/script_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

using testing::HasSubstr;
using Words = std::vector<std::string>;

std::vector<DirectiveLine> Read(std::string_view script) {
  auto r = ReadDirectives(script);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<DirectiveLine>{};
}

TEST(ScriptReaderTest, DirectivesWithLineNumbers) {
  const auto lines = Read(
      "#!/bin/bash\n"
      "#SBATCH --job-name=train\n"
      "\n"
      "# a comment\n"
      "#SBATCH -N 2 --ntasks-per-node=8   # two nodes\n"
      "##SBATCH --time=1:00:00\n"
      "  #SBATCH --qos=ignored-indented\n"
      "#SBATCH\n"
      "srun python train.py\n"
      "#SBATCH --partition=after-the-first-command\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].line_number, 2);
  EXPECT_EQ(lines[0].words, (Words{"--job-name=train"}));
  EXPECT_EQ(lines[1].line_number, 5);
  EXPECT_EQ(lines[1].words, (Words{"-N", "2", "--ntasks-per-node=8"}));
}

TEST(ScriptReaderTest, QuotesEscapesAndComments) {
  const auto lines = Read(
      "#!/bin/sh\n"
      "#SBATCH --job-name=\"my job\" --comment='a # not a comment'\n"
      "#SBATCH --output=logs/%x-%j.out#comment right after\n"
      "#SBATCH --wrap=a\\ b\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].words, (Words{"--job-name=my job", "--comment=a # not a comment"}));
  EXPECT_EQ(lines[1].words, (Words{"--output=logs/%x-%j.out"}));
  EXPECT_EQ(lines[2].words, (Words{"--wrap=a b"}));
}

TEST(ScriptReaderTest, NoDirectivesIsFine) {
  EXPECT_TRUE(Read("#!/bin/bash\necho hi\n").empty());
  EXPECT_TRUE(Read("#!/bin/bash").empty());
}

TEST(ScriptReaderTest, WhatSbatchRefuses) {
  EXPECT_THAT(ErrorMessage(ReadDirectives("")), HasSubstr("Batch script is empty!"));
  EXPECT_THAT(ErrorMessage(ReadDirectives(" \n\n")), HasSubstr("only whitespace"));
  EXPECT_THAT(ErrorMessage(ReadDirectives("#SBATCH -N 1\nhostname\n")),
              HasSubstr("The first line must start with #!"));
  EXPECT_THAT(ErrorMessage(ReadDirectives("echo hi\n")),
              HasSubstr("This does not look like a batch script"));
  EXPECT_THAT(ErrorMessage(ReadDirectives("#!/bin/sh\r\n#SBATCH -N 1\r\n")),
              HasSubstr("DOS line breaks"));
  EXPECT_THAT(ErrorMessage(ReadDirectives(std::string_view("#!/bin/sh\n\0\n", 12))),
              HasSubstr("NULL character"));
  EXPECT_THAT(ErrorMessage(ReadDirectives("#!/bin/sh\n#SBATCH --job-name=\"open\n")),
              HasSubstr("line 2: unterminated quote"));
}

TEST(ScriptReaderTest, HeterogeneousJobsAreRefused) {
  const auto message = ErrorMessage(ReadDirectives(
      "#!/bin/bash\n#SBATCH -N 1 --mem=4G\n#SBATCH hetjob\n#SBATCH -N 2 --gpus=8\nsrun x\n"));
  EXPECT_THAT(message, HasSubstr("line 3:"));
  EXPECT_THAT(message, HasSubstr("heterogeneous jobs are not supported"));
  EXPECT_THAT(ErrorMessage(ReadDirectives("#!/bin/bash\n#SBATCH packjob\n")),
              HasSubstr("heterogeneous jobs are not supported"));
}

}  // namespace
}  // namespace suanli::slurm
