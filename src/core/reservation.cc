// Backfill: the EASY reservation for the first waiting job (when it fits, on which nodes) and the
// holds that keep later jobs off those nodes unless they finish before it starts.
#include "core/placement/gang.h"
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

// Resources come back on nodes as running jobs reach their time limits. Returns the earliest time
// `shape` fits (kUnknownTime when it needs jobs without a limit to end), with the task slots per
// node at that time in `slots_at_fit` (indexed by node; empty when unknown).
Time Scheduler::EstimateFit(const ClusterState& state, const Shape& shape, AccelType type, Time now,
                            std::vector<int64_t>* slots_at_fit) {
  const Resources& r = shape.per_task;
  const int32_t g = std::max(DevicesPerTask(r), 1);
  // Scratch buffers are members: this runs every cycle that makes a reservation.
  std::vector<int64_t>& whole = est_whole_;
  std::vector<int64_t>& cpu = est_cpu_;
  std::vector<int64_t>& mem = est_mem_;
  whole.assign(cap_.num_nodes(), 0);
  cpu.assign(cap_.num_nodes(), 0);
  mem.assign(cap_.num_nodes(), 0);
  // Free share per device, copied lazily for nodes where a release lands.
  // The previous call's copies are dropped first: the cluster may have fewer nodes now.
  for (int32_t n : est_dev_touched_) {
    if (static_cast<size_t>(n) < est_dev_.size()) est_dev_[n].clear();
  }
  est_dev_touched_.clear();
  est_dev_.resize(static_cast<size_t>(cap_.num_nodes()));
  auto slots = [&](int32_t n) { return EstimatedSlots(n, r, g); };
  int64_t total = 0;
  for (int32_t n = 0; n < cap_.num_nodes(); ++n) {
    whole[n] = type == kNoAccel ? g : cap_.whole_free(n, type);
    cpu[n] = cap_.cpu_free(n);
    mem[n] = cap_.mem_free(n);
    total += slots(n);
  }
  auto finish = [&](Time t) {
    if (slots_at_fit) {
      slots_at_fit->assign(cap_.num_nodes(), 0);
      for (int32_t n = 0; n < cap_.num_nodes(); ++n) (*slots_at_fit)[n] = slots(n);
    }
    return t;
  };
  if (total >= shape.tasks) return finish(now);
  std::vector<std::pair<Time, int32_t>>& releases = est_releases_;
  releases.clear();
  for (const Running& r : run_) {
    if (preempted_[r.index] || r.limit <= 0) continue;
    releases.emplace_back(std::max(now, r.start + r.limit), r.index);
  }
  std::sort(releases.begin(), releases.end());
  for (const auto& [t, i] : releases) {
    for (const TaskAllocation& task : state.jobs[i].allocation) {
      const int32_t n = task.node;
      if (n < 0 || n >= cap_.num_nodes()) continue;
      total -= slots(n);
      EstimateRelease(task, type);
      total += slots(n);
    }
    if (total >= shape.tasks) return finish(t);
  }
  if (slots_at_fit) slots_at_fit->clear();
  return kUnknownTime;
}

// Tasks of `r` (`g` devices each) node n could take in the estimate as it stands.
int64_t Scheduler::EstimatedSlots(int32_t n, const Resources& r, int32_t g) const {
  if (!cap_.schedulable(n)) return 0;
  int64_t s = est_whole_[n] / g;
  if (r.cpu_milli > 0) s = std::min(s, est_cpu_[n] / r.cpu_milli);
  if (r.mem_mb > 0) s = std::min(s, est_mem_[n] / r.mem_mb);
  return std::max<int64_t>(s, 0);
}

// `task` ends in the estimate: its node gets back its CPU and memory, and whole devices of `type`
// where the device is whole again.
void Scheduler::EstimateRelease(const TaskAllocation& task, AccelType type) {
  const int32_t n = task.node;
  est_cpu_[n] += task.res.cpu_milli;
  est_mem_[n] += task.res.mem_mb;
  if (type == kNoAccel || task.devices.empty()) return;
  std::vector<int64_t>& dev_free = est_dev_[n];
  if (dev_free.empty() && cap_.num_devices(n) > 0) {
    est_dev_touched_.push_back(n);
    for (int32_t d = 0; d < cap_.num_devices(n); ++d) dev_free.push_back(cap_.device_free(n, d));
  }
  const int64_t share = task.res.accel_milli / static_cast<int64_t>(task.devices.size());
  for (int32_t d : task.devices) {
    if (d < 0 || d >= cap_.num_devices(n) || cap_.device_type(n, d) != type) continue;
    const bool was = dev_free[d] >= cap_.device_total(n, d);
    dev_free[d] += share;
    if (!was && dev_free[d] >= cap_.device_total(n, d)) ++est_whole_[n];
  }
}

