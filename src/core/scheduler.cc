#include "core/scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "core/job_util.h"
#include "core/text.h"

namespace suanli::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxVictimCandidates = 4096;

const Shape& CurrentShape(const Job& job) {
  const auto i =
      std::clamp<int32_t>(job.shape_index, 0, static_cast<int32_t>(job.shapes.size()) - 1);
  return job.shapes[i];
}

// Milliseconds the job has run, across restarts: Job::ran_ms where the caller keeps it, else
// estimated from its service at the width it runs (or asks for).
double RunTimeMs(const Job& job) {
  if (job.ran_ms > 0) return static_cast<double>(job.ran_ms);
  double width = job.allocation.empty() ? 0 : HeldDevices(job);
  if (width <= 0 && !job.shapes.empty()) width = ShapeDevices(CurrentShape(job));
  return width > 0 ? job.attained_service_ms / width : 0;
}

std::string DimName(const ClusterState& state, int dim) {
  if (dim == kDimCpu) return "cpus";
  if (dim == kDimMem) return "MB of memory";
  return TypeName(state, dim - kDimAccelBase);
}

std::string DimAmount(int dim, int64_t v) {
  return dim == kDimMem ? std::to_string(v) : MilliText(v);
}

// Time the job has spent not running since submission, across requeues.
double TotalWaitMs(const Job& job, Time now) {
  return std::max(0.0, static_cast<double>(now - job.submit_time) - RunTimeMs(job));
}

// The first time after `now` at which `holds` (false at `now`, monotone in time) becomes true,
// starting from an estimate that may be off by rounding.
template <typename Pred>
Time FirstTimeAfter(Time now, Time estimate, Pred holds) {
  Time t = std::max(estimate, now + 1);
  while (!holds(t)) ++t;
  while (t - 1 > now && holds(t - 1)) --t;
  return t;
}

}  // namespace

Scheduler::Scheduler(PolicySpec spec, PlacementKind placement, const PolicyConfig& config)
    : spec_(std::move(spec)),
      config_(config),
      placer_(placement, config.seed),
      queue_(JobQueue::Rules{
          .rank = [this](const Job& job, Time now) { return RankOf(job, now); },
          .next_change = [this](const Job& job, Time now) { return NextRankChange(job, now); },
          .bucket_per_tenant = spec_.fair,
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
      }) {}

int64_t Scheduler::LasLevel(const Job& job) const {
  int64_t level = 0;
  for (double t : spec_.las_thresholds_device_ms) {
    if (job.attained_service_ms >= t) ++level;
  }
  return level;
}

Scheduler::Rank Scheduler::RankOf(const Job& job, Time now) const {
  Rank r;
  r.id = job.id;
  r.prio = spec_.honor_priority ? -static_cast<int64_t>(job.priority) : 0;
  const bool pending = job.phase == JobPhase::kPending;
  const Time queued = QueuedSince(job);
  r.time = job.submit_time;
  if (spec_.las) {
    r.level = LasLevel(job);
    if (pending && r.level > 0 && spec_.las_promote_knob > 0 &&
        static_cast<double>(now - queued) >= spec_.las_promote_knob * RunTimeMs(job)) {
      r.level = 0;  // Tiresias promotion: waited long relative to what it already ran
    }
  }
  r.secondary = SecondaryKeyOf(job, now).At(now);
  if (pending && spec_.starvation_ms > 0 && TotalWaitMs(job, now) >= spec_.starvation_ms) {
    r.level = -1;  // starving: ahead of every queue, oldest first, and first to get a reservation
    r.secondary = 0;
    r.time = queued;
  }
  return r;
}

