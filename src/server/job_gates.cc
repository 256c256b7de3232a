#include "server/job_gates.h"

#include <algorithm>

#include "slurm/array_spec.h"

namespace suanli::server {
namespace {

using slurm::DependencyType;
using store::JobState;

enum class Met { kYes, kWait, kNever };

struct ConditionResult {
  Met met = Met::kYes;
  std::string words;  // why it waits, or why it never will
  TimeMs wake_at = -1;
};

std::string JobName(store::JobId id) { return "job " + std::to_string(id); }

std::string StateOf(const JobFacts& f) { return std::string(store::JobStateName(f.state)); }

// One job's part of a condition.
ConditionResult MetBy(DependencyType type, const JobFacts& f, uint32_t delay_minutes,
                      TimeMs now) {
  const bool ended = store::IsTerminal(f.state);
  const bool ok = f.state == JobState::kCompleted;
  ConditionResult r;
  switch (type) {
    case DependencyType::kAfter: {
      if (f.first_start < 0) {
        // A job cancelled (or otherwise ended) before it ever started lets its dependents go.
        if (!ended) r = {Met::kWait, "waiting for " + JobName(f.id) + " to start (after)"};
        return r;
      }
      TimeMs at = f.first_start + static_cast<TimeMs>(delay_minutes) * 60'000;
      if (now < at) {
        r = {Met::kWait, JobName(f.id) + " started; waiting " + std::to_string(delay_minutes) +
                             " min after its start (after:+" + std::to_string(delay_minutes) +
                             ")",
             at};
      }
      return r;
    }
    case DependencyType::kAfterAny:
    case DependencyType::kAfterBurstBuffer:  // no burst buffers: ended means staged out
      if (!ended) {
        r = {Met::kWait, "waiting for " + JobName(f.id) + " to end (afterany; it is " +
                             StateOf(f) + ")"};
      }
      return r;
    case DependencyType::kAfterOk:
    case DependencyType::kAfterCorr:
      if (ended && !ok) {
        r = {Met::kNever, JobName(f.id) + " ended " + StateOf(f) + ", not COMPLETED (afterok)"};
      } else if (!ended) {
        r = {Met::kWait, "waiting for " + JobName(f.id) + " to complete (afterok; it is " +
                             StateOf(f) + ")"};
      }
      return r;
    case DependencyType::kAfterNotOk:
      if (ok) {
        r = {Met::kNever, JobName(f.id) + " COMPLETED (afternotok waits for a failure)"};
      } else if (!ended) {
        r = {Met::kWait, "waiting for " + JobName(f.id) + " to end unsuccessfully (afternotok; " +
                             "it is " + StateOf(f) + ")"};
      }
      return r;
    case DependencyType::kSingleton:
      return r;
  }
  return r;
}

ConditionResult Evaluate(const ResolvedCondition& c, bool singleton_blocked, TimeMs now,
                         const FactsLookup& lookup) {
  ConditionResult out;
  if (c.type == DependencyType::kSingleton) {
    if (singleton_blocked) {
      out = {Met::kWait, "waiting for the other jobs of this name and user to end (singleton)"};
    }
    return out;
  }
  // All of the condition's jobs must meet it. The first that waits decides for now (the rest are
  // looked at once it no longer waits, so a dependent of a 10,000-task array reads one task per
  // pass while the array runs); one that never will is found on the way.
  for (const auto& w : c.jobs) {
    for (uint32_t i = 0; i < w.count; ++i) {
      const store::JobId id = w.first + i;
      std::optional<JobFacts> f = lookup(id);
      if (!f) return {Met::kNever, JobName(id) + " does not exist"};
      ConditionResult r = MetBy(c.type, *f, w.delay_minutes, now);
      if (r.met != Met::kYes) return r;
    }
  }
  return out;
}

}  // namespace

const char* GateReasonCode(GateKind kind) {
  switch (kind) {
    case GateKind::kNone:
      return "";
    case GateKind::kHeld:
      return "JobHeldUser";
    case GateKind::kBegin:
      return "BeginTime";
    case GateKind::kDependency:
      return "Dependency";
    case GateKind::kNever:
      return "DependencyNeverSatisfied";
    case GateKind::kArrayLimit:
      return "JobArrayTaskLimit";
  }
  return "";
}

bool ResolvedDependency::singleton() const {
  return std::any_of(conditions.begin(), conditions.end(), [](const ResolvedCondition& c) {
    return c.type == DependencyType::kSingleton;
  });
}

Result<ResolvedDependency> ResolveDependency(const slurm::DependencySpec& spec,
                                             const store::JobRecord& dependent,
                                             const FactsLookup& lookup) {
  ResolvedDependency out;
  out.combine = spec.combine;
  for (const auto& cond : spec.conditions) {
    ResolvedCondition rc;
    rc.type = cond.type;
    for (const auto& j : cond.jobs) {
      if (static_cast<store::JobId>(j.job_id) == dependent.id) {
        return InvalidArgument("job " + std::to_string(j.job_id) + " cannot depend on itself");
      }
      std::optional<JobFacts> f = lookup(static_cast<store::JobId>(j.job_id));
      std::string named = std::to_string(j.job_id) +
                          (j.array_task ? "_" + std::to_string(*j.array_task) : std::string());
      if (!f) {
        return NotFound("dependency " + std::string(slurm::DependencyTypeName(cond.type)) + ":" +
                        named + ": job " + std::to_string(j.job_id) + " does not exist");
      }
      const bool is_array = f->array.array_id == f->id && f->array.count > 0;
      if (j.array_task && !is_array) {
        return NotFound("dependency " + std::string(slurm::DependencyTypeName(cond.type)) + ":" +
                        named + ": job " + std::to_string(j.job_id) + " is not a job array");
      }
      if (!is_array) {
        rc.jobs.push_back({f->id, 1, j.delay_minutes});
        continue;
      }
      const bool by_task = j.array_task.has_value() ||
                           (cond.type == DependencyType::kAfterCorr &&
                            dependent.spec.array.array_id != 0);
      if (!by_task) {  // the whole array: its tasks are the jobs array_id .. + count - 1
        rc.jobs.push_back({f->id, f->array.count, j.delay_minutes});
        continue;
      }
      // One task: its position in the sorted task list is its offset from the array's id.
      auto tasks = slurm::ParseArraySpec(f->array.spec, {UINT32_MAX - 1, UINT32_MAX});
      if (!tasks.ok() || tasks->task_ids.size() != f->array.count) {
        return Internal("job array " + std::to_string(f->id) + " has an unreadable task list '" +
                        f->array.spec + "'");
      }
      const auto& ids = tasks->task_ids;
      const uint32_t task = j.array_task ? *j.array_task : dependent.spec.array.task_id;
      auto at = std::lower_bound(ids.begin(), ids.end(), task);
      if (at != ids.end() && *at == task) {
        rc.jobs.push_back({f->id + (at - ids.begin()), 1, j.delay_minutes});
      } else if (j.array_task) {
        return NotFound("dependency " + std::string(slurm::DependencyTypeName(cond.type)) + ":" +
                        named + ": job array " + std::to_string(j.job_id) + " has no task " +
                        std::to_string(task));
      }  // aftercorr: a task the other array lacks is nothing to wait for
    }
    out.conditions.push_back(std::move(rc));
  }
  return out;
}

GateVerdict EvaluateGates(const store::JobRecord& job, const ResolvedDependency* dependency,
                          bool singleton_blocked, TimeMs now, const FactsLookup& lookup,
                          bool* dependency_met) {
  GateVerdict v;
  ConditionResult dep;  // kYes without a dependency
  if (dependency != nullptr && !dependency->conditions.empty()) {
    const bool all = dependency->combine == slurm::DependencySpec::Combine::kAll;
    std::vector<ConditionResult> results;
    for (const auto& c : dependency->conditions) {
      results.push_back(Evaluate(c, singleton_blocked, now, lookup));
    }
    auto first = [&](Met m) {
      return std::find_if(results.begin(), results.end(),
                          [m](const ConditionResult& r) { return r.met == m; });
    };
    if (all) {
      if (auto n = first(Met::kNever); n != results.end()) {
        dep = *n;
      } else if (auto w = first(Met::kWait); w != results.end()) {
        dep = *w;
      }
    } else if (first(Met::kYes) == results.end()) {
      // Any of them would do, and none does yet: it never will only if none ever can.
      auto w = first(Met::kWait);
      dep = w != results.end() ? *w : results.front();
      if (w == results.end()) dep.words = "no condition can be met any more: " + dep.words;
    }
    // The earliest time a waiting condition may be met by the clock alone.
    for (const auto& r : results) {
      if (r.met == Met::kWait && r.wake_at >= 0 && (dep.wake_at < 0 || r.wake_at < dep.wake_at)) {
        dep.wake_at = r.wake_at;
      }
    }
  }
  if (dependency_met != nullptr) {
    *dependency_met = dep.met == Met::kYes && (dependency == nullptr || !dependency->singleton());
  }
  if (dep.met == Met::kNever) {
    return {GateKind::kNever, "dependency " + job.spec.dependency + " can never be met: " +
                                  dep.words};
  }
  if (job.spec.held) {
    return {GateKind::kHeld, "held by its user or an admin: release it to let it start"};
  }
  if (job.spec.begin_time > now) {
    return {GateKind::kBegin,
            "not before its begin time, in " +
                std::to_string((job.spec.begin_time - now + 999) / 1000) + " s",
            job.spec.begin_time};
  }
  if (dep.met == Met::kWait) {
    return {GateKind::kDependency, "dependency " + job.spec.dependency + ": " + dep.words,
            dep.wake_at};
  }
  return v;
}

}  // namespace suanli::server
