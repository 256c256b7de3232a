#pragma once
// The scheduling core's data model. Pure data: no I/O, no threads, no clock.
// The server builds a ClusterState from its store; the simulator keeps one and mutates it.
// Both hand it to the same Policy, so a decision can be replayed byte-for-byte in a test.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace suanli::core {

using Time =
    int64_t;  // milliseconds; epoch chosen by the caller (Unix for the server, trace start for sim)
using JobId = int64_t;
using AccelType = int32_t;  // index into ClusterState::accel_types; kNoAccel when a task needs none
inline constexpr AccelType kNoAccel = -1;
inline constexpr int64_t kMilliPerDevice =
    1000;  // accelerators are counted in thousandths of a device
inline constexpr Time kUnknownTime = -1;

// What one task asks for, or what one node has. Accelerators: 1000 = one whole device.
// A value below 1000 asks for a share of one device (fractional); above, whole multiples of 1000.
struct Resources {
  int64_t cpu_milli = 0;
  int64_t mem_mb = 0;
  int64_t accel_milli = 0;
};

// One accelerator device on a node. `island` groups devices joined by NVLink/HCCS.
struct Device {
  AccelType type = kNoAccel;
  int32_t island = 0;
  int64_t total_milli = kMilliPerDevice;
  bool operator==(const Device&) const = default;
};

struct Node {
  std::string name;
  int32_t switch_id = 0;    // nodes under one network switch share an id
  bool schedulable = true;  // false when DOWN or DRAINING
  int64_t cpu_milli = 0;    // capacity
  int64_t mem_mb = 0;       // capacity (host memory)
  std::vector<Device> devices;
  bool operator==(const Node&) const = default;
};

// A way to run a job: `tasks` gang members, each with `per_task`, on one of `accel_types`.
struct Shape {
  int32_t tasks = 1;
  Resources per_task;
  std::vector<AccelType>
      accel_types;     // acceptable types; empty means any type (or none if no accel)
  double speed = 1.0;  // throughput relative to the job's first shape
};

// Per-resource-dimension amounts for quotas and usage. Dimension 0 is cpu_milli, 1 is mem_mb,
// 2 + t is accelerator type t in milli-devices. kUnlimited where no cap applies.
inline constexpr int64_t kUnlimited = -1;
inline constexpr int kDimCpu = 0;
inline constexpr int kDimMem = 1;
inline constexpr int kDimAccelBase = 2;
using DimVector = std::vector<int64_t>;

struct Tenant {
  std::string name;
  int32_t parent = -1;  // index into ClusterState::tenants; -1 for a root
  double weight = 1.0;  // fair-share weight among siblings
  DimVector guarantee;  // guaranteed quota per dimension (empty or kUnlimited = none)
  DimVector limit;      // cap including borrowed idle capacity (empty or kUnlimited = no cap)
  double accel_hour_budget = -1;  // per period; -1 = none
  double accel_hours_used = 0;    // by its whole subtree in its current period, supplied by the
                                  // caller's accounting (Budgeted checks every ancestor's)
  double decayed_usage = 0;       // accelerator-ms (cpu-ms where no accel) with half-life decay,
                                  // maintained by core::UsageTracker
};

enum class JobPhase { kPending, kRunning };

// Where one task of a running job sits.
struct TaskAllocation {
  int32_t node = -1;             // index into ClusterState::nodes
  std::vector<int32_t> devices;  // indices into that node's devices
  Resources res;                 // what the task holds (accel_milli split over `devices`)
  AccelType type = kNoAccel;
};

struct Job {
  JobId id = 0;
  int32_t tenant = -1;  // index into ClusterState::tenants
  std::string user;
  int32_t priority = 0;  // higher runs first where the policy honours priority
  Time submit_time = 0;
  Time time_limit = 0;        // user's declared limit in ms; 0 = none
  std::vector<Shape> shapes;  // shapes[0] is the shape the user asked for; others are alternatives
  std::vector<std::pair<AccelType, double>> type_speed;  // per-type speed factor; absent = 1.0
  bool preemptible = true;
  bool checkpointable = false;
  Time oracle_duration = kUnknownTime;  // simulator only; read solely by policies labelled "oracle"
  // A run time learned from similar finished jobs (core::DurationPredictor), set by the caller at
  // submission; kUnknownTime when there is no history. SJF and SRTF rank by it where it is shorter
  // than the declared limit (or there is none). Never a promise: backfill and reservations trust
  // declared limits alone.
  Time estimated_duration = kUnknownTime;

