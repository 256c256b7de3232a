#pragma once
// Accounting: resource-seconds a job attempt consumed, per resource type, and their cost from a
// price table. Pure arithmetic (no I/O, no clock): the server supplies the times and the table.
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace suanli::core {

// Prices per hour. Defaults (documented in docs/api.md): 0.02 per cpu-hour, 0.005 per GiB-hour of
// memory, and per device-hour 4.00 nvidia-h100, 2.50 nvidia-a100, 2.00 ascend-910b, 2.00 any other.
struct PriceTable {
  double cpu_hour = 0.02;
  double mem_gib_hour = 0.005;
  double default_accel_hour = 2.0;
  std::map<std::string, double> accel_hour = {
      {"nvidia-h100", 4.0}, {"nvidia-a100", 2.5}, {"ascend-910b", 2.0}};

  double AccelHourPrice(const std::string& type) const;
  // InvalidArgument naming the entry when a price is negative or not finite.
  Status Validate() const;
};

// What one task held while it ran.
struct TaskHolding {
  double cpus = 0;
  int64_t mem_mb = 0;
  double accel_devices = 0;  // 0.5 = half of one device
  std::string accel_type;    // empty without accelerators
};

struct ResourceSeconds {
  double cpu_s = 0;
  double mem_mb_s = 0;
  std::map<std::string, double> accel_s;  // type -> device-seconds

  void Add(const ResourceSeconds& other);
  double AccelSeconds() const;  // all types together
};

// Resource-seconds of `tasks` held from start_ms to end_ms (0 when end <= start).
ResourceSeconds Measure(const std::vector<TaskHolding>& tasks, Time start_ms, Time end_ms);
double Cost(const ResourceSeconds& used, const PriceTable& prices);

}  // namespace suanli::core
