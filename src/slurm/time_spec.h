#pragma once
// Slurm's time-limit syntax, as --time and --time-min take it:
//   M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, and UNLIMITED / INFINITE / -1.
// Slurm reads a limit of 0 as "no limit", and so do we. Slurm itself rounds a limit up to whole
// minutes; we keep seconds and leave rounding to whoever enforces the limit.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace suanli::slurm {

struct TimeLimit {
  bool unlimited = false;
  int64_t seconds = 0;  // meaningful only when !unlimited

  static TimeLimit Unlimited() { return {true, 0}; }
  static TimeLimit Seconds(int64_t s) { return {false, s}; }
  bool operator==(const TimeLimit&) const = default;
};

Result<TimeLimit> ParseTimeLimit(std::string_view text);

// Slurm's way of printing a limit (squeue, scontrol): "UNLIMITED", "HH:MM:SS" or "D-HH:MM:SS".
std::string FormatTimeLimit(const TimeLimit& limit);

}  // namespace suanli::slurm
