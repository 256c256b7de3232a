// What the scheduler keeps about each running job between cycles (preemption victims, LAS
// queues, estimated releases), refreshed only where the feed names a job.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

Scheduler::Running Scheduler::MakeRunning(const Job& job, int32_t index, Time now) const {
  Running r;
  r.id = job.id;
  r.index = index;
  r.tenant = job.tenant;
  r.prio = spec_.order.Band(job);
  r.start = job.start_time;
  r.limit = job.time_limit;
  r.secondary = spec_.order.duration->Key(job, now);
  r.held = HeldDevices(job);
  r.preemptible = job.preemptible;
  r.takeable = job.preemptible && !job.allocation.empty();
  r.checkpointable = job.checkpointable;
  r.node = job.allocation.empty() ? -1 : job.allocation[0].node;
  for (const auto& t : job.allocation) {
    if (t.res.cpu_milli > 0) r.holds_cpu = true;
    if (t.type >= 0 && t.type < 64) r.types |= uint64_t{1} << t.type;
    if (t.node != job.allocation[0].node) r.multi_node = true;
    if (t.type < 0) continue;
    if (r.type == kNoAccel) r.type = t.type;
    if (t.type == r.type) {
      r.type_milli += t.res.accel_milli;
      r.devices += static_cast<int32_t>(t.devices.size());
    } else {
      r.mixed = true;
    }
  }
  // A job that starved before it got to run keeps running: LAS/SRTF may not take it again, or a
  // long job could be starved, run a minute, and be demoted forever. (Its wait before this run is
  // fixed while it runs.)
  r.starved_before = spec_.order.starvation && spec_.order.starvation->Starving(job, now);
  RefreshLevel(r, job, now);
  return r;
}

void Scheduler::RefreshLevel(Running& r, const Job& job, Time now) const {
  r.level = LasLevel(job);
  r.level_check_at = std::numeric_limits<Time>::max();
  if (!spec_.order.las || r.held <= 0) return;
  const double next = spec_.order.las->NextThreshold(job.attained_service_ms);
  if (next == kInf) return;
  // Service grows at `held` per ms while it runs: it cannot reach the next threshold sooner than
  // this. Looked at again a little earlier than that, since the caller's sums round differently.
  const double ms = std::min((next - job.attained_service_ms) / r.held * (1 - 1e-6), 1e15);
  r.level_check_at = now + std::max<Time>(1, static_cast<Time>(ms) - 1);
}

void Scheduler::SyncRunning(const ClusterState& state, Time now, bool rebuilt) {
  const bool feed = state.feed.stream != 0;
  auto add = [&](int32_t index) {
    if (feed) run_slot_[state.jobs[index].id] = static_cast<int32_t>(run_.size());
    run_.push_back(MakeRunning(state.jobs[index], index, now));
  };
  if (!rebuilt && feed) {
    const auto num_jobs = static_cast<int32_t>(state.jobs.size());
    for (const JobDelta& d : state.feed.changes) {
      auto it = run_slot_.find(d.id);
      if (it == run_slot_.end()) continue;
      const int32_t slot = it->second;
      run_slot_.erase(it);
      if (slot != static_cast<int32_t>(run_.size()) - 1) {
        run_[slot] = run_.back();
        run_slot_[run_[slot].id] = slot;
      }
      run_.pop_back();
    }
    for (const JobDelta& d : state.feed.changes) {
      if (d.index < 0 || d.index >= num_jobs || run_slot_.count(d.id)) continue;
      const Job& job = state.jobs[d.index];
      if (job.id == d.id && job.phase != JobPhase::kPending) add(d.index);
    }
    if (run_.size() == queue_.running().size()) return;  // else the feed missed something
  }
  run_.clear();
  run_slot_.clear();
  for (int32_t i : queue_.running()) add(i);
}

}  // namespace suanli::core
