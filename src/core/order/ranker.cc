// What the duration orders share: a job's expected duration and the time a remaining time
// subtracts.
#include "core/order/ranker.h"

#include "core/scheduler_internal.h"

namespace suanli::core {
using scheduler_internal::kInf;
using scheduler_internal::RunTimeMs;

double ExpectedDuration(const Job& job, bool* estimated) {
  const double limit = job.time_limit > 0 ? static_cast<double>(job.time_limit) : kInf;
  // An estimate can be overrun, so a remaining time derived from it stops at 0 (the caller's
  // floor).
  *estimated = job.estimated_duration >= 0 && job.estimated_duration < limit;
  return *estimated ? static_cast<double>(job.estimated_duration) : limit;
}

UsedTime UsedOf(const Job& job, Time now) {
  UsedTime u;
  if (job.phase != JobPhase::kPending) {
    u.falls = true;
    const double start = static_cast<double>(job.start_time);
    u.used = job.checkpointable ? RunTimeMs(job) - static_cast<double>(now - job.start_time) - start
                                : -start;
  } else if (job.checkpointable) {
    u.used = RunTimeMs(job);
  }
  return u;
}

}  // namespace suanli::core
