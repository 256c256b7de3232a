#include "slurm/option_values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

using testing::HasSubstr;

TEST(OptionValuesTest, NodeRanges) {
  EXPECT_EQ(*ParseNodeRange("4"), (NodeRange{4, 4}));
  EXPECT_EQ(*ParseNodeRange("2-8"), (NodeRange{2, 8}));
  EXPECT_THAT(ErrorMessage(ParseNodeRange("8-2")), HasSubstr("minimum is above the maximum"));
  for (const char* t : {"", "0", "x", "2-", "-2", "1-0", "2-x"}) {
    EXPECT_THAT(ErrorMessage(ParseNodeRange(t)), HasSubstr("invalid node count")) << t;
  }
}

TEST(OptionValuesTest, Counts) {
  EXPECT_EQ(*ParsePositiveCount("8"), 8u);
  for (const char* t : {"", "0", "-1", "two", "99999999999"}) {
    EXPECT_THAT(ErrorMessage(ParsePositiveCount(t)), HasSubstr("expected a positive number"));
  }
}

TEST(OptionValuesTest, Signals) {
  EXPECT_EQ(*ParseSignalSpec("USR1@90"), (SignalSpec{10, "USR1", 90, false, false}));
  EXPECT_EQ(*ParseSignalSpec("B:USR1@300"), (SignalSpec{10, "USR1", 300, true, false}));
  EXPECT_EQ(*ParseSignalSpec("SIGUSR2"), (SignalSpec{12, "USR2", 60, false, false}));
  EXPECT_EQ(*ParseSignalSpec("B:SIGTERM@120"), (SignalSpec{15, "TERM", 120, true, false}));
  EXPECT_EQ(*ParseSignalSpec("10@60"), (SignalSpec{10, "USR1", 60, false, false}));
  EXPECT_EQ(*ParseSignalSpec("R:INT"), (SignalSpec{2, "INT", 60, false, true}));
  EXPECT_EQ(*ParseSignalSpec("usr1"), (SignalSpec{10, "USR1", 60, false, false}));
  for (const char* t : {"", "FOO", "USR1@", "USR1@x", "USR1@70000", "X:USR1", "99", "@60"}) {
    EXPECT_THAT(ErrorMessage(ParseSignalSpec(t)), HasSubstr("invalid signal")) << t;
  }
}

TEST(OptionValuesTest, Export) {
  EXPECT_EQ(*ParseExportSpec("ALL"), (ExportSpec{true, {}}));
  EXPECT_EQ(*ParseExportSpec("NONE"), (ExportSpec{false, {}}));
  const auto list = *ParseExportSpec("ALL,NCCL_DEBUG=INFO,HOME");
  EXPECT_TRUE(list.all);
  ASSERT_EQ(list.variables.size(), 2u);
  EXPECT_EQ(list.variables[0].first, "NCCL_DEBUG");
  EXPECT_EQ(list.variables[0].second, "INFO");
  EXPECT_FALSE(list.variables[1].second.has_value());
  EXPECT_FALSE(ParseExportSpec("PATH,LD_LIBRARY_PATH")->all);
  EXPECT_EQ(ParseExportSpec("A=x=y")->variables[0].second, "x=y");
  for (const char* t : {"", "1A=2", "A B", ",", "ALL,"}) {
    EXPECT_THAT(ErrorMessage(ParseExportSpec(t)), HasSubstr("invalid export")) << t;
  }
}

TEST(OptionValuesTest, MailTypes) {
  EXPECT_EQ(*ParseMailTypes("END,fail"), (std::vector<std::string>{"END", "FAIL"}));
  EXPECT_EQ(*ParseMailTypes("ALL"), (std::vector<std::string>{"ALL"}));
  EXPECT_EQ(*ParseMailTypes("TIME_LIMIT_90"), (std::vector<std::string>{"TIME_LIMIT_90"}));
  EXPECT_THAT(ErrorMessage(ParseMailTypes("END,LUNCH")), HasSubstr("'LUNCH' is not one of"));
  EXPECT_THAT(ErrorMessage(ParseMailTypes("")), HasSubstr("invalid mail type"));
}

TEST(OptionValuesTest, OpenModeAndExclusive) {
  EXPECT_EQ(*ParseOpenMode("append"), OpenMode::kAppend);
  EXPECT_EQ(*ParseOpenMode("TRUNCATE"), OpenMode::kTruncate);
  EXPECT_THAT(ErrorMessage(ParseOpenMode("overwrite")), HasSubstr("append or truncate"));
  EXPECT_EQ(*ParseExclusiveMode(""), "");
  EXPECT_EQ(*ParseExclusiveMode("User"), "user");
  EXPECT_THAT(ErrorMessage(ParseExclusiveMode("all")), HasSubstr("user, mcs or topo"));
}

}  // namespace
}  // namespace suanli::slurm
