// Preemption step: find running jobs whose release lets a waiting job fit, by the kinds the
// policy allows (reclaim, priority, LAS, remaining time), cheapest victims first.
#include "core/preempt/preempt_kind.h"
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

bool Scheduler::OnReservedNode(const ClusterState& state, const Running& r) const {
  auto reserved = [&](int32_t n) {
    return n >= 0 && static_cast<size_t>(n) < reserved_node_.size() && reserved_node_[n] != 0;
  };
  if (!r.multi_node) return reserved(r.node);
  for (const auto& t : state.jobs[r.index].allocation) {
    if (reserved(t.node)) return true;
  }
  return false;
}

bool Scheduler::CouldPreempt(const Job& job, const Rank& rank) const {
  if (reclaim_possible_) return true;
  if (!any_victim_) return false;
  // SRTF takes from a job with much more time remaining (see TryPreempt).
  if (spec_.preempt.has(PreemptKind::kRemaining) && remaining_victim_max_ > 2 * rank.secondary)
    return true;
  if (spec_.preempt.has(PreemptKind::kPriority) && rank.prio < worst_victim_prio_) return true;
  // LAS may take devices only from a job that received more service than this one really has
  // (promotion reorders the queue but grants no such right); a starving job too, which is what
  // bounds its wait when the nodes it needs are held by long jobs. See TryPreempt.
  if (spec_.preempt.has(PreemptKind::kLas) && LasLevel(job) < las_victim_level_) return true;
  return false;
}

