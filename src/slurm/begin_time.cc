#include "slurm/begin_time.h"

#include <string>

#include "slurm/civil_time.h"
#include "slurm/text.h"

namespace suanli::slurm {
namespace {

constexpr int64_t kDay = 86400;

Status Malformed(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid begin time " + Quoted(text) + ": " + std::string(why) +
                         " (expected now+COUNT[unit], HH:MM[:SS], YYYY-MM-DD[THH:MM[:SS]], "
                         "MM/DD[/YY], today, tomorrow, midnight, noon, ...)");
}

// Local wall-clock seconds since the epoch, which is what calendar fields are measured in.
struct Local {
  int64_t now;
  int64_t today_start() const { return FloorDiv(now, kDay) * kDay; }
  CivilDate today() const { return CivilFromDays(FloorDiv(now, kDay)); }
  static int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }
};

Result<int64_t> ParseNowOffset(std::string_view text, std::string_view rest) {
  if (rest.empty()) return int64_t{0};
  const int sign = rest[0] == '+' ? 1 : rest[0] == '-' ? -1 : 0;
  if (sign == 0) return Malformed(text, "expected '+' or '-' after 'now'");
  rest.remove_prefix(1);
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  const auto count = ParseUnsigned(rest.substr(0, digits));
  if (!count || *count > 100ull * 366 * kDay) return Malformed(text, "bad count after 'now'");
  const std::string unit = ToUpper(rest.substr(digits));
  // Slurm accepts the unit singular, plural or abbreviated; no unit means seconds.
  struct Unit {
    std::string_view name;
    int64_t seconds;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},        {"S", 1},        {"SEC", 1},       {"SECOND", 1},      {"SECONDS", 1},
      {"M", 60},      {"MIN", 60},     {"MINUTE", 60},   {"MINUTES", 60},    {"H", 3600},
      {"HR", 3600},   {"HOUR", 3600},  {"HOURS", 3600},  {"D", kDay},        {"DAY", kDay},
      {"DAYS", kDay}, {"W", 7 * kDay}, {"WK", 7 * kDay}, {"WEEK", 7 * kDay}, {"WEEKS", 7 * kDay}};
  for (const auto& u : kUnits) {
    if (unit == u.name) return sign * static_cast<int64_t>(*count) * u.seconds;
  }
  return Malformed(text, "unknown unit " + Quoted(rest.substr(digits)));
}

// "HH:MM[:SS]" into seconds after midnight.
Result<int64_t> ParseClockTime(std::string_view text, std::string_view hms, bool twelve_hour) {
  const auto parts = Split(hms, ':');
  if (parts.size() < 2 || parts.size() > 3) return Malformed(text, "expected HH:MM[:SS]");
  int64_t fields[3] = {0, 0, 0};
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto v = ParseUnsigned(parts[i]);
    if (!v || parts[i].size() > 2) return Malformed(text, Quoted(parts[i]) + " is not a number");
    fields[i] = static_cast<int64_t>(*v);
  }
  const int64_t max_hour = twelve_hour ? 12 : 23;
  if (fields[0] > max_hour || fields[1] > 59 || fields[2] > 59) {
    return Malformed(text, "no such time of day");
  }
  if (twelve_hour && fields[0] == 0) return Malformed(text, "no hour 0 with AM/PM");
  return fields[0] * 3600 + fields[1] * 60 + fields[2];
}

Result<int64_t> DayStart(std::string_view text, int64_t year, int64_t month, int64_t day) {
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return Malformed(text, "no such date");
  }
  return DaysFromCivil({year, static_cast<int>(month), static_cast<int>(day)}) * kDay;
}

// The next occurrence of `seconds_after_midnight`, today or tomorrow.
int64_t NextTimeOfDay(const Local& local, int64_t seconds_after_midnight) {
  const int64_t today = local.today_start() + seconds_after_midnight;
  return today < local.now ? today + kDay : today;
}

Result<int64_t> ParseIsoDate(std::string_view text, std::string_view t, const Local& local) {
  const size_t tee = t.find('T');
  const auto ymd = Split(t.substr(0, tee), '-');
  if (ymd.size() != 3 || ymd[0].size() != 4) return Malformed(text, "expected YYYY-MM-DD");
  const auto y = ParseUnsigned(ymd[0]), m = ParseUnsigned(ymd[1]), d = ParseUnsigned(ymd[2]);
  if (!y || !m || !d) return Malformed(text, "expected YYYY-MM-DD");
  SUANLI_ASSIGN_OR_RETURN(
      int64_t day,
      DayStart(text, static_cast<int64_t>(*y), static_cast<int64_t>(*m), static_cast<int64_t>(*d)));
  if (tee == std::string_view::npos) return day;
  SUANLI_ASSIGN_OR_RETURN(int64_t tod, ParseClockTime(text, t.substr(tee + 1), false));
  return day + tod;
}

