#pragma once
// Slurm's --array syntax: a comma list of N, N-M or N-M:STEP, optionally followed by %MAX, the
// number of tasks that may run at once ("1-16", "0-497", "1,6-7,12", "1-10%1", "1-9:2").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::slurm {

// What a site configures; Slurm's MaxArraySize (default 1001) allows indices 0..1000.
struct ArrayLimits {
  uint32_t max_index = 1000;
  uint32_t max_tasks = 1001;
};

struct ArraySpec {
  std::vector<uint32_t> task_ids;       // sorted, unique
  std::optional<uint32_t> max_running;  // the %N throttle
  bool operator==(const ArraySpec&) const = default;
};

Result<ArraySpec> ParseArraySpec(std::string_view text, const ArrayLimits& limits = {});

// The spec written back in the same syntax, runs of consecutive ids as ranges ("0-9,20%2"), so
// that ParseArraySpec(FormatArraySpec(s)) == s.
std::string FormatArraySpec(const ArraySpec& spec);

}  // namespace suanli::slurm
