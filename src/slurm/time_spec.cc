#include "slurm/time_spec.h"

#include <string>
#include <vector>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// Ten years: beyond this a number is a typo, and the sums below cannot overflow.
constexpr uint64_t kLargestField = 10ull * 366 * 24 * 60 * 60;

Status Malformed(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid time " + Quoted(text) + ": " + std::string(why) +
                         " (expected minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS or "
                         "UNLIMITED)");
}

// Reads "a", "a:b" or "a:b:c" into numbers. Like Slurm, no field is bounded by the next unit
// ("1:75" is 135 seconds), so that every limit Slurm accepts is accepted here too.
Result<std::vector<int64_t>> ReadColonFields(std::string_view full, std::string_view part) {
  std::vector<int64_t> fields;
  const auto pieces = Split(part, ':');
  if (pieces.size() > 3) return Malformed(full, "too many ':' fields");
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto value = ParseUnsigned(pieces[i]);
    if (!value) return Malformed(full, Quoted(pieces[i]) + " is not a number");
    if (*value > kLargestField) return Malformed(full, Quoted(pieces[i]) + " is too large");
    fields.push_back(static_cast<int64_t>(*value));
  }
  return fields;
}

}  // namespace

Result<TimeLimit> ParseTimeLimit(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return Malformed(text, "empty");
  if (EqualsIgnoreCase(t, "UNLIMITED") || EqualsIgnoreCase(t, "INFINITE") || t == "-1") {
    return TimeLimit::Unlimited();
  }
  int64_t seconds = 0;
  if (const size_t dash = t.find('-'); dash != std::string_view::npos) {
    // Days-hours[:minutes[:seconds]]: after the dash the first field is hours.
    const auto days = ParseUnsigned(t.substr(0, dash));
    if (!days || *days > kLargestField / kDay) return Malformed(text, "bad day count");
    SUANLI_ASSIGN_OR_RETURN(auto rest, ReadColonFields(text, t.substr(dash + 1)));
    const int64_t units[] = {kHour, kMinute, 1};
    seconds = static_cast<int64_t>(*days) * kDay;
    for (size_t i = 0; i < rest.size(); ++i) seconds += rest[i] * units[i];
  } else {
    SUANLI_ASSIGN_OR_RETURN(auto fields, ReadColonFields(text, t));
    // One field is minutes, two are minutes:seconds, three are hours:minutes:seconds.
    if (fields.size() == 1) seconds = fields[0] * kMinute;
    if (fields.size() == 2) seconds = fields[0] * kMinute + fields[1];
    if (fields.size() == 3) seconds = fields[0] * kHour + fields[1] * kMinute + fields[2];
  }
  // Slurm: "A time limit of zero requests that no time limit be imposed."
  if (seconds == 0) return TimeLimit::Unlimited();
  return TimeLimit::Seconds(seconds);
}

std::string FormatTimeLimit(const TimeLimit& limit) {
  if (limit.unlimited) return "UNLIMITED";
  const auto two = [](int64_t n) {
    std::string digits = std::to_string(n);
    if (digits.size() < 2) digits.insert(0, 1, '0');
    return digits;
  };
  const int64_t days = limit.seconds / kDay;
  const int64_t rest = limit.seconds % kDay;
  std::string hms =
      two(rest / kHour) + ":" + two(rest % kHour / kMinute) + ":" + two(rest % kMinute);
  return days > 0 ? std::to_string(days) + "-" + hms : hms;
}

}  // namespace suanli::slurm
