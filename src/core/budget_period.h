#pragma once
// Budget periods: the calendar window (UTC) an accelerator-hour budget covers, and how much of an
// attempt falls inside one. Pure calendar arithmetic on epoch milliseconds: no clock and no
// <ctime>, so the server, the store and tests all get the same answer for the same instant.
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "core/model.h"

namespace suanli::core {

enum class BudgetPeriod {
  kDay,    // 00:00 UTC to the next 00:00 UTC
  kWeek,   // ISO week: Monday 00:00 UTC to the next Monday
  kMonth,  // the calendar month, UTC
  kTotal,  // never resets
};

std::string_view BudgetPeriodName(BudgetPeriod p);  // "day"
std::optional<BudgetPeriod> ParseBudgetPeriod(std::string_view name);
// For messages naming the allowed values.
inline constexpr std::string_view kBudgetPeriodChoices = "day, week, month or total";

inline constexpr Time kBeginningOfTime = std::numeric_limits<Time>::min();
inline constexpr Time kEndOfTime = std::numeric_limits<Time>::max();

// A half-open window [start, end). A `total` period is [kBeginningOfTime, kEndOfTime).
struct PeriodWindow {
  Time start = kBeginningOfTime;
  Time end = kEndOfTime;

  bool bounded() const { return start != kBeginningOfTime; }
  bool operator==(const PeriodWindow&) const = default;
};

// The window of period `p` that contains the instant `t` (epoch ms, UTC).
PeriodWindow PeriodAt(BudgetPeriod p, Time t);

// `amount`, spread evenly over [start, end), restricted to `w`. An attempt that took no time
// counts whole when its end lies in `w`.
double Prorate(double amount, Time start, Time end, const PeriodWindow& w);

}  // namespace suanli::core
