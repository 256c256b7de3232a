// Admission: which options (shape, accelerator type) a job class may take, and whether its tenant
// (or an ancestor) is within its accelerator-hour budget.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

std::vector<Scheduler::Option> Scheduler::OptionsOf(const ClusterState& state,
                                                    const Job& job) const {
  std::vector<Option> options;
  for (int32_t s = 0; s < static_cast<int32_t>(job.shapes.size()); ++s) {
    const Shape& shape = job.shapes[s];
    for (AccelType t : CandidateTypes(state, job, shape)) {
      const double speed = shape.speed * (t == kNoAccel ? 1.0 : TypeSpeed(job, t));
      options.push_back({s, t, speed});
    }
  }
  std::stable_sort(options.begin(), options.end(),
                   [](const Option& a, const Option& b) { return a.speed > b.speed; });
  return options;
}

// Admission: a job with no shape never runs; one whose tenant (or an ancestor) spent its budget
// waits. False fills in why.
bool Scheduler::Admit(const ClusterState& state, const Job& job, Record* rec) const {
  if (job.shapes.empty()) {
    rec->outcome = Outcome::kNoShape;
    return false;
  }
  if (int32_t over = -1; any_budget_ && !Budgeted(state, job.tenant, &over)) {
    rec->outcome = Outcome::kBudget;
    rec->quota_tenant = over;
    return false;
  }
  return true;
}

bool Scheduler::Budgeted(const ClusterState& state, int32_t tenant, int32_t* over) const {
  if (!fair_.valid(tenant)) return true;
  for (int32_t t : fair_.path(tenant)) {
    const Tenant& ten = state.tenants[t];
    if (ten.accel_hour_budget >= 0 && ten.accel_hours_used >= ten.accel_hour_budget) {
      *over = t;
      return false;
    }
  }
  return true;
}

Scheduler::ClassInfo& Scheduler::Class(const ClusterState& state, int32_t cls) {
  if (static_cast<size_t>(cls) >= classes_.size()) classes_.resize(static_cast<size_t>(cls) + 1);
  ClassInfo& info = classes_[cls];
  if (info.ready) return info;
  const int32_t sample = queue_.class_sample(cls);
  if (sample < 0) return info;  // an empty class is never walked
  const Job& job = state.jobs[sample];
  info.ready = true;
  info.options = OptionsOf(state, job);
  info.cpu_only = !job.shapes.empty() && job.shapes[0].per_task.accel_milli <= 0;
  info.min_accel_ask = std::numeric_limits<int64_t>::max();
  for (const Shape& shape : job.shapes) {
    info.min_accel_ask = std::min(info.min_accel_ask, shape.per_task.accel_milli);
  }
  info.has_limit = job.time_limit > 0;
  return info;
}

}  // namespace suanli::core