// A pending job's rank changes while it waits only when LAS promotes it (it waited long relative
// to what it ran) or when it starts starving; both are fixed points in time.
Time Scheduler::NextRankChange(const Job& job, Time now) const {
  Time next = kUnknownTime;
  auto earliest = [&](Time t) { next = next == kUnknownTime ? t : std::min(next, t); };
  const double ran = RunTimeMs(job);
  if (spec_.las && spec_.las_promote_knob > 0 && LasLevel(job) > 0) {
    const Time queued = QueuedSince(job);
    auto promoted = [&](Time t) {
      return static_cast<double>(t - queued) >= spec_.las_promote_knob * ran;
    };
    if (!promoted(now)) {
      earliest(FirstTimeAfter(
          now, queued + static_cast<Time>(std::ceil(spec_.las_promote_knob * ran)), promoted));
    }
  }
  if (spec_.starvation_ms > 0) {
    auto starving = [&](Time t) { return TotalWaitMs(job, t) >= spec_.starvation_ms; };
    if (!starving(now)) {
      earliest(FirstTimeAfter(
          now, job.submit_time + spec_.starvation_ms + static_cast<Time>(std::ceil(ran)),
          starving));
    }
  }
  return next;
}

// The duration key of a job's rank. For a running job a remaining time falls as the clock runs
// (its run time grows with it), so it is kept as a constant minus `now`.
Scheduler::SecondaryKey Scheduler::SecondaryKeyOf(const Job& job, Time now) const {
  SecondaryKey k;
  const bool running = job.phase != JobPhase::kPending;
  const double limit = job.time_limit > 0 ? static_cast<double>(job.time_limit) : kInf;
  // What SJF/SRTF rank by: the declared limit, or the learned estimate where it is shorter. An
  // estimate can be overrun, so a remaining time derived from it stops at 0.
  const bool estimated = job.estimated_duration >= 0 && job.estimated_duration < limit;
  const double expected = estimated ? static_cast<double>(job.estimated_duration) : limit;
  const double oracle = job.oracle_duration >= 0 ? static_cast<double>(job.oracle_duration) : kInf;
  // What a remaining time subtracts: run time across restarts for a checkpointable job, the
  // current run otherwise; written as (this + now) for a running job.
  double used = 0;
  if (running) {
    k.falls = true;
    const double start = static_cast<double>(job.start_time);
    used = job.checkpointable ? RunTimeMs(job) - static_cast<double>(now - job.start_time) - start
                              : -start;
  } else if (job.checkpointable) {
    used = RunTimeMs(job);
  }
  switch (spec_.order) {
    case PolicySpec::Order::kSubmit:
      k.falls = false;
      break;
    case PolicySpec::Order::kTimeLimit:
      k.key = expected;
      k.falls = false;
      break;
    case PolicySpec::Order::kOracleDuration:
      k.key = oracle;
      k.falls = false;
      break;
    case PolicySpec::Order::kRemainingLimit:
      k.key = expected - used;
      k.floor = estimated;
      break;
    case PolicySpec::Order::kOracleRemaining:
      k.key = oracle - used;
      k.floor = true;
      break;
  }
  return k;
}

Scheduler::Running Scheduler::MakeRunning(const Job& job, int32_t index, Time now) const {
  Running r;
  r.id = job.id;
  r.index = index;
  r.tenant = job.tenant;
  r.prio = spec_.honor_priority ? -static_cast<int64_t>(job.priority) : 0;
  r.start = job.start_time;
  r.limit = job.time_limit;
  r.secondary = SecondaryKeyOf(job, now);
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
  r.starved_before =
      spec_.starvation_ms > 0 && TotalWaitMs(job, now) >= static_cast<double>(spec_.starvation_ms);
  RefreshLevel(r, job, now);
  return r;
}

