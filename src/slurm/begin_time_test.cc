#include "slurm/begin_time.h"

#include <gtest/gtest.h>

#include "slurm/civil_time.h"
#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

constexpr int64_t kNow = kTestNow;
int64_t At(int64_t y, int m, int d, int64_t hh = 0, int64_t mm = 0, int64_t ss = 0) {
  return DaysFromCivil({y, m, d}) * 86400 + hh * 3600 + mm * 60 + ss;
}

int64_t Begin(std::string_view text, int64_t offset = 0) {
  auto r = ParseBeginTime(text, {kNow, offset});
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(CivilTimeTest, RoundTripsAndKnownDates) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
  EXPECT_EQ(At(2026, 12, 6, 22, 56, 40), kNow);
  for (int64_t d = -800000; d < 800000; d += 997) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(d)), d);
  }
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
}

TEST(BeginTimeTest, RelativeToNow) {
  EXPECT_EQ(Begin("now"), kNow);
  EXPECT_EQ(Begin("now+60"), kNow + 60);
  EXPECT_EQ(Begin("now+1hour"), kNow + 3600);
  EXPECT_EQ(Begin("NOW+2hours"), kNow + 7200);
  EXPECT_EQ(Begin("now+30minutes"), kNow + 1800);
  EXPECT_EQ(Begin("now+10min"), kNow + 600);
  EXPECT_EQ(Begin("now+3days"), kNow + 3 * 86400);
  EXPECT_EQ(Begin("now+1week"), kNow + 7 * 86400);
  EXPECT_EQ(Begin("now-5seconds"), kNow - 5);
}

TEST(BeginTimeTest, TimeOfDayIsTodayOrTomorrow) {
  EXPECT_EQ(Begin("23:30"), At(2026, 12, 6, 23, 30));  // still ahead today
  EXPECT_EQ(Begin("16:00"), At(2026, 12, 7, 16, 0));   // passed: tomorrow
  EXPECT_EQ(Begin("23:00:15"), At(2026, 12, 6, 23, 0, 15));
  EXPECT_EQ(Begin("4:00 PM"), At(2026, 12, 7, 16, 0));
  EXPECT_EQ(Begin("11:59PM"), At(2026, 12, 6, 23, 59));
  EXPECT_EQ(Begin("12:30 AM"), At(2026, 12, 7, 0, 30));
  EXPECT_EQ(Begin("teatime"), At(2026, 12, 7, 16, 0));
  EXPECT_EQ(Begin("noon"), At(2026, 12, 7, 12, 0));
  EXPECT_EQ(Begin("today"), At(2026, 12, 6));
  EXPECT_EQ(Begin("tomorrow"), At(2026, 12, 7));
  EXPECT_EQ(Begin("midnight"), At(2026, 12, 7));
}

TEST(BeginTimeTest, Dates) {
  EXPECT_EQ(Begin("2026-12-24T12:00:00"), At(2026, 12, 24, 12));
  EXPECT_EQ(Begin("2010-01-20T12:34:00"), At(2010, 1, 20, 12, 34));
  EXPECT_EQ(Begin("2027-01-02"), At(2027, 1, 2));
  EXPECT_EQ(Begin("2027-01-02T08:15"), At(2027, 1, 2, 8, 15));
  EXPECT_EQ(Begin("12/24"), At(2026, 12, 24));
  EXPECT_EQ(Begin("12/24/27"), At(2027, 12, 24));
  EXPECT_EQ(Begin("12.25"), At(2026, 12, 25));
  EXPECT_EQ(Begin("1224"), At(2026, 12, 24));
  EXPECT_EQ(Begin("122427"), At(2027, 12, 24));
  EXPECT_EQ(Begin("01/15"), At(2027, 1, 15));  // passed this year: next year
  EXPECT_EQ(Begin("12/24-18:00"), At(2026, 12, 24, 18));
}

TEST(BeginTimeTest, WallClockFormsUseTheCallersZone) {
  // UTC+8: it is already 2026-12-07 06:56 there, so 16:00 is today there, 08:00 UTC.
  EXPECT_EQ(Begin("16:00", 8 * 3600), At(2026, 12, 7, 8, 0));
  EXPECT_EQ(Begin("2026-12-24T12:00:00", 8 * 3600), At(2026, 12, 24, 4, 0));
  EXPECT_EQ(Begin("now+1hour", 8 * 3600), kNow + 3600);
}

TEST(BeginTimeTest, RejectsMalformed) {
  for (const char* t : {"", "later", "now+", "now*5", "now+5fortnights", "25:00", "12:60",
                        "2026-13-01", "2026-02-30", "2026-12-24T25:00", "13/01", "02/30",
                        "12/24/2027", "0:30 PM", "13:00 PM", "12345"}) {
    auto r = ParseBeginTime(t, {kNow, 0});
    EXPECT_FALSE(r.ok()) << t;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("invalid begin time"), std::string::npos) << t;
    }
  }
}

}  // namespace
}  // namespace suanli::slurm
