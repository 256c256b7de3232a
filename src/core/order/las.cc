// Tiresias LAS queues: see las.h.
#include "core/order/las.h"

#include <cmath>

#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: RunTimeMs, FirstTimeAfter, kInf

std::shared_ptr<const LasQueues> LasQueues::Tiresias() {
  constexpr double kDeviceHourMs = 3600.0 * 1000.0;
  return std::make_shared<const LasQueues>(
      std::vector<double>{1 * kDeviceHourMs, 10 * kDeviceHourMs, 100 * kDeviceHourMs}, 2.0);
}

int64_t LasQueues::Level(const Job& job) const {
  int64_t level = 0;
  for (double t : thresholds_) {
    if (job.attained_service_ms >= t) ++level;
  }
  return level;
}

double LasQueues::NextThreshold(double attained_ms) const {
  double next = kInf;
  for (double t : thresholds_) {
    if (t > attained_ms) next = std::min(next, t);
  }
  return next;
}

// Waited long relative to what it already ran.
bool LasQueues::Promoted(const Job& job, Time t) const {
  return static_cast<double>(t - QueuedSince(job)) >= promote_knob_ * RunTimeMs(job);
}

void LasQueues::Apply(const Job& job, Time now, QueueRank& rank) const {
  rank.level = Level(job);
  if (job.phase == JobPhase::kPending && rank.level > 0 && promote_knob_ > 0 &&
      Promoted(job, now)) {
    rank.level = 0;
  }
}

// A pending job's queue changes while it waits only when it is promoted, a fixed point in time.
Time LasQueues::NextChange(const Job& job, Time now) const {
  if (promote_knob_ <= 0 || Level(job) == 0 || Promoted(job, now)) return kUnknownTime;
  const Time estimate =
      QueuedSince(job) + static_cast<Time>(std::ceil(promote_knob_ * RunTimeMs(job)));
  return FirstTimeAfter(now, estimate, [&](Time t) { return Promoted(job, t); });
}

}  // namespace suanli::core
