#pragma once
// The records the controller persists. Plain data; the store serializes them (codec.h).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "core/budget_period.h"

namespace suanli::store {

using JobId = int64_t;

enum class JobState {
  kPending,
  kStarting,
  kRunning,
  kCompleted,
  kFailed,
  kCancelled,
  kTimeout,
  kPreempted,
  kLost,
  kOutOfMemory,
};

std::string_view JobStateName(JobState s);  // "PENDING"
std::optional<JobState> ParseJobState(std::string_view name);
bool IsTerminal(JobState s);  // no further change without a requeue
std::vector<JobState> AllJobStates();

struct TenantRecord {
  std::string name;
  std::string parent;  // empty for a root
  double weight = 1.0;
  std::map<std::string, double> quota;  // "cpus", "mem_mb", accelerator type names
  std::map<std::string, double> limit;
  double budget_accel_hours = -1;  // -1 = none
  TimeMs created = 0;
  // The window the budget covers. Tenants stored before periods existed load as kTotal (their old
  // meaning: usage never reset); a new tenant gets a month unless it asks otherwise.
  core::BudgetPeriod budget_period = core::BudgetPeriod::kMonth;
};

struct UserRecord {
  std::string name;
  std::string tenant;
  std::string role;  // admin | tenant-admin | member
  TimeMs created = 0;
};

struct TokenRecord {
  int64_t id = 0;
  std::string user;
  std::string sha256_hex;  // the token itself is never stored
  TimeMs created = 0;
  bool revoked = false;
};

struct DeviceRecord {
  int32_t index = 0;
  std::string type;
  std::string uuid;
  int64_t memory_mb = 0;
  int32_t island = 0;
};

struct NodeRecord {
  std::string name;
  double cpus = 0;
  int64_t mem_mb = 0;
  std::string address;
  std::vector<DeviceRecord> devices;
  bool draining = false;
  TimeMs registered = 0;
};

// One alternative way to run a job (the first is the user's main ask).
struct ShapeSpec {
  int32_t tasks = 1;
  double cpus = 1;
  int64_t mem_mb = 1024;
  double gpus = 0;  // per task; below 1 = a share of one device
  std::string gpu_type = "any";
  double speed = 1.0;
};

// One task of a job array (sbatch --array): the tasks are separate jobs with consecutive ids, the
// first of which is the array's id; `spec` is the whole array as submitted ("0-9%2").
struct ArrayTask {
  JobId array_id = 0;      // 0 = not an array task
  uint32_t task_id = 0;    // SLURM_ARRAY_TASK_ID
  uint32_t count = 0;      // tasks in the array: ids array_id .. array_id + count - 1
  uint32_t max_running = 0;  // the %N throttle; 0 = none
  std::string spec;
  bool operator==(const ArrayTask&) const = default;
};

// sbatch --signal=[B:]SIG@SECONDS: `number` is sent `before_s` seconds before the time limit, to
// the job's main process only (`batch_only`, Slurm's batch shell) or to all of its processes.
// Nothing is sent to a job without a time limit.
struct AdvanceSignal {
  int32_t number = 0;  // 0 = none
  int64_t before_s = 60;
  bool batch_only = false;
  bool operator==(const AdvanceSignal&) const = default;
};

// sbatch --output/--error: files the job writes its streams to itself, as its own user, besides
// the log the controller keeps. Absolute patterns with Slurm's replacement symbols (%j %A %a %x
// %u %N %n %t %%), expanded by the agent for each task. An output without an error takes both
// streams, as in Slurm. `append`: --open-mode=append (the default truncates).
struct OutputFiles {
  std::string output, error;
  bool append = false;
  bool empty() const { return output.empty() && error.empty(); }
  bool operator==(const OutputFiles&) const = default;
};

struct JobSpec {
  std::string name;
  std::vector<std::string> command;
  std::string script;
  std::map<std::string, std::string> env;
  ShapeSpec main;                 // the main ask (cpus, mem_mb, gpus, gpu_type, tasks)
  std::vector<ShapeSpec> shapes;  // alternatives
  int64_t time_limit_s = 0;       // 0 = none
  int32_t priority = 0;
  bool preemptible = true;
  bool checkpointable = false;
  bool requeue = true;
  int64_t grace_s = 30;
  AdvanceSignal advance_signal;
  OutputFiles output_files;
  std::string idempotency_key;
  // What must happen before the job may start (all are checked by JobGates each pass):
  ArrayTask array;
  std::string dependency;  // Slurm syntax as accepted ("afterok:12,singleton"); empty = none
  TimeMs begin_time = 0;   // not before this time; 0 = at once
  bool held = false;       // held by its user or an admin until released
  std::string workdir;     // absolute directory the tasks start in; empty = a private /tmp
  // A replica of a long-running service (server/services.h): the service's name, the replica's
  // index and the service version it runs; empty service = an ordinary batch job. A replica's
  // tasks get a free port from their agent ($PORT).
  std::string service;
  int32_t replica = -1;
  int32_t service_version = 0;
};

// Where one gang member runs in the current attempt.
struct TaskPlacement {
  int32_t task = 0;
  std::string node;
  std::vector<int32_t> devices;  // node-local device indices
  double cpus = 0;
  int64_t mem_mb = 0;
  int64_t accel_milli = 0;  // thousandths of a device, spread over `devices`
  std::string gpu_type;     // the type it got; empty without accelerators
  bool started = false;
  bool exited = false;
  int32_t port = 0;  // the port its agent chose for it ($PORT, service replicas); 0 = none
  std::optional<int32_t> exit_code;
  std::optional<int32_t> signal;
};

struct HistoryEntry {
  JobState state = JobState::kPending;
  TimeMs time = 0;
  std::string reason;
};

struct JobRecord {
  JobId id = 0;
  std::string tenant;
  std::string user;
  JobSpec spec;
  JobState state = JobState::kPending;
  std::string reason;  // why pending / why it ended
  TimeMs submit_time = 0;
  TimeMs start_time = -1;  // current or last attempt
  TimeMs end_time = -1;
  int32_t attempt = 0;  // 0 until first launched; +1 per launch
  int32_t shape_index = 0;
  std::string shape_reason;  // why the scheduler chose shape_index (jobs with several shapes)
  std::vector<TaskPlacement> placement;
  std::optional<int32_t> exit_code;
  std::optional<int32_t> signal;
  std::optional<int32_t> failed_task;
  double cost = 0;  // summed over attempts
  // Summed over finished attempts (the current one is added when it ends), never reset by a
  // requeue: accelerator-ms (cpu-ms without accelerators), and ms run whatever the width.
  double attained_service_ms = 0;
  TimeMs ran_ms = 0;
  std::vector<HistoryEntry> history;
};

// Resource use of one finished attempt of a job (accounting input for /usage).
struct UsageRecord {
  JobId job_id = 0;
  int32_t attempt = 0;
  std::string tenant;
  std::string user;
  TimeMs start_time = 0;
  TimeMs end_time = 0;
  double cpu_s = 0;
  double mem_mb_s = 0;
  std::map<std::string, double> accel_s;  // accelerator type -> device-seconds
  double cost = 0;

  double AccelSeconds() const;  // all accelerator types together
};

struct UtilizationSample {
  TimeMs time = 0;
  std::map<std::string, double> allocated;  // type -> devices allocated
  std::map<std::string, double> total;
};

}  // namespace suanli::store
