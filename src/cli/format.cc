#include "cli/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace suanli::cli {

void Table::AddRow(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<size_t> width(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header_);
  for (const auto& r : rows_) emit(r);
  return out;
}

std::string FormatElapsed(double seconds, bool always_hours) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  auto total = static_cast<long long>(seconds);
  long long d = total / 86400, h = total / 3600 % 24, m = total / 60 % 60, s = total % 60;
  char buf[64];
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", d, h, m, s);
  } else if (always_hours) {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", h, m, s);
  } else if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
  }
  return buf;
}

std::string FormatEpoch(const nlohmann::json& epoch_seconds, const char* format, bool local,
                        std::string_view none) {
  if (!epoch_seconds.is_number()) return std::string(none);
  auto t = static_cast<time_t>(epoch_seconds.get<double>());
  std::tm tm{};
  if (local) {
    localtime_r(&t, &tm);
  } else {
    gmtime_r(&t, &tm);
  }
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string FormatTime(const nlohmann::json& epoch_seconds) {
  return FormatEpoch(epoch_seconds, "%Y-%m-%d %H:%M:%S", /*local=*/false, "-");
}

std::string FormatNumber(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9)
    return std::to_string(static_cast<long long>(std::llround(v)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string FormatSizeMb(double mb) {
  if (mb >= 1024.0 * 1024 && std::fmod(mb, 1024.0 * 1024) == 0)
    return FormatNumber(mb / 1024 / 1024) + "T";
  if (mb >= 1024.0 * 1024) return FormatNumber(std::round(mb / 1024 / 1024 * 10) / 10) + "T";
  if (mb >= 1024 && std::fmod(mb, 1024) == 0) return FormatNumber(mb / 1024) + "G";
  if (mb >= 1024) return FormatNumber(std::round(mb / 1024 * 10) / 10) + "G";
  return FormatNumber(mb) + "M";
}

std::string FormatScalar(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return FormatNumber(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return v.dump();
}

std::string FormatJobGpus(const nlohmann::json& job) {
  const auto& res =
      job.contains("resources") && job["resources"].is_object() ? job["resources"] : job;
  double gpus = res.value("gpus", 0.0);
  double tasks = res.value("tasks", 1.0);
  if (gpus <= 0) return "-";
  std::string type = res.contains("gpu_type") && res["gpu_type"].is_string()
                         ? res["gpu_type"].get<std::string>()
                         : "any";
  return type + ":" + FormatNumber(gpus * std::max(1.0, tasks));
}

}  // namespace suanli::cli
