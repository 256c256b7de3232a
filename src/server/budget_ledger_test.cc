#include "server/budget_ledger.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

constexpr TimeMs kHour = 3600LL * 1000;
constexpr TimeMs kDay = 24 * kHour;
// 2026-03-04 00:00 UTC, a Wednesday.
constexpr TimeMs kWed = 1772582400000;

TEST(BudgetLedgerTest, FinishedAttemptsCountTheirPartInsideTheWindow) {
  BudgetLedger l;
  l.Open("physics", core::BudgetPeriod::kDay, kWed + 10 * kHour);
  // 2 devices from 22:00 the day before to 02:00: 8 device-hours, 4 of them today.
  l.AddFinished("physics", kWed - 2 * kHour, kWed + 2 * kHour, 8 * 3600.0);
  // 1 device for an hour, wholly today.
  l.AddFinished("physics", kWed + 3 * kHour, kWed + 4 * kHour, 3600.0);
  const BudgetLedger::Entry* e = l.At("physics", kWed + 5 * kHour);
  ASSERT_NE(e, nullptr);
  EXPECT_DOUBLE_EQ(e->finished_hours, 5.0);
  EXPECT_EQ(e->window.start, kWed);
  EXPECT_EQ(e->window.end, kWed + kDay);
  EXPECT_EQ(l.At("nobody", kWed), nullptr);
  l.AddFinished("nobody", kWed, kWed + kHour, 3600.0);  // ignored, no crash
}

TEST(BudgetLedgerTest, TheWindowRollsOverEmptyAndAnAttemptAcrossMidnightCountsItsNewPart) {
  BudgetLedger l;
  l.Open("physics", core::BudgetPeriod::kDay, kWed + 10 * kHour);
  l.AddFinished("physics", kWed + 10 * kHour, kWed + 12 * kHour, 2 * 3600.0);
  EXPECT_DOUBLE_EQ(l.At("physics", kWed + 23 * kHour)->finished_hours, 2.0);
  // Ends an hour after midnight, having run since 23:00: the new day holds half of it.
  l.AddFinished("physics", kWed + 23 * kHour, kWed + kDay + kHour, 2 * 3600.0);
  const BudgetLedger::Entry* e = l.At("physics", kWed + kDay + kHour);
  EXPECT_EQ(e->window.start, kWed + kDay);
  EXPECT_DOUBLE_EQ(e->finished_hours, 1.0);
  // A day with nothing: read after another midnight, it is empty.
  e = l.At("physics", kWed + 2 * kDay + 5);
  EXPECT_EQ(e->window.start, kWed + 2 * kDay);
  EXPECT_DOUBLE_EQ(e->finished_hours, 0.0);
  // A clock stepped back does not move the window back (nor empty it).
  l.AddFinished("physics", kWed + 2 * kDay + kHour, kWed + 2 * kDay + 2 * kHour, 3600.0);
  e = l.At("physics", kWed + 10 * kHour);
  EXPECT_EQ(e->window.start, kWed + 2 * kDay);
  EXPECT_DOUBLE_EQ(e->finished_hours, 1.0);
}

TEST(BudgetLedgerTest, TotalNeverRollsAndOpenStartsAfresh) {
  BudgetLedger l;
  l.Open("physics", core::BudgetPeriod::kTotal, kWed);
  l.AddFinished("physics", kWed - 400 * kDay, kWed - 399 * kDay, 3600.0);
  l.AddFinished("physics", kWed + 40 * kDay, kWed + 41 * kDay, 7200.0);
  const BudgetLedger::Entry* e = l.At("physics", kWed + 1000 * kDay);
  EXPECT_FALSE(e->window.bounded());
  EXPECT_DOUBLE_EQ(e->finished_hours, 3.0);
  l.Open("physics", core::BudgetPeriod::kWeek, kWed + 1000 * kDay);
  e = l.At("physics", kWed + 1000 * kDay);
  EXPECT_EQ(e->period, core::BudgetPeriod::kWeek);
  EXPECT_DOUBLE_EQ(e->finished_hours, 0.0);
}

}  // namespace
}  // namespace suanli::server