void Scheduler::ReleaseHolds() {
  for (const auto& h : holds_) cap_.Apply(h, +1);
  holds_.clear();
}

// Takes what is free on the reserved nodes, up to the reservation, out of the pool so that
// backfilled jobs cannot delay the head job.
void Scheduler::ApplyHolds() {
  holds_.clear();
  if (!reservation_.active) return;
  for (const auto& [n, tasks] : reservation_.nodes) {
    TaskAllocation hold;
    hold.node = n;
    hold.type = reservation_.type;
    const int64_t cpu =
        std::min<int64_t>(cap_.cpu_free(n), reservation_.per_task.cpu_milli * tasks);
    const int64_t mem = std::min<int64_t>(cap_.mem_free(n), reservation_.per_task.mem_mb * tasks);
    hold.res.cpu_milli = std::max<int64_t>(cpu, 0);
    hold.res.mem_mb = std::max<int64_t>(mem, 0);
    if (reservation_.type != kNoAccel && reservation_.per_task_devices > 0) {
      const int32_t want = std::min<int32_t>(reservation_.per_task_devices * tasks,
                                             cap_.whole_free(n, reservation_.type));
      if (want > 0) {
        hold.devices = PickWholeDevices(cap_, n, reservation_.type, want);
        hold.res.accel_milli = kMilliPerDevice * static_cast<int64_t>(hold.devices.size());
      }
    }
    cap_.Apply(hold, -1);
    holds_.push_back(std::move(hold));
  }
}

void Scheduler::MakeReservation(const ClusterState& state, const Job& job, const Option& option,
                                Time now) {
  const Shape& shape = job.shapes[option.shape];
  reservation_ = Reservation{};
  reservation_.active = true;
  reservation_.job = job.id;
  reservation_.type = option.type;
  reservation_.per_task = shape.per_task;
  reservation_.per_task_devices = IsFractional(shape.per_task) ? 0 : DevicesPerTask(shape.per_task);
  std::vector<int64_t>& slots = reserve_slots_;
  reservation_.start = EstimateFit(state, shape, option.type, now, &slots);
  // Nodes to hold: those with the most room at the reserved time; when the time is unknown (jobs
  // without limits), those closest to fitting now, so they fill up for the head job first.
  std::vector<std::pair<int64_t, int32_t>>& ranked = ranked_nodes_;  // (-room, node)
  ranked.clear();
  const int32_t g = std::max(DevicesPerTask(shape.per_task), 1);
  for (int32_t n = 0; n < cap_.num_nodes(); ++n) {
    if (!cap_.schedulable(n)) continue;
    int64_t room;
    if (!slots.empty()) {
      room = slots[n] * 1000000;
    } else if (option.type != kNoAccel) {
      room = cap_.whole_free(n, option.type);
      if (room == 0 && cap_.max_devices_per_node(option.type) == 0) continue;
    } else {
      room = cap_.cpu_free(n);
    }
    if (room <= 0 && !slots.empty()) continue;
    ranked.emplace_back(-room, n);
  }
  // Every node taken gives at least one task: only the best `tasks` nodes need ordering.
  const auto take = std::min<size_t>(ranked.size(), static_cast<size_t>(std::max(shape.tasks, 0)));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(take),
                    ranked.end());
  ranked.resize(take);
  int32_t left = shape.tasks;
  for (const auto& [neg_room, n] : ranked) {
    if (left <= 0) break;
    int32_t here;
    if (!slots.empty()) {
      here = static_cast<int32_t>(std::min<int64_t>(slots[n], left));
    } else if (option.type != kNoAccel) {
      const int32_t per_node = std::max<int32_t>(
          option.type < cap_.num_types() ? cap_.max_devices_per_node(option.type) / g : 1, 1);
      here = std::min(per_node, left);
    } else {
      here = 1;
    }
    if (here <= 0) continue;
    reservation_.nodes.emplace_back(n, here);
    if (reserved_node_.size() <= static_cast<size_t>(n)) reserved_node_.resize(n + 1, 0);
    reserved_node_[n] = 1;
    left -= here;
  }
  ApplyHolds();
  failed_shapes_.clear();
}

}  // namespace suanli::core
