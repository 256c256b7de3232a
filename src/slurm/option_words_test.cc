#include "slurm/option_words.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

using testing::HasSubstr;

// "name=value" for each use, with "?" for an unknown option's name.
std::vector<std::string> Uses(const std::vector<std::string>& words) {
  auto r = ReadOptionWords(words);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> out;
  if (!r.ok()) return out;
  for (const auto& u : *r) {
    out.push_back((u.def ? std::string(u.def->display()) : "?" + u.written) + "=" + u.value);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(OptionWordsTest, LongForms) {
  EXPECT_EQ(Uses({"--time=1:00:00", "--nodes", "2"}), (Strings{"time=1:00:00", "nodes=2"}));
  EXPECT_EQ(Uses({"--job-name=a=b"}), (Strings{"job-name=a=b"}));
  EXPECT_EQ(Uses({"--output", "-weird-name.log"}), (Strings{"output=-weird-name.log"}));
  EXPECT_EQ(Uses({"--exclusive", "--requeue"}), (Strings{"exclusive=", "requeue="}));
  EXPECT_EQ(Uses({"--exclusive=user"}), (Strings{"exclusive=user"}));
  EXPECT_EQ(Uses({"--tasks-per-node=4"}), (Strings{"ntasks-per-node=4"}));
}

TEST(OptionWordsTest, UniquePrefixes) {
  EXPECT_EQ(Uses({"--part=gpu"}), (Strings{"partition=gpu"}));
  EXPECT_EQ(Uses({"--mem=4G"}), (Strings{"mem=4G"}));  // exact beats prefix
  EXPECT_EQ(Uses({"--mem-per-c=4G"}), (Strings{"mem-per-cpu=4G"}));
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"--ntask=4"})),
              HasSubstr("option '--ntask' is ambiguous; possibilities: --ntasks"));
}

TEST(OptionWordsTest, ShortForms) {
  EXPECT_EQ(Uses({"-J", "train", "-N2", "-n", "16", "-Jname"}),
            (Strings{"job-name=train", "nodes=2", "ntasks=16", "job-name=name"}));
  EXPECT_EQ(Uses({"-H"}), (Strings{"hold="}));
  EXPECT_EQ(Uses({"-Hk"}), (Strings{"hold=", "no-kill="}));
  EXPECT_EQ(Uses({"-Ht", "5"}), (Strings{"hold=", "time=5"}));
  EXPECT_EQ(Uses({"-G", "a100:2", "-w", "gpu[1-2]"}),
            (Strings{"gpus=a100:2", "nodelist=gpu[1-2]"}));
}

TEST(OptionWordsTest, UnknownLongOptionsAreKeptForAWarning) {
  EXPECT_EQ(Uses({"--image=docker:nvcr.io/pytorch:24.01", "-N", "1"}),
            (Strings{"?--image=docker:nvcr.io/pytorch:24.01", "nodes=1"}));
  EXPECT_EQ(Uses({"--module", "gpu", "--qos=x"}), (Strings{"?--module=gpu", "qos=x"}));
  EXPECT_EQ(Uses({"--flagonly", "--qos=x"}), (Strings{"?--flagonly=", "qos=x"}));
}

TEST(OptionWordsTest, Errors) {
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"--time"})),
              HasSubstr("option '--time' requires an argument"));
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"-t"})), HasSubstr("option '-t' requires an argument"));
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"--hold=yes"})), HasSubstr("doesn't allow"));
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"-X"})), HasSubstr("invalid option -- 'X'"));
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"train.sh"})), HasSubstr("unexpected word"));
  EXPECT_THAT(ErrorMessage(ReadOptionWords({"-"})), HasSubstr("unexpected word"));
}

}  // namespace
}  // namespace suanli::slurm
