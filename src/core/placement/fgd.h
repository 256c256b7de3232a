#pragma once
// Fragmentation-gradient descent (Weng et al., ATC'23): the node/device whose choice least
// increases the expected fragmentation against the workload's task mix (the asks of every job
// seen to arrive, by popularity, the top 95 %). A node's fragment for an ask is FGD's (free GPU it
// cannot start on) plus a look-ahead (free GPU left over once the node's devices, CPU and memory
// take as many such asks as they can), so CPU- or memory-stranded GPUs count too.
#include <cstdint>
#include <map>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "core/placement/scorer.h"

namespace suanli::core {

class FgdScorer : public PlacementScorer {
 public:
  std::string_view name() const override { return "fgd"; }
  void BeginCycle(const ClusterState& state, const Capacity& cap) override;
  void BeforePlace(const Shape& shape) override { LearnMixOnce(); }
  double Score(const Capacity& cap, const PlacementOption& option, PlacementRng& rng) override;

  // The fragment measure FGD minimises (see ClassFrag), for one node and one kind of task: a task
  // asks `per_device` milli on each of `devices` devices plus `cpu_milli` and `mem_mb`; `type_ok`
  // says whether the node has a type it accepts.
  struct FragTask {
    int64_t per_device = 0;
    int32_t devices = 1;
    int64_t cpu_milli = 0, mem_mb = 0;
  };
  static int64_t NodeFragment(const std::vector<int64_t>& device_free, int64_t cpu_free,
                              int64_t mem_free, const FragTask& task, bool type_ok = true);

 protected:
  // The mix is gathered on first use in a cycle: a cycle that places only whole devices under
  // "auto" never pays for it.
  void LearnMixOnce();

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

  void LearnMix(const ClusterState& state);
  void BuildClasses();
  const NodeFrag& Frag(const Capacity& cap, int32_t n);
  static void CountDevice(const TaskClass& c, int64_t free, int sign, int32_t* fit, int64_t* small,
                          int64_t* slots);
  static int64_t ClassFrag(const TaskClass& c, bool type_ok, int32_t fit, int64_t small,
                           int64_t slots, int64_t sum_free, int64_t cpu_free, int64_t mem_free);
  // Expected fragment of node n after taking `r` on `devices`, minus what it is now.
  double FragIncrease(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                      const Resources& r);

  // FGD's target workload, learned from every job this scorer has seen arrive (placed or not).
  std::unordered_set<JobId> seen_;
  std::map<ClassKey, double> mix_;
  double mix_total_ = 0, mix_total_built_ = 0;
  bool first_cycle_ = true;
  Time latest_start_ = 0;                // newest start among running jobs at the last pass
  const ClusterState* state_ = nullptr;  // this cycle's, for the mix gathered on first use
  bool mix_learned_ = false;
  uint64_t classes_epoch_ = 0;
  std::vector<TaskClass> classes_;
  std::vector<NodeFrag> frag_;
};

}  // namespace suanli::core