void Scheduler::RefreshLevel(Running& r, const Job& job, Time now) const {
  r.level = spec_.las ? LasLevel(job) : 0;
  r.level_check_at = std::numeric_limits<Time>::max();
  if (!spec_.las || r.held <= 0) return;
  double next = kInf;
  for (double t : spec_.las_thresholds_device_ms) {
    if (t > job.attained_service_ms) next = std::min(next, t);
  }
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

std::vector<Scheduler::Option> Scheduler::OptionsOf(const ClusterState& state,
                                                    const Job& job) const {
  std::vector<Option> options;
  for (int32_t s = 0; s < static_cast<int32_t>(job.shapes.size()); ++s) {
    const Shape& shape = job.shapes[s];
    for (AccelType t : CandidateTypes(state, job, shape)) {
      const double speed = shape.speed * (t == kNoAccel ? 1.0 : TypeSpeed(job, t));
      options.push_back({s, t, speed});
    }
  }
  std::stable_sort(options.begin(), options.end(),
                   [](const Option& a, const Option& b) { return a.speed > b.speed; });
  return options;
}

bool Scheduler::Budgeted(const ClusterState& state, int32_t tenant, int32_t* over) const {
  if (!fair_.valid(tenant)) return true;
  for (int32_t t : fair_.path(tenant)) {
    const Tenant& ten = state.tenants[t];
    if (ten.accel_hour_budget >= 0 && ten.accel_hours_used >= ten.accel_hour_budget) {
      *over = t;
      return false;
    }
  }
  return true;
}

Scheduler::ClassInfo& Scheduler::Class(const ClusterState& state, int32_t cls) {
  if (static_cast<size_t>(cls) >= classes_.size()) classes_.resize(static_cast<size_t>(cls) + 1);
  ClassInfo& info = classes_[cls];
  if (info.ready) return info;
  const int32_t sample = queue_.class_sample(cls);
  if (sample < 0) return info;  // an empty class is never walked
  const Job& job = state.jobs[sample];
  info.ready = true;
  info.options = OptionsOf(state, job);
  info.cpu_only = !job.shapes.empty() && job.shapes[0].per_task.accel_milli <= 0;
  info.min_accel_ask = std::numeric_limits<int64_t>::max();
  for (const Shape& shape : job.shapes) {
    info.min_accel_ask = std::min(info.min_accel_ask, shape.per_task.accel_milli);
  }
  info.has_limit = job.time_limit > 0;
  return info;
}

// Fair-share interleaving: each bucket offers its best job; the lowest priority band and LAS
// queue go first, and within one the tenant furthest below its weighted share.
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
    const Rank& x = item.rank;
    const Rank& y = best_item.rank;
    bool better;
    if (x.prio != y.prio || x.level != y.level) {
      better = std::tie(x.prio, x.level) < std::tie(y.prio, y.level);
    } else if (spec_.fair && x.level >= 0) {
      // Same queue: the tenant furthest below its weighted share goes first.
      better = fair_.Before(b, best) || (!fair_.Before(best, b) && RankLess(x, y));
    } else {
      better = RankLess(x, y);
    }
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
  auto slots = [&](int32_t n) -> int64_t {
    if (!cap_.schedulable(n)) return 0;
    int64_t s = whole[n] / g;
    if (r.cpu_milli > 0) s = std::min(s, cpu[n] / r.cpu_milli);
    if (r.mem_mb > 0) s = std::min(s, mem[n] / r.mem_mb);
    return std::max<int64_t>(s, 0);
  };
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
      cpu[n] += task.res.cpu_milli;
      mem[n] += task.res.mem_mb;
      if (type != kNoAccel && !task.devices.empty()) {
        std::vector<int64_t>& dev_free = est_dev_[n];
        if (dev_free.empty() && cap_.num_devices(n) > 0) {
          est_dev_touched_.push_back(n);
          for (int32_t d = 0; d < cap_.num_devices(n); ++d)
            dev_free.push_back(cap_.device_free(n, d));
        }
        const int64_t share = task.res.accel_milli / static_cast<int64_t>(task.devices.size());
        for (int32_t d : task.devices) {
          if (d < 0 || d >= cap_.num_devices(n) || cap_.device_type(n, d) != type) continue;
          const bool was = dev_free[d] >= cap_.device_total(n, d);
          dev_free[d] += share;
          if (!was && dev_free[d] >= cap_.device_total(n, d)) ++whole[n];
        }
      }
      total += slots(n);
    }
    if (total >= shape.tasks) return finish(t);
  }
  if (slots_at_fit) slots_at_fit->clear();
  return kUnknownTime;
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
        hold.devices = Placer::PickDevices(cap_, n, reservation_.type, want);
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

