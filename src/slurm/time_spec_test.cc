#include "slurm/time_spec.h"

#include <gtest/gtest.h>

namespace suanli::slurm {
namespace {

int64_t SecondsOf(std::string_view text) {
  auto r = ParseTimeLimit(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  if (!r.ok()) return -1;
  EXPECT_FALSE(r->unlimited) << text;
  return r->seconds;
}

TEST(TimeSpecTest, DocumentedForms) {
  EXPECT_EQ(SecondsOf("5"), 5 * 60);                    // minutes
  EXPECT_EQ(SecondsOf("30:00"), 30 * 60);               // MM:SS
  EXPECT_EQ(SecondsOf("0:45"), 45);                     // MM:SS
  EXPECT_EQ(SecondsOf("1:30:00"), 90 * 60);             // HH:MM:SS
  EXPECT_EQ(SecondsOf("2-12"), 2 * 86400 + 12 * 3600);  // days-hours
  EXPECT_EQ(SecondsOf("2-12:30"), 2 * 86400 + 12 * 3600 + 30 * 60);
  EXPECT_EQ(SecondsOf("1-00:00:01"), 86400 + 1);
  EXPECT_EQ(SecondsOf("0-00:04:00"), 4 * 60);
  EXPECT_EQ(SecondsOf("100:00:00"), 100 * 3600);  // hours are not limited to 24
  EXPECT_EQ(SecondsOf("90"), 90 * 60);
  EXPECT_EQ(SecondsOf("1440"), 86400);
  EXPECT_EQ(SecondsOf(" 10 "), 600);
  EXPECT_EQ(SecondsOf("7-0"), 7 * 86400);
  // As in Slurm, a field may overflow into the next unit.
  EXPECT_EQ(SecondsOf("1:75"), 135);
  EXPECT_EQ(SecondsOf("0:90:00"), 90 * 60);
  EXPECT_EQ(SecondsOf("1-30"), 86400 + 30 * 3600);
}

TEST(TimeSpecTest, UnlimitedSpellings) {
  for (const char* t :
       {"UNLIMITED", "unlimited", "INFINITE", "Infinite", "0", "0:00", "00:00:00", "0-0"}) {
    auto r = ParseTimeLimit(t);
    ASSERT_TRUE(r.ok()) << t;
    EXPECT_TRUE(r->unlimited) << t;
  }
}

TEST(TimeSpecTest, RejectsMalformed) {
  for (const char* t : {"", "abc", "1:2:3:4", "1-2-3", "-5", "5-", "1:", ":30", "1.5", "1h",
                        "2-12:30:15:1", "+5", "99999999999999999999"}) {
    auto r = ParseTimeLimit(t);
    EXPECT_FALSE(r.ok()) << t;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find("invalid time"), std::string::npos) << t;
    }
  }
}

TEST(TimeSpecTest, MessageNamesTheValueAndTheForms) {
  auto r = ParseTimeLimit("1:2:3:4");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'1:2:3:4'"), std::string::npos);
  EXPECT_NE(r.status().message().find("D-HH:MM:SS"), std::string::npos);
}

TEST(TimeSpecTest, FormatsAsSlurmPrintsLimits) {
  EXPECT_EQ(FormatTimeLimit(TimeLimit::Unlimited()), "UNLIMITED");
  EXPECT_EQ(FormatTimeLimit(TimeLimit::Seconds(300)), "00:05:00");
  EXPECT_EQ(FormatTimeLimit(TimeLimit::Seconds(5400)), "01:30:00");
  EXPECT_EQ(FormatTimeLimit(TimeLimit::Seconds(2 * 86400 + 12 * 3600 + 30 * 60 + 5)), "2-12:30:05");
  // What it prints reads back as the same limit.
  for (const char* t : {"01:30:00", "2-12:30:00", "00:00:45", "100-00:00:00"}) {
    EXPECT_EQ(FormatTimeLimit(*ParseTimeLimit(t)), t);
  }
}

}  // namespace
}  // namespace suanli::slurm
