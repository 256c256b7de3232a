#pragma once
// Plain data the agent passes between its pieces: what this node has, what the controller asks it
// to run or kill, and what it reports back. Field names follow docs/api.md ("Agents").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace suanli::agent {

// One accelerator. `index` is the node-local index the controller assigns by; `island` groups
// devices joined by a fast link (NVLink/HCCS), -1 when unknown.
struct Device {
  int index = 0;
  std::string type;  // "nvidia-a100", "ascend-910b"
  std::string uuid;
  int64_t memory_mb = 0;
  int island = -1;
  int driver_index = 0;   // the index the driver (CUDA/CANN) knows it by, for *_VISIBLE_DEVICES
  std::string dev_path;   // "/dev/nvidia0" when the host has the node; used for the device cgroup
  bool declared = false;  // from --accelerators rather than a driver
};

struct HostInfo {
  int cpus = 0;                             // logical CPUs (PUs) this agent may use
  int cores = 0;                            // physical cores
  std::vector<std::vector<int>> numa_cpus;  // OS CPU ids per NUMA node
  int64_t mem_mb = 0;
  std::vector<Device> devices;
};

struct TaskRef {
  int64_t job_id = 0;
  int64_t attempt = 0;
  int task = 0;
  auto operator<=>(const TaskRef&) const = default;
  std::string Key() const;  // "7.1.0": job.attempt.task, used for directory and cgroup names
};

struct Peer {
  int task = 0;
  std::string node;
  std::string address;
  std::vector<int> devices;  // optional: the peer's device indexes (for the HCCL rank table)
};

// One task to start (a "launch" entry of the poll answer).
struct LaunchSpec {
  TaskRef ref;
  int tasks = 1;
  std::vector<std::string> command;
  std::string script;  // used when command is empty
  std::map<std::string, std::string> env;
  double cpus = 1;
  int64_t mem_mb = 0;  // 0 = no memory limit
  std::vector<int> devices;
  std::string gpu_type;
  int64_t time_limit_s = 0;  // 0 = none
  int64_t grace_s = 30;
  std::string user;
  std::string master_addr;
  int master_port = 0;
  std::vector<Peer> peers;
  std::string workdir;   // optional; default the job's private /tmp
  int64_t pids_max = 0;  // optional; 0 = the agent's default
};

// A "kill" entry: terminate every local task of job_id whose attempt is <= attempt.
struct KillOrder {
  int64_t job_id = 0;
  int64_t attempt = 0;
  int64_t grace_s = -1;  // -1 = the task's own grace period
  std::string reason;    // CANCELLED, PREEMPTED, GANG_FAILED, ...
};

struct TaskEvent {
  TaskRef ref;
  std::string event;  // "started" | "exited"
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string reason;   // OUT_OF_MEMORY, TIMEOUT, CANCELLED, PREEMPTED, GANG_FAILED, LOST, ...
  std::string message;  // human detail, e.g. "killed by its 64 MiB memory limit"
  double time = 0;      // epoch seconds
};

struct PollAnswer {
  std::vector<LaunchSpec> launch;
  std::vector<KillOrder> kill;
};

}  // namespace suanli::agent