bool Scheduler::TryPlace(const ClusterState& state, const Job& job,
                         const std::vector<Option>& options, Time now, bool may_bypass_holds,
                         Record* why, Placement* placement) {
  if (options.empty()) {  // no type it accepts exists (stale job): it must not block the queue
    why->outcome = Outcome::kNoShape;
    return false;
  }
  why->option = options[0];
  bool all_quota = true;
  const size_t dims = cap_.totals().size();
  for (size_t k = 0; k < options.size(); ++k) {
    const Option& opt = options[k];
    const Shape& shape = job.shapes[opt.shape];
    int dim = 0;
    const int32_t blocker = fair_.LimitBlocker(job.tenant, AskOf(shape, opt.type, dims), &dim);
    if (blocker >= 0) {
      if (k == 0 || why->quota_tenant < 0) {
        why->quota_tenant = blocker;
        why->quota_dim = dim;
      }
      continue;
    }
    all_quota = false;
    const auto key = std::make_tuple(shape.per_task.accel_milli, shape.per_task.cpu_milli,
                                     shape.per_task.mem_mb, shape.tasks, opt.type);
    const bool known_failure =
        std::find(failed_shapes_.begin(), failed_shapes_.end(), key) != failed_shapes_.end();
    bool ok = !known_failure && placer_.Place(shape, opt.type, cap_, placement->tasks);
    if (!ok && !known_failure) failed_shapes_.push_back(key);
    if (!ok && may_bypass_holds && !holds_.empty()) {
      // A job that surely ends before the head job's reserved start may use held resources.
      ReleaseHolds();
      ok = placer_.Place(shape, opt.type, cap_, placement->tasks);
      ApplyHolds();
      if (ok) placement->backfilled = true;
    }
    if (!ok) continue;
    if (k > 0 && opt.speed < options[0].speed && job.time_limit > 0) {
      // Flexible shape / slower type: start now only if that finishes no later than waiting for
      // the fastest option would.
      for (const auto& t : placement->tasks) cap_.Apply(t, +1);
      const Shape& best = job.shapes[options[0].shape];
      const Time best_start = EstimateFit(state, best, options[0].type, now, nullptr);
      for (const auto& t : placement->tasks) cap_.Apply(t, -1);
      const double work = static_cast<double>(job.time_limit);
      if (best_start != kUnknownTime && static_cast<double>(best_start) + work / options[0].speed <
                                            static_cast<double>(now) + work / opt.speed) {
        for (const auto& t : placement->tasks) cap_.Apply(t, +1);
        placement->tasks.clear();
        why->option = options[0];
        why->outcome = Outcome::kNoFit;
        return false;
      }
    }
    placement->job = job.id;
    placement->shape_index = opt.shape;
    return true;
  }
  why->outcome = all_quota ? Outcome::kQuota : Outcome::kNoFit;
  return false;
}

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
  if (spec_.preempt_remaining && remaining_victim_max_ > 2 * rank.secondary) return true;
  if (spec_.preempt_priority && rank.prio < worst_victim_prio_) return true;
  // LAS may take devices only from a job that received more service than this one really has
  // (promotion reorders the queue but grants no such right); a starving job too, which is what
  // bounds its wait when the nodes it needs are held by long jobs. See TryPreempt.
  if (spec_.preempt_las && LasLevel(job) < las_victim_level_) return true;
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
  const bool reclaiming = spec_.reclaim && fair_.WithinGuarantee(job.tenant, ask);
  const int accel_dim = opt.type == kNoAccel ? kDimCpu : kDimAccelBase + opt.type;
  const int64_t own_las_level = LasLevel(job);
  // When only LAS could find victims, what they hold bounds what can be freed: if that and the
  // free room cannot hold the ask, no need to look at each running job.
  const bool only_las = spec_.preempt_las && !reclaiming && !spec_.preempt_remaining &&
                        !(spec_.preempt_priority && worst_victim_prio_ > entry.rank.prio);
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
    int kind = -1;
    if (reclaiming && r.tenant != job.tenant && fair_.valid(r.tenant) &&
        fair_.Borrowing(r.tenant, accel_dim)) {
      kind = 0;
    } else if (spec_.preempt_priority && r.prio > entry.rank.prio) {
      kind = 1;
    } else if (spec_.preempt_las && r.prio >= entry.rank.prio && r.level > own_las_level &&
               LasOk(r, now)) {
      kind = 2;
    } else if (spec_.preempt_remaining && r.prio >= entry.rank.prio && RemainingOk(r, now) &&
               r.secondary.At(now) > 2 * entry.rank.secondary) {
      kind = 3;
    }
    if (kind < 0) continue;
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
      case 0:
        p.reason = "reclaimed by tenant " + state.tenants[job.tenant].name + " (guarantee " +
                   DimAmount(accel_dim, fair_.guarantee(job.tenant, accel_dim)) + " × " +
                   DimName(state, accel_dim) + ")";
        break;
      case 1:
        p.reason = "preempted for job " + std::to_string(job.id) + " (priority " +
                   std::to_string(job.priority) + " > " + std::to_string(v.priority) + ")";
        break;
      case 2:
        p.reason = "preempted for job " + std::to_string(job.id) +
                   ", which has received less service (LAS queue " +
                   std::to_string(entry.rank.level < 0 ? 0 : entry.rank.level) + " < " +
                   std::to_string(cand.level) + ")";
        break;
      default:
        p.reason =
            "preempted for job " + std::to_string(job.id) + ", which has much less time remaining";
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

