// Which running jobs a waiting job may take, by the kinds the policy allows, and in what order
// TryPreempt frees them: least valuable first.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

// Promotion reorders the queue but grants no right to preempt: only service really received (the
// unpromoted queue) may take devices from a job that received more. Starvation neither: a starving
// job preempts by the same rule, so its wait ends once the jobs it could take (more service,
// checkpointable, never starved themselves) hold enough room.
void Scheduler::GatherCandidates(const ClusterState& state, const PreemptAsker& asker,
                                 AccelType type, Time now) {
  candidates_.clear();
  for (const Running& r : run_) {
    if (!r.takeable || preempted_[r.index]) continue;
    const bool holds_type =
        type == kNoAccel ? r.holds_cpu : type < 64 && (r.types >> type & 1) != 0;
    if (!holds_type) continue;
    const PreemptVictim victim{.tenant = r.tenant,
                               .prio = r.prio,
                               .level = r.level,
                               .remaining = r.secondary.At(now),
                               .las_ok = LasOk(r, now),
                               .remaining_ok = RemainingOk(r, now)};
    const Preemptor* by = nullptr;
    for (const Preemptor* p : preemptors_) {
      if (p->MayTake(fair_, asker, victim)) {
        by = p;
        break;
      }
    }
    if (by == nullptr) continue;
    // Nodes held for the head job are not for others to clear.
    if (reservation_.active && reservation_.job != asker.job->id && OnReservedNode(state, r)) {
      continue;
    }
    Candidate c;
    c.index = r.index;
    c.run = static_cast<int32_t>(&r - run_.data());
    c.by = by;
    c.lost = LostWork(r, now);
    c.prio = r.prio;
    c.level = r.level;
    c.start = r.start;
    c.id = r.id;
    candidates_.push_back(c);
  }
}

// What the candidates hold of `type`, node by node (devices, in scratch_devices_, and the nodes
// that got some, in scratch_nodes_) and in all (milli, returned).
int64_t Scheduler::CountCandidatesHeld(const ClusterState& state, AccelType type) {
  std::vector<int32_t>& extra = scratch_devices_;
  std::vector<int32_t>& extra_nodes = scratch_nodes_;
  for (int32_t n : extra_nodes) extra[n] = 0;
  extra.resize(static_cast<size_t>(cap_.num_nodes()), 0);
  extra_nodes.clear();
  int64_t held_milli = 0;
  auto add = [&](int32_t node, AccelType t, int64_t milli, int32_t devices) {
    if (t != type) return;
    held_milli += milli;
    if (node < 0 || node >= cap_.num_nodes() || devices == 0) return;
    if (extra[node] == 0) extra_nodes.push_back(node);
    extra[node] += devices;
  };
  for (const Candidate& c : candidates_) {
    const Running& r = run_[c.run];
    if (!r.mixed && !r.multi_node) {
      add(r.node, r.type, r.type_milli, r.devices);
    } else {
      for (const auto& t : state.jobs[r.index].allocation) {
        add(t.node, t.type, t.res.accel_milli, static_cast<int32_t>(t.devices.size()));
      }
    }
  }
  return held_milli;
}

bool Scheduler::VictimBefore(const Candidate& a, const Candidate& b) {
  if (a.node_room != b.node_room) return a.node_room > b.node_room;
  if (a.node != b.node) return a.node < b.node;
  if (a.prio != b.prio) return a.prio > b.prio;
  if (a.level != b.level) return a.level > b.level;
  if (a.lost != b.lost) return a.lost < b.lost;
  if (a.start != b.start) return a.start > b.start;
  return a.id > b.id;
}

// Least valuable first: lowest priority, latest LAS queue, least work lost, newest. Tasks that
// need most of a node free whole nodes: victims are grouped by node, nodes closest to free first
// (free devices plus what its victims hold), in value order within a node. Keeps at most
// kMaxVictimCandidates (recounting `held_milli`); returns how many at the front are in order.
size_t Scheduler::OrderCandidates(const ClusterState& state, const Shape& shape, AccelType type,
                                  int64_t* held_milli) {
  std::vector<Candidate>& candidates = candidates_;
  const std::vector<int32_t>& extra = scratch_devices_;
  const int32_t per_task = DevicesPerTask(shape.per_task);
  const bool by_node =
      type != kNoAccel && (shape.tasks > 1 || 2 * per_task > cap_.max_devices_per_node(type));
  for (Candidate& c : candidates) {
    const int32_t n = run_[c.run].node;
    c.node_room =
        by_node && n >= 0 && n < cap_.num_nodes() ? extra[n] + cap_.whole_free(n, type) : 0;
    c.node = by_node ? n : 0;
  }
  if (candidates.size() > kMaxVictimCandidates) {
    std::nth_element(candidates.begin(), candidates.begin() + kMaxVictimCandidates,
                     candidates.end(), VictimBefore);
    candidates.resize(kMaxVictimCandidates);
    if (type != kNoAccel) *held_milli = CountCandidatesHeld(state, type);
  }
  // Usually a few victims are enough: the order is settled for the first few, then for the rest
  // only if the walk gets that far.
  constexpr size_t kFirstSorted = 8;
  const size_t sorted = std::min(candidates.size(), kFirstSorted);
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(sorted),
                    candidates.end(), VictimBefore);
  return sorted;
}

}  // namespace suanli::core
