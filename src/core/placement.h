#pragma once
// Where the tasks of a job go. One Placer per policy; strategies chosen by PolicyConfig::placement:
//   auto        topology packing for whole devices, FGD for fractional ones (the default)
//   topology    whole devices: a gang on the fewest switches, nodes and islands; best fit by free
//               whole devices (a job that fits one node lands on one node, larger gangs on whole
//               free nodes). Fractional asks fall back to best-fit.
//   fgd         fragmentation-gradient descent (Weng et al., ATC'23): the node/device whose choice
//               least increases the expected fragmentation against the workload's task mix
//               (the asks of every job seen to arrive, by popularity, the top 95 %). A node's
//               fragment for an ask is FGD's (free GPU it cannot start on) plus a look-ahead
//               (free GPU left over once the node's devices, CPU and memory take as many such
//               asks as they can), so CPU- or memory-stranded GPUs count too.
//   random      a uniformly random feasible node/device (seeded)
//   dot-product the node whose free vector best aligns with the ask (Tetris-style)
//   clustering  nodes already running tasks with the same accelerator ask first (GPU clustering)
//   packing     partly used devices (tightest first), then whole devices of partly used nodes
//               (fewest first), then idle nodes (smallest first); no preference for CPU-only asks
//               (a random node), as FGD's GPU-packing baseline
//   best-fit    the node left with the least free resources (normalised sum)
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

// Every scored placement (all but topology, and auto's whole-device asks) compares the nodes of
// all accelerator types the job accepts and runs on equally fast, not just the type the
// scheduler asks for: it declines that type while another holds the better option.
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

  // The fragment measure FGD placement minimises (see ClassFrag in placement.cc), for one node
  // and one kind of task: a task asks `per_device` milli on each of `devices` devices plus
  // `cpu_milli` and `mem_mb`; `type_ok` says whether the node has a type it accepts.
  struct FragTask {
    int64_t per_device = 0;
    int32_t devices = 1;
    int64_t cpu_milli = 0, mem_mb = 0;
  };
  static int64_t NodeFragment(const std::vector<int64_t>& device_free, int64_t cpu_free,
                              int64_t mem_free, const FragTask& task, bool type_ok = true);

  // Whole free devices of `type` on node n chosen to span the fewest islands.
  static std::vector<int32_t> PickDevices(const Capacity& cap, int32_t n, AccelType type,
                                          int32_t count);

 private:
  // One kind of task in the workload FGD measures fragmentation against (its "target workload").
  struct TaskClass {
    int64_t per_device = 0;  // milli asked on each device (a fraction, or 1000 for whole devices)
    int32_t devices = 0;     // devices per task
    int64_t cpu_milli = 0, mem_mb = 0;
    uint64_t types = 0;  // accepted accelerator types, one bit each; 0 = any
    double weight = 0;   // share of the workload's tasks
  };
  using ClassKey = std::tuple<int64_t, int32_t, int64_t, int64_t, uint64_t>;
  // A node's fragmentation against every class, kept while the node and the classes stay as
  // they were (compared by value: the capacity index is rebuilt every cycle).
  struct NodeFrag {
    uint64_t epoch = 0;  // classes_epoch_ this was computed for; 0 = never
    int64_t cpu_free = 0, mem_free = 0, sum_free = 0;
    std::vector<int64_t> dev_free;  // snapshot of the node's devices
    std::vector<int32_t> fit;       // per class: devices with at least per_device free
    std::vector<int64_t> small;     // per class: free milli on devices with less than per_device
    std::vector<int64_t> slots;     // per class: tasks the devices alone could still take
    std::vector<char> type_ok;      // per class: the node has a type the class accepts
    double expected = 0;            // sum over classes of weight x fragment
  };
  struct Option {
    int32_t node = -1;
    AccelType type = kNoAccel;
    std::vector<int32_t> devices;
  };

  void LearnMix(const ClusterState& state);
  void BuildClasses();
  bool PlaceTopology(const Shape& shape, AccelType type, Capacity& cap,
                     std::vector<TaskAllocation>& out);
  bool PlaceScored(const Shape& shape, AccelType type, Capacity& cap,
                   std::vector<TaskAllocation>& out);
  // Updates `best` with the best option for one task of `r` on nodes of `type`.
  void ScanType(const Resources& r, AccelType type, Capacity& cap, Option* best, double* best_score,
                uint64_t* seen);
  // The type, among those the job accepts and runs on as fast as `type`, that holds the best
  // option for its first task; `type` itself when the job is unknown or nothing fits anywhere.
  AccelType BestType(const Shape& shape, AccelType type, Capacity& cap);
  int32_t FindWholeNode(const Capacity& cap, AccelType type, int32_t per_task, const Resources& r,
                        int32_t remaining, int32_t switch_id) const;
  double Score(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
               const Resources& r, AccelType type);
  const NodeFrag& Frag(const Capacity& cap, int32_t n);
  static void CountDevice(const TaskClass& c, int64_t free, int sign, int32_t* fit, int64_t* small,
                          int64_t* slots);
  static int64_t ClassFrag(const TaskClass& c, bool type_ok, int32_t fit, int64_t small,
                           int64_t slots, int64_t sum_free, int64_t cpu_free, int64_t mem_free);
  // Expected fragment of node n after taking `r` on `devices`, minus what it is now.
  double FragIncrease(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                      const Resources& r);
  void Record(const TaskAllocation& task, int sign);
  uint64_t NextRandom();

  PlacementKind kind_;
  uint64_t rng_;
  // FGD's target workload, learned from every job this placer has seen arrive (placed or not).
  std::unordered_set<JobId> seen_;
  std::map<ClassKey, double> mix_;
  double mix_total_ = 0, mix_total_built_ = 0;
  bool first_cycle_ = true;
  Time latest_start_ = 0;                // newest start among running jobs at the last pass
  const ClusterState* state_ = nullptr;  // this cycle's, for what is gathered on first use
  bool mix_learned_ = false, owners_built_ = false;
  uint64_t classes_epoch_ = 0;
  std::vector<TaskClass> classes_;
  std::vector<NodeFrag> frag_;
  // Cross-type choice: which job each pending shape belongs to (for its per-type speeds), the
  // last decision (reused while the job is asked type after type over unchanged capacity), the
  // jobs told to wait for a type the scheduler has not asked yet, and jobs for which that did
  // not happen (a quota skipped the type): those keep the scheduler's type order.
  std::unordered_map<const Shape*, const Job*> shape_owner_;
  struct TypeDecision {
    const Shape* shape = nullptr;
    std::vector<int64_t> fingerprint;
    AccelType type = kNoAccel;
    Option option;  // the best option found, on `type`
  };
  TypeDecision decision_;
  bool decision_fresh_ = false;  // decision_ matches the capacity of the current Place call
  std::unordered_map<JobId, AccelType> awaiting_;
  std::unordered_set<JobId> keep_order_;
  std::vector<std::vector<int64_t>> asks_on_node_;  // clustering: accel asks running per node
  std::vector<int32_t> tasks_on_node_;
};

}  // namespace suanli::core
