#pragma once
// The controller's state and every operation on it. All methods run on ONE owner thread
// (executor.h); nothing here locks. Changes are collected into a WriteBatch that the executor
// commits (group commit) before any reply built here is sent.
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "core/accounting.h"
#include "core/duration_predictor.h"
#include "core/model.h"
#include "core/policy.h"
#include "proto/codec.h"
#include "server/accounting.h"
#include "server/auth.h"
#include "server/draining_tasks.h"
#include "server/job_gates.h"
#include "server/job_lifecycle.h"
#include "server/metrics.h"
#include "server/node_registry.h"
#include "server/node_signals.h"
#include "server/reply.h"
#include "server/requests.h"
#include "server/services.h"
#include "server/tenant_directory.h"
#include "store/store.h"

namespace suanli::server {

using nlohmann::json;
using store::JobId;
using store::JobRecord;
using store::JobState;

struct ControllerOptions {
  std::string data_dir;
  int64_t node_timeout_ms = 10000;
  int64_t heartbeat_ms = 1000;
  int64_t sample_interval_ms = 10000;
  int64_t min_pass_interval_ms = 2;     // scheduling passes at most this often when work arrives
  int64_t max_pass_interval_ms = 1000;  // and at least this often
  // A launch handed out this long ago whose task is neither started nor reported running is
  // handed out again (the poll reply carrying it may have been lost); 0 = 2 heartbeats.
  int64_t relaunch_after_ms = 0;
  // A job STARTING this long ends its attempt LOST (and is requeued when allowed), so devices held
  // for tasks that never start are not held forever.
  int64_t starting_timeout_ms = 120000;
  core::PriceTable prices;
  // Every pass's decisions are checked against a ledger (adapter::CheckCycle). Lenient (the
  // default) refuses a bad decision, logs it and counts it; strict (tests) aborts the process,
  // so a policy bug cannot pass a test unnoticed.
  bool strict_decisions = false;
  // Keep the core's view between passes and tell the policy which jobs changed (core::JobFeed),
  // as the simulator does, instead of rebuilding it from every job each pass. Off only to check
  // that decisions are the same either way, and to measure the difference.
  bool incremental_view = true;
  // Job arrays: the most tasks one submission may make, and the highest task index (Slurm's
  // MaxArraySize is both: indices 0 .. MaxArraySize - 1).
  uint32_t max_array_tasks = 10001;
  // Caps on PENDING jobs, so one user's or tenant's submission loop cannot fill the queue for
  // everyone (issue #17); a submission past one is refused (429) naming it. 0 = no cap.
  int64_t max_pending_per_user = 0;
  int64_t max_pending_per_tenant = 0;  // the jobs submitted to the tenant itself
};

// Where an accepted log upload goes, decided on the owner thread and written by the caller.
struct LogTarget {
  std::string path;
  bool truncate_first = false;
};

class Controller {
 public:
  Controller(ControllerOptions options, store::Store* store, const Clock* clock,
             std::unique_ptr<core::Policy> policy, NodeSignals* signals, Metrics* metrics);

  // Loads the snapshot, creates the root tenant and the admin user on first start.
  Status Load();
  // Ensures a valid admin token; `existing` is the content of admin.token (may be empty).
  // Returns the token to write back (the same one when still valid).
  Result<std::string> EnsureAdminToken(const std::string& existing);
  // Same for the agents' join token ("" when the store holds one this controller was not given:
  // see TenantDirectory::EnsureJoinToken).
  Result<std::string> EnsureJoinToken(const std::string& existing);

  Result<Principal> Authenticate(const std::string& token) const;
  bool IsJoinToken(const std::string& token) const;

