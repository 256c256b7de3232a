#include "core/accounting.h"

#include <cmath>

namespace suanli::core {
namespace {

Status CheckPrice(const std::string& what, double v) {
  if (!std::isfinite(v) || v < 0) {
    return InvalidArgument("price for " + what + " must be a finite number >= 0");
  }
  return Status::Ok();
}

}  // namespace

double PriceTable::AccelHourPrice(const std::string& type) const {
  auto it = accel_hour.find(type);
  return it == accel_hour.end() ? default_accel_hour : it->second;
}

Status PriceTable::Validate() const {
  SUANLI_RETURN_IF_ERROR(CheckPrice("cpu_hour", cpu_hour));
  SUANLI_RETURN_IF_ERROR(CheckPrice("mem_gib_hour", mem_gib_hour));
  SUANLI_RETURN_IF_ERROR(CheckPrice("default_accel_hour", default_accel_hour));
  for (const auto& [type, price] : accel_hour) {
    SUANLI_RETURN_IF_ERROR(CheckPrice("accel_hour." + type, price));
  }
  return Status::Ok();
}

void ResourceSeconds::Add(const ResourceSeconds& other) {
  cpu_s += other.cpu_s;
  mem_mb_s += other.mem_mb_s;
  for (const auto& [type, s] : other.accel_s) accel_s[type] += s;
}

double ResourceSeconds::AccelSeconds() const {
  double total = 0;
  for (const auto& [type, s] : accel_s) total += s;
  return total;
}

ResourceSeconds Measure(const std::vector<TaskHolding>& tasks, Time start_ms, Time end_ms) {
  ResourceSeconds out;
  if (end_ms <= start_ms) return out;
  double seconds = static_cast<double>(end_ms - start_ms) / 1000.0;
  for (const auto& t : tasks) {
    out.cpu_s += t.cpus * seconds;
    out.mem_mb_s += static_cast<double>(t.mem_mb) * seconds;
    if (t.accel_devices > 0 && !t.accel_type.empty()) {
      out.accel_s[t.accel_type] += t.accel_devices * seconds;
    }
  }
  return out;
}

double Cost(const ResourceSeconds& used, const PriceTable& prices) {
  double cost =
      used.cpu_s / 3600.0 * prices.cpu_hour + used.mem_mb_s / 1024.0 / 3600.0 * prices.mem_gib_hour;
  for (const auto& [type, s] : used.accel_s) cost += s / 3600.0 * prices.AccelHourPrice(type);
  return cost;
}

}  // namespace suanli::core
