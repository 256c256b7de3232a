#pragma once
// Topology packing for whole devices, the rule "auto" and "topology" use for them: a gang on the
// fewest switches, nodes and islands, each member on the tightest node that holds as many of the
// remaining members as possible.
#include <cstdint>
#include <vector>

#include "core/capacity.h"
#include "core/model.h"

namespace suanli::core {

// Places every task of `shape` (whole devices each) on `type`, taking them from `cap` and
// appending to `out`. On false some tasks may already be in `out` and taken: the caller gives
// them back.
bool PlaceGangByTopology(const Shape& shape, AccelType type, Capacity& cap,
                         std::vector<TaskAllocation>& out);

// `count` whole free devices of `type` on node n, chosen to span the fewest islands; empty when
// the node has fewer.
std::vector<int32_t> PickWholeDevices(const Capacity& cap, int32_t n, AccelType type,
                                      int32_t count);

// The node has room for the task's CPU and memory and takes work.
inline bool FitsHost(const Capacity& cap, int32_t n, const Resources& r) {
  return cap.schedulable(n) && cap.cpu_free(n) >= r.cpu_milli && cap.mem_free(n) >= r.mem_mb;
}

}  // namespace suanli::core
