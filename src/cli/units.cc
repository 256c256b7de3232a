#include "cli/units.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>
#include <vector>

namespace suanli::cli {
namespace {

constexpr int64_t kMaxSizeMb = int64_t{1} << 40;  // 1 EiB in MiB: anything above is a typo
constexpr int64_t kMaxDurationS = int64_t{366} * 86400 * 100;  // a century

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Parses a whole non-negative decimal number ("1", "1.5"); nothing else may follow.
bool ParseNumber(std::string_view s, double* out) {
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

bool ParseUnsigned(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && *out >= 0;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

Status SizeError(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid size '" + std::string(text) + "': " + std::string(why) +
                         " (examples: 512M, 32G, 1T; a plain number is MiB)");
}

Status DurationError(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid duration '" + std::string(text) + "': " + std::string(why) +
                         " (examples: 90s, 30m, 2h, 1d, 1h30m, 1:30:00, 2-12:00:00, 500ms; a "
                         "plain number is minutes)");
}

// "H:MM:SS", "M:SS" or "D-H:MM:SS" -> seconds.
Result<int64_t> ParseClockDuration(std::string_view text, std::string_view original) {
  int64_t days = 0;
  std::string_view rest = text;
  size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    if (!ParseUnsigned(text.substr(0, dash), &days)) {
      return DurationError(original, "the day count before '-' is not a whole number");
    }
    rest = text.substr(dash + 1);
  }
  auto parts = Split(rest, ':');
  if (parts.size() > 3) return DurationError(original, "too many ':' fields");
  std::vector<int64_t> values;
  for (auto p : parts) {
    int64_t v = 0;
    if (!ParseUnsigned(p, &v))
      return DurationError(original, "'" + std::string(p) + "' is not a whole number");
    values.push_back(v);
  }
  int64_t h = 0, m = 0, s = 0;
  if (values.size() == 3) {
    h = values[0], m = values[1], s = values[2];
  } else if (values.size() == 2) {
    if (dash != std::string_view::npos) {
      h = values[0], m = values[1];  // D-H:MM
    } else {
      m = values[0], s = values[1];  // M:SS
    }
  } else {
    if (dash == std::string_view::npos) return DurationError(original, "expected H:MM:SS");
    h = values[0];  // D-H
  }
  if (values.size() >= 2 && (m >= 60 && values.size() == 3))
    return DurationError(original, "minutes must be below 60");
  if (values.size() >= 2 && s >= 60) return DurationError(original, "seconds must be below 60");
  // Each field is bounded before it is multiplied: "9999999999999:00:00" must be an error, not
  // an overflow.
  if (days > kMaxDurationS / 86400 || h > kMaxDurationS / 3600 || m > kMaxDurationS / 60)
    return DurationError(original, "longer than a century");
  int64_t total = days * 86400 + h * 3600 + m * 60 + s;
  if (total > kMaxDurationS) return DurationError(original, "longer than a century");
  return total;
}

}  // namespace

Result<int64_t> ParseSizeMb(std::string_view original) {
  std::string_view text = TrimView(original);
  if (text.empty()) return SizeError(original, "empty");
  std::string lower = Lower(text);
  if (lower.size() > 3 && lower.ends_with("ib")) {
    lower.resize(lower.size() - 2);
  } else if (lower.size() > 2 && lower.ends_with("b") &&
             std::isalpha(static_cast<unsigned char>(lower[lower.size() - 2]))) {
    lower.resize(lower.size() - 1);
  }
  double factor_mb = 1;  // MiB
  char last = lower.back();
  if (std::isalpha(static_cast<unsigned char>(last))) {
    switch (last) {
      case 'k':
        factor_mb = 1.0 / 1024;
        break;
      case 'm':
        factor_mb = 1;
        break;
      case 'g':
        factor_mb = 1024;
        break;
      case 't':
        factor_mb = 1024.0 * 1024;
        break;
      default:
        return SizeError(original, std::string("unknown unit '") + last + "'");
    }
    lower.pop_back();
  }
  double number = 0;
  if (!ParseNumber(lower, &number)) return SizeError(original, "not a non-negative number");
  double mb = std::ceil(number * factor_mb);
  if (mb <= 0) return SizeError(original, "must be more than zero");
  if (mb > static_cast<double>(kMaxSizeMb)) return SizeError(original, "absurdly large");
  return static_cast<int64_t>(mb);
}

Result<int64_t> ParseDurationSeconds(std::string_view original) {
  SUANLI_ASSIGN_OR_RETURN(int64_t ms, ParseDurationMs(original));
  return (ms + 999) / 1000;
}

