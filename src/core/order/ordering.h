#pragma once
// A policy's ordering: the orders it names, applied to every job's rank in this fixed sequence:
// priority bands, LAS queues, the duration order, anti-starvation (which overrides the queue and
// duration of a starving job); and whether tenants are interleaved by fair share. The rank's last
// keys are always the submission (or, starving, queued) time and the job id, so every ordering is
// total and deterministic.
#include <array>
#include <memory>

#include "core/order/fair_share.h"
#include "core/order/las.h"
#include "core/order/priority.h"
#include "core/order/ranker.h"
#include "core/order/starvation.h"

namespace suanli::core {

struct Ordering {
  std::shared_ptr<const PriorityBands> bands;  // null: one band for all
  std::shared_ptr<const LasQueues> las;        // null: one queue
  std::shared_ptr<const DurationRanker> duration = MakeSubmitOrder();
  std::shared_ptr<const Starvation> starvation;     // null: nobody jumps the queue
  std::shared_ptr<const FairShareInterleave> fair;  // null: tenants are not interleaved

  // The orders that write the rank, in the sequence they apply.
  std::array<const Ranker*, 4> Chain() const {
    return {bands.get(), las.get(), duration.get(), starvation.get()};
  }
  QueueRank RankOf(const Job& job, Time now) const;
  // The earliest time after `now` any of the orders changes a pending job's rank, or kUnknownTime.
  Time NextChange(const Job& job, Time now) const;
  // What a running job keeps of its rank: its band and (unpromoted) LAS queue.
  int64_t Band(const Job& job) const { return bands ? PriorityBands::Band(job) : 0; }
  int64_t LasLevel(const Job& job) const { return las ? las->Level(job) : 0; }
};

}  // namespace suanli::core
