#pragma once
// Ordering: the rank the queue keeps each pending job by (core/job_queue.h's QueueRank, compared
// band, queue level, duration key, time, id), built by the orders a policy names in its Ordering
// (ordering.h). Each order is a Ranker in its own file here: it writes its part of the rank, and
// says when that part next changes while the job waits (the queue re-ranks it then).
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/job_queue.h"
#include "core/model.h"

namespace suanli::core {

class Ranker {
 public:
  virtual ~Ranker() = default;
  virtual std::string_view name() const = 0;
  // Writes this order's part of `rank` for `job` at `now`, over what the orders before it wrote.
  virtual void Apply(const Job& job, Time now, QueueRank& rank) const = 0;
  // For a pending job: the first time after `now` at which Apply would write something else, or
  // kUnknownTime when that never happens by itself.
  virtual Time NextChange(const Job& job, Time now) const { return kUnknownTime; }
};

// A rank's duration key as a function of time. For a running job a remaining time falls as the
// clock runs (its run time grows with it), so it is kept as a constant minus `now`.
struct DurationKey {
  double key = 0;
  bool falls = false;  // the key is `key - now`
  bool floor = false;  // never below 0
  double At(Time now) const {
    const double v = falls ? key - static_cast<double>(now) : key;
    return floor ? std::max(0.0, v) : v;
  }
};

// The orders by a duration (or none): the rank's duration key, shorter first. A policy has one.
// The key is asked of running jobs too: SRTF preemption compares them.
class DurationRanker : public Ranker {
 public:
  virtual DurationKey Key(const Job& job, Time now) const = 0;
  void Apply(const Job& job, Time now, QueueRank& rank) const override {
    rank.secondary = Key(job, now).At(now);
  }
};

// What SJF/SRTF rank by: the declared limit, or the learned estimate where it is shorter
// (`estimated` says which); infinite when neither.
double ExpectedDuration(const Job& job, bool* estimated);
// What a remaining time subtracts: run time across restarts for a checkpointable job, the current
// run otherwise. For a running job it is written as (used + now), and the key `falls`.
struct UsedTime {
  double used = 0;
  bool falls = false;
};
UsedTime UsedOf(const Job& job, Time now);

// One factory per duration order.
std::shared_ptr<const DurationRanker> MakeSubmitOrder();           // submit.cc
std::shared_ptr<const DurationRanker> MakeTimeLimitOrder();        // time_limit.cc
std::shared_ptr<const DurationRanker> MakeRemainingOrder();        // remaining.cc
std::shared_ptr<const DurationRanker> MakeOracleDurationOrder();   // oracle.cc
std::shared_ptr<const DurationRanker> MakeOracleRemainingOrder();  // oracle.cc

}  // namespace suanli::core
