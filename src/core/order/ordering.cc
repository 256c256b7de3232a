// A policy's ordering: see ordering.h.
#include "core/order/ordering.h"

#include <algorithm>

namespace suanli::core {

QueueRank Ordering::RankOf(const Job& job, Time now) const {
  QueueRank rank;
  rank.id = job.id;
  rank.time = job.submit_time;
  for (const Ranker* order : Chain()) {
    if (order != nullptr) order->Apply(job, now, rank);
  }
  return rank;
}

Time Ordering::NextChange(const Job& job, Time now) const {
  Time next = kUnknownTime;
  for (const Ranker* order : Chain()) {
    if (order == nullptr) continue;
    const Time t = order->NextChange(job, now);
    if (t != kUnknownTime) next = next == kUnknownTime ? t : std::min(next, t);
  }
  return next;
}

}  // namespace suanli::core
