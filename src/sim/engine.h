#pragma once
// The discrete-event replay. It owns a core::ClusterState, feeds it to a core::Policy once per
// distinct event time (all arrivals and completions at one timestamp are batched), and applies
// the returned decisions exactly as the server does: placements start jobs, preemptions stop and
// requeue them. It never decides anything itself.
//
// Event order at one timestamp: completions free their resources, then nodes leave or return,
// then arrivals join the queue, then one scheduling cycle runs (skipped when nothing is pending: no
// decision could change). Ties are broken by job id, so a replay is byte-identical.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "core/model.h"
#include "core/policy.h"
#include "sim/workload.h"

namespace suanli::sim {

// A node leaving the cluster (it failed, or was drained) or coming back at `time`. The jobs with a
// task on a node that leaves lose that run and are requeued (a checkpointable job keeps its work),
// as the server ends their attempt LOST when the node stops responding; nothing is placed on the
// node until it comes back, empty.
struct NodeEvent {
  core::Time time = 0;
  int32_t node = 0;  // index in the cluster's nodes
  bool up = false;
};

struct EngineOptions {
  // Extra scheduling cycles every tick_ms while jobs wait, for policies whose ranking changes with
  // time alone (LAS, fair share with decay). 0 = cycles only at arrivals and completions.
  core::Time tick_ms = 0;
  core::Time usage_half_life_ms = 7LL * 24 * 3600 * 1000;  // core::UsageTracker's decay
  // Tell the policy which jobs changed between cycles (core::JobFeed), so it need not re-read the
  // whole queue every cycle. Off only to check that decisions are the same either way.
  bool job_feed = true;
  // Learn run times from finished jobs (core::DurationPredictor) and give each arriving job the
  // estimate, as the server does: SJF and SRTF rank jobs without time limits by it. Only jobs
  // that finished before an arrival teach it anything, so no policy sees the future.
  bool learn_durations = true;
  // Nodes leaving and coming back, in any order (replayed by time, then node). Events after the
  // last job has ended are ignored.
  std::vector<NodeEvent> node_events;
};

struct JobOutcome {
  core::Time submit = 0;
  core::Time first_start = core::kUnknownTime;
  core::Time end = core::kUnknownTime;  // kUnknownTime when it never finished
  core::Time pending_ms = 0;            // total time waiting, across requeues
  int32_t preemptions = 0;
  int32_t node_losses = 0;   // runs ended because a node they used left
  double lost_accel_ms = 0;  // accelerator-ms of work thrown away by preemptions and node losses
  int32_t shape_index = 0;   // shape of the last run
};

// Accelerator-ms a tenant received and what weighted max-min fair sharing of the whole
// cluster, capped by its demand at each instant, would have given it.
struct TenantAccount {
  double received_accel_ms = 0;
  double fair_accel_ms = 0;
  double demand_accel_ms = 0;  // integral of (running + pending) accelerator demand
};

struct RunOutcome {
  std::vector<JobOutcome> jobs;                                  // by workload index
  std::vector<TenantAccount> tenants;                            // by tenant index
  std::vector<std::pair<core::Time, int64_t>> allocation_steps;  // (t, allocated accel milli)
  int64_t capacity_milli = 0;
  int64_t cycles = 0;
  int64_t preemptions = 0;
  int64_t node_losses = 0;
  double outage_accel_ms = 0;  // capacity unavailable while nodes were out
  double lost_accel_ms = 0;    // thrown away by preemptions and node losses
  core::Time start = 0;        // first submission
  core::Time end = 0;          // last completion (or last event)
};

// Replays `workload` on `cluster` with `policy`. An Internal error names any decision that
// violates the cluster (double-booked device, unknown job, wrong phase) instead of applying it.
Result<RunOutcome> RunEngine(const Workload& workload, const core::ClusterState& cluster,
                             core::Policy& policy, const EngineOptions& options);

// The run a center assumes for a running job it has no estimate for (routing's own default).
inline constexpr core::Time kLiveDefaultRunMs = 3600 * 1000;

// What a center reports of itself to the federation at a moment (see LiveEngine::View).
struct LiveView {
  int64_t allocated_devices = 0;
  int64_t queued_devices = 0;  // pending jobs' accelerators, those still staging included
  int64_t running = 0;
  // Devices the asked shape could use now: whole tasks on each node's free devices. Below the
  // free count when free devices are scattered over nodes in pieces smaller than a task.
  int64_t usable_devices = 0;
  // (expected end, devices) of running jobs, by time; filled only when the usable devices do not
  // cover the queue plus the shape asked for (otherwise there is no wait to estimate).
  std::vector<std::pair<core::Time, int64_t>> releases;
};

// The same replay fed one job at a time, for a caller that decides where each job goes as time
// passes (the federation simulator runs one per center). Jobs may be submitted in any order of
// submit_time, but never before the last time given to RunBefore.
class LiveEngine {
 public:
  LiveEngine(std::vector<core::Tenant> tenants, const core::ClusterState& cluster,
             core::Policy& policy, const EngineOptions& options);
  ~LiveEngine();
  LiveEngine(const LiveEngine&) = delete;
  LiveEngine& operator=(const LiveEngine&) = delete;

  // Processes every event (completions, arrivals, scheduling cycles) before `t`.
  Status RunBefore(core::Time t);
  // Queues `job` (its id is reassigned) to arrive at job.job.submit_time; returns its index in
  // workload().jobs and in the outcome.
  size_t Submit(SimJob job);
  // What the center reports when asked about a job of `shape` (its accelerators per task and
  // tasks), as a real center answers the broker from its own state.
  LiveView View(core::Time now, const core::Shape& shape) const;
  // Indices of the jobs that finished since the previous call, in the order they finished.
  std::vector<size_t> TakeFinished();
  // Runs to the end.
  Result<RunOutcome> Finish();
  const Workload& workload() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Weighted max-min fair division of `capacity` among demands (water filling). Exposed for tests.
std::vector<double> WaterFill(double capacity, const std::vector<double>& demand,
                              const std::vector<double>& weight);

}  // namespace suanli::sim