// MM/DD[/YY], MM.DD[.YY] or MMDD[YY], with an optional "-HH:MM[:SS]".
Result<int64_t> ParseMonthDay(std::string_view text, std::string_view t, const Local& local) {
  int64_t tod = 0;
  if (const size_t dash = t.find('-'); dash != std::string_view::npos) {
    SUANLI_ASSIGN_OR_RETURN(tod, ParseClockTime(text, t.substr(dash + 1), false));
    t = t.substr(0, dash);
  }
  std::vector<std::string_view> fields;
  if (t.find('/') != std::string_view::npos) {
    fields = Split(t, '/');
  } else if (t.find('.') != std::string_view::npos) {
    fields = Split(t, '.');
  } else if (IsAllDigits(t) && (t.size() == 4 || t.size() == 6)) {
    for (size_t i = 0; i < t.size(); i += 2) fields.push_back(t.substr(i, 2));
  }
  if (fields.size() < 2 || fields.size() > 3) return Malformed(text, "unrecognised form");
  const auto m = ParseUnsigned(fields[0]), d = ParseUnsigned(fields[1]);
  if (!m || !d) return Malformed(text, "expected MM/DD[/YY]");
  const CivilDate today = local.today();
  if (fields.size() == 3) {
    const auto yy = ParseUnsigned(fields[2]);
    if (!yy || fields[2].size() != 2) return Malformed(text, "expected a two-digit year");
    SUANLI_ASSIGN_OR_RETURN(
        int64_t day, DayStart(text, 2000 + static_cast<int64_t>(*yy), static_cast<int64_t>(*m),
                              static_cast<int64_t>(*d)));
    return day + tod;
  }
  SUANLI_ASSIGN_OR_RETURN(
      int64_t day, DayStart(text, today.year, static_cast<int64_t>(*m), static_cast<int64_t>(*d)));
  if (day + tod >= local.now) return day + tod;
  SUANLI_ASSIGN_OR_RETURN(
      int64_t next_year,
      DayStart(text, today.year + 1, static_cast<int64_t>(*m), static_cast<int64_t>(*d)));
  return next_year + tod;
}

Result<int64_t> ParseLocal(std::string_view text, std::string_view t, const Local& local) {
  struct Named {
    const char* name;
    int64_t hour;
  };
  static const Named kTimesOfDay[] = {
      {"NOON", 12}, {"ELEVENSES", 11}, {"FIKA", 15}, {"TEATIME", 16}};
  const std::string upper = ToUpper(t);
  if (upper == "TODAY") return local.today_start();
  if (upper == "TOMORROW" || upper == "MIDNIGHT") return local.today_start() + kDay;
  for (const auto& named : kTimesOfDay) {
    if (upper == named.name) return NextTimeOfDay(local, named.hour * 3600);
  }
  if (t.size() >= 10 && t[4] == '-') return ParseIsoDate(text, t, local);
  // HH:MM[:SS] [AM|PM]
  if (t.find(':') != std::string_view::npos && t.find_first_of("/.-") == std::string_view::npos) {
    std::string_view hms = t;
    int64_t pm_shift = -1;
    if (upper.ends_with("AM") || upper.ends_with("PM")) {
      pm_shift = upper.ends_with("PM") ? 12 * 3600 : 0;
      hms = Trim(t.substr(0, t.size() - 2));
    }
    SUANLI_ASSIGN_OR_RETURN(int64_t tod, ParseClockTime(text, hms, pm_shift >= 0));
    if (pm_shift >= 0) tod = tod % (12 * 3600) + pm_shift;  // 12:xx AM is just after midnight
    return NextTimeOfDay(local, tod);
  }
  return ParseMonthDay(text, t, local);
}

}  // namespace

Result<int64_t> ParseBeginTime(std::string_view text, const BeginClock& clock) {
  const std::string_view t = Trim(text);
  if (t.empty()) return Malformed(text, "empty");
  if (t.size() >= 3 && EqualsIgnoreCase(t.substr(0, 3), "now")) {
    SUANLI_ASSIGN_OR_RETURN(int64_t offset, ParseNowOffset(text, t.substr(3)));
    return clock.now_unix + offset;
  }
  const Local local{clock.now_unix + clock.utc_offset_seconds};
  SUANLI_ASSIGN_OR_RETURN(int64_t local_time, ParseLocal(text, t, local));
  return local_time - clock.utc_offset_seconds;
}

}  // namespace suanli::slurm
