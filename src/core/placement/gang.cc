// Topology packing for whole devices: see gang.h.
#include "core/placement/gang.h"

#include <algorithm>
#include <map>

#include "core/job_util.h"

namespace suanli::core {
namespace {

// A node for the next gang member: on `switch_id` unless it is -1, with `per_task` whole devices
// and room for `r`.
int32_t FindWholeNode(const Capacity& cap, AccelType type, int32_t per_task, const Resources& r,
                      int32_t remaining, int32_t switch_id) {
  const int32_t max_free = cap.max_devices_per_node(type);
  const int32_t want = std::min<int64_t>(int64_t{remaining} * per_task, max_free);
  auto scan = [&](int32_t f) -> int32_t {
    for (int32_t n : cap.bucket(type, f)) {
      if ((switch_id < 0 || cap.switch_id(n) == switch_id) && FitsHost(cap, n, r)) return n;
    }
    return -1;
  };
  // The tightest node that holds all the remaining tasks, else the roomiest nodes first.
  for (int32_t f = want; f <= max_free; ++f) {
    if (int32_t n = scan(f); n >= 0) return n;
  }
  for (int32_t f = want - 1; f >= per_task; --f) {
    if (int32_t n = scan(f); n >= 0) return n;
  }
  return -1;
}

}  // namespace

std::vector<int32_t> PickWholeDevices(const Capacity& cap, int32_t n, AccelType type,
                                      int32_t count) {
  std::map<int32_t, std::vector<int32_t>> by_island;
  for (int32_t d = 0; d < cap.num_devices(n); ++d) {
    if (cap.device_type(n, d) == type && cap.device_total(n, d) > 0 &&
        cap.device_free(n, d) >= cap.device_total(n, d)) {
      by_island[cap.device_island(n, d)].push_back(d);
    }
  }
  // One island that holds the whole ask, the tightest such; otherwise the fullest islands first.
  const std::vector<int32_t>* best = nullptr;
  for (const auto& [island, devs] : by_island) {
    if (static_cast<int32_t>(devs.size()) >= count && (!best || devs.size() < best->size())) {
      best = &devs;
    }
  }
  std::vector<int32_t> picked;
  if (best) {
    picked.assign(best->begin(), best->begin() + count);
    return picked;
  }
  std::vector<const std::vector<int32_t>*> islands;
  for (const auto& [island, devs] : by_island) islands.push_back(&devs);
  std::stable_sort(islands.begin(), islands.end(),
                   [](auto* a, auto* b) { return a->size() > b->size(); });
  for (auto* devs : islands) {
    for (int32_t d : *devs) {
      if (static_cast<int32_t>(picked.size()) == count) break;
      picked.push_back(d);
    }
  }
  if (static_cast<int32_t>(picked.size()) < count) picked.clear();
  std::sort(picked.begin(), picked.end());
  return picked;
}

bool PlaceGangByTopology(const Shape& shape, AccelType type, Capacity& cap,
                         std::vector<TaskAllocation>& out) {
  const Resources& r = shape.per_task;
  const int32_t per_task = DevicesPerTask(r);
  // Gang members after the first prefer the first one's switch (fewest switches); the first goes
  // to the tightest node that holds as many members as possible.
  int32_t sw = -1;
  for (int32_t i = 0; i < shape.tasks; ++i) {
    int32_t node = -1;
    for (const auto& placed : out) {  // pack gang members together first
      if (cap.whole_free(placed.node, type) >= per_task && FitsHost(cap, placed.node, r)) {
        node = placed.node;
        break;
      }
    }
    if (node < 0) node = FindWholeNode(cap, type, per_task, r, shape.tasks - i, sw);
    if (node < 0 && sw >= 0) node = FindWholeNode(cap, type, per_task, r, shape.tasks - i, -1);
    if (node < 0) return false;
    if (sw < 0 && shape.tasks > 1) sw = cap.switch_id(node);
    TaskAllocation task;
    task.node = node;
    task.type = type;
    task.res = r;
    task.devices = PickWholeDevices(cap, node, type, per_task);
    if (static_cast<int32_t>(task.devices.size()) != per_task) return false;
    cap.Apply(task, -1);
    out.push_back(std::move(task));
  }
  return true;
}

}  // namespace suanli::core
