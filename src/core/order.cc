// Ordering: the rank the queue keeps each pending job by, and when that rank next changes.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

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

}  // namespace suanli::core
