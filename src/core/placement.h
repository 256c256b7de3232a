#pragma once
// Where the tasks of a job go. One Placer per policy; strategies chosen by PolicyConfig::placement:
//   auto        topology packing for whole devices, FGD for fractional ones (the default)
//   topology    whole devices: a gang on the fewest switches, nodes and islands; best fit by free
//               whole devices (a job that fits one node lands on one node, larger gangs on whole
//               free nodes). Fractional asks fall back to best-fit.
//   fgd         fragmentation-gradient descent (Weng et al., ATC'23): the node/device whose choice
//               least increases the expected fragmentation against the workload's task mix
//   random      a uniformly random feasible node/device (seeded)
//   dot-product the node whose free vector best aligns with the ask (Tetris-style)
//   clustering  nodes already running tasks with the same accelerator ask first (GPU clustering)
//   packing     partly used devices, then partly used nodes, then idle ones (GPU packing)
//   best-fit    the node left with the least free resources (normalised sum)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/capacity.h"
#include "core/model.h"

namespace suanli::core {

enum class PlacementKind {
  kAuto,
  kTopology,
  kFgd,
  kRandom,
  kDotProduct,
  kClustering,
  kPacking,
  kBestFit
};

bool ParsePlacement(std::string_view name, PlacementKind* kind);
std::vector<std::string> PlacementKindNames();

class Placer {
 public:
  Placer(PlacementKind kind, uint64_t seed)
      : kind_(kind), rng_(seed ? seed : 0x9E3779B97F4A7C15ULL) {}

  // Learns the workload's task mix (FGD) and which asks run where (clustering) from `state`.
  void BeginCycle(const ClusterState& state, const Capacity& cap);

  // Places every task of `shape` on accelerator `type` (kNoAccel when it needs none), taking the
  // resources from `cap`. All or nothing: on false `cap` and `out` are unchanged.
  bool Place(const Shape& shape, AccelType type, Capacity& cap, std::vector<TaskAllocation>& out);

  // Whole free devices of `type` on node n chosen to span the fewest islands.
  static std::vector<int32_t> PickDevices(const Capacity& cap, int32_t n, AccelType type,
                                          int32_t count);

 private:
  struct TaskClass {
    int64_t accel_milli, cpu_milli, mem_mb;
    double weight;
    uint64_t types;  // accepted accelerator types, one bit each; 0 = any
  };
  struct NodeFrag {  // cached per node version
    uint64_t version = ~0ULL;
    int64_t sum_free = 0, whole = 0, partial_sum = 0;
    std::vector<int64_t> raw;  // per class: free on devices smaller than the class's fraction
    double expected = 0;
  };
  struct Option {
    int32_t node = -1;
    std::vector<int32_t> devices;
    double score = 0;
  };

  bool PlaceTopology(const Shape& shape, AccelType type, Capacity& cap,
                     std::vector<TaskAllocation>& out);
  bool PlaceScored(const Shape& shape, AccelType type, Capacity& cap,
                   std::vector<TaskAllocation>& out);
  int32_t FindWholeNode(const Capacity& cap, AccelType type, int32_t per_task, const Resources& r,
                        int32_t remaining, int32_t switch_id) const;
  double Score(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
               const Resources& r, AccelType type);
  const NodeFrag& Frag(const Capacity& cap, int32_t n);
  double FragDelta(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                   const Resources& r);
  void Record(const TaskAllocation& task, int sign);
  void BuildClasses(const Capacity& cap);
  uint64_t NextRandom();

  PlacementKind kind_;
  uint64_t rng_;
  const ClusterState* state_ = nullptr;
  bool classes_ready_ = false;
  std::vector<TaskClass> classes_;
  std::vector<NodeFrag> frag_;
  std::vector<std::vector<int64_t>> asks_on_node_;  // clustering: accel asks running per node
  std::vector<int32_t> tasks_on_node_;
};

}  // namespace suanli::core