bool Scheduler::TryPreempt(const ClusterState& state, const Job& job, const JobQueue::Item& entry,
                           const std::vector<Option>& options, Time now, Placement* placement,
                           CycleResult& result) {
  if (options.empty()) return false;
  const Option& opt = options[0];
  const Shape& shape = job.shapes[opt.shape];
  const size_t dims = cap_.totals().size();
  // Victims only get fewer during a cycle: an ask that found none enough fails again.
  // The LAS level in the key is the job's own (unpromoted): it decides which jobs it may take.
  const auto memo =
      std::make_tuple(shape.per_task.accel_milli, shape.per_task.cpu_milli, shape.per_task.mem_mb,
                      shape.tasks, opt.type, entry.rank.prio,
                      entry.rank.level < 0 ? -1 : LasLevel(job), any_guarantee_ ? job.tenant : -1);
  if (std::find(failed_preemptions_.begin(), failed_preemptions_.end(), memo) !=
      failed_preemptions_.end()) {
    return false;
  }
  failed_preemptions_.push_back(memo);  // removed again below on success
  const DimVector ask = AskOf(shape, opt.type, dims);
  int dim = 0;
  if (fair_.LimitBlocker(job.tenant, ask, &dim) >= 0) return false;
  const bool reclaiming =
      spec_.preempt.has(PreemptKind::kReclaim) && fair_.WithinGuarantee(job.tenant, ask);
  const int accel_dim = opt.type == kNoAccel ? kDimCpu : kDimAccelBase + opt.type;
  const int64_t own_las_level = LasLevel(job);
  // When only LAS could find victims, what they hold bounds what can be freed: if that and the
  // free room cannot hold the ask, no need to look at each running job.
  const bool only_las =
      spec_.preempt.has(PreemptKind::kLas) && !reclaiming &&
      !spec_.preempt.has(PreemptKind::kRemaining) &&
      !(spec_.preempt.has(PreemptKind::kPriority) && worst_victim_prio_ > entry.rank.prio);
  if (only_las && opt.type != kNoAccel && opt.type < static_cast<AccelType>(las_held_.size())) {
    int64_t bound = cap_.free_milli(opt.type);
    const auto& held = las_held_[opt.type];
    for (size_t level = static_cast<size_t>(std::max<int64_t>(own_las_level + 1, 0));
         level < held.size(); ++level) {
      bound += held[level];
    }
    if (bound < shape.per_task.accel_milli * shape.tasks) return false;
  }

  // Promotion reorders the queue but grants no right to preempt: only service really received
  // (the unpromoted queue) may take devices from a job that received more. Starvation neither:
  // a starving job preempts by the same rule, so its wait ends once the jobs it could take
  // (more service, checkpointable, never starved themselves) hold enough room.
  std::vector<Candidate>& candidates = candidates_;
  candidates.clear();
  for (const Running& r : run_) {
    if (!r.takeable || preempted_[r.index]) continue;
    const bool holds_type =
        opt.type == kNoAccel ? r.holds_cpu : opt.type < 64 && (r.types >> opt.type & 1) != 0;
    if (!holds_type) continue;
    PreemptKind kind;
    if (reclaiming && ReclaimMayTake(fair_, job.tenant, r.tenant, accel_dim)) {
      kind = PreemptKind::kReclaim;
    } else if (spec_.preempt.has(PreemptKind::kPriority) &&
               PriorityMayTake(entry.rank.prio, r.prio)) {
      kind = PreemptKind::kPriority;
    } else if (spec_.preempt.has(PreemptKind::kLas) &&
               LasMayTake(entry.rank.prio, own_las_level, r.prio, r.level, LasOk(r, now))) {
      kind = PreemptKind::kLas;
    } else if (spec_.preempt.has(PreemptKind::kRemaining) &&
               RemainingMayTake(entry.rank.prio, entry.rank.secondary, r.prio, r.secondary.At(now),
                                RemainingOk(r, now))) {
      kind = PreemptKind::kRemaining;
    } else {
      continue;
    }
    // Nodes held for the head job are not for others to clear.
    if (reservation_.active && reservation_.job != job.id && OnReservedNode(state, r)) continue;
    Candidate c;
    c.index = r.index;
    c.run = static_cast<int32_t>(&r - run_.data());
    c.kind = kind;
    c.lost = LostWork(r, now);
    c.prio = r.prio;
    c.level = r.level;
    c.start = r.start;
    c.id = r.id;
    candidates.push_back(c);
  }
  if (candidates.empty()) return false;
  // What the candidates hold of the type asked, node by node (devices, and the nodes that got
  // some) and in all (milli).
  std::vector<int32_t>& extra = scratch_devices_;
  std::vector<int32_t>& extra_nodes = scratch_nodes_;
  int64_t held_milli = 0;
  auto count_held = [&]() {
    for (int32_t n : extra_nodes) extra[n] = 0;
    extra.resize(static_cast<size_t>(cap_.num_nodes()), 0);
    extra_nodes.clear();
    held_milli = 0;
    auto add = [&](int32_t node, AccelType type, int64_t milli, int32_t devices) {
      if (type != opt.type) return;
      held_milli += milli;
      if (node < 0 || node >= cap_.num_nodes() || devices == 0) return;
      if (extra[node] == 0) extra_nodes.push_back(node);
      extra[node] += devices;
    };
    for (const Candidate& c : candidates) {
      const Running& r = run_[c.run];
      if (!r.mixed && !r.multi_node) {
        add(r.node, r.type, r.type_milli, r.devices);
      } else {
        for (const auto& t : state.jobs[r.index].allocation) {
          add(t.node, t.type, t.res.accel_milli, static_cast<int32_t>(t.devices.size()));
        }
      }
    }
  };
  if (opt.type != kNoAccel) count_held();
  // Least valuable first: lowest priority, latest LAS queue, least work lost, newest. Tasks that
  // need most of a node free whole nodes: victims are grouped by node, nodes closest to free
  // first (free devices plus what its victims hold), in value order within a node.
  const int32_t per_task = DevicesPerTask(shape.per_task);
  const bool by_node = opt.type != kNoAccel &&
                       (shape.tasks > 1 || 2 * per_task > cap_.max_devices_per_node(opt.type));
  for (Candidate& c : candidates) {
    const int32_t n = run_[c.run].node;
    c.node_room =
        by_node && n >= 0 && n < cap_.num_nodes() ? extra[n] + cap_.whole_free(n, opt.type) : 0;
    c.node = by_node ? n : 0;
  }
  auto before = [](const Candidate& a, const Candidate& b) {
    if (a.node_room != b.node_room) return a.node_room > b.node_room;
    if (a.node != b.node) return a.node < b.node;
    if (a.prio != b.prio) return a.prio > b.prio;
    if (a.level != b.level) return a.level > b.level;
    if (a.lost != b.lost) return a.lost < b.lost;
    if (a.start != b.start) return a.start > b.start;
    return a.id > b.id;
  };
  if (candidates.size() > kMaxVictimCandidates) {
    std::nth_element(candidates.begin(), candidates.begin() + kMaxVictimCandidates,
                     candidates.end(), before);
    candidates.resize(kMaxVictimCandidates);
    if (opt.type != kNoAccel) count_held();
  }
  // Usually a few victims are enough: the order is settled for the first few, then for the rest
  // only if the walk below gets that far.
  constexpr size_t kFirstSorted = 8;
  size_t sorted = std::min(candidates.size(), kFirstSorted);
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(sorted),
                    candidates.end(), before);

  // Placement is only tried once the freed room could hold the ask at all; and when all the
  // candidates together could not free enough, nothing is taken.
  const bool whole = opt.type != kNoAccel && !IsFractional(shape.per_task);
  const int64_t need = opt.type == kNoAccel ? 0 : shape.per_task.accel_milli * shape.tasks;
  const int32_t per_task_devices = whole ? DevicesPerTask(shape.per_task) : 0;
  auto room = [&]() -> int64_t {
    if (opt.type == kNoAccel) return std::numeric_limits<int64_t>::max();
    if (!whole) return cap_.free_milli(opt.type);
    // Whole-device tasks: how many fit by devices alone, node by node.
    int64_t slots = 0;
    for (int32_t f = per_task_devices; f <= cap_.max_devices_per_node(opt.type); ++f) {
      slots += static_cast<int64_t>(cap_.bucket(opt.type, f).size()) * (f / per_task_devices);
    }
    return slots * shape.per_task.accel_milli;
  };
  if (opt.type != kNoAccel) {
    // Whole-device tasks also need the room node by node: at most the node's whole free devices
    // plus every device a candidate holds there.
    const int64_t could_free = cap_.free_milli(opt.type) + held_milli;
    if (could_free < need) return false;
    if (whole) {
      const int32_t most = cap_.max_devices_per_node(opt.type);
      int64_t slots = room() / shape.per_task.accel_milli;  // with nothing taken
      const std::vector<int32_t>& with_type = cap_.nodes_with(opt.type);
      for (int32_t n : extra_nodes) {
        if (!std::binary_search(with_type.begin(), with_type.end(), n)) continue;
        const int32_t free = cap_.whole_free(n, opt.type);
        slots += std::min(free + extra[n], most) / per_task_devices -
                 std::min(free, most) / per_task_devices;
      }
      if (slots < shape.tasks) return false;
    }
  }
  std::vector<size_t> taken;
  bool fits = false;
  for (size_t c = 0; c < candidates.size() && !fits; ++c) {
    if (c == sorted) {  // the first ones were not enough: order the rest
      std::sort(candidates.begin() + static_cast<std::ptrdiff_t>(c), candidates.end(), before);
      sorted = candidates.size();
    }
    const Job& v = state.jobs[candidates[c].index];
    for (const auto& t : v.allocation) cap_.Apply(t, +1);
    fair_.Charge(v.tenant, AskOf(v.allocation, dims), -1);
    taken.push_back(c);
    if (room() < need) continue;
    fits = placer_.Place(shape, opt.type, cap_, placement->tasks);
  }
  auto restore = [&](size_t c) {
    const Job& v = state.jobs[candidates[c].index];
    for (const auto& t : v.allocation) cap_.Apply(t, -1);
    fair_.Charge(v.tenant, AskOf(v.allocation, dims), +1);
  };
  if (!fits) {
    for (size_t c : taken) restore(c);
    return false;
  }
  // Give back victims the placement did not need: those on other nodes, and any on the used
  // nodes whose resources are still free (latest chosen first).
  std::vector<size_t> kept;
  for (auto it = taken.rbegin(); it != taken.rend(); ++it) {
    const Job& v = state.jobs[candidates[*it].index];
    // Put the victim back and see whether anything went negative (the placement needed it).
    for (const auto& t : v.allocation) cap_.Apply(t, -1);
    bool can_restore = true;
    for (const auto& t : v.allocation) {
      if (t.node < 0 || t.node >= cap_.num_nodes()) continue;
      if (cap_.cpu_free(t.node) < 0 || cap_.mem_free(t.node) < 0) can_restore = false;
      for (int32_t d : t.devices) {
        if (d >= 0 && d < cap_.num_devices(t.node) && cap_.device_free(t.node, d) < 0) {
          can_restore = false;
        }
      }
    }
    for (const auto& t : v.allocation) cap_.Apply(t, +1);
    if (can_restore) {
      restore(*it);
    } else {
      kept.push_back(*it);
    }
  }
  std::sort(kept.begin(), kept.end());
  for (size_t c : kept) {
    const Candidate& cand = candidates[c];
    const Job& v = state.jobs[cand.index];
    preempted_[cand.index] = 1;
    preempted_list_.push_back(cand.index);
    Preemption p;
    p.job = v.id;
    p.for_job = job.id;
    switch (cand.kind) {
      case PreemptKind::kReclaim:
        p.reason = ReclaimReason(state, fair_, job, accel_dim);
        break;
      case PreemptKind::kPriority:
        p.reason = PriorityReason(job, v);
        break;
      case PreemptKind::kLas:
        p.reason = LasReason(job, entry.rank.level, cand.level);
        break;
      case PreemptKind::kRemaining:
        p.reason = RemainingReason(job);
        break;
    }
    result.preemptions.push_back(std::move(p));
  }
  placement->job = job.id;
  placement->shape_index = opt.shape;
  failed_preemptions_.pop_back();
  failed_shapes_.clear();  // victims' leftovers may make other shapes fit now
  return true;
}

}  // namespace suanli::core
