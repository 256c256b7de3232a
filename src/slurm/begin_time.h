#pragma once
// Slurm's --begin syntax (sbatch(1)), resolved against a "now" the caller passes in:
//   now[{+|-}COUNT[seconds|minutes|hours|days|weeks]]   (seconds by default)
//   today, tomorrow, midnight, noon, elevenses (11:00), fika (15:00), teatime (16:00)
//   YYYY-MM-DD[THH:MM[:SS]]
//   MM/DD[/YY][-HH:MM[:SS]], MM.DD[.YY], MMDD[YY]
//   HH:MM[:SS] [AM|PM]
// As in Slurm, a time of day that has passed means tomorrow, and a date without a year that has
// passed means next year. Wall-clock forms are read in the caller's zone, given as its offset.
#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace suanli::slurm {

struct BeginClock {
  int64_t now_unix = 0;            // seconds since the epoch, UTC
  int64_t utc_offset_seconds = 0;  // local time minus UTC, e.g. +28800 for UTC+8
};

// Returns the begin time as Unix seconds.
Result<int64_t> ParseBeginTime(std::string_view text, const BeginClock& clock);

}  // namespace suanli::slurm