  // ---- User API (controller_jobs.cc, controller_admin.cc, controller_views.cc) ----
  ApiReply SubmitJob(const Principal& p, SubmitRequest req);
  // Looks up, in one store query, the idempotency keys that a batch of submissions carries
  // ((token, key) pairs), so SubmitJob asks the store only about keys outside the batch: on a
  // remote store one round trip per key would cap submissions at a few thousand a second.
  void PrefetchIdempotencyKeys(const std::vector<std::pair<std::string, std::string>>& token_keys);
  void ClearIdempotencyPrefetch();
  ApiReply ListJobs(const Principal& p, const JobListRequest& req);
  ApiReply GetJob(const Principal& p, JobId id);
  ApiReply CancelJob(const Principal& p, JobId id);
  // Visibility check for log reads; the reply carries the job state in a header on success.
  ApiReply CheckLogRead(const Principal& p, JobId id, const LogRead& req, std::string* path);
  ApiReply CreateTenant(const Principal& p, store::TenantRecord t);
  ApiReply ListTenants(const Principal& p);
  ApiReply UpdateTenant(const Principal& p, const std::string& name, const TenantUpdate& u);
  // Holds (or releases) a pending job; with `whole_array`, every pending task of the array `id`.
  ApiReply HoldJob(const Principal& p, JobId id, bool hold, bool whole_array);
  // With `whole_array`, every unfinished task of the array `id` (scancel 123 of an array).
  ApiReply CancelJobs(const Principal& p, JobId id, bool whole_array);
  // Refused while the tenant has child tenants or unfinished jobs. Its users go with it (their
  // tokens revoked); its finished jobs and usage records stay in the store for accounting.
  ApiReply DeleteTenant(const Principal& p, const std::string& name);
  ApiReply CreateUser(const Principal& p, const UserRequest& req);
  ApiReply ListUsers(const Principal& p);
  ApiReply CreateToken(const Principal& p, const std::string& user);
  ApiReply RevokeToken(const Principal& p, int64_t id);
  ApiReply WhoAmI(const Principal& p);
  ApiReply ListNodes(const Principal& p);
  // Admins only: a drained node takes no new work, its running jobs finish; resume undoes it.
  ApiReply SetNodeDraining(const Principal& p, const std::string& name, bool draining);
  ApiReply Usage(const Principal& p, const UsageRequest& req);
  ApiReply Overview(const Principal& p);
  ApiReply Utilization(const Principal& p, TimeMs since);
  std::string MetricsText();

  // ---- Services (controller_services.cc, services.h) ----
  ApiReply CreateService(const Principal& p, ServiceRequest req);
  ApiReply ListServices(const Principal& p);
  ApiReply GetService(const Principal& p, const std::string& name);
  ApiReply UpdateService(const Principal& p, const std::string& name,
                         const ServiceUpdateRequest& req);
  // Cancels its replicas and forgets it.
  ApiReply DeleteService(const Principal& p, const std::string& name);
  // For the endpoint gateway (service_gateway.h): every service's endpoint port, health path and
  // replicas (job id, address, healthy); and its report of probes and forwarded requests.
  ApiReply ServiceTargets();
  ApiReply ReportServiceProbes(const nlohmann::json& report);
  // Where endpoints listen ("127.0.0.1"), for the `endpoint` URL services show.
  void SetServiceHost(std::string host) { service_host_ = std::move(host); }

  // ---- Agents (controller_agents.cc) ----
  ApiReply RegisterAgent(const RegisterRequest& req);
  ApiReply PollAgent(const std::string& node, const PollRequest& req);
  ApiReply TakeWork(const std::string& node);  // after a long-poll wait
  ApiReply CheckLogUpload(const std::string& node, const LogUpload& up, LogTarget* target);

  // ---- Periodic work (controller.cc): node timeouts, scheduling pass, utilization samples ----
  void Tick();
  // How long the owner thread may sleep before Tick has something to do.
  int64_t MillisUntilNextTick() const;
  // Changes since the last call, to commit before replying.
  store::WriteBatch TakeBatch();

  size_t active_job_count() const { return jobs_.active().size(); }
  // Decisions the ledger refused since start (a policy bug when not 0).
  int64_t refused_decisions() const { return refused_decisions_; }

 private:
  // What the latest scheduling pass said of a pending job; its reason is written out when read.
  struct PendingView {
    core::PendingInfo info;
  };

