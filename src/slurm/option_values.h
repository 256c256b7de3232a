#pragma once
// The values of sbatch options too small for a file of their own: --nodes, --signal, --export,
// --mail-type, --open-mode and counts such as --ntasks.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace suanli::slurm {

// --nodes=N or MIN-MAX.
struct NodeRange {
  uint32_t min = 1;
  uint32_t max = 1;
  bool operator==(const NodeRange&) const = default;
};
Result<NodeRange> ParseNodeRange(std::string_view text);

// A positive count, as --ntasks, --ntasks-per-node and --cpus-per-task take.
Result<uint32_t> ParsePositiveCount(std::string_view text);

// --signal=[{R|B}:]SIG[@SECONDS]: send SIG that many seconds (default 60) before the time limit.
struct SignalSpec {
  int number = 0;            // 10 for USR1
  std::string name;          // "USR1"
  uint32_t seconds = 60;     // before the end of the time limit
  bool batch_only = false;   // B: only the batch shell, not its steps
  bool reservation = false;  // R: may overlap a reservation with MaxStartDelay (sbatch(1))
  bool operator==(const SignalSpec&) const = default;
};
Result<SignalSpec> ParseSignalSpec(std::string_view text);
// The form ParseSignalSpec reads back: "B:USR1@120", "TERM@60" (a number it has no name for as
// digits).
std::string FormatSignalSpec(int number, uint32_t seconds, bool batch_only);

// --export=ALL|NONE|[ALL,]NAME[=VALUE],...
struct ExportSpec {
  bool all = true;  // the submitting environment is passed on
  std::vector<std::pair<std::string, std::optional<std::string>>> variables;
  bool operator==(const ExportSpec&) const = default;
};
Result<ExportSpec> ParseExportSpec(std::string_view text);

// --mail-type=BEGIN,END,...; upper-cased and checked against Slurm's list.
Result<std::vector<std::string>> ParseMailTypes(std::string_view text);

enum class OpenMode { kTruncate, kAppend };
Result<OpenMode> ParseOpenMode(std::string_view text);

// --exclusive[=user|mcs|topo]; "" for the plain flag.
Result<std::string> ParseExclusiveMode(std::string_view text);

}  // namespace suanli::slurm
