#include "cli/format.h"

#include <gtest/gtest.h>

namespace suanli::cli {
namespace {

TEST(Table, AlignsColumnsAndDoesNotPadTheLastOne) {
  Table t({"ID", "NAME", "REASON"});
  t.AddRow({"7", "train", "waiting"});
  t.AddRow({"12", "x", ""});
  EXPECT_EQ(t.Render(),
            "ID  NAME   REASON\n"
            "7   train  waiting\n"
            "12  x\n");
}

TEST(FormatElapsed, UsesSlurmStyle) {
  EXPECT_EQ(FormatElapsed(0), "0:00");
  EXPECT_EQ(FormatElapsed(5.9), "0:05");
  EXPECT_EQ(FormatElapsed(754), "12:34");
  EXPECT_EQ(FormatElapsed(3723), "1:02:03");
  EXPECT_EQ(FormatElapsed(2 * 86400 + 3 * 3600 + 4 * 60 + 5), "2-03:04:05");
  EXPECT_EQ(FormatElapsed(-3), "0:00");
}

TEST(FormatTime, PrintsUtcOrDash) {
  EXPECT_EQ(FormatTime(nlohmann::json(1767225600.5)), "2026-01-01 00:00:00");
  EXPECT_EQ(FormatTime(nlohmann::json()), "-");
}

TEST(FormatSizeMb, PicksTheLargestExactUnit) {
  EXPECT_EQ(FormatSizeMb(512), "512M");
  EXPECT_EQ(FormatSizeMb(32768), "32G");
  EXPECT_EQ(FormatSizeMb(1536), "1.5G");
  EXPECT_EQ(FormatSizeMb(1048576), "1T");
}

TEST(FormatJobGpus, MultipliesByGangSize) {
  EXPECT_EQ(FormatJobGpus(nlohmann::json::parse(
                R"({"resources":{"gpus":2,"gpu_type":"nvidia-a100","tasks":2}})")),
            "nvidia-a100:4");
  EXPECT_EQ(FormatJobGpus(nlohmann::json::parse(R"({"resources":{"gpus":0,"tasks":1}})")), "-");
  EXPECT_EQ(FormatJobGpus(nlohmann::json::parse(R"({"resources":{"gpus":0.5}})")), "any:0.5");
}

TEST(FormatScalar, ShowsValuesPlainly) {
  EXPECT_EQ(FormatScalar(nlohmann::json("a")), "a");
  EXPECT_EQ(FormatScalar(nlohmann::json(3.0)), "3");
  EXPECT_EQ(FormatScalar(nlohmann::json(0.25)), "0.25");
  EXPECT_EQ(FormatScalar(nlohmann::json()), "-");
}

}  // namespace
}  // namespace suanli::cli
