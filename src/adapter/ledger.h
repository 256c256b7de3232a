#pragma once
// What the cluster has left, kept apart from the policy so its every decision can be checked:
// cpu and memory per node, the share left on every device, and what each tenant's subtree holds
// against its limit and its budget. A placement is checked in full before anything is taken, so
// a bad decision (a device booked twice, a type the job does not accept, a missing node, a tenant
// past its limit or budget) is named and leaves no trace. The server and the simulator hold the
// same ledger (see decisions.h), so a policy bug fails a simulation exactly as it would the server.
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace suanli::adapter {

class Ledger {
 public:
  // Nodes and tenants of `cluster`, nothing held yet. Copies what it needs.
  explicit Ledger(const core::ClusterState& cluster);

  // Replaces the tenants' limits and budget standing (their accel_hours_used moves with time);
  // what each holds is kept. The tenant list must be the same length.
  void UpdateTenants(const std::vector<core::Tenant>& tenants);

  // Takes what `placement` gives `job` (pending, shapes as in the job). On success `*tasks` holds
  // the allocation as taken (a task whose res is all zero is filled from the shape) and `*accel`,
  // `*cpu` the totals. `who` names the decision in error messages.
  Status Reserve(const core::Job& job, const core::Placement& placement, const std::string& who,
                 std::vector<core::TaskAllocation>* tasks, int64_t* accel, int64_t* cpu);
  // Counts what a job already running holds (a ledger rebuilt from a snapshot), unchecked.
  void Hold(const core::Job& running);
  // Gives back what `job` (its tenant and allocation) holds.
  void Release(const core::Job& job);
  // A node leaves (DOWN, drained) or returns: nothing more may be placed on it while it is out.
  // What its jobs held must be released by the caller, as it stops them.
  void SetSchedulable(int32_t node, bool schedulable);

  int64_t capacity_milli() const { return capacity_milli_; }
  int64_t allocated_milli() const { return allocated_milli_; }

 private:
  struct NodeInfo {
    std::string name;
    bool schedulable = true;
    std::vector<core::AccelType> device_type;
  };
  struct TenantInfo {
    std::string name;
    int32_t parent = -1;
    core::DimVector limit;
    double budget = -1;
    double used_hours = 0;
    core::DimVector held;  // by its whole subtree
  };
  // The tenant and its ancestors, nearest first; empty for an unknown tenant (no limits apply).
  std::vector<int32_t> PathOf(int32_t tenant) const;
  Status CheckTenant(const core::Job& job, const std::vector<core::TaskAllocation>& tasks,
                     const std::string& who) const;
  void Charge(int32_t tenant, const std::vector<core::TaskAllocation>& tasks, int sign);
  void Apply(const std::vector<core::TaskAllocation>& tasks, int sign);

  std::vector<std::string> accel_types_;
  std::vector<NodeInfo> nodes_;
  std::vector<TenantInfo> tenants_;
  size_t dims_ = 0;
  std::vector<int64_t> cpu_free_, mem_free_;
  std::vector<std::vector<int64_t>> dev_free_;
  std::vector<std::vector<int64_t>> device_total_;
  int64_t capacity_milli_ = 0;
  int64_t allocated_milli_ = 0;
};

}  // namespace suanli::adapter
