#pragma once
// Decayed per-tenant usage for fair share, as in Slurm's fair tree: usage accrues while jobs run
// and halves every `half_life`. Pure: the caller feeds it the running allocations and the time.
#include <vector>

#include "core/model.h"

namespace suanli::core {

class UsageTracker {
 public:
  // half_life_ms <= 0 means no decay (usage only grows).
  explicit UsageTracker(Time half_life_ms = 7LL * 24 * 3600 * 1000);

  // Accrues the usage of every running job in `state` since the previous call (their
  // accelerator-ms, or cpu-ms for jobs without accelerators), charged to the job's tenant and all
  // its ancestors, after decaying what was there. The first call only sets the time origin.
  // `now` earlier than the previous call is ignored (no negative time).
  void Advance(const ClusterState& state, Time now);
  // The same, for a caller that already knows each tenant's rate: devices held (cpus where a job
  // holds no accelerator) summed over its running jobs, by tenant index.
  void Advance(const std::vector<Tenant>& tenants, const std::vector<double>& rate_by_tenant,
               Time now);

  // Writes decayed usage into state.tenants[i].decayed_usage (tenants unknown to the tracker get
  // 0).
  void Fill(ClusterState& state) const;

  double usage(int32_t tenant) const;
  // What the tracker holds, to be saved: every tenant's usage as of last().
  const std::vector<double>& values() const { return usage_; }
  Time last() const { return last_; }
  // Puts back what values() and last() gave: the next Advance accrues from `last`.
  void Restore(std::vector<double> usage, Time last) {
    usage_ = std::move(usage);
    last_ = last;
  }
  Time half_life_ms() const { return half_life_ms_; }

 private:
  Time half_life_ms_;
  Time last_ = kUnknownTime;
  std::vector<double> usage_;
};

}  // namespace suanli::core
