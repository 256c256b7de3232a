#pragma once
// Tenant usage, quotas and hierarchical weighted fair share (DRF across resource dimensions).
// Usage of a tenant includes its descendants. The fair-share order compares tenants the way
// Slurm's fair tree does: level by level from the root, siblings ranked by
// (dominant share of current allocations + share of decayed historical usage among siblings)
// divided by weight, lowest first.
#include <cstdint>
#include <vector>

#include "core/capacity.h"
#include "core/model.h"

namespace suanli::core {

// What placing `tasks` (or a shape on a type) adds per dimension.
DimVector AskOf(const std::vector<TaskAllocation>& tasks, size_t dims);
DimVector AskOf(const Shape& shape, AccelType type, size_t dims);

class FairShare {
 public:
  // `running`, when given, lists the indices of the running jobs in state.jobs.
  void Reset(const ClusterState& state, const Capacity& cap,
             const std::vector<int32_t>* running = nullptr);
  // The same result, for a scheduler that calls it every cycle on a state with a job feed: only
  // the jobs in state.feed.changes are re-read. `incremental` false re-reads everything, as does a
  // feed that contradicts state.jobs (see FeedMatchesJobs).
  void Sync(const ClusterState& state, const Capacity& cap, const std::vector<int32_t>& running,
            bool incremental);

  void Charge(int32_t tenant, const DimVector& amount, int sign);
  int64_t usage(int32_t tenant, int dim) const;
  bool valid(int32_t tenant) const { return tenant >= 0 && tenant < num_tenants_; }
  double DominantShare(int32_t tenant) const;
  double Score(int32_t tenant) const;
  // True when tenant a comes before tenant b in the fair-tree order (stable by index).
  bool Before(int32_t a, int32_t b) const;

  // The first tenant on the path from `tenant` to its root whose limit `ask` would exceed, or -1.
  int32_t LimitBlocker(int32_t tenant, const DimVector& ask, int* dim) const;
  int64_t limit(int32_t tenant, int dim) const;
  int64_t guarantee(int32_t tenant, int dim) const;
  // Usage strictly above the guarantee in `dim` (a tenant with no guarantee borrows everything).
  bool Borrowing(int32_t tenant, int dim) const;
  // Usage + ask within the guarantee in every dimension the ask touches (entitled to reclaim).
  bool WithinGuarantee(int32_t tenant, const DimVector& ask) const;
  const std::vector<int32_t>& path(int32_t tenant) const { return paths_[tenant]; }

 private:
  int32_t num_tenants_ = 0;
  size_t dims_ = 0;
  const ClusterState* state_ = nullptr;
  DimVector totals_;
  std::vector<DimVector> usage_;
  std::vector<std::vector<int32_t>> paths_;  // root .. tenant
  std::vector<int32_t> parents_;             // the tree paths_ was built from
  std::vector<double> history_;              // share of decayed usage among siblings
  std::vector<double> score_;                // cached Score(), refreshed on every change
  double ComputeScore(int32_t tenant) const;
  void BeginReset(const ClusterState& state, const Capacity& cap);
  void FinishReset(const ClusterState& state);
  void AddOwn(int32_t tenant, const std::vector<TaskAllocation>& tasks, int sign);

  std::vector<DimVector> own_;  // by tenant: what its own running jobs hold (no descendants)
  struct Held {
    JobId job;
    int32_t tenant;
    DimVector ask;
  };
  std::vector<Held> held_;  // for Sync: running jobs by id, as counted in own_
  bool synced_ = false;
};

}  // namespace suanli::core