Result<int64_t> ParseDurationMs(std::string_view original) {
  std::string_view text = TrimView(original);
  if (text.empty()) return DurationError(original, "empty");
  double seconds = 0;
  if (text.find(':') != std::string_view::npos || text.find('-') != std::string_view::npos) {
    SUANLI_ASSIGN_OR_RETURN(int64_t clock, ParseClockDuration(text, original));
    seconds = static_cast<double>(clock);
  } else {
    double plain = 0;
    if (ParseNumber(text, &plain)) {
      seconds = plain * 60;  // Slurm: plain number = minutes
      if (plain > static_cast<double>(kMaxDurationS) / 60)
        return DurationError(original, "longer than a century");
    } else {
      // A sequence of <number><unit>: "1h30m", "90s", "1.5h".
      std::string lower = Lower(text);
      size_t i = 0;
      double total = 0;
      while (i < lower.size()) {
        size_t start = i;
        while (i < lower.size() &&
               (std::isdigit(static_cast<unsigned char>(lower[i])) || lower[i] == '.'))
          ++i;
        double value = 0;
        if (!ParseNumber(std::string_view(lower).substr(start, i - start), &value)) {
          return DurationError(original, "expected a number before each unit");
        }
        if (i >= lower.size()) return DurationError(original, "missing unit after the last number");
        double unit = 0;
        if (lower.compare(i, 2, "ms") == 0) {
          unit = 0.001;
          ++i;
        } else
          switch (lower[i]) {
            case 's':
              unit = 1;
              break;
            case 'm':
              unit = 60;
              break;
            case 'h':
              unit = 3600;
              break;
            case 'd':
              unit = 86400;
              break;
            case 'w':
              unit = 7 * 86400;
              break;
            default:
              return DurationError(original, std::string("unknown unit '") + lower[i] + "'");
          }
        ++i;
        total += value * unit;
        if (total > static_cast<double>(kMaxDurationS))
          return DurationError(original, "longer than a century");
      }
      seconds = total;
    }
  }
  auto ms = static_cast<int64_t>(std::llround(seconds * 1000));
  if (ms <= 0) return DurationError(original, "must be more than zero");
  return ms;
}

Result<double> ParseTimestamp(std::string_view original) {
  std::string_view text = TrimView(original);
  auto error = [&](std::string_view why) {
    return InvalidArgument("invalid date '" + std::string(original) + "': " + std::string(why) +
                           " (examples: 2026-01-01, 2026-01-01T12:30, 2026-01-01 12:30:15 in UTC, "
                           "or Unix seconds)");
  };
  if (text.empty()) return error("empty");
  double epoch = 0;
  if (text.find('-') == std::string_view::npos && ParseNumber(text, &epoch)) return epoch;
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::string str(text);
  char sep = 0;
  int n = std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s);
  bool ok = (n == 3 && str.size() == 10) || ((n == 6 || n == 7) && (sep == 'T' || sep == ' '));
  if (!ok) return error("not a date");
  // Rebuild the canonical form to reject trailing junk like "2026-01-01x".
  char canonical[32];
  if (n == 3) {
    std::snprintf(canonical, sizeof canonical, "%04d-%02d-%02d", y, mo, d);
  } else if (n == 6) {
    std::snprintf(canonical, sizeof canonical, "%04d-%02d-%02d%c%02d:%02d", y, mo, d, sep, h, mi);
  } else {
    std::snprintf(canonical, sizeof canonical, "%04d-%02d-%02d%c%02d:%02d:%02d", y, mo, d, sep, h,
                  mi, s);
  }
  if (str != canonical) return error("not a date");
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return error("field out of range");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_mday != d) return error("no such day");
  return static_cast<double>(t);
}

Result<std::map<std::string, double>> ParseResourceMap(std::string_view original) {
  std::map<std::string, double> out;
  std::string_view text = TrimView(original);
  if (text.empty())
    return InvalidArgument("empty resource list (expected e.g. nvidia-a100=8,cpus=64,mem=256G)");
  for (auto item : Split(text, ',')) {
    item = TrimView(item);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgument("invalid resource '" + std::string(item) + "' in '" +
                             std::string(original) +
                             "': expected NAME=VALUE (e.g. nvidia-a100=8,cpus=64,mem=256G)");
    }
    std::string key = Lower(TrimView(item.substr(0, eq)));
    std::string_view value = TrimView(item.substr(eq + 1));
    double number = 0;
    if (key == "mem" || key == "memory" || key == "mem_mb") {
      double plain = 0;
      if (key == "mem_mb" && ParseNumber(value, &plain)) {
        number = plain;
      } else {
        SUANLI_ASSIGN_OR_RETURN(int64_t mb, ParseSizeMb(value));
        number = static_cast<double>(mb);
      }
      key = "mem_mb";
    } else if (!ParseNumber(value, &number)) {
      return InvalidArgument("invalid amount '" + std::string(value) + "' for resource '" + key +
                             "': expected a non-negative number");
    }
    if (out.count(key))
      return InvalidArgument("resource '" + key + "' given twice in '" + std::string(original) +
                             "'");
    out[key] = number;
  }
  return out;
}

Result<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgument("invalid '" + std::string(text) + "': expected KEY=VALUE");
  }
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

Result<double> ParseNonNegative(std::string_view text, std::string_view what) {
  double v = 0;
  if (!ParseNumber(TrimView(text), &v)) {
    return InvalidArgument("invalid " + std::string(what) + " '" + std::string(text) +
                           "': expected a non-negative number");
  }
  return v;
}

}  // namespace suanli::cli
