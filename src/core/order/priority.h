#pragma once
// Priority bands: Job::priority ranks before everything else, higher first.
#include "core/order/ranker.h"

namespace suanli::core {

class PriorityBands : public Ranker {
 public:
  std::string_view name() const override { return "priority"; }
  // Bands rank lower-first, so the band is the negated priority.
  static int64_t Band(const Job& job) { return -static_cast<int64_t>(job.priority); }
  void Apply(const Job& job, Time, QueueRank& rank) const override { rank.prio = Band(job); }
};

}  // namespace suanli::core
