// Placement step: try each option of a job, fastest first, within quota and around the holds.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

bool Scheduler::TryPlace(const ClusterState& state, const Job& job,
                         const std::vector<Option>& options, Time now, bool may_bypass_holds,
                         Record* why, Placement* placement) {
  if (options.empty()) {  // no type it accepts exists (stale job): it must not block the queue
    why->outcome = Outcome::kNoShape;
    return false;
  }
  why->option = options[0];
  bool all_quota = true;
  bool fastest_over_quota = false;
  const size_t dims = cap_.totals().size();
  for (size_t k = 0; k < options.size(); ++k) {
    const Option& opt = options[k];
    const Shape& shape = job.shapes[opt.shape];
    int dim = 0;
    const int32_t blocker = fair_.LimitBlocker(job.tenant, AskOf(shape, opt.type, dims), &dim);
    if (blocker >= 0) {
      fastest_over_quota = fastest_over_quota || k == 0;
      if (k == 0 || why->quota_tenant < 0) {
        why->quota_tenant = blocker;
        why->quota_dim = dim;
      }
      continue;
    }
    all_quota = false;
    const auto key = std::make_tuple(shape.per_task.accel_milli, shape.per_task.cpu_milli,
                                     shape.per_task.mem_mb, shape.tasks, opt.type);
    const bool known_failure =
        std::find(failed_shapes_.begin(), failed_shapes_.end(), key) != failed_shapes_.end();
    bool ok = !known_failure && placer_.Place(shape, opt.type, cap_, placement->tasks);
    if (!ok && !known_failure) failed_shapes_.push_back(key);
    if (!ok && may_bypass_holds && !holds_.empty()) {
      // A job that surely ends before the head job's reserved start may use held resources.
      ReleaseHolds();
      ok = placer_.Place(shape, opt.type, cap_, placement->tasks);
      ApplyHolds();
      if (ok) placement->backfilled = true;
    }
    if (!ok) continue;
    placement->fastest_shape = options[0].shape;
    placement->fastest_start = k == 0 ? now : kUnknownTime;
    placement->fastest_over_quota = fastest_over_quota;
    if (k > 0 && opt.speed < options[0].speed && job.time_limit > 0) {
      // Flexible shape / slower type: start now only if that finishes no later than waiting for
      // the fastest option would.
      for (const auto& t : placement->tasks) cap_.Apply(t, +1);
      const Shape& best = job.shapes[options[0].shape];
      const Time best_start = EstimateFit(state, best, options[0].type, now, nullptr);
      for (const auto& t : placement->tasks) cap_.Apply(t, -1);
      const double work = static_cast<double>(job.time_limit);
      if (best_start != kUnknownTime && static_cast<double>(best_start) + work / options[0].speed <
                                            static_cast<double>(now) + work / opt.speed) {
        for (const auto& t : placement->tasks) cap_.Apply(t, +1);
        placement->tasks.clear();
        why->option = options[0];
        why->outcome = Outcome::kNoFit;
        return false;
      }
      placement->fastest_start = best_start;
      placement->compared = true;
    }
    placement->job = job.id;
    placement->shape_index = opt.shape;
    return true;
  }
  why->outcome = all_quota ? Outcome::kQuota : Outcome::kNoFit;
  return false;
}

}  // namespace suanli::core
