// Budget period windows and proration. Expected instants come from the C library (timegm,
// gmtime_r), an independent oracle for the pure calendar arithmetic under test.
#include "core/budget_period.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace suanli::core {
namespace {

constexpr Time kHour = 3600LL * 1000;
constexpr Time kDay = 24 * kHour;

// "2026-03-04T10:30:00" (UTC) -> epoch ms.
Time Utc(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  EXPECT_TRUE(rest && *rest == '\0') << text;
  return static_cast<Time>(timegm(&tm)) * 1000;
}

std::tm Gm(Time ms) {
  std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  return tm;
}

TEST(BudgetPeriodTest, NamesRoundTripAndUnknownNamesAreRejected) {
  for (BudgetPeriod p :
       {BudgetPeriod::kDay, BudgetPeriod::kWeek, BudgetPeriod::kMonth, BudgetPeriod::kTotal}) {
    EXPECT_EQ(ParseBudgetPeriod(BudgetPeriodName(p)), p);
  }
  EXPECT_EQ(BudgetPeriodName(BudgetPeriod::kMonth), "month");
  EXPECT_FALSE(ParseBudgetPeriod("monthly").has_value());
  EXPECT_FALSE(ParseBudgetPeriod("Day").has_value());
  EXPECT_FALSE(ParseBudgetPeriod("").has_value());
}

TEST(BudgetPeriodTest, DayRunsFromMidnightToMidnightUtc) {
  const Time t = Utc("2026-03-04T10:30:00");
  EXPECT_EQ(PeriodAt(BudgetPeriod::kDay, t),
            (PeriodWindow{Utc("2026-03-04T00:00:00"), Utc("2026-03-05T00:00:00")}));
  // Midnight itself opens the new day; one ms before it is still the old one.
  const Time midnight = Utc("2026-03-05T00:00:00");
  EXPECT_EQ(PeriodAt(BudgetPeriod::kDay, midnight).start, midnight);
  EXPECT_EQ(PeriodAt(BudgetPeriod::kDay, midnight - 1).end, midnight);
}

TEST(BudgetPeriodTest, WeekStartsOnMondayIsoEvenAcrossAYearEnd) {
  // Wednesday 2026-03-04 is in the week of Monday 2026-03-02.
  EXPECT_EQ(PeriodAt(BudgetPeriod::kWeek, Utc("2026-03-04T10:00:00")),
            (PeriodWindow{Utc("2026-03-02T00:00:00"), Utc("2026-03-09T00:00:00")}));
  // Sunday 23:59:59 still belongs to the week that began six days earlier.
  EXPECT_EQ(PeriodAt(BudgetPeriod::kWeek, Utc("2026-03-08T23:59:59")).start,
            Utc("2026-03-02T00:00:00"));
  EXPECT_EQ(PeriodAt(BudgetPeriod::kWeek, Utc("2026-03-09T00:00:00")).start,
            Utc("2026-03-09T00:00:00"));
  // Friday 2027-01-01 is in the week of Monday 2026-12-28.
  EXPECT_EQ(PeriodAt(BudgetPeriod::kWeek, Utc("2027-01-01T12:00:00")),
            (PeriodWindow{Utc("2026-12-28T00:00:00"), Utc("2027-01-04T00:00:00")}));
  // Before the epoch (Thursday 1970-01-01): Wednesday 1969-12-31 is in the week of 1969-12-29.
  EXPECT_EQ(PeriodAt(BudgetPeriod::kWeek, -12 * kHour).start, -3 * kDay);
}

TEST(BudgetPeriodTest, MonthsOf28_29_30And31Days) {
  struct Case {
    const char* inside;
    const char* first;
    const char* next;
    int days;
  };
  const Case cases[] = {
      {"2026-02-14T08:00:00", "2026-02-01T00:00:00", "2026-03-01T00:00:00", 28},
      {"2024-02-29T23:59:59", "2024-02-01T00:00:00", "2024-03-01T00:00:00", 29},  // leap year
      {"2000-02-10T00:00:00", "2000-02-01T00:00:00", "2000-03-01T00:00:00", 29},  // 400-year leap
      {"2100-02-10T00:00:00", "2100-02-01T00:00:00", "2100-03-01T00:00:00", 28},  // century: not
      {"2026-04-30T23:00:00", "2026-04-01T00:00:00", "2026-05-01T00:00:00", 30},
      {"2026-03-31T23:59:59", "2026-03-01T00:00:00", "2026-04-01T00:00:00", 31},
      {"2026-12-31T23:00:00", "2026-12-01T00:00:00", "2027-01-01T00:00:00", 31},  // year end
      {"2027-01-01T00:00:00", "2027-01-01T00:00:00", "2027-02-01T00:00:00", 31},
  };
  for (const Case& c : cases) {
    PeriodWindow w = PeriodAt(BudgetPeriod::kMonth, Utc(c.inside));
    EXPECT_EQ(w.start, Utc(c.first)) << c.inside;
    EXPECT_EQ(w.end, Utc(c.next)) << c.inside;
    EXPECT_EQ(w.end - w.start, c.days * kDay) << c.inside;
  }
}

TEST(BudgetPeriodTest, TotalIsUnbounded) {
  PeriodWindow w = PeriodAt(BudgetPeriod::kTotal, Utc("2026-03-04T10:00:00"));
  EXPECT_FALSE(w.bounded());
  EXPECT_EQ(w.start, kBeginningOfTime);
  EXPECT_EQ(w.end, kEndOfTime);
  EXPECT_TRUE(PeriodAt(BudgetPeriod::kDay, 0).bounded());
}

// Every hour of seven years (two of them leap years) against gmtime: the window holds the instant,
// starts at a midnight on the right weekday or month day, and ends where the next window starts.
TEST(BudgetPeriodTest, EveryHourOfSevenYearsAgreesWithGmtime) {
  for (Time t = Utc("2023-01-01T00:00:00") + 1234; t < Utc("2030-01-01T00:00:00"); t += kHour) {
    for (BudgetPeriod p : {BudgetPeriod::kDay, BudgetPeriod::kWeek, BudgetPeriod::kMonth}) {
      PeriodWindow w = PeriodAt(p, t);
      ASSERT_LE(w.start, t);
      ASSERT_LT(t, w.end);
      std::tm s = Gm(w.start), at = Gm(t);
      ASSERT_EQ(w.start % 1000, 0);
      ASSERT_EQ(s.tm_hour * 3600 + s.tm_min * 60 + s.tm_sec, 0);
      ASSERT_EQ(PeriodAt(p, w.end).start, w.end);
      if (p == BudgetPeriod::kDay) {
        ASSERT_EQ(s.tm_yday, at.tm_yday);
        ASSERT_EQ(w.end - w.start, kDay);
      } else if (p == BudgetPeriod::kWeek) {
        ASSERT_EQ(s.tm_wday, 1);  // Monday
        ASSERT_EQ(w.end - w.start, 7 * kDay);
      } else {
        ASSERT_EQ(s.tm_mday, 1);
        ASSERT_EQ(s.tm_mon, at.tm_mon);
        ASSERT_EQ(s.tm_year, at.tm_year);
        ASSERT_EQ(Gm(w.end).tm_mday, 1);
        ASSERT_EQ((Gm(w.end).tm_mon + 11) % 12, s.tm_mon);
      }
    }
  }
}

TEST(BudgetPeriodTest, ProratesAnAttemptSpanningMidnight) {
  // 8 device-hours spent evenly from 22:00 to 02:00: half on each day.
  const Time start = Utc("2026-03-04T22:00:00"), end = Utc("2026-03-05T02:00:00");
  PeriodWindow before = PeriodAt(BudgetPeriod::kDay, start);
  PeriodWindow after = PeriodAt(BudgetPeriod::kDay, end);
  EXPECT_DOUBLE_EQ(Prorate(8.0, start, end, before), 4.0);
  EXPECT_DOUBLE_EQ(Prorate(8.0, start, end, after), 4.0);
  // 1 h before and 3 h after a month boundary.
  const Time m0 = Utc("2026-02-28T23:00:00"), m1 = Utc("2026-03-01T03:00:00");
  EXPECT_DOUBLE_EQ(Prorate(8.0, m0, m1, PeriodAt(BudgetPeriod::kMonth, m1)), 6.0);
  EXPECT_DOUBLE_EQ(Prorate(8.0, m0, m1, PeriodAt(BudgetPeriod::kMonth, m0)), 2.0);
  // Wholly inside, wholly outside, and a total window.
  EXPECT_DOUBLE_EQ(Prorate(3.0, start, start + kHour, before), 3.0);
  EXPECT_DOUBLE_EQ(Prorate(3.0, start - 2 * kDay, start - kDay, before), 0.0);
  EXPECT_DOUBLE_EQ(Prorate(8.0, start, end, PeriodAt(BudgetPeriod::kTotal, end)), 8.0);
  // An attempt ending exactly at midnight belongs to the day before.
  EXPECT_DOUBLE_EQ(Prorate(2.0, end - 6 * kHour, after.start, after), 0.0);
  // Zero-length attempts count where they ended.
  EXPECT_DOUBLE_EQ(Prorate(1.0, end, end, after), 1.0);
  EXPECT_DOUBLE_EQ(Prorate(1.0, end, end, before), 0.0);
}

}  // namespace
}  // namespace suanli::core
