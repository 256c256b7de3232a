#pragma once
// Parsing of the human units the CLI accepts: sizes, durations, dates and "key=value" resource
// maps. Every error names the text that was wrong and shows what would have been accepted.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace suanli::cli {

// "512M", "32G", "1T", "1.5G", "100K", "2048" (plain numbers are MiB, as in Slurm) -> MiB, rounded
// up. Units are powers of 1024 and case-insensitive; a trailing "B" or "iB" is allowed ("32GiB").
Result<int64_t> ParseSizeMb(std::string_view text);

// "90s", "30m", "2h", "1d", "1h30m", "1:30:00" (H:MM:SS), "30:00" (M:SS), "2-12:00:00" (D-H:MM:SS),
// "45" (plain numbers are minutes, as in Slurm) -> seconds, a fraction rounded up ("500ms" -> 1).
// Zero and negative durations are errors.
Result<int64_t> ParseDurationSeconds(std::string_view text);
// The same in milliseconds, where "ms" is also a unit ("500ms", "1s500ms").
Result<int64_t> ParseDurationMs(std::string_view text);

// "2026-01-01", "2026-01-01T12:30", "2026-01-01 12:30:15" (UTC) or Unix seconds -> Unix seconds.
Result<double> ParseTimestamp(std::string_view text);

// "nvidia-a100=8,cpus=64,mem=256G" -> {"nvidia-a100": 8, "cpus": 64, "mem_mb": 262144}.
// "mem"/"memory"/"mem_mb" take a size; every other value is a non-negative number.
Result<std::map<std::string, double>> ParseResourceMap(std::string_view text);

// "K=V" -> {K, V}; K must be non-empty.
Result<std::pair<std::string, std::string>> ParseKeyValue(std::string_view text);

// Non-negative finite number ("0.5", "8"); `what` names the flag in the error.
Result<double> ParseNonNegative(std::string_view text, std::string_view what);

}  // namespace suanli::cli
