#pragma once
// Tiresias discretized 2D-LAS (Gu et al., NSDI'19): a job moves down a queue each time its attained
// service (devices x time) crosses a threshold, so the queue says how much work it has done; a
// demoted job that has waited `promote_knob` times what it ran returns to queue 0.
#include <vector>

#include "core/order/ranker.h"

namespace suanli::core {

class LasQueues : public Ranker {
 public:
  LasQueues(std::vector<double> thresholds_device_ms, double promote_knob)
      : thresholds_(std::move(thresholds_device_ms)), promote_knob_(promote_knob) {}
  // The policies' queues: geometric boundaries at 1, 10 and 100 device-hours, promotion at 2x.
  static std::shared_ptr<const LasQueues> Tiresias();

  std::string_view name() const override { return "las"; }
  void Apply(const Job& job, Time now, QueueRank& rank) const override;
  Time NextChange(const Job& job, Time now) const override;

  // The job's queue by attained service alone (no promotion): what decides whom it may preempt.
  int64_t Level(const Job& job) const;
  // The lowest threshold above `attained_ms`, or infinity when it is in the last queue.
  double NextThreshold(double attained_ms) const;

 private:
  bool Promoted(const Job& job, Time t) const;

  std::vector<double> thresholds_;
  double promote_knob_ = 0;  // > 0: promotion on
};

}  // namespace suanli::core
