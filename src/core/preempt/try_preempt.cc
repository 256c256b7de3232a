// Preemption step: find running jobs whose release lets a waiting job fit, by the kinds the
// policy allows (reclaim, priority, LAS, remaining time), cheapest victims first.
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
  int dim = 0;
  const DimVector ask = AskOf(shape, opt.type, cap_.totals().size());
  if (fair_.LimitBlocker(job.tenant, ask, &dim) >= 0) return false;
  const bool reclaiming =
      spec_.preempt.has(PreemptKind::kReclaim) && fair_.WithinGuarantee(job.tenant, ask);
  if (LasCannotFreeEnough(job, entry, shape, opt.type, reclaiming)) return false;

  const PreemptAsker asker = AskerOf(job, entry, opt.type, reclaiming);
  GatherCandidates(state, asker, opt.type, now);
  if (candidates_.empty()) return false;
  int64_t held_milli = opt.type != kNoAccel ? CountCandidatesHeld(state, opt.type) : 0;
  size_t sorted = OrderCandidates(state, shape, opt.type, &held_milli);
  const VictimAsk victim_ask = VictimAskOf(shape, opt.type);
  if (!CouldFreeEnough(victim_ask, held_milli)) return false;
  std::vector<size_t> taken;
  if (!TakeUntilFits(state, victim_ask, sorted, placement, &taken)) {
    for (size_t c : taken) FreeVictim(state.jobs[candidates_[c].index], false);
    return false;
  }
  const std::vector<size_t> kept = GiveBackUnneeded(state, taken);
  RecordPreemptions(state, asker, kept, result);
  placement->job = job.id;
  placement->shape_index = opt.shape;
  failed_preemptions_.pop_back();
  failed_shapes_.clear();  // victims' leftovers may make other shapes fit now
  return true;
}

// When only LAS could find victims, what they hold bounds what can be freed: if that and the free
// room cannot hold the ask, no need to look at each running job.
bool Scheduler::LasCannotFreeEnough(const Job& job, const JobQueue::Item& entry, const Shape& shape,
                                    AccelType type, bool reclaiming) const {
  const bool only_las =
      spec_.preempt.has(PreemptKind::kLas) && !reclaiming &&
      !spec_.preempt.has(PreemptKind::kRemaining) &&
      !(spec_.preempt.has(PreemptKind::kPriority) && worst_victim_prio_ > entry.rank.prio);
  if (!only_las || type == kNoAccel || type >= static_cast<AccelType>(las_held_.size())) {
    return false;
  }
  int64_t bound = cap_.free_milli(type);
  const auto& held = las_held_[type];
  for (size_t level = static_cast<size_t>(std::max<int64_t>(LasLevel(job) + 1, 0));
       level < held.size(); ++level) {
    bound += held[level];
  }
  return bound < shape.per_task.accel_milli * shape.tasks;
}

Scheduler::VictimAsk Scheduler::VictimAskOf(const Shape& shape, AccelType type) const {
  VictimAsk a;
  a.shape = &shape;
  a.type = type;
  a.whole = type != kNoAccel && !IsFractional(shape.per_task);
  a.need = type == kNoAccel ? 0 : shape.per_task.accel_milli * shape.tasks;
  a.per_task_devices = a.whole ? DevicesPerTask(shape.per_task) : 0;
  return a;
}

// What the ask could use now: accelerator milli, or for whole-device tasks how many fit by
// devices alone, node by node (in milli).
int64_t Scheduler::Room(const VictimAsk& a) const {
  if (a.type == kNoAccel) return std::numeric_limits<int64_t>::max();
  if (!a.whole) return cap_.free_milli(a.type);
  int64_t slots = 0;
  for (int32_t f = a.per_task_devices; f <= cap_.max_devices_per_node(a.type); ++f) {
    slots += static_cast<int64_t>(cap_.bucket(a.type, f).size()) * (f / a.per_task_devices);
  }
  return slots * a.shape->per_task.accel_milli;
}

