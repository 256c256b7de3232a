// Before the walk: whether any running job could be a victim at all, and per kind the bounds that
// let CouldPreempt and TryPreempt skip a look at each running job (the worst priority band among
// victims, the highest LAS queue and what each queue holds, the longest remaining time, whether
// some tenant borrows what another is guaranteed).
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

void Scheduler::BoundVictims(const ClusterState& state, Time now) {
  any_victim_ = false;
  reclaim_possible_ = false;
  las_victim_level_ = std::numeric_limits<int64_t>::min();
  remaining_victim_max_ = -kInf;
  las_held_.resize(state.accel_types.size());
  for (auto& by_level : las_held_) by_level.clear();
  const bool may_preempt = spec_.preempt.any();
  for (Running& r : run_) {
    if (now >= r.level_check_at) RefreshLevel(r, state.jobs[r.index], now);
    if (!may_preempt || !r.preemptible) continue;
    worst_victim_prio_ = any_victim_ ? std::max(worst_victim_prio_, r.prio) : r.prio;
    any_victim_ = true;
    if (spec_.preempt.has(PreemptKind::kLas) && LasOk(r, now)) CountLasHeld(state, r);
    if (spec_.preempt.has(PreemptKind::kRemaining) && RemainingOk(r, now)) {
      remaining_victim_max_ = std::max(remaining_victim_max_, r.secondary.At(now));
    }
    if (spec_.preempt.has(PreemptKind::kReclaim) && any_guarantee_ && !reclaim_possible_ &&
        fair_.valid(r.tenant)) {
      for (size_t d = kDimAccelBase; d < cap_.totals().size(); ++d) {
        if (fair_.Borrowing(r.tenant, static_cast<int>(d))) reclaim_possible_ = true;
      }
    }
  }
}

// What a job LAS may take holds, by accelerator type and LAS queue.
void Scheduler::CountLasHeld(const ClusterState& state, const Running& r) {
  las_victim_level_ = std::max(las_victim_level_, r.level);
  const auto level = static_cast<size_t>(std::max<int64_t>(r.level, 0));
  auto held = [&](AccelType type, int64_t milli) {
    if (type < 0 || type >= static_cast<AccelType>(las_held_.size())) return;
    auto& by_level = las_held_[type];
    if (by_level.size() <= level) by_level.resize(level + 1, 0);
    by_level[level] += milli;
  };
  if (!r.mixed) {
    held(r.type, r.type_milli);
  } else {
    for (const auto& t : state.jobs[r.index].allocation) held(t.type, t.res.accel_milli);
  }
}

}  // namespace suanli::core
