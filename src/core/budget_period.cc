#include "core/budget_period.h"

#include <algorithm>
#include <array>
#include <utility>

namespace suanli::core {
namespace {

constexpr Time kMsPerDay = 24LL * 3600 * 1000;

constexpr std::array<std::pair<BudgetPeriod, std::string_view>, 4> kNames = {{
    {BudgetPeriod::kDay, "day"},
    {BudgetPeriod::kWeek, "week"},
    {BudgetPeriod::kMonth, "month"},
    {BudgetPeriod::kTotal, "total"},
}};

// Rounds toward minus infinity, so instants before 1970 land in the right day too.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

}  // namespace

std::string_view BudgetPeriodName(BudgetPeriod p) {
  for (const auto& [period, name] : kNames) {
    if (period == p) return name;
  }
  return "unknown";
}

std::optional<BudgetPeriod> ParseBudgetPeriod(std::string_view name) {
  for (const auto& [period, n] : kNames) {
    if (n == name) return period;
  }
  return std::nullopt;
}

PeriodWindow PeriodAt(BudgetPeriod p, Time t) {
  const int64_t day = FloorDiv(t, kMsPerDay);
  switch (p) {
    case BudgetPeriod::kDay:
      return {day * kMsPerDay, (day + 1) * kMsPerDay};
    case BudgetPeriod::kWeek: {
      // 1970-01-01 was a Thursday, 3 days after a Monday: (day + 3) mod 7 is days since Monday.
      const int64_t since_monday = (day + 3) - FloorDiv(day + 3, 7) * 7;
      const int64_t monday = day - since_monday;
      return {monday * kMsPerDay, (monday + 7) * kMsPerDay};
    }
    case BudgetPeriod::kMonth: {
      int64_t y = 0, m = 0;
      CivilFromDays(day, &y, &m);
      const int64_t first = DaysFromCivil(y, m, 1);
      const int64_t next = m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, m + 1, 1);
      return {first * kMsPerDay, next * kMsPerDay};
    }
    case BudgetPeriod::kTotal:
      break;
  }
  return {};
}

double Prorate(double amount, Time start, Time end, const PeriodWindow& w) {
  if (end <= start) return end >= w.start && end < w.end ? amount : 0.0;
  const Time from = std::max(start, w.start);
  const Time to = std::min(end, w.end);
  if (to <= from) return 0.0;
  if (from == start && to == end) return amount;
  return amount * (static_cast<double>(to - from) / static_cast<double>(end - start));
}

}  // namespace suanli::core