// Placement is only tried once the freed room could hold the ask at all; and when all the
// candidates together could not free enough, nothing is taken.
bool Scheduler::CouldFreeEnough(const VictimAsk& a, int64_t held_milli) const {
  if (a.type == kNoAccel) return true;
  // Whole-device tasks also need the room node by node: at most the node's whole free devices
  // plus every device a candidate holds there.
  const int64_t could_free = cap_.free_milli(a.type) + held_milli;
  if (could_free < a.need) return false;
  if (!a.whole) return true;
  const std::vector<int32_t>& extra = scratch_devices_;
  const int32_t most = cap_.max_devices_per_node(a.type);
  int64_t slots = Room(a) / a.shape->per_task.accel_milli;  // with nothing taken
  const std::vector<int32_t>& with_type = cap_.nodes_with(a.type);
  for (int32_t n : scratch_nodes_) {
    if (!std::binary_search(with_type.begin(), with_type.end(), n)) continue;
    const int32_t free = cap_.whole_free(n, a.type);
    slots += std::min(free + extra[n], most) / a.per_task_devices -
             std::min(free, most) / a.per_task_devices;
  }
  return slots >= a.shape->tasks;
}

// Frees (or, `freed` false, takes back) what victim `v` holds, in the capacity and fair share.
void Scheduler::FreeVictim(const Job& v, bool freed) {
  for (const auto& t : v.allocation) cap_.Apply(t, freed ? +1 : -1);
  fair_.Charge(v.tenant, AskOf(v.allocation, cap_.totals().size()), freed ? -1 : +1);
}

// Frees candidates in order until the ask fits, placing it; `taken` lists those freed (all of them
// freed still on false).
bool Scheduler::TakeUntilFits(const ClusterState& state, const VictimAsk& a, size_t sorted,
                              Placement* placement, std::vector<size_t>* taken) {
  std::vector<Candidate>& candidates = candidates_;
  for (size_t c = 0; c < candidates.size(); ++c) {
    if (c == sorted) {  // the first ones were not enough: order the rest
      std::sort(candidates.begin() + static_cast<std::ptrdiff_t>(c), candidates.end(),
                VictimBefore);
      sorted = candidates.size();
    }
    FreeVictim(state.jobs[candidates[c].index], true);
    taken->push_back(c);
    if (Room(a) < a.need) continue;
    if (placer_.Place(*a.shape, a.type, cap_, placement->tasks)) return true;
  }
  return false;
}

// Gives back victims the placement did not need: those on other nodes, and any on the used nodes
// whose resources are still free (latest chosen first). Returns the ones kept, in candidate order.
std::vector<size_t> Scheduler::GiveBackUnneeded(const ClusterState& state,
                                                const std::vector<size_t>& taken) {
  std::vector<size_t> kept;
  for (auto it = taken.rbegin(); it != taken.rend(); ++it) {
    const Job& v = state.jobs[candidates_[*it].index];
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
      FreeVictim(v, false);
    } else {
      kept.push_back(*it);
    }
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

void Scheduler::RecordPreemptions(const ClusterState& state, const PreemptAsker& asker,
                                  const std::vector<size_t>& kept, CycleResult& result) {
  for (size_t c : kept) {
    const Candidate& cand = candidates_[c];
    const Job& v = state.jobs[cand.index];
    preempted_[cand.index] = 1;
    preempted_list_.push_back(cand.index);
    Preemption p;
    p.job = v.id;
    p.for_job = asker.job->id;
    p.reason = cand.by->Reason(state, fair_, asker, v, cand.level);
    result.preemptions.push_back(std::move(p));
  }
}

PreemptAsker Scheduler::AskerOf(const Job& job, const JobQueue::Item& entry, AccelType type,
                                bool reclaiming) const {
  return PreemptAsker{.job = &job,
                      .prio = entry.rank.prio,
                      .las_level = LasLevel(job),
                      .rank_level = entry.rank.level,
                      .remaining = entry.rank.secondary,
                      .accel_dim = type == kNoAccel ? kDimCpu : kDimAccelBase + type,
                      .reclaiming = reclaiming};
}

}  // namespace suanli::core