  // controller.cc
  TimeMs Now() const { return clock_->NowMs(); }
  // JobLifecycle's transitions, with a scheduling pass wanted after each.
  void Transition(JobRecord& job, JobState state, const std::string& reason);
  // Ends the current attempt: kills tasks still alive (with `kill_reason`, their resources
  // draining), then JobLifecycle::EndAttempt; a job that ends for good teaches its run time.
  void EndAttempt(JobRecord& job, JobState state, const std::string& reason,
                  const std::string& kill_reason, bool allow_requeue);
  void EnforceTimeLimits(TimeMs now);
  void SendKill(const std::string& node, const JobRecord& job, const std::string& reason,
                int32_t attempt);
  void QueueLaunches(const JobRecord& job, const std::set<int32_t>& only_tasks = {});
  void CheckNodeTimeouts(TimeMs now);
  void SchedulingPass(TimeMs now);
  // Applies one pass's checked decisions: preemptions first, then placements, whose launches
  // wait while a victim still runs on the devices they were given.
  void ApplyPreemptions(const std::vector<core::Preemption>& preemptions);
  // Hands out the waiting launches whose victims have stopped.
  void ReleaseWaitingLaunches();
  void TakeSample(TimeMs now);
  int64_t MinPassInterval() const;

  // controller_cluster.cc: building the core's view.
  struct CoreView {
    core::ClusterState state;
    std::map<std::string, int32_t> type_index;
    std::map<std::string, int32_t> node_index;
    std::map<std::string, int32_t> tenant_index;
    std::vector<JobId> job_ids;
  };
  CoreView BuildCoreView(TimeMs now, bool with_jobs);
  // The kept view (options_.incremental_view) brought up to `now`: nodes and tenants rebuilt
  // (cheap), the jobs marked dirty since the last pass replaced and named in the feed, running
  // jobs' service advanced. Rebuilt whole when the node list, device lists or the set of
  // accelerator types changed.
  CoreView& SyncCoreView(TimeMs now);
  // Nodes (capacity less what draining tasks hold) and tenants (budget standing at `now`) of `v`.
  void FillNodes(CoreView& v) const;
  void FillTenants(CoreView& v, TimeMs now, bool with_jobs);
  std::set<std::string> AccelTypeNames(bool with_jobs) const;
  void ApplyPlacement(const core::Placement& p, const std::vector<core::TaskAllocation>& tasks,
                      const CoreView& v, TimeMs now);
  // A running job's service and ran_ms include its current attempt up to `now`.
  core::Job ToCoreJob(const JobRecord& job, CoreView& view, TimeMs now) const;
  // Learned run times (controller_estimates.cc): what makes jobs alike, learning from the store
  // at start-up and from each job that ends, and one estimate per active job, fixed at submit.
  static core::DurationFacts FactsOf(const JobRecord& job);
  Status LearnRunTimesFromStore();
  void LearnRunTime(const JobRecord& job);  // the job is terminal: forget its estimate, learn
  void EstimateRunTime(const JobRecord& job);
  core::Time EstimatedRunTime(JobId id) const;  // kUnknownTime without one
  int32_t TypeIndex(CoreView& view, const std::string& type) const;
  std::string NoNodesReason() const;

  // controller_gates.cc: held jobs, begin times, dependencies and array throttles (job_gates.h).
  // Before each pass: which pending jobs the scheduler must not see (blocked_), each with its
  // reason; a dependency that can never be met cancels its job.
  void EvaluateGates(TimeMs now);
  // Starts following a job's gates (at submission, load, hold); resolves its dependency.
  Status TrackGates(const JobRecord& job);
  static bool HasGates(const JobRecord& job);
  // What dependencies know of a job: active, cached when it ended, else read from the store.
  std::optional<JobFacts> FactsOf(JobId id);
  bool Blocked(JobId id) const { return blocked_.count(id) > 0; }
  // The array's tasks (ids array_id .. array_id + count - 1) that `p` may act on, for
  // whole-array cancel and hold; NotFound when `id` is no array visible to `p`.
  Result<std::vector<JobId>> ArrayTaskIds(const Principal& p, JobId id);

