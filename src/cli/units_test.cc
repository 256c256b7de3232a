#include "cli/units.h"

#include <gtest/gtest.h>

namespace suanli::cli {
namespace {

TEST(ParseSizeMb, AcceptsUnitsAsPowersOf1024) {
  EXPECT_EQ(*ParseSizeMb("512M"), 512);
  EXPECT_EQ(*ParseSizeMb("32G"), 32 * 1024);
  EXPECT_EQ(*ParseSizeMb("1T"), 1024 * 1024);
  EXPECT_EQ(*ParseSizeMb("1.5g"), 1536);
  EXPECT_EQ(*ParseSizeMb("32GiB"), 32 * 1024);
  EXPECT_EQ(*ParseSizeMb("32GB"), 32 * 1024);
  EXPECT_EQ(*ParseSizeMb("2048"), 2048);  // plain number = MiB
  EXPECT_EQ(*ParseSizeMb("100K"), 1);     // rounded up to a whole MiB
  EXPECT_EQ(*ParseSizeMb("2049K"), 3);
}

TEST(ParseSizeMb, RejectsBadInputNamingIt) {
  for (const char* bad : {"", "G", "32X", "-1G", "0", "0M", "abc", "1..5G", "1G2", "9999999999T"}) {
    auto r = ParseSizeMb(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << r.status().message();
  }
  EXPECT_NE(ParseSizeMb("32X").status().message().find("unknown unit 'x'"), std::string::npos);
}

TEST(ParseDuration, AcceptsUnitsClockFormsAndMinutes) {
  EXPECT_EQ(*ParseDurationSeconds("90s"), 90);
  EXPECT_EQ(*ParseDurationSeconds("30m"), 1800);
  EXPECT_EQ(*ParseDurationSeconds("2h"), 7200);
  EXPECT_EQ(*ParseDurationSeconds("1d"), 86400);
  EXPECT_EQ(*ParseDurationSeconds("1h30m"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("1.5h"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("1:30:00"), 5400);
  EXPECT_EQ(*ParseDurationSeconds("30:00"), 1800);  // M:SS
  EXPECT_EQ(*ParseDurationSeconds("2-12:00:00"), 2 * 86400 + 12 * 3600);
  EXPECT_EQ(*ParseDurationSeconds("1-6"), 86400 + 6 * 3600);
  EXPECT_EQ(*ParseDurationSeconds("45"), 45 * 60);  // plain number = minutes
  EXPECT_EQ(*ParseDurationSeconds("500ms"), 1);     // rounded up to whole seconds
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("1s500ms"), 1500);
  EXPECT_EQ(*ParseDurationMs("2s"), 2000);
}

TEST(ParseDuration, RejectsBadInputNamingIt) {
  for (const char* bad :
       {"", "0", "0s", "2x", "h", "1:60:00", "1:00:61", "a:b", "-5", "1:2:3:4", "5h3"}) {
    auto r = ParseDurationSeconds(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << r.status().message();
  }
  EXPECT_NE(ParseDurationSeconds("2x").status().message().find("unknown unit 'x'"),
            std::string::npos);
}

TEST(ParseTimestamp, AcceptsDatesAndEpochInUtc) {
  EXPECT_EQ(*ParseTimestamp("2026-01-01"), 1767225600.0);
  EXPECT_EQ(*ParseTimestamp("2026-01-01T12:30"), 1767225600.0 + 12 * 3600 + 30 * 60);
  EXPECT_EQ(*ParseTimestamp("2026-01-01 12:30:15"), 1767225600.0 + 12 * 3600 + 30 * 60 + 15);
  EXPECT_EQ(*ParseTimestamp("1767225600"), 1767225600.0);
}

TEST(ParseTimestamp, RejectsBadDates) {
  for (const char* bad :
       {"", "2026-13-01", "2026-02-30", "2026-01-01x", "yesterday", "2026/01/01", "2026-1-1"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
}

TEST(ParseResourceMap, ParsesCountsAndMemory) {
  auto m = ParseResourceMap("nvidia-a100=8, cpus=64,mem=256G");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->size(), 3u);
  EXPECT_EQ(m->at("nvidia-a100"), 8);
  EXPECT_EQ(m->at("cpus"), 64);
  EXPECT_EQ(m->at("mem_mb"), 256 * 1024);
  EXPECT_EQ(ParseResourceMap("mem_mb=1000")->at("mem_mb"), 1000);
  EXPECT_EQ(ParseResourceMap("cpus=0.5")->at("cpus"), 0.5);
}

TEST(ParseResourceMap, RejectsMalformedItems) {
  EXPECT_NE(ParseResourceMap("cpus").status().message().find("expected NAME=VALUE"),
            std::string::npos);
  EXPECT_NE(ParseResourceMap("cpus=x").status().message().find("'x' for resource 'cpus'"),
            std::string::npos);
  EXPECT_NE(ParseResourceMap("cpus=1,cpus=2").status().message().find("given twice"),
            std::string::npos);
  EXPECT_FALSE(ParseResourceMap("cpus=-1").ok());
  EXPECT_FALSE(ParseResourceMap("").ok());
  EXPECT_FALSE(ParseResourceMap("=3").ok());
  EXPECT_FALSE(ParseResourceMap("mem=12Q").ok());
}

TEST(ParseKeyValue, SplitsAtFirstEquals) {
  auto kv = ParseKeyValue("A=b=c");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "A");
  EXPECT_EQ(kv->second, "b=c");
  EXPECT_FALSE(ParseKeyValue("=x").ok());
  EXPECT_FALSE(ParseKeyValue("novalue").ok());
}

}  // namespace
}  // namespace suanli::cli
