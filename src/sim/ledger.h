#pragma once
// Free capacity of the simulated cluster: cpu and memory per node, share left on every device.
// A policy's placement is checked in full before anything is taken, so a bad decision (a device
// booked twice, a type the job does not accept, a missing node) is reported and leaves no trace.
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace suanli::sim {

class Ledger {
 public:
  explicit Ledger(const core::ClusterState& cluster);

  // Takes what `placement` gives `job` (pending, shapes as in the job). On success `*tasks` holds
  // the allocation as taken (a task whose res is all zero is filled from the shape) and `*accel`,
  // `*cpu` the totals. `who` names the decision in error messages.
  Status Reserve(const core::Job& job, const core::Placement& placement, const std::string& who,
                 std::vector<core::TaskAllocation>* tasks, int64_t* accel, int64_t* cpu);
  void Release(const std::vector<core::TaskAllocation>& tasks);

  int64_t capacity_milli() const { return capacity_milli_; }
  int64_t allocated_milli() const { return allocated_milli_; }

 private:
  const core::ClusterState& cluster_;
  std::vector<int64_t> cpu_free_, mem_free_;
  std::vector<std::vector<int64_t>> dev_free_;
  int64_t capacity_milli_ = 0;
  int64_t allocated_milli_ = 0;
};

}  // namespace suanli::sim