CycleResult Scheduler::Schedule(const ClusterState& state, Time now) {
  CycleResult result;
  // The queue first: it knows the running jobs, so nothing below reads the pending ones.
  const bool rebuilt = queue_.Sync(state, now);
  if (rebuilt) classes_.clear();
  cap_.Sync(state, queue_.running(), /*incremental=*/!rebuilt);
  placer_.BeginCycle(state, cap_);
  fair_.Sync(state, cap_, queue_.running(), /*incremental=*/!rebuilt);
  for (const auto& [n, tasks] : reservation_.nodes) reserved_node_[n] = 0;
  reservation_ = Reservation{};
  holds_.clear();
  records_.clear();
  failed_shapes_.clear();
  failed_preemptions_.clear();
  placed_this_cycle_.clear();
  placed_index_.clear();
  any_budget_ = false;
  for (const Tenant& t : state.tenants) any_budget_ |= t.accel_hour_budget >= 0;
  const size_t num_jobs = state.jobs.size();
  for (int32_t i : preempted_list_) {
    if (static_cast<size_t>(i) < preempted_.size()) preempted_[i] = 0;
  }
  preempted_list_.clear();
  preempted_.resize(num_jobs, 0);
  any_victim_ = false;
  reclaim_possible_ = false;
  const size_t dims = cap_.totals().size();

  // Reclaim needs someone with a guarantee on an accelerator.
  bool any_guarantee = false;
  for (int32_t t = 0; t < static_cast<int32_t>(state.tenants.size()); ++t) {
    for (size_t d = kDimAccelBase; d < dims; ++d) any_guarantee |= fair_.guarantee(t, d) > 0;
  }
  any_guarantee_ = any_guarantee;

  // Running jobs: whether anyone could be a victim at all, and bounds that spare the walk a look
  // at each of them.
  SyncRunning(state, now, rebuilt);
  las_victim_level_ = std::numeric_limits<int64_t>::min();
  remaining_victim_max_ = -kInf;
  las_held_.resize(state.accel_types.size());
  for (auto& by_level : las_held_) by_level.clear();
  const bool may_preempt =
      spec_.reclaim || spec_.preempt_priority || spec_.preempt_las || spec_.preempt_remaining;
  for (Running& r : run_) {
    if (now >= r.level_check_at) RefreshLevel(r, state.jobs[r.index], now);
    if (!may_preempt || !r.preemptible) continue;
    worst_victim_prio_ = any_victim_ ? std::max(worst_victim_prio_, r.prio) : r.prio;
    any_victim_ = true;
    if (spec_.preempt_las && LasOk(r, now)) {
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
    if (spec_.preempt_remaining && RemainingOk(r, now)) {
      remaining_victim_max_ = std::max(remaining_victim_max_, r.secondary.At(now));
    }
    if (spec_.reclaim && any_guarantee && !reclaim_possible_ && fair_.valid(r.tenant)) {
      for (size_t d = kDimAccelBase; d < dims; ++d) {
        if (fair_.Borrowing(r.tenant, static_cast<int>(d))) reclaim_possible_ = true;
      }
    }
  }

  // The walk: classes of pending jobs in rank order (fair-share interleaved across tenants).
  queue_.BeginWalk();
  min_accel_ask_ = std::numeric_limits<int64_t>::max();
  for (int32_t c : queue_.nonempty_classes()) {
    min_accel_ask_ = std::min(min_accel_ask_, Class(state, c).min_accel_ask);
  }
  CountLiveCpuOnly();

  JobId strict_head = 0;
  JobQueue::Item item;
  while (Pick(&item)) {
    if (spec_.strict && strict_head != 0) break;  // nothing may pass the head
    const Job& job = state.jobs[item.index];
    ClassInfo& info = Class(state, item.cls);
    if (!config_.explain_pending && cpu_only_live_ == 0 && !info.cpu_only) {
      // Nothing left can start when no accelerator is free (held ones included) and nobody left
      // may preempt: stop here instead of ranking the rest of the queue. (When reasons are
      // wanted the walk goes on, so the head job still gets its reservation and reserved start.)
      // Held resources only count when some job could still bypass the hold (known times).
      int64_t free = 0;
      for (AccelType t = 0; t < cap_.num_types(); ++t) free += cap_.free_milli(t);
      if (reservation_.start != kUnknownTime) {
        for (const auto& h : holds_) free += h.res.accel_milli;
      }
      if (free < min_accel_ask_ && !CouldPreempt(job, item.rank)) break;
    }
    Record rec;
    rec.index = item.index;
    rec.cls = item.cls;
    if (job.shapes.empty()) {
      rec.outcome = Outcome::kNoShape;
      records_.push_back(rec);
      Fail(item, rec, /*tried_backfill=*/true, now);
      continue;
    }
    if (int32_t over = -1; any_budget_ && !Budgeted(state, job.tenant, &over)) {
      rec.outcome = Outcome::kBudget;
      rec.quota_tenant = over;
      records_.push_back(rec);
      Fail(item, rec, /*tried_backfill=*/true, now);
      continue;
    }
    Placement placement;
    const bool short_enough = reservation_.active && reservation_.start != kUnknownTime &&
                              job.time_limit > 0 && now + job.time_limit <= reservation_.start;
    bool placed = TryPlace(state, job, info.options, now, short_enough, &rec, &placement);
    bool preempted = false;
    if (!placed && rec.outcome == Outcome::kNoFit && may_preempt && CouldPreempt(job, item.rank)) {
      preempted = placed = TryPreempt(state, job, item, info.options, now, &placement, result);
    }
    if (placed) {
      if (reservation_.active && !placement.backfilled) placement.backfilled = true;
      fair_.Charge(job.tenant, AskOf(placement.tasks, dims), +1);
      placed_this_cycle_.push_back(placement);
      placed_index_.push_back(item.index);
      result.placements.push_back(std::move(placement));
      const bool was_live = queue_.live(item.cls);
      if (!queue_.Consume(item, JobQueue::Verdict::kPlaced) && was_live && info.cpu_only) {
        --cpu_only_live_;
      }
      if (preempted) {
        // Victims gave room back: classes that failed may fit now.
        queue_.Revive([](int32_t) { return true; });
        CountLiveCpuOnly();
      }
      continue;
    }
    if (rec.outcome == Outcome::kNoFit &&
        (spec_.strict || (spec_.backfill && !reservation_.active))) {
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
      if (spec_.strict) strict_head = job.id;
      if (spec_.backfill && !reservation_.active) {
        MakeReservation(state, job, rec.option, now);
        reservation_.index = item.index;
        rec.head = true;
        reserved = true;
      }
    }
    records_.push_back(rec);
    Fail(item, rec, short_enough, now);
    if (reserved && reservation_.start != kUnknownTime) {
      // Jobs that end before the reserved start may now use held room: their classes get
      // another look, for those members, even if one failed before the reservation existed.
      queue_.ReviveShort(reservation_.start - now, [&](int32_t c) {
        return static_cast<size_t>(c) < classes_.size() && classes_[c].ready &&
               classes_[c].has_limit;
      });
      CountLiveCpuOnly();
    }
  }
  waiting_.clear();
  strict_head_ = spec_.strict ? strict_head : 0;
  if (config_.explain_pending) {
    // Every job the walk skipped or never reached, in rank order: behind the strict head, or
    // like the member of its class that failed, or not looked at (nothing could start). Only
    // what differs between members of a class is kept per job.
    queue_.ForEachUnconsumed([&](const JobQueue::Item& it) {
      waiting_.push_back({it.cls, it.rank.id, it.limit});
    });
  }
  ReleaseHolds();
  if (config_.explain_pending) Explain(state, now, result);
  return result;
}

void Scheduler::Explain(const ClusterState& state, Time now, CycleResult& result) {
  // A FIFO plan per accelerator type over the free pool and the limits of running jobs gives
  // every waiting job an estimated start when the jobs ahead of it have known limits.
  const int32_t num_types = cap_.num_types();
  struct Pool {
    int64_t free = 0;
    Time cursor = 0;
    bool blocked = false;
    std::priority_queue<std::pair<Time, int64_t>, std::vector<std::pair<Time, int64_t>>,
                        std::greater<>>
        releases;
  };
  std::vector<Pool> pools(num_types);
  for (AccelType t = 0; t < num_types; ++t) {
    pools[t].free = cap_.free_milli(t);
    pools[t].cursor = now;
  }
  auto add_release = [&](const Job& job, const std::vector<TaskAllocation>& tasks, Time start) {
    if (job.time_limit <= 0) return;
    for (const auto& t : tasks) {
      if (t.type >= 0 && t.type < num_types) {
        pools[t.type].releases.emplace(std::max(now, start + job.time_limit), t.res.accel_milli);
      }
    }
  };
  for (const Running& r : run_) {
    if (preempted_[r.index] || r.limit <= 0) continue;
    const Job& job = state.jobs[r.index];
    add_release(job, job.allocation, job.start_time);
  }
  for (size_t k = 0; k < placed_this_cycle_.size(); ++k) {
    add_release(state.jobs[placed_index_[k]], placed_this_cycle_[k].tasks, now);
  }
  // What every job waiting like one record has in common: its words, and what it waits for in
  // the plan. Worked out once per record of the walk, and once per class for the jobs it skipped.
  struct Described {
    std::shared_ptr<const std::string> words;
    bool in_line = false;  // waits for resources: counted in line, given a place in the plan
    AccelType type = kNoAccel;
    int64_t need = 0;  // accelerator milli the whole job needs
  };
  auto describe = [&](const Record& rec, const Job& job) {
    Described d;
    std::string text;
    switch (rec.outcome) {
      case Outcome::kNoShape:
        text = !rec.note.empty()    ? rec.note
               : job.shapes.empty() ? "the job asks for no resource shape"
                                    : "asks for an accelerator type the cluster does not have";
        break;
      case Outcome::kBudget: {
        const Tenant& t = state.tenants[rec.quota_tenant];
        text = "tenant " + t.name + " is over its accelerator-hour budget (" +
               OneDecimal(t.accel_hours_used) + " of " + OneDecimal(t.accel_hour_budget) +
               " h used this period)";
        break;
      }
      case Outcome::kQuota: {
        const int dim = rec.quota_dim;
        text = "tenant " + state.tenants[rec.quota_tenant].name + " is at its quota " +
               DimAmount(dim, fair_.usage(rec.quota_tenant, dim)) + "/" +
               DimAmount(dim, fair_.limit(rec.quota_tenant, dim)) + " " + DimName(state, dim);
        break;
      }
      case Outcome::kStrictBehind:
      case Outcome::kNoFit: {
        if (job.shapes.empty()) {
          text = "the job asks for no resource shape";
          break;
        }
        Option opt = rec.option;
        if (opt.type == kNoAccel) {  // never tried (early stop): describe the first shape
          const std::vector<AccelType> types = CandidateTypes(state, job, job.shapes[0]);
          if (types.empty()) {
            text = "asks for an accelerator type the cluster does not have";
            break;
          }
          opt = Option{0, types[0], 1.0};
        }
        const Shape& shape = job.shapes[std::clamp<int32_t>(opt.shape, 0, job.shapes.size() - 1)];
        if (rec.outcome == Outcome::kStrictBehind) {
          text = "behind job " + std::to_string(rec.blocker) +
                 " at the head of the queue (strict FIFO: no job may pass it)";
        } else if (opt.type != kNoAccel) {
          text = "waiting for " + ShapeAskText(state, shape, opt.type) + " (" +
                 MilliText(cap_.free_milli(opt.type)) + " free of " +
                 std::to_string(cap_.total_devices(opt.type)) + ")";
        } else {
          text = "waiting for " + ShapeAskText(state, shape, kNoAccel) + " per task";
        }
        d.in_line = true;
        d.type = opt.type;
        d.need = shape.per_task.accel_milli * std::max(shape.tasks, 1);
        break;
      }
    }
    d.words = std::make_shared<const std::string>(std::move(text));
    return d;
  };
  int64_t ahead = 0;
  result.pending.reserve(records_.size() + waiting_.size() + result.preemptions.size());
  auto add = [&](const Described& d, const Record& rec, JobId id, Time limit, bool head) {
    PendingInfo info;
    info.job = id;
    info.words = d.words;
    if (d.in_line) {
      if (rec.outcome == Outcome::kNoFit) info.ahead = ahead;
      // Estimated start from the plan.
      if (d.type != kNoAccel && d.type < num_types) {
        Pool& pool = pools[d.type];
        while (!pool.blocked && pool.free < d.need && !pool.releases.empty()) {
          pool.cursor = std::max(pool.cursor, pool.releases.top().first);
          pool.free += pool.releases.top().second;
          pool.releases.pop();
        }
        if (pool.free < d.need) pool.blocked = true;
        if (!pool.blocked) {
          Time start = pool.cursor;
          if (start == now) {  // it did not fit now (fragmentation): next release at best
            start = pool.releases.empty() ? kUnknownTime : std::max(now, pool.releases.top().first);
          }
          if (start != kUnknownTime) {
            info.est_start = start;
            pool.free -= d.need;
            if (limit > 0) pool.releases.emplace(start + limit, d.need);
          }
        }
      }
      if (head) {
        if (reservation_.start != kUnknownTime) {
          info.est_start = std::max(reservation_.start, now);
          info.start = PendingInfo::Start::kReserved;
        } else {
          info.start = PendingInfo::Start::kReservedUnknown;
        }
      }
      ++ahead;
    }
    result.pending.push_back(std::move(info));
  };
  for (const Record& rec : records_) {
    const Job& job = state.jobs[rec.index];
    add(describe(rec, job), rec, job.id, job.time_limit,
        rec.head && reservation_.index == rec.index);
  }
  // The jobs the walk skipped wait like their class: described once per class.
  Record strict_behind, never_tried;
  strict_behind.outcome = Outcome::kStrictBehind;
  strict_behind.blocker = strict_head_;
  described_slot_.assign(static_cast<size_t>(queue_.num_classes()), -1);
  std::vector<Described> described;
  for (const Waiting& w : waiting_) {
    const Record* rec = &never_tried;
    if (strict_head_ != 0) {
      rec = &strict_behind;
    } else if (queue_.failed(w.cls) && static_cast<size_t>(w.cls) < classes_.size()) {
      rec = &classes_[w.cls].failure;
    }
    int32_t& slot = described_slot_[w.cls];
    if (slot < 0) {
      slot = static_cast<int32_t>(described.size());
      described.push_back(describe(*rec, state.jobs[queue_.class_sample(w.cls)]));
    }
    add(described[slot], *rec, w.id, w.limit, false);
  }
  // Victims of this cycle are pending once the caller applies the preemption.
  for (const Preemption& p : result.preemptions) {
    PendingInfo info;
    info.job = p.job;
    info.words = std::make_shared<const std::string>(p.reason + "; waiting to run again");
    result.pending.push_back(std::move(info));
  }
}

}  // namespace suanli::core