  // Runtime, maintained by the caller from applied decisions (the core only decides):
  //  - on a Placement: phase = kRunning, start_time = now, shape_index and allocation as placed;
  //  - on a Preemption (or a lost node) with requeue: phase = kPending, start_time = kUnknownTime,
  //    allocation cleared, queued_since = now; work since the last checkpoint is lost unless
  //    checkpointable (the caller decides how much remains to run);
  //  - while running: attained_service_ms += allocated accelerators (in devices, 1.0 per whole
  //    device; cpus when the job has no accelerator) × elapsed ms. It is NOT reset by a requeue:
  //    LAS policies rank jobs by the service they have already received.
  JobPhase phase = JobPhase::kPending;
  Time start_time = kUnknownTime;    // start of the current run
  Time queued_since = kUnknownTime;  // when it last became pending; kUnknownTime = submit_time
  int32_t shape_index = 0;
  std::vector<TaskAllocation> allocation;
  double attained_service_ms = 0;  // accelerator-ms (or cpu-ms) received so far, across restarts
  // Milliseconds it has run so far across restarts, whatever its width: while running it grows by
  // the elapsed ms. 0 when the caller does not keep it: estimated as service / current width,
  // which is only right for a job that always ran at one width.
  Time ran_ms = 0;
  int32_t preemptions = 0;  // how many times it was preempted so far (caller increments)
};

// Which jobs changed since the previous scheduling cycle, for callers that keep one ClusterState
// and mutate it between cycles (the simulator). With it a policy updates its per-job caches (queue
// ranks) instead of re-reading every job, which is what makes replaying a long trace fast. A
// policy decides exactly the same with or without a feed; a state without one (stream 0, the
// default, as the server builds afresh every cycle) is simply read whole.
struct JobDelta {
  JobId id = 0;
  int32_t index = -1;  // where the job now sits in ClusterState::jobs; -1 when it was removed
};
struct JobFeed {
  uint64_t stream = 0;  // nonzero and unique per mutated ClusterState; 0 = no feed
  uint64_t seq = 0;     // the caller adds one before every Schedule() call
  // A feed also promises that nodes and accelerator types are as they were at the previous call;
  // a caller that changes them sets this, and the policy re-reads everything.
  bool nodes_changed = false;
  // Every job added, removed, moved to another index, or whose phase, allocation or any field a
  // policy reads changed since the previous call. Attained service and run time of running jobs
  // are excepted: they grow while a job runs, at the rates Job describes, and a policy relies on
  // those rates to tell when a value it cares about (a LAS threshold) could have been reached and
  // must be read again. The caller clears it after each call.
  std::vector<JobDelta> changes;
};

struct ClusterState {
  std::vector<std::string> accel_types;  // AccelType -> name, e.g. "nvidia-a100"
  std::vector<Node> nodes;
  std::vector<Tenant> tenants;
  std::vector<Job> jobs;  // pending and running jobs, in any order
  JobFeed feed;           // optional; see JobFeed
};

// ---- What one scheduling cycle decides ----

struct Placement {
  JobId job = 0;
  int32_t shape_index = 0;
  std::vector<TaskAllocation> tasks;  // one per gang member, all or nothing
  bool backfilled = false;            // started ahead of a higher-ranked job that is waiting
  // Why this shape, for a job with several options (read by callers to explain the choice; no
  // decision depends on it). fastest_shape is the shape of the job's fastest option. When the
  // placed option is slower, fastest_start is when the fastest would have started by the
  // reservation replay (running jobs' time limits; kUnknownTime when that is unknown), compared
  // says the two finishes were compared (the job has a time limit), and fastest_over_quota says
  // the fastest option was skipped because it would pass a tenant limit.
  int32_t fastest_shape = 0;
  Time fastest_start = kUnknownTime;
  bool compared = false;
  bool fastest_over_quota = false;
};

struct Preemption {
  JobId job = 0;
  std::string reason;  // e.g. "reclaimed by tenant physics (guarantee 8 × nvidia-a100)"
  JobId for_job = 0;   // the pending job that needs the room (0 when none in particular)
};

// Why a job is still pending, and when it may start. Every pending job gets one every cycle, so
// it is kept cheap: jobs that wait for the same thing share `words`, and what differs per job
// (its place in line, its estimated start) is numbers. Reason() writes the whole sentence.
struct PendingInfo {
  enum class Start : uint8_t {
    kEstimate,         // est_start, when known, is the plan's estimate
    kReserved,         // est_start is the reservation held for this job (the head of the queue)
    kReservedUnknown,  // held for this job, but running jobs have no limits: no time to promise
  };
  JobId job = 0;
  std::shared_ptr<const std::string> words;  // e.g. "waiting for 8 × nvidia-a100 (0 free of 64)"
  int64_t ahead = 0;                         // higher-ranked jobs waiting before it (0: not said)
  Time est_start = kUnknownTime;             // from the reservation plan, when computable
  Start start = Start::kEstimate;

  // In words a user understands, with the start relative to `now` ("estimated start in ~3.5 h").
  std::string Reason(Time now) const;
};

// Apply preemptions before placements: a placement may use room its cycle's victims free, so
// the caller must stop those victims before starting it. `pending` also lists this cycle's
// victims (they are pending once the caller requeues them).
struct CycleResult {
  std::vector<Placement> placements;
  std::vector<Preemption> preemptions;
  std::vector<PendingInfo> pending;  // one entry for every job still pending after this cycle
};

}  // namespace suanli::core
