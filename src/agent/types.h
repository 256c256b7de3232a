#pragma once
// Plain data the agent passes between its pieces: what this node has (agent-side detail beyond
// what the protocol reports), and the protocol's messages for what the controller asks it to run
// or kill and what it reports back.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/messages.h"

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

// The protocol's messages (src/proto), under the names the agent's code uses.
using TaskRef = proto::TaskRef;
using Peer = proto::Peer;
using LaunchSpec = proto::Launch;  // one task to start (a "launch" entry of the poll answer)
using KillOrder = proto::Kill;     // terminate every local task of job_id with attempt <= attempt
using TaskEvent = proto::TaskEvent;
using PollAnswer = proto::PollReply;

}  // namespace suanli::agent
