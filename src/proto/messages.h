#pragma once
// Every message of the agent <-> controller protocol (docs/protocol.md), as plain data. The
// envelopes (what one HTTP request or reply body holds) carry the protocol version they speak;
// their entries (task references, events, launches, kills) do not.
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/version.h"

namespace suanli::proto {

// Task indexes an agent may name: wider than the controller's 1024-task cap, so jobs stored
// before the cap was lowered (up to 4096 tasks) still report and read.
inline constexpr int64_t kMaxTaskIndex = 4096;

// One task of one attempt of a job.
struct TaskRef {
  int64_t job_id = 0;
  int64_t attempt = 0;
  int task = 0;
  auto operator<=>(const TaskRef&) const = default;
  std::string Key() const;  // "7.1.0": job.attempt.task, used for directory and cgroup names
};

// An accelerator as the agent reports it. `island` groups devices joined by a fast link.
struct Device {
  int index = 0;  // node-local; defaults to the device's position in the list
  std::string type;
  std::string uuid;
  int64_t memory_mb = 0;
  int island = 0;
  bool operator==(const Device&) const = default;
};

// POST /agents/register.
struct RegisterRequest {
  ProtocolVersion protocol = kCurrentVersion;
  std::string name;
  double cpus = 0;
  int64_t mem_mb = 0;
  std::vector<Device> devices;
  std::string address;           // empty: the controller uses 127.0.0.1
  std::vector<TaskRef> running;  // tasks still running from before, to re-attach
  bool operator==(const RegisterRequest&) const = default;
};

// Its answer. fence_ms / node_timeout_ms are -1 when a controller did not send them.
struct RegisterReply {
  ProtocolVersion protocol = kCurrentVersion;
  std::string node;
  int heartbeat_ms = 1000;
  int64_t node_timeout_ms = -1;
  int64_t fence_ms = -1;
  bool operator==(const RegisterReply&) const = default;
};

// `message` has a default initializer ({}) so an event may be brace-initialized up to `reason`
// without a -Wmissing-field-initializers warning.
struct TaskEvent {
  TaskRef ref;
  std::string event;  // "started" | "exited"
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string reason;     // OUT_OF_MEMORY, TIMEOUT, CANCELLED, PREEMPTED, GANG_FAILED, LOST, ...
  std::string message{};  // human detail; stays on the node (agent log), never sent
  double time = 0;        // epoch seconds
  // "started" of a launch that asked for a port (Launch::port -1): the port the agent chose.
  // Sent only then (0 = absent), so a controller that never asks never sees the field.
  int port = 0;
  bool operator==(const TaskEvent&) const = default;
};

// POST /agents/{name}/poll: a heartbeat with what runs and what happened since the last one.
struct PollRequest {
  ProtocolVersion protocol = kCurrentVersion;
  int64_t wait_ms = 1000;  // how long the controller may hold the reply waiting for work
  std::vector<TaskRef> running;
  std::vector<TaskEvent> events;
  bool operator==(const PollRequest&) const = default;
};

struct Peer {
  int task = 0;
  std::string node;
  std::string address;
  std::vector<int> devices;  // optional: the peer's device indexes (for the HCCL rank table)
  bool operator==(const Peer&) const = default;
};

// One task to start. The agent also keeps it beside the task (the persisted form) to re-attach
// after a restart.
struct Launch {
  TaskRef ref;
  int tasks = 1;
  std::string name;
  std::vector<std::string> command;
  std::string script;  // used when command is empty
  std::map<std::string, std::string> env;
  double cpus = 1;
  int64_t mem_mb = 0;  // 0 = no memory limit
  std::vector<int> devices;
  double gpus = 0;  // devices' worth, a fraction below 1 for a share of one device
  std::string gpu_type;
  int64_t time_limit_s = 0;  // 0 = none
  int64_t grace_s = 30;
  std::string user;
  std::string tenant;
  std::string master_addr;
  int master_port = 0;
  std::vector<Peer> peers;
  std::string workdir;   // optional; default the job's private /tmp
  int64_t pids_max = 0;  // optional; 0 = the agent's default
  // optional; 0 = none; -1 = the agent picks a free TCP port for the task and passes it as $PORT
  // (service replicas); the persisted form (task.json) holds the port it picked.
  int port = 0;
  // optional (sbatch --signal); 0 = none: send signal_number signal_before_s seconds before
  // time_limit_s, to the main process only when signal_batch_only, else to all of the task's.
  int signal_number = 0;
  int64_t signal_before_s = 0;
  bool signal_batch_only = false;
  // optional (sbatch --output/--error): absolute patterns the agent expands for this task and the
  // job opens as its user; empty = the agent's own log only. An output without an error takes
  // stderr too. output_append: open them appending (else truncated).
  std::string output_pattern, error_pattern;
  bool output_append = false;
  bool operator==(const Launch&) const = default;
};

// Terminate every local task of job_id whose attempt is <= attempt.
struct Kill {
  int64_t job_id = 0;
  int64_t attempt = 0;
  int64_t grace_s = -1;  // -1 = the task's own grace period
  std::string reason;    // CANCELLED, PREEMPTED, GANG_FAILED, STALE, ...
  bool operator==(const Kill&) const = default;
};

// The poll's answer: work for the node.
struct PollReply {
  ProtocolVersion protocol = kCurrentVersion;
  std::vector<Launch> launch;
  std::vector<Kill> kill;
  bool operator==(const PollReply&) const = default;
};

// POST /agents/{name}/logs: a piece of a task's output at a logical byte offset.
struct LogUpload {
  ProtocolVersion protocol = kCurrentVersion;
  TaskRef ref;
  std::string stream;  // stdout | stderr
  int64_t offset = 0;
  std::string data;  // the bytes (base64 on the wire)
  bool operator==(const LogUpload&) const = default;
};

}  // namespace suanli::proto
