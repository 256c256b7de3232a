#pragma once
// Human output: aligned tables, Slurm-style elapsed times, UTC timestamps and resource summaries.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::cli {

// A plain-text table: a header row and left-aligned columns separated by two spaces.
// The last column is never padded, so long REASON texts do not leave trailing blanks.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> row);
  std::string Render() const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Seconds -> "0:05", "12:34", "1:02:03", "2-03:04:05" (squeue's TIME style); with
// `always_hours`, "00:00:05", "01:02:03", "2-03:04:05" (sacct's Elapsed style).
std::string FormatElapsed(double seconds, bool always_hours = false);
// Unix seconds -> "2026-11-23 06:07:15" (UTC); null or missing -> "-".
std::string FormatTime(const nlohmann::json& epoch_seconds);
// Unix seconds in strftime's `format`, in local time or UTC; null or missing -> `none`.
std::string FormatEpoch(const nlohmann::json& epoch_seconds, const char* format, bool local,
                        std::string_view none);
// MiB -> "512M", "32G", "1.5T".
std::string FormatSizeMb(double mb);
// A number without a useless fraction: 8 -> "8", 0.5 -> "0.5".
std::string FormatNumber(double v);
// A JSON scalar for display: strings unquoted, null -> "-".
std::string FormatScalar(const nlohmann::json& v);
// Accelerators a job asks for in total: "-" for none, "nvidia-a100:4", "any:2".
std::string FormatJobGpus(const nlohmann::json& job);

}  // namespace suanli::cli
