#include "server/job_lifecycle.h"

namespace suanli::server {

using store::JobId;
using store::JobRecord;
using store::JobState;

namespace {
// A job in these states holds its placement's devices and is charged usage for them.
bool HoldsResources(JobState s) { return s == JobState::kStarting || s == JobState::kRunning; }
}  // namespace

void JobLifecycle::Load(std::vector<JobRecord> active, JobId max_job_id) {
  for (auto& j : active) {
    if (!j.spec.idempotency_key.empty()) idempotency_[{j.user, j.spec.idempotency_key}] = j.id;
    if (HoldsResources(j.state)) accounting_->ChangeUsageRate(j, 1);
    if (j.state == JobState::kPending) CountPending(j, 1);
    active_[j.id] = std::move(j);
  }
  next_id_ = max_job_id + 1;
}

JobRecord& JobLifecycle::Add(JobRecord job) {
  job.id = next_id_++;
  if (!job.spec.idempotency_key.empty()) {
    idempotency_[{job.user, job.spec.idempotency_key}] = job.id;
  }
  MarkDirty(job);
  if (job.state == JobState::kPending) CountPending(job, 1);
  return active_.emplace(job.id, std::move(job)).first->second;
}

void JobLifecycle::CountPending(const JobRecord& job, int delta) {
  auto step = [delta](std::map<std::string, int64_t>& m, const std::string& key) {
    auto it = m.try_emplace(key, 0).first;
    it->second += delta;
    if (it->second <= 0) m.erase(it);
  };
  step(pending_by_user_, job.user);
  step(pending_by_tenant_, job.tenant);
}

int64_t JobLifecycle::PendingOfUser(const std::string& user) const {
  auto it = pending_by_user_.find(user);
  return it == pending_by_user_.end() ? 0 : it->second;
}

int64_t JobLifecycle::PendingInTenant(const std::string& tenant) const {
  auto it = pending_by_tenant_.find(tenant);
  return it == pending_by_tenant_.end() ? 0 : it->second;
}

std::optional<JobId> JobLifecycle::FindByKey(const std::string& user,
                                             const std::string& key) const {
  auto it = idempotency_.find({user, key});
  if (it == idempotency_.end()) return std::nullopt;
  return it->second;
}

JobRecord* JobLifecycle::Find(JobId id) {
  auto it = active_.find(id);
  return it == active_.end() ? nullptr : &it->second;
}

const JobRecord* JobLifecycle::Find(JobId id) const {
  auto it = active_.find(id);
  return it == active_.end() ? nullptr : &it->second;
}

void JobLifecycle::MarkDirty(const JobRecord& job) {
  dirty_.insert(job.id);
  changed_since_pass_.insert(job.id);
}

void JobLifecycle::Transition(JobRecord& job, JobState state, const std::string& reason) {
  // Usage is charged exactly: up to now at the rates that held until this change.
  accounting_->AdvanceUsage(clock_->NowMs());
  const bool held = HoldsResources(job.state), holds = HoldsResources(state);
  if (held != holds) accounting_->ChangeUsageRate(job, holds ? 1 : -1);
  if ((job.state == JobState::kPending) != (state == JobState::kPending)) {
    CountPending(job, state == JobState::kPending ? 1 : -1);
  }
  job.state = state;
  job.reason = reason;
  job.history.push_back({state, clock_->NowMs(), reason});
  MarkDirty(job);
}

void JobLifecycle::StartAttempt(JobRecord& job, int32_t shape_index,
                                std::vector<store::TaskPlacement> placement, TimeMs now,
                                const std::string& reason) {
  job.attempt += 1;
  job.shape_index = shape_index;
  job.placement = std::move(placement);
  job.start_time = now;
  job.end_time = -1;
  Transition(job, JobState::kStarting, reason);
}

bool JobLifecycle::HoldsAttempt(const JobRecord& job) {
  return !job.placement.empty() && HoldsResources(job.state);
}

bool JobLifecycle::EndAttempt(JobRecord& job, JobState state, const std::string& reason,
                              bool allow_requeue, store::WriteBatch* out) {
  const TimeMs now = clock_->NowMs();
  if (HoldsAttempt(job)) {
    job.cost += accounting_->RecordAttempt(job, now, out);
    RunSoFar run = CurrentRun(job, now);
    job.attained_service_ms += run.service_ms;
    job.ran_ms += run.ran_ms;
  }
  job.end_time = now;
  Transition(job, state, reason);
  const bool requeue = allow_requeue && job.spec.requeue &&
                       (state == JobState::kPreempted || state == JobState::kLost);
  if (!requeue) return false;
  job.placement.clear();
  job.start_time = -1;
  job.end_time = -1;
  job.exit_code.reset();
  job.signal.reset();
  job.failed_task.reset();
  Transition(job, JobState::kPending, "requeued after " + std::string(JobStateName(state)));
  return true;
}

std::vector<JobId> JobLifecycle::TakeChanges(store::WriteBatch* out) {
  std::vector<JobId> left;
  for (JobId id : dirty_) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;
    out->jobs.push_back(it->second);
    if (store::IsTerminal(it->second.state)) {
      const auto& key = it->second.spec.idempotency_key;
      if (!key.empty()) idempotency_.erase({it->second.user, key});
      left.push_back(id);
      active_.erase(it);
    }
  }
  dirty_.clear();
  return left;
}

JobLifecycle::RunSoFar JobLifecycle::CurrentRun(const JobRecord& job, TimeMs now) {
  RunSoFar run;
  if (job.start_time < 0 || job.placement.empty() || now <= job.start_time) return run;
  double devices = 0, cpus = 0;
  for (const auto& t : job.placement) {
    devices += t.accel_milli / 1000.0;
    cpus += t.cpus;
  }
  run.ran_ms = now - job.start_time;
  run.service_ms = (devices > 0 ? devices : cpus) * double(run.ran_ms);
  return run;
}

}  // namespace suanli::server
