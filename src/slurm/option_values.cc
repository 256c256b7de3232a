#include "slurm/option_values.h"

#include <cctype>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

Status Bad(std::string_view what, std::string_view text, std::string_view why) {
  return InvalidArgument("invalid " + std::string(what) + " " + Quoted(text) + ": " +
                         std::string(why));
}

struct SignalName {
  std::string_view name;
  int number;
};
// Linux numbering, which is what the agents run on.
constexpr SignalName kSignals[] = {
    {"HUP", 1},     {"INT", 2},   {"QUIT", 3},  {"ABRT", 6},  {"KILL", 9},  {"USR1", 10},
    {"USR2", 12},   {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15}, {"CONT", 18}, {"STOP", 19},
    {"TSTP", 20},   {"TTIN", 21}, {"TTOU", 22}, {"URG", 23},  {"XCPU", 24}, {"XFSZ", 25},
    {"VTALRM", 26}, {"PROF", 27}, {"WINCH", 28}};

constexpr std::string_view kMailTypes[] = {
    "NONE",          "BEGIN",          "END",        "FAIL",       "REQUEUE",
    "ALL",           "INVALID_DEPEND", "STAGE_OUT",  "TIME_LIMIT", "TIME_LIMIT_90",
    "TIME_LIMIT_80", "TIME_LIMIT_50",  "ARRAY_TASKS"};

bool IsVariableName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

Result<uint32_t> ParsePositiveCount(std::string_view text) {
  const auto n = ParseUnsigned(Trim(text));
  if (!n || *n == 0 || *n > (1u << 24)) return Bad("count", text, "expected a positive number");
  return static_cast<uint32_t>(*n);
}

Result<NodeRange> ParseNodeRange(std::string_view text) {
  const std::string_view t = Trim(text);
  const size_t dash = t.find('-');
  const auto lo = ParsePositiveCount(t.substr(0, dash));
  const auto hi = dash == std::string_view::npos ? lo : ParsePositiveCount(t.substr(dash + 1));
  if (!lo.ok() || !hi.ok()) return Bad("node count", text, "expected N or MIN-MAX");
  if (*lo > *hi) return Bad("node count", text, "the minimum is above the maximum");
  return NodeRange{*lo, *hi};
}

Result<SignalSpec> ParseSignalSpec(std::string_view text) {
  std::string_view t = Trim(text);
  SignalSpec spec;
  // "B:", "R:", or both in either order ("RB:").
  if (const size_t colon = t.find(':'); colon != std::string_view::npos) {
    for (char flag : t.substr(0, colon)) {
      if (flag == 'B' || flag == 'b') {
        spec.batch_only = true;
      } else if (flag == 'R' || flag == 'r') {
        spec.reservation = true;
      } else {
        return Bad("signal", text, "expected B: or R: before the signal");
      }
    }
    t = t.substr(colon + 1);
  }
  if (const size_t at = t.find('@'); at != std::string_view::npos) {
    const auto seconds = ParseUnsigned(t.substr(at + 1));
    if (!seconds || *seconds > 65535) {
      return Bad("signal", text, "the time after '@' must be 0 to 65535 seconds");
    }
    spec.seconds = static_cast<uint32_t>(*seconds);
    t = t.substr(0, at);
  }
  std::string name = ToUpper(t);
  if (name.starts_with("SIG")) name = name.substr(3);
  const auto number = ParseUnsigned(name);
  for (const auto& s : kSignals) {
    if (s.name == name || (number && *number == static_cast<uint64_t>(s.number))) {
      spec.name = std::string(s.name);
      spec.number = s.number;
      return spec;
    }
  }
  return Bad("signal", text, Quoted(t) + " is not a signal name or number");
}

std::string FormatSignalSpec(int number, uint32_t seconds, bool batch_only) {
  std::string name = std::to_string(number);
  for (const auto& s : kSignals) {
    if (s.number == number) name = std::string(s.name);
  }
  return (batch_only ? "B:" : "") + name + "@" + std::to_string(seconds);
}

Result<ExportSpec> ParseExportSpec(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return Bad("export", text, "empty");
  ExportSpec spec;
  if (EqualsIgnoreCase(t, "NONE") || EqualsIgnoreCase(t, "NIL")) {
    spec.all = false;
    return spec;
  }
  // A list without ALL passes only the variables named (plus Slurm's own).
  spec.all = false;
  for (std::string_view item : Split(t, ',')) {
    if (EqualsIgnoreCase(item, "ALL")) {
      spec.all = true;
      continue;
    }
    const size_t eq = item.find('=');
    const std::string_view name = item.substr(0, eq);
    if (!IsVariableName(name)) return Bad("export", text, Quoted(name) + " is not a variable");
    std::optional<std::string> value;
    if (eq != std::string_view::npos) value = std::string(item.substr(eq + 1));
    spec.variables.emplace_back(std::string(name), value);
  }
  return spec;
}

Result<std::vector<std::string>> ParseMailTypes(std::string_view text) {
  std::vector<std::string> types;
  for (std::string_view item : Split(Trim(text), ',')) {
    const std::string upper = ToUpper(Trim(item));
    bool known = false;
    for (auto type : kMailTypes) known = known || type == upper;
    if (!known) return Bad("mail type", text, Quoted(item) + " is not one of Slurm's");
    types.push_back(upper);
  }
  return types;
}

Result<OpenMode> ParseOpenMode(std::string_view text) {
  const std::string upper = ToUpper(Trim(text));
  if (upper == "APPEND" || upper == "A") return OpenMode::kAppend;
  if (upper == "TRUNCATE" || upper == "T") return OpenMode::kTruncate;
  return Bad("open mode", text, "expected append or truncate");
}

Result<std::string> ParseExclusiveMode(std::string_view text) {
  const std::string lower = [&] {
    std::string s(Trim(text));
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }();
  if (lower.empty() || lower == "user" || lower == "mcs" || lower == "topo") return lower;
  return Bad("exclusive mode", text, "expected user, mcs or topo");
}

}  // namespace suanli::slurm
