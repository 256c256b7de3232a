// What the simple placement rules share: the leftovers a task would leave on a node.
#include "core/placement/scorer.h"

#include "core/job_util.h"

namespace suanli::core {

double Ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

Leftover LeftoverOf(const Capacity& cap, const PlacementOption& option) {
  const int32_t n = option.node;
  const Resources& r = *option.r;
  const std::vector<int32_t>& devices = *option.devices;
  Leftover left;
  for (int32_t d = 0; d < cap.num_devices(n); ++d) {
    if (option.type != kNoAccel && cap.device_type(n, d) != option.type) continue;
    left.accel_free += cap.device_free(n, d);
    left.accel_total += cap.device_total(n, d);
    if (cap.device_free(n, d) < cap.device_total(n, d)) left.node_idle = false;
  }
  left.take = devices.empty() ? 0 : r.accel_milli;
  left.cpu = Ratio(cap.cpu_free(n) - r.cpu_milli, cap.cpu_total(n));
  left.mem = Ratio(cap.mem_free(n) - r.mem_mb, cap.mem_total(n));
  left.accel = Ratio(left.accel_free - left.take, left.accel_total);
  if (devices.size() == 1 && IsFractional(r)) {
    const int32_t d = devices[0];
    left.device = Ratio(cap.device_free(n, d) - r.accel_milli, cap.device_total(n, d));
  }
  return left;
}

}  // namespace suanli::core
