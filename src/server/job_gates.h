#pragma once
// Why a pending job may not be offered to the scheduler yet: it is held, its begin time has not
// come, its dependencies are not met, or its array already runs as many tasks as its throttle
// allows. Slurm calls such a job ineligible; its reason names the gate (Dependency, BeginTime,
// JobHeldUser, JobArrayTaskLimit). A dependency that can never be met ends the job
// (DependencyNeverSatisfied, as Slurm's kill_invalid_depend).
//
// Pure: what a dependency needs to know of other jobs comes in through a lookup, and the
// throttle and singleton counts are the caller's (it sees every job). The controller evaluates
// the gated jobs once per scheduling pass; jobs without a gate never pass through here.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "slurm/dependency_spec.h"
#include "store/records.h"

namespace suanli::server {

// What a dependency needs to know of another job.
struct JobFacts {
  store::JobId id = 0;
  store::JobState state = store::JobState::kPending;
  TimeMs first_start = -1;  // when it first started running; -1 = never
  store::ArrayTask array;
  std::string tenant;
};

enum class GateKind {
  kNone,         // eligible
  kHeld,         // JobHeldUser
  kBegin,        // BeginTime
  kDependency,   // Dependency
  kNever,        // DependencyNeverSatisfied: the job is to be cancelled
  kArrayLimit,   // JobArrayTaskLimit
};

// Slurm's reason word for a gate ("" for kNone).
const char* GateReasonCode(GateKind kind);

struct GateVerdict {
  GateKind kind = GateKind::kNone;
  std::string words;  // for people: "waiting for job 12 to complete (afterok; it is RUNNING)"
  TimeMs wake_at = -1;  // a time at which the verdict may change without any job changing
};

// Facts about job `id`; nullopt when no such job exists (or is not visible to the dependent).
using FactsLookup = std::function<std::optional<JobFacts>(store::JobId id)>;

// A dependency with every job named resolved to job ids (an array "123" to all its tasks, a task
// "123_4" to its own id, aftercorr to the task of the same index), done once at submission and
// at load, so that a pass only looks facts up.
struct ResolvedCondition {
  slurm::DependencyType type = slurm::DependencyType::kAfterAny;
  struct Wait {  // the jobs first .. first + count - 1 (a whole array is one Wait)
    store::JobId first = 0;
    uint32_t count = 1;
    uint32_t delay_minutes = 0;  // after only
  };
  std::vector<Wait> jobs;  // empty for singleton (and for aftercorr with no matching task)
};
struct ResolvedDependency {
  slurm::DependencySpec::Combine combine = slurm::DependencySpec::Combine::kAll;
  std::vector<ResolvedCondition> conditions;
  bool singleton() const;
};

// NotFound names a job that does not exist (or is not visible: lookup says so).
Result<ResolvedDependency> ResolveDependency(const slurm::DependencySpec& spec,
                                             const store::JobRecord& dependent,
                                             const FactsLookup& lookup);

// The verdict on `job`'s own gates (held, begin time, dependencies) at `now`. Once its dependency
// is met it stays met (the jobs it names have started or ended for good), except singleton's:
// `dependency_met` tells the caller it may stop evaluating the dependency. `dependency` is
// its resolved spec.dependency (nullptr without one). `singleton_blocked`: another job of its
// name and user runs, or waits ahead of it (the caller counts). The array throttle is the
// caller's, since it counts the array's running tasks.
GateVerdict EvaluateGates(const store::JobRecord& job, const ResolvedDependency* dependency,
                          bool singleton_blocked, TimeMs now, const FactsLookup& lookup,
                          bool* dependency_met = nullptr);

}  // namespace suanli::server
