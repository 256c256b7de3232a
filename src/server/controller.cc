// Controller state lifecycle: loading, job state transitions, the periodic tick with the
// scheduling pass, and batching changes for the group commit.
#include "server/controller.h"
#include "server/shape_choice.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

namespace suanli::server {

namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxSamplesInMemory = 8640;  // one day at the default 10 s interval
}  // namespace

Controller::Controller(ControllerOptions options, store::Store* store, const Clock* clock,
                       std::unique_ptr<core::Policy> policy, NodeSignals* signals, Metrics* metrics)
    : options_(std::move(options)),
      store_(store),
      clock_(clock),
      policy_(std::move(policy)),
      metrics_(metrics),
      accounting_(&directory_, options_.prices),
      nodes_(signals),
      jobs_(clock, &accounting_) {}

Status Controller::Load() {
  SUANLI_ASSIGN_OR_RETURN(store::Snapshot snap, store_->Load());
  auto join = snap.meta.find("join_token_sha256");
  directory_.Load(std::move(snap.tenants), std::move(snap.users), std::move(snap.tokens),
                  join == snap.meta.end() ? "" : join->second);
  TimeMs now = Now();
  nodes_.Load(std::move(snap.nodes), now);
  if (auto it = snap.meta.find(Accounting::kUsageMetaKey); it != snap.meta.end()) {
    SUANLI_RETURN_IF_ERROR(accounting_.RestoreUsage(it->second));
  }
  jobs_.Load(std::move(snap.active_jobs), snap.max_job_id);
  SUANLI_RETURN_IF_ERROR(services_.Load(snap.meta));
  // Launches handed out before a restart may never have reached their agents: offer them again
  // (agents ignore a launch for a task they already run).
  for (const auto& [id, job] : jobs_.active()) {
    if (job.state == JobState::kStarting) {
      std::set<int32_t> not_started;
      for (const auto& t : job.placement) {
        if (!t.started) not_started.insert(t.task);
      }
      if (!not_started.empty()) QueueLaunches(job, not_started);
    }
  }
  // Held jobs, begin times, dependencies and throttles are followed again. A dependency naming
  // jobs that are gone (only a store changed by hand does that) can never be met.
  std::vector<std::pair<JobId, std::string>> unresolved;
  for (const auto& [id, job] : jobs_.active()) {
    if (Status st = TrackGates(job); !st.ok()) unresolved.emplace_back(id, st.message());
  }
  for (const auto& [id, why] : unresolved) {
    JobRecord* job = jobs_.Find(id);
    if (job == nullptr || job->state != JobState::kPending) continue;
    spdlog::error("job {}: dependency '{}' cannot be met: {}", id, job->spec.dependency, why);
    EndAttempt(*job, JobState::kCancelled, "DependencyNeverSatisfied: " + why, "CANCELLED",
               false);
  }
  SUANLI_RETURN_IF_ERROR(LearnRunTimesFromStore());
  // Accounting totals per tenant: all time (GET /tenants) and in each budget period. Read in end
  // time order, as the ledger needs.
  for (const auto& t : directory_.tenants()) accounting_.OpenBudget(t.name, t.budget_period, now);
  SUANLI_ASSIGN_OR_RETURN(auto usage, store_->QueryUsage({}));
  for (const auto& u : usage) accounting_.LoadFinished(u);
  SUANLI_ASSIGN_OR_RETURN(auto samples,
                          store_->LoadSamples(now - 24LL * 3600 * 1000, kMaxSamplesInMemory));
  samples_.assign(samples.begin(), samples.end());

  if (directory_.EnsureRootAndAdmin(now, &batch_)) {
    const store::TenantRecord& root = *directory_.Find(TenantDirectory::kRootTenant);
    accounting_.OpenBudget(root.name, root.budget_period, now);
  }
  spdlog::info("controller loaded: {} tenants, {} users, {} nodes, {} active jobs, next job id {}",
               directory_.tenants().size(), directory_.users().size(), nodes_.nodes().size(),
               jobs_.active().size(), jobs_.next_id());
  return Status::Ok();
}

Result<std::string> Controller::EnsureAdminToken(const std::string& existing) {
  return directory_.EnsureAdminToken(existing, Now(), &batch_);
}

Result<std::string> Controller::EnsureJoinToken(const std::string& existing) {
  return directory_.EnsureJoinToken(existing, &batch_);
}

Result<Principal> Controller::Authenticate(const std::string& token) const {
  return directory_.Authenticate(token);
}

