// Anti-starvation: see starvation.h.
#include "core/order/starvation.h"

#include <cmath>

#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: RunTimeMs, TotalWaitMs, FirstTimeAfter

bool Starvation::Starving(const Job& job, Time now) const {
  return bound_ms_ > 0 && TotalWaitMs(job, now) >= static_cast<double>(bound_ms_);
}

void Starvation::Apply(const Job& job, Time now, QueueRank& rank) const {
  if (job.phase != JobPhase::kPending || !Starving(job, now)) return;
  rank.level = -1;  // ahead of every queue
  rank.secondary = 0;
  rank.time = QueuedSince(job);
}

// Waiting time grows with the clock while the job waits: it starts starving at a fixed point.
Time Starvation::NextChange(const Job& job, Time now) const {
  if (bound_ms_ <= 0 || Starving(job, now)) return kUnknownTime;
  const Time estimate = job.submit_time + bound_ms_ + static_cast<Time>(std::ceil(RunTimeMs(job)));
  return FirstTimeAfter(now, estimate, [&](Time t) { return Starving(job, t); });
}

}  // namespace suanli::core
