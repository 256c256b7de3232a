#include "slurm/filename_pattern.h"

#include <algorithm>

namespace suanli::slurm {
namespace {

// Slurm's NO_VAL, what %a shows outside an array.
constexpr uint64_t kNoArrayTask = 4294967294u;
constexpr size_t kMaxPadding = 10;

std::string Number(uint64_t n, size_t width) {
  std::string digits = std::to_string(n);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

// The value of `%<symbol>`, or nullopt when the symbol is not one of Slurm's.
std::optional<std::string> Symbol(char symbol, size_t width, const FilenameValues& v) {
  const uint64_t task = v.array_task_id.value_or(kNoArrayTask);
  switch (symbol) {
    case 'j':
      return Number(v.job_id, width);
    case 'A':
      return Number(v.array_task_id ? v.array_job_id.value_or(v.job_id) : v.job_id, width);
    case 'a':
      return Number(task, width);
    case 'b':
      return Number(task % 10, width);
    case 'n':
      return Number(v.node_index, width);
    case 't':
      return Number(v.task_id, width);
    case 'x':
      return v.job_name;
    case 'u':
      return v.user;
    case 'N':
      return v.first_node;
    case 's':
      return v.step;
    case 'J':
      return Number(v.job_id, width) + "." + v.step;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string AbsoluteFilenamePattern(std::string_view pattern, std::string_view dir) {
  if (pattern.empty() || pattern[0] == '/' || dir.empty()) return std::string(pattern);
  std::string out;
  for (char c : dir) out += c == '%' ? std::string("%%") : std::string(1, c);
  if (out.back() != '/') out += '/';
  return out + std::string(pattern);
}

std::string ExpandFilenamePattern(std::string_view pattern, const FilenameValues& values) {
  std::string out;
  if (pattern.find('\\') != std::string_view::npos) {
    std::copy_if(pattern.begin(), pattern.end(), std::back_inserter(out),
                 [](char c) { return c != '\\'; });
    return out;
  }
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    if (i + 1 < pattern.size() && pattern[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    size_t j = i + 1;
    size_t width = 0;
    while (j < pattern.size() && pattern[j] >= '0' && pattern[j] <= '9') {
      width = std::min(kMaxPadding, width * 10 + static_cast<size_t>(pattern[j] - '0'));
      ++j;
    }
    const auto value = j < pattern.size() ? Symbol(pattern[j], width, values) : std::nullopt;
    if (!value) {
      out += pattern.substr(i, j - i);  // not a symbol: kept as written, like Slurm does
      i = j - 1;
      continue;
    }
    out += *value;
    i = j;
  }
  return out;
}

std::string_view DefaultOutputPattern(bool array_job) {
  return array_job ? "slurm-%A_%a.out" : "slurm-%j.out";
}

}  // namespace suanli::slurm