bool Controller::IsJoinToken(const std::string& token) const {
  return directory_.IsJoinToken(token);
}

// ---- Job lifecycle ----

void Controller::Transition(JobRecord& job, JobState state, const std::string& reason) {
  jobs_.Transition(job, state, reason);
  schedule_wanted_ = true;
}

void Controller::SendKill(const std::string& node, const JobRecord& job, const std::string& reason,
                          int32_t attempt) {
  if (nodes_.QueueKill(node, proto::Kill{job.id, attempt, job.spec.grace_s, reason})) {
    nodes_.Signal(node);
  }
}

void Controller::EndAttempt(JobRecord& job, JobState state, const std::string& reason,
                            const std::string& kill_reason, bool allow_requeue) {
  if (JobLifecycle::HoldsAttempt(job)) {
    const TimeMs now = Now();
    std::set<std::string> kill_nodes;
    for (const auto& t : job.placement) {
      if (t.exited) continue;
      kill_nodes.insert(t.node);
      draining_.Add({job.id, job.attempt, t.task, t, now + job.spec.grace_s * 1000 + 10000});
    }
    for (const auto& n : kill_nodes) SendKill(n, job, kill_reason, job.attempt);
  }
  const TimeMs ran = job.start_time >= 0 ? Now() - job.start_time : 0;
  if (!jobs_.EndAttempt(job, state, reason, allow_requeue, &batch_)) {
    LearnRunTime(job);
    if (!job.spec.service.empty()) {  // its service restarts it (with backoff)
      services_.JobEnded(job.spec.service, job.id,
                         std::string(store::JobStateName(state)) + ": " + reason, ran, Now());
    }
  }
  schedule_wanted_ = true;
}

void Controller::QueueLaunches(const JobRecord& job, const std::set<int32_t>& only_tasks) {
  std::string master_addr;
  std::vector<proto::Peer> peers;
  for (const auto& t : job.placement) {
    const NodeRegistry::Node* node = nodes_.Find(t.node);
    std::string addr = node ? node->rec.address : "";
    if (t.task == 0) master_addr = addr;
    peers.push_back(proto::Peer{t.task, t.node, addr, {}});
  }
  auto peers_json = proto::EncodePeers(peers);
  int master_port = 29500 + static_cast<int>(job.id % 1000);
  std::set<std::string> touched;
  for (const auto& t : job.placement) {
    if (!only_tasks.empty() && !only_tasks.count(t.task)) continue;
    if (!nodes_.Find(t.node)) continue;
    proto::Launch launch;
    launch.ref = {job.id, job.attempt, t.task};
    launch.tasks = static_cast<int>(job.placement.size());
    launch.name = job.spec.name;
    launch.command = job.spec.command;
    launch.script = job.spec.script;
    launch.env = job.spec.env;
    for (auto& [k, v] : ShapeEnv(job.spec, job.shape_index)) launch.env[k] = v;
    launch.workdir = job.spec.workdir;
    launch.cpus = t.cpus;
    launch.mem_mb = t.mem_mb;
    launch.devices.assign(t.devices.begin(), t.devices.end());
    launch.gpus = t.accel_milli / 1000.0;
    launch.gpu_type = t.gpu_type;
    launch.time_limit_s = ShapeTimeLimitS(job.spec, job.shape_index);
    launch.grace_s = job.spec.grace_s;
    launch.signal_number = job.spec.advance_signal.number;
    launch.signal_before_s = job.spec.advance_signal.before_s;
    launch.signal_batch_only = job.spec.advance_signal.batch_only;
    launch.output_pattern = job.spec.output_files.output;
    launch.error_pattern = job.spec.output_files.error;
    launch.output_append = job.spec.output_files.append;
    launch.user = job.user;
    launch.tenant = job.tenant;
    launch.master_addr = master_addr;
    launch.master_port = master_port;
    if (!job.spec.service.empty()) launch.port = -1;  // a service replica: $PORT from its agent
    nodes_.QueueLaunch(t.node, proto::PreparedLaunch{std::move(launch), peers_json});
    touched.insert(t.node);
  }
  for (const auto& n : touched) nodes_.Signal(n);
}

// ---- Periodic work ----