  // controller_services.cc
  void ReconcileServices(TimeMs now);
  // A pending job for replica `index` of `s`, made like a submitted one.
  JobId StartReplica(const Services::Service& s, int32_t index);
  json ServiceJson(const Services::Service& s);
  bool MayChangeService(const Principal& p, const Services::Service& s) const;
  // The admission check of a submission: the job must fit some node of the empty cluster.
  Status CheckAdmission(const JobRecord& job);

  // controller_admin.cc / views
  bool CanSeeJob(const Principal& p, const JobRecord& job) const {
    return directory_.CanSeeTenant(p, job.tenant);
  }
  json JobJson(const JobRecord& job) const;
  // A tenant's settings and budget standing; `running_hours`: its running attempts' part of the
  // current budget period (the caller walks the jobs once for all tenants).
  json TenantJson(const store::TenantRecord& t, double running_hours, TimeMs now);
  // A job by id from memory or the store; nullopt when absent or invisible to `p`.
  Result<std::optional<JobRecord>> FindVisibleJob(const Principal& p, JobId id);
  std::map<std::string, double> AllocatedByType() const;

  // agents
  void ApplyEvent(const std::string& node, const AgentEvent& ev);
  void RelaunchUnacked(const std::string& node, const PollRequest& req, TimeMs now);
  // Kills a task the agent runs that is not current; what it holds stays out of scheduling
  // until it exits (or the kill's grace passes) when its placement is known.
  void KillStale(const std::string& node, const TaskRef& r);

  ControllerOptions options_;
  store::Store* store_;
  const Clock* clock_;
  std::unique_ptr<core::Policy> policy_;
  Metrics* metrics_;
  // The components, each owning its state (see their headers).
  TenantDirectory directory_;  // tenants, users, tokens
  Accounting accounting_;      // decayed usage, usage records, budgets (reads directory_)
  NodeRegistry nodes_;         // nodes and agent sessions
  JobLifecycle jobs_;          // active jobs, their states and attempts (charges accounting_)
  Services services_;          // long-running services and their replicas (jobs of jobs_)
  std::string service_host_ = "127.0.0.1";
  TimeMs last_service_check_ = 0;

  core::DurationPredictor durations_;
  std::unordered_map<JobId, core::Time> estimates_;  // active jobs with a learned estimate
  std::unordered_map<JobId, PendingView> pending_view_;
  DrainingTasks draining_;  // resources held by tasks being killed
  // Gates (controller_gates.cc): unfinished jobs with one (or in a throttled array), their
  // resolved dependencies not yet met, the pending jobs kept from the scheduler with their
  // verdicts, and what ended jobs that dependencies asked about did (read once from the store).
  std::set<JobId> gated_;
  std::unordered_map<JobId, ResolvedDependency> dependencies_;
  std::set<JobId> dependency_met_;  // met for good: not resolved again (until a restart)
  std::unordered_map<JobId, GateVerdict> blocked_;
  std::unordered_map<JobId, JobFacts> ended_facts_;
  // Launches held back until a preempted victim on the same devices stops: job -> tasks.
  std::map<JobId, std::set<int32_t>> waiting_launches_;
  int64_t refused_decisions_ = 0;
  // What PrefetchIdempotencyKeys learned for the batch being run: the pairs asked, those found.
  struct KeyPrefetch {
    std::set<store::Store::UserKey> asked;
    std::map<store::Store::UserKey, JobId> found;
  } key_prefetch_;

  std::deque<store::UtilizationSample> samples_;
  store::WriteBatch batch_;
  // The kept core view and what changed since the last pass (see SyncCoreView).
  CoreView view_;
  bool view_valid_ = false;
  std::unordered_map<JobId, int32_t> view_pos_;  // job id -> index in view_.state.jobs
  bool schedule_wanted_ = true;
  TimeMs last_pass_ = 0;
  TimeMs last_sample_ = 0;
  TimeMs last_limit_check_ = 0;
  TimeMs last_usage_save_ = 0;  // when the decayed usage last rode along with a commit
  int64_t last_pass_cost_ms_ = 0;
};

}  // namespace suanli::server
