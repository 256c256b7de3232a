#include "adapter/decisions.h"

#include <unordered_set>

namespace suanli::adapter {

namespace {

// Reason a preemption cannot be applied, or empty.
std::string PreemptionError(const core::Preemption& p, const core::Job* job,
                            const std::unordered_set<core::JobId>& preempted,
                            const std::string& who) {
  if (!job) return who + ", which is not active";
  if (job->phase != core::JobPhase::kRunning) return who + ", which is not running";
  if (preempted.count(p.job)) return who + " twice in one cycle";
  return "";
}

std::string PlacementPrecheck(const core::Job* job, const std::unordered_set<core::JobId>& seen,
                              const std::string& who) {
  if (!job) return who + ", which is not active";
  if (job->phase != core::JobPhase::kPending) return who + ", which is already running";
  if (seen.count(job->id)) return who + " twice in one cycle";
  return "";
}

}  // namespace

Result<CheckedCycle> CheckCycle(const core::CycleResult& result, const JobLookup& lookup,
                                Ledger& ledger, std::string_view policy, Checking checking) {
  CheckedCycle out;
  const std::string name = "policy '" + std::string(policy) + "'";
  auto refuse = [&](core::JobId job, std::string why) -> Status {
    if (checking == Checking::kStrict) return Internal(why);
    out.refused.push_back({job, std::move(why)});
    return Status::Ok();
  };
  std::unordered_set<core::JobId> preempted, placed;
  for (const auto& p : result.preemptions) {
    const core::Job* job = lookup(p.job);
    std::string error =
        PreemptionError(p, job, preempted, name + " preempted job " + std::to_string(p.job));
    if (!error.empty()) {
      SUANLI_RETURN_IF_ERROR(refuse(p.job, std::move(error)));
      continue;
    }
    ledger.Release(*job);
    preempted.insert(p.job);
    out.preemptions.push_back(p);
  }
  for (const auto& p : result.placements) {
    const std::string who = name + " placed job " + std::to_string(p.job);
    const core::Job* job = lookup(p.job);
    std::string error = PlacementPrecheck(job, placed, who);
    if (!error.empty()) {
      SUANLI_RETURN_IF_ERROR(refuse(p.job, std::move(error)));
      continue;
    }
    AcceptedPlacement a{p, {}, 0, 0};
    Status st = ledger.Reserve(*job, p, who, &a.tasks, &a.accel_milli, &a.cpu_milli);
    if (!st.ok()) {
      SUANLI_RETURN_IF_ERROR(refuse(p.job, st.message()));
      continue;
    }
    placed.insert(p.job);
    out.placements.push_back(std::move(a));
  }
  return out;
}

}  // namespace suanli::adapter
