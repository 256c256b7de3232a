// The cycle: sync the queue and the running jobs, walk the pending jobs in rank order and give each
// its named step (admission, placement, backfill reservation, preemption), then explain the rest.
#include "core/scheduler.h"

#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

Scheduler::Scheduler(PolicySpec spec, std::unique_ptr<PlacementScorer> placement,
                     const PolicyConfig& config)
    : spec_(std::move(spec)),
      config_(config),
      placer_(std::move(placement), config.seed),
      queue_(JobQueue::Rules{
          .rank = [this](const Job& job, Time now) { return spec_.order.RankOf(job, now); },
          .next_change = [this](const Job& job,
                                Time now) { return spec_.order.NextChange(job, now); },
          .bucket_per_tenant = spec_.order.fair != nullptr,
          // Where a job has several options (shapes, types), which one it takes depends on how
          // soon each finishes, so on its time limit; otherwise only whether it has one matters
          // to the walk (members short enough to backfill are found by the queue).
          .class_limit = [](const ClusterState& state, const Job& job) -> Time {
            const bool one_option =
                job.shapes.size() == 1 &&
                (job.shapes[0].per_task.accel_milli <= 0 || job.shapes[0].accel_types.size() == 1 ||
                 state.accel_types.size() <= 1);
            if (one_option) return job.time_limit > 0 ? 1 : 0;
            return job.time_limit > 0 ? job.time_limit + 1 : 0;
          },
      }),
      preemptors_(PreemptorsOf(spec_.preempt)) {}

// Each bucket (one per tenant under fair share) offers its best job; the best of those goes.
bool Scheduler::Pick(JobQueue::Item* out) {
  int32_t best = -1;
  JobQueue::Item best_item, item;
  for (int32_t b = 0; b < queue_.num_buckets(); ++b) {
    if (!queue_.Front(b, &item)) continue;
    if (best < 0) {
      best = b;
      best_item = item;
      continue;
    }
    const bool better = spec_.order.fair
                            ? FairShareInterleave::Before(fair_, b, item.rank, best, best_item.rank)
                            : RankLess(item.rank, best_item.rank);
    if (better) {
      best = b;
      best_item = item;
    }
  }
  if (best < 0) return false;
  *out = best_item;
  return true;
}

void Scheduler::Fail(const JobQueue::Item& item, const Record& rec, bool tried_backfill, Time now) {
  ClassInfo& info = classes_[item.cls];
  const bool was_live = queue_.live(item.cls);
  bool live;
  if (!tried_backfill && info.has_limit && reservation_.active &&
      reservation_.start != kUnknownTime) {
    // Members whose limit ends before the reserved start may still pass the head job.
    live = queue_.Consume(item, JobQueue::Verdict::kShortOnly, reservation_.start - now);
  } else {
    live = queue_.Consume(item, JobQueue::Verdict::kFailed);
  }
  if (was_live && !live && info.cpu_only) --cpu_only_live_;
  info.failure = rec;
  info.failure.head = false;
}

void Scheduler::CountLiveCpuOnly() {
  cpu_only_live_ = 0;
  for (int32_t c : queue_.nonempty_classes()) {
    if (queue_.live(c) && static_cast<size_t>(c) < classes_.size() && classes_[c].cpu_only) {
      ++cpu_only_live_;
    }
  }
}

CycleResult Scheduler::Schedule(const ClusterState& state, Time now) {
  CycleResult result;
  const bool rebuilt = SyncWithState(state, now);
  BeginCycle(state);
  SyncRunning(state, now, rebuilt);
  BoundVictims(state, now);
  Walk(state, now, result);
  if (config_.explain_pending) ListWaiting();
  ReleaseHolds();
  if (config_.explain_pending) Explain(state, now, result);
  return result;
}

// The queue first: it knows the running jobs, so nothing after it reads the pending ones. Returns
// whether it was rebuilt (what is kept between cycles is then rebuilt too).
bool Scheduler::SyncWithState(const ClusterState& state, Time now) {
  const bool rebuilt = queue_.Sync(state, now);
  if (rebuilt) classes_.clear();
  cap_.Sync(state, queue_.running(), /*incremental=*/!rebuilt);
  placer_.BeginCycle(state, cap_);
  fair_.Sync(state, cap_, queue_.running(), /*incremental=*/!rebuilt);
  return rebuilt;
}

// Forgets the last cycle's decisions and notes what this one's admission and reclaim depend on.
void Scheduler::BeginCycle(const ClusterState& state) {
  for (const auto& [n, tasks] : reservation_.nodes) reserved_node_[n] = 0;
  reservation_ = Reservation{};
  holds_.clear();
  records_.clear();
  failed_shapes_.clear();
  failed_preemptions_.clear();
  placed_this_cycle_.clear();
  placed_index_.clear();
  strict_head_ = 0;
  any_budget_ = false;
  for (const Tenant& t : state.tenants) any_budget_ |= t.accel_hour_budget >= 0;
  for (int32_t i : preempted_list_) {
    if (static_cast<size_t>(i) < preempted_.size()) preempted_[i] = 0;
  }
  preempted_list_.clear();
  preempted_.resize(state.jobs.size(), 0);
  // Reclaim needs someone with a guarantee on an accelerator.
  const size_t dims = cap_.totals().size();
  any_guarantee_ = false;
  for (int32_t t = 0; t < static_cast<int32_t>(state.tenants.size()); ++t) {
    for (size_t d = kDimAccelBase; d < dims; ++d) any_guarantee_ |= fair_.guarantee(t, d) > 0;
  }
}

