#pragma once
// Helpers the scheduler's step files share (scheduler.cc, order/, preempt/, explain.cc ...):
// small pure functions of a job or the cluster state. Internal to the Scheduler engine.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/job_util.h"
#include "core/model.h"
#include "core/text.h"

namespace suanli::core::scheduler_internal {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kMaxVictimCandidates = 4096;

inline const Shape& CurrentShape(const Job& job) {
  const auto i =
      std::clamp<int32_t>(job.shape_index, 0, static_cast<int32_t>(job.shapes.size()) - 1);
  return job.shapes[i];
}

// Milliseconds the job has run, across restarts: Job::ran_ms where the caller keeps it, else
// estimated from its service at the width it runs (or asks for).
inline double RunTimeMs(const Job& job) {
  if (job.ran_ms > 0) return static_cast<double>(job.ran_ms);
  double width = job.allocation.empty() ? 0 : HeldDevices(job);
  if (width <= 0 && !job.shapes.empty()) width = ShapeDevices(CurrentShape(job));
  return width > 0 ? job.attained_service_ms / width : 0;
}

inline std::string DimName(const ClusterState& state, int dim) {
  if (dim == kDimCpu) return "cpus";
  if (dim == kDimMem) return "MB of memory";
  return TypeName(state, dim - kDimAccelBase);
}

inline std::string DimAmount(int dim, int64_t v) {
  return dim == kDimMem ? std::to_string(v) : MilliText(v);
}

// Time the job has spent not running since submission, across requeues.
inline double TotalWaitMs(const Job& job, Time now) {
  return std::max(0.0, static_cast<double>(now - job.submit_time) - RunTimeMs(job));
}

// The first time after `now` at which `holds` (false at `now`, monotone in time) becomes true,
// starting from an estimate that may be off by rounding.
template <typename Pred>
Time FirstTimeAfter(Time now, Time estimate, Pred holds) {
  Time t = std::max(estimate, now + 1);
  while (!holds(t)) ++t;
  while (t - 1 > now && holds(t - 1)) --t;
  return t;
}

}  // namespace suanli::core::scheduler_internal