void Controller::CheckNodeTimeouts(TimeMs now) {
  nodes_.TimeOut(now, options_.node_timeout_ms, [&](const std::string& name) {
    jobs_.ForEach([&](JobRecord& job) {
      if (job.state != JobState::kStarting && job.state != JobState::kRunning) return;
      bool on_node = std::any_of(job.placement.begin(), job.placement.end(),
                                 [&](const auto& t) { return t.node == name && !t.exited; });
      if (on_node) {
        // The gang's tasks on other nodes are planned free at once (as the simulator frees
        // them); a launch onto their devices waits for their kill to be confirmed, as after a
        // preemption (see DrainingTasks).
        const size_t first = draining_.mark();
        EndAttempt(job, JobState::kLost, "node " + name + " stopped responding", "LOST", true);
        draining_.HandOverSince(first);
      }
    });
    // Nothing on a DOWN node holds resources any more (including what EndAttempt just queued),
    // but remember what its tasks held in case the node comes back still running them.
    for (const auto& d : draining_.TakeOnNode(name)) {
      nodes_.RememberHeld(name, {d.job, d.attempt, d.task}, d.held);
    }
    schedule_wanted_ = true;
  });
}

void Controller::Tick() {
  TimeMs now = Now();
  CheckNodeTimeouts(now);
  if (draining_.DropExpired(now)) schedule_wanted_ = true;
  ReleaseWaitingLaunches();
  bool due = (schedule_wanted_ && now - last_pass_ >= MinPassInterval()) ||
             now - last_pass_ >= options_.max_pass_interval_ms;
  if (now - last_limit_check_ >= 1000) {
    last_limit_check_ = now;
    EnforceTimeLimits(now);
  }
  if (now - last_service_check_ >= 200) {
    last_service_check_ = now;
    ReconcileServices(now);
  }
  if (due) SchedulingPass(now);
  if (now - last_sample_ >= options_.sample_interval_ms) TakeSample(now);
}

int64_t Controller::MillisUntilNextTick() const {
  TimeMs now = Now();
  int64_t wait = options_.max_pass_interval_ms - (now - last_pass_);
  if (schedule_wanted_) wait = std::min(wait, MinPassInterval() - (now - last_pass_));
  wait = std::min(wait, options_.sample_interval_ms - (now - last_sample_));
  return std::clamp<int64_t>(wait, 0, 1000);
}

// A pass that took P ms is not repeated within 4P ms, so scheduling uses at most ~20% of the
// owner thread and a flood of submissions is still answered (in larger commit groups).
int64_t Controller::MinPassInterval() const {
  return std::max(options_.min_pass_interval_ms, 4 * last_pass_cost_ms_);
}

void Controller::TakeSample(TimeMs now) {
  last_sample_ = now;
  store::UtilizationSample s{now, AllocatedByType(), nodes_.TotalByType()};
  samples_.push_back(s);
  while (samples_.size() > kMaxSamplesInMemory) samples_.pop_front();
  batch_.samples.push_back(std::move(s));
}

// Agents enforce time limits themselves; this catches a job whose agent failed to, well after
// its limit plus grace, so resources are never held forever.
void Controller::EnforceTimeLimits(TimeMs now) {
  jobs_.ForEach([&](JobRecord& job) {
    if (job.state == JobState::kStarting && job.start_time >= 0 &&
        now - job.start_time > options_.starting_timeout_ms) {
      EndAttempt(job, JobState::kLost,
                 "its tasks did not all start within " +
                     std::to_string(options_.starting_timeout_ms / 1000) + " s",
                 "LOST", true);
      return;
    }
    if (job.state != JobState::kRunning || job.spec.time_limit_s <= 0 || job.start_time < 0) {
      return;
    }
    const int64_t limit_s = ShapeTimeLimitS(job.spec, job.shape_index);
    if (now - job.start_time > (limit_s + job.spec.grace_s + 60) * 1000) {
      EndAttempt(job, JobState::kTimeout,
                 "ran past its time limit of " + std::to_string(limit_s) + " s",
                 "TIMEOUT", false);
    }
  });
}

store::WriteBatch Controller::TakeBatch() {
  services_.TakeChanges(&batch_);
  for (JobId id : jobs_.TakeChanges(&batch_)) pending_view_.erase(id);
  // The decayed usage rides along with a commit that changes anything (usage only moves when jobs
  // do), as of its last accrual, so saving it changes no number the policy sees. At most every
  // 5 s: with thousands of tenants it is tens of kilobytes, and a restart then misses at most the
  // rate changes of those seconds.
  const TimeMs now = Now();
  if (!batch_.empty() && now - last_usage_save_ >= 5000) {
    batch_.meta[Accounting::kUsageMetaKey] = accounting_.EncodeUsage();
    last_usage_save_ = now;
  }
  store::WriteBatch out = std::move(batch_);
  batch_ = store::WriteBatch{};
  return out;
}

}  // namespace suanli::server