// The walk: classes of pending jobs in rank order (fair-share interleaved across tenants), each
// job given its steps until nothing more can start.
void Scheduler::Walk(const ClusterState& state, Time now, CycleResult& result) {
  queue_.BeginWalk();
  min_accel_ask_ = std::numeric_limits<int64_t>::max();
  for (int32_t c : queue_.nonempty_classes()) {
    min_accel_ask_ = std::min(min_accel_ask_, Class(state, c).min_accel_ask);
  }
  CountLiveCpuOnly();
  JobQueue::Item item;
  while (Pick(&item)) {
    if (strict_head_ != 0) break;  // nothing may pass the head
    if (NothingMoreCanStart(state, item)) break;
    Visit(state, item, now, result);
  }
}

// Nothing left can start when no accelerator is free (held ones included) and nobody left may
// preempt: the walk stops instead of ranking the rest of the queue. (When reasons are wanted it
// goes on, so the head job still gets its reservation and reserved start.)
bool Scheduler::NothingMoreCanStart(const ClusterState& state, const JobQueue::Item& item) {
  if (config_.explain_pending || cpu_only_live_ != 0 || Class(state, item.cls).cpu_only) {
    return false;
  }
  // Held resources only count when some job could still bypass the hold (known times).
  int64_t free = 0;
  for (AccelType t = 0; t < cap_.num_types(); ++t) free += cap_.free_milli(t);
  if (reservation_.start != kUnknownTime) {
    for (const auto& h : holds_) free += h.res.accel_milli;
  }
  return free < min_accel_ask_ && !CouldPreempt(state.jobs[item.index], item.rank);
}

// One pending job's steps: admission, placement, preemption; if it still waits, what its wait
// means for the jobs behind it.
void Scheduler::Visit(const ClusterState& state, const JobQueue::Item& item, Time now,
                      CycleResult& result) {
  const Job& job = state.jobs[item.index];
  ClassInfo& info = Class(state, item.cls);
  Record rec;
  rec.index = item.index;
  rec.cls = item.cls;
  if (!Admit(state, job, &rec)) {
    records_.push_back(rec);
    Fail(item, rec, /*tried_backfill=*/true, now);
    return;
  }
  Placement placement;
  const bool short_enough = reservation_.active && reservation_.start != kUnknownTime &&
                            job.time_limit > 0 && now + job.time_limit <= reservation_.start;
  bool placed = TryPlace(state, job, info.options, now, short_enough, &rec, &placement);
  bool preempted = false;
  if (!placed && rec.outcome == Outcome::kNoFit && spec_.preempt.any() &&
      CouldPreempt(job, item.rank)) {
    preempted = placed = TryPreempt(state, job, item, info.options, now, &placement, result);
  }
  if (placed) {
    Commit(job, item, std::move(placement), preempted, result);
  } else {
    StayPending(state, item, rec, short_enough, now);
  }
}

void Scheduler::Commit(const Job& job, const JobQueue::Item& item, Placement placement,
                       bool preempted, CycleResult& result) {
  if (reservation_.active && !placement.backfilled) placement.backfilled = true;
  fair_.Charge(job.tenant, AskOf(placement.tasks, cap_.totals().size()), +1);
  placed_this_cycle_.push_back(placement);
  placed_index_.push_back(item.index);
  result.placements.push_back(std::move(placement));
  const bool was_live = queue_.live(item.cls);
  if (!queue_.Consume(item, JobQueue::Verdict::kPlaced) && was_live &&
      classes_[item.cls].cpu_only) {
    --cpu_only_live_;
  }
  if (preempted) {
    // Victims gave room back: classes that failed may fit now.
    queue_.Revive([](int32_t) { return true; });
    CountLiveCpuOnly();
  }
}

// A job that did not fit: under a strict queue nothing may pass it; under backfill the first
// such job gets the reservation.
void Scheduler::StayPending(const ClusterState& state, const JobQueue::Item& item, Record& rec,
                            bool short_enough, Time now) {
  const Job& job = state.jobs[item.index];
  ClassInfo& info = classes_[item.cls];
  const bool strict = spec_.queue == QueueDiscipline::kStrict;
  const bool backfill = spec_.queue == QueueDiscipline::kBackfill;
  if (rec.outcome == Outcome::kNoFit && (strict || (backfill && !reservation_.active))) {
    // A job that could never fit (admitted before the cluster shrank) must not block or hold.
    if (!info.feasible_known) {  // the same for every job of the class, on these nodes
      info.feasible = CheckFeasible(state, job);
      info.feasible_known = true;
    }
    if (!info.feasible.ok()) {
      rec.outcome = Outcome::kNoShape;
      rec.note = info.feasible.message() + " (it cannot run until the cluster changes)";
    }
  }
  bool reserved = false;
  if (rec.outcome == Outcome::kNoFit) {
    if (strict) strict_head_ = job.id;
    if (backfill && !reservation_.active) {
      MakeReservation(state, job, rec.option, now);
      reservation_.index = item.index;
      rec.head = true;
      reserved = true;
    }
  }
  records_.push_back(rec);
  Fail(item, rec, short_enough, now);
  if (reserved && reservation_.start != kUnknownTime) {
    // Jobs that end before the reserved start may now use held room: their classes get another
    // look, for those members, even if one failed before the reservation existed.
    queue_.ReviveShort(reservation_.start - now, [&](int32_t c) {
      return static_cast<size_t>(c) < classes_.size() && classes_[c].ready && classes_[c].has_limit;
    });
    CountLiveCpuOnly();
  }
}

// Every job the walk skipped or never reached, in rank order: behind the strict head, or like the
// member of its class that failed, or not looked at (nothing could start). Only what differs
// between members of a class is kept per job.
void Scheduler::ListWaiting() {
  waiting_.clear();
  queue_.ForEachUnconsumed([&](const JobQueue::Item& it) {
    waiting_.push_back({it.cls, it.rank.id, it.limit});
  });
}

}  // namespace suanli::core
