#pragma once
// Anti-starvation: a job that has waited `bound` in all (across requeues) goes ahead of every
// queue, oldest queued first, and so is first to get the backfill reservation.
#include "core/order/ranker.h"

namespace suanli::core {

class Starvation : public Ranker {
 public:
  explicit Starvation(Time bound_ms) : bound_ms_(bound_ms) {}
  std::string_view name() const override { return "starvation"; }
  void Apply(const Job& job, Time now, QueueRank& rank) const override;
  Time NextChange(const Job& job, Time now) const override;

  // Waited past the bound by `now` (for a running job: before this run).
  bool Starving(const Job& job, Time now) const;

 private:
  Time bound_ms_;  // > 0
};

}  // namespace suanli::core
