#pragma once
// The free-capacity view one scheduling cycle works on: what each node and device has left once
// running jobs (and this cycle's decisions) are counted. Nodes are indexed by accelerator type and
// by how many whole devices of that type are free, so finding a node for a task never scans the
// whole cluster when the answer is "none fits".
#include <cstdint>
#include <set>
#include <vector>

#include "core/model.h"

namespace suanli::core {

class Capacity {
 public:
  // Rebuilds from the nodes and the allocations of running jobs. Buffers are reused. `running`,
  // when given, lists the indices of the running jobs in state.jobs, so pending jobs are not read.
  void Reset(const ClusterState& state, const std::vector<int32_t>* running = nullptr);

  // The same result as Reset, for a scheduler that calls it every cycle on a state with a job feed
  // (see JobFeed): it undoes what the previous cycle applied, then applies only the allocations of
  // the jobs in state.feed.changes. `incremental` false (the feed was not followed, or the nodes
  // changed) rebuilds everything, as Reset does; so does a feed that contradicts state.jobs (see
  // FeedMatchesJobs), which the caller may not have checked for every mention of a job.
  void Sync(const ClusterState& state, const std::vector<int32_t>& running, bool incremental);

  int32_t num_nodes() const { return static_cast<int32_t>(nodes_.size()); }
  int32_t num_types() const { return static_cast<int32_t>(by_type_.size()); }
  bool schedulable(int32_t n) const { return nodes_[n].schedulable; }
  int32_t switch_id(int32_t n) const { return nodes_[n].switch_id; }
  int64_t cpu_free(int32_t n) const { return nodes_[n].cpu_free; }
  int64_t mem_free(int32_t n) const { return nodes_[n].mem_free; }
  int64_t cpu_total(int32_t n) const { return nodes_[n].cpu_total; }
  int64_t mem_total(int32_t n) const { return nodes_[n].mem_total; }
  int32_t num_devices(int32_t n) const { return static_cast<int32_t>(nodes_[n].dev_free.size()); }
  int64_t device_free(int32_t n, int32_t d) const { return nodes_[n].dev_free[d]; }
  int64_t device_total(int32_t n, int32_t d) const { return nodes_[n].dev_total[d]; }
  AccelType device_type(int32_t n, int32_t d) const { return nodes_[n].dev_type[d]; }
  int32_t device_island(int32_t n, int32_t d) const { return nodes_[n].dev_island[d]; }
  // Whole devices of `type` on node n that nobody holds any share of.
  int32_t whole_free(int32_t n, AccelType type) const;
  // Bumped whenever node n's free resources change (caches key on it).
  uint64_t version(int32_t n) const { return nodes_[n].version; }

  // Per type, over schedulable nodes.
  int64_t total_devices(AccelType t) const { return by_type_[t].total_devices; }
  int64_t free_whole_devices(AccelType t) const { return by_type_[t].free_whole; }
  int64_t free_milli(AccelType t) const { return by_type_[t].free_milli; }
  int32_t max_devices_per_node(AccelType t) const { return by_type_[t].max_per_node; }
  // Schedulable nodes with exactly `count` whole free devices of type t, ascending node index.
  const std::set<int32_t>& bucket(AccelType t, int32_t count) const {
    return by_type_[t].buckets[count];
  }
  // Schedulable nodes that have devices of type t, ascending.
  const std::vector<int32_t>& nodes_with(AccelType t) const { return by_type_[t].nodes; }
  // All schedulable nodes, ascending.
  const std::vector<int32_t>& schedulable_nodes() const { return schedulable_; }

  // Totals of schedulable capacity per dimension (cpu, mem, accel types), for shares.
  const DimVector& totals() const { return totals_; }

  // Takes (sign = -1) or returns (sign = +1) what `task` holds. Out-of-range node or device indices
  // are ignored (a stale allocation must not crash the cycle).
  void Apply(const TaskAllocation& task, int sign);

 private:
  struct NodeFree {
    bool schedulable = true;
    int32_t switch_id = 0;
    int64_t cpu_total = 0, mem_total = 0;
    int64_t cpu_free = 0, mem_free = 0;
    std::vector<int64_t> dev_free, dev_total;
    std::vector<AccelType> dev_type;
    std::vector<int32_t> dev_island;
    std::vector<int32_t> whole_free;  // per type present on the node: [type] -> count
    uint64_t version = 0;
  };
  struct TypeIndex {
    int64_t total_devices = 0;
    int64_t free_whole = 0;
    int64_t free_milli = 0;
    int32_t max_per_node = 0;
    std::vector<int32_t> nodes;
    std::vector<std::set<int32_t>> buckets;  // [whole free count]
  };
  void SetWholeFree(int32_t n, AccelType t, int32_t count);
  // `index` null: only the node's numbers change (used while rebuilding).
  void ApplyToNode(const TaskAllocation& task, int sign, Capacity* index);

  bool SameNodes(const ClusterState& state) const;

  // For Sync: what the base (running jobs) holds by job, and the changes made since, to undo.
  bool synced_ = false;
  std::vector<std::pair<JobId, std::vector<TaskAllocation>>> held_by_job_;  // sorted by id
  std::vector<std::pair<TaskAllocation, int>> undo_;
  bool logging_ = false;

  std::vector<NodeFree> nodes_;
  std::vector<TypeIndex> by_type_;
  std::vector<int32_t> schedulable_;
  DimVector totals_;
};

}  // namespace suanli::core
