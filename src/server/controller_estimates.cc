// Learned run-time estimates on the server: the same core::DurationPredictor the simulator uses,
// taught by every job that ends on its own and asked once per job at submission (so a job's
// estimate, like in the simulator, never changes while it waits). SJF and SRTF rank jobs
// without time limits by it; users see it as `estimated_run_s`.
#include <algorithm>
#include <cmath>

#include "server/controller.h"

namespace suanli::server {
namespace {

// Finished jobs a restarted controller learns from: enough for every key's window, few enough
// that start-up stays quick with millions of jobs in the store.
constexpr int64_t kWarmUpJobs = 20000;

// Only a job that ended by itself says how long such a job runs: a cancelled, preempted or lost
// run says nothing. A timed-out one ran at least its limit, which is still the best we know.
bool TeachesRunTime(JobState s) {
  return s == JobState::kCompleted || s == JobState::kFailed || s == JobState::kTimeout ||
         s == JobState::kOutOfMemory;
}

// Its run time across attempts. Records written before ran_ms was kept have 0 there: their
// last attempt is what they have.
TimeMs RunTimeOf(const JobRecord& job) {
  if (job.ran_ms > 0) return job.ran_ms;
  if (job.start_time >= 0 && job.end_time >= job.start_time) return job.end_time - job.start_time;
  return -1;
}

}  // namespace

core::DurationFacts Controller::FactsOf(const JobRecord& job) {
  const store::ShapeSpec& m = job.spec.main;
  return {.tenant = job.tenant,
          .user = job.user,
          .name = job.spec.name,
          .accel_milli = static_cast<int64_t>(m.tasks) *
                         static_cast<int64_t>(std::llround(std::max(0.0, m.gpus) * 1000))};
}

Status Controller::LearnRunTimesFromStore() {
  store::JobQuery q;
  q.states = {JobState::kCompleted, JobState::kFailed, JobState::kTimeout, JobState::kOutOfMemory};
  q.limit = kWarmUpJobs;
  SUANLI_ASSIGN_OR_RETURN(auto finished, store_->ListJobs(q));
  // Newest first from the store; taught oldest first so each key keeps its most recent runs.
  for (auto it = finished.rbegin(); it != finished.rend(); ++it) LearnRunTime(*it);
  for (const auto& [id, job] : jobs_.active()) EstimateRunTime(job);
  return Status::Ok();
}

void Controller::LearnRunTime(const JobRecord& job) {
  estimates_.erase(job.id);
  if (!TeachesRunTime(job.state)) return;
  if (TimeMs run = RunTimeOf(job); run >= 0) durations_.Observe(FactsOf(job), run);
}

void Controller::EstimateRunTime(const JobRecord& job) {
  if (store::IsTerminal(job.state)) return;
  if (core::Time t = durations_.Predict(FactsOf(job)); t != core::kUnknownTime) {
    estimates_[job.id] = t;
  }
}

core::Time Controller::EstimatedRunTime(JobId id) const {
  auto it = estimates_.find(id);
  return it == estimates_.end() ? core::kUnknownTime : it->second;
}

}  // namespace suanli::server
