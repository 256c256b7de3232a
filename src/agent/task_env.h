#pragma once
// The environment a task starts with: scrubbed down to what the job declared, plus the account
// basics, SUANLI_* facts, torchrun-style rank variables and the accelerators it may see. Also the
// HCCL rank table Ascend jobs read through RANK_TABLE_FILE. Pure functions: unit-tested without
// processes.
#include <map>
#include <string>
#include <vector>

#include "agent/types.h"

namespace suanli::agent {

struct TaskContext {
  std::string node;          // this agent's node name
  std::string node_address;  // the address peers reach this node at
  std::vector<Device>
      node_devices;  // all devices of the node (assigned ones are looked up by index)
  std::string user;  // account the task runs as
  std::string home;
  std::string shell;
  std::string run_as_note;       // non-empty when running under a fallback account: why
  std::string tmp_dir = "/tmp";  // the job's /tmp as the job sees it
  std::string preempt_file;      // appears when termination starts
  std::string rank_table_file;   // empty = none
  std::string cpuset;            // "0-3" as assigned
};

using EnvMap = std::map<std::string, std::string>;

EnvMap BuildTaskEnv(const LaunchSpec& spec, const TaskContext& ctx);

// Unique node names in task order (the gang's node list).
std::vector<std::string> GangNodes(const LaunchSpec& spec, const std::string& self_node);

// True when the job runs on Ascend devices (it gets a rank table).
bool UsesAscend(const LaunchSpec& spec, const std::vector<Device>& node_devices);

// HCCL rank table (format version 1.0): one server entry per node, ranks numbered over the gang's
// devices in task order. `device_ips` maps this node's driver device id to its NIC address
// (/etc/hccn.conf).
std::string BuildRankTable(const LaunchSpec& spec, const TaskContext& ctx,
                           const std::map<int, std::string>& device_ips);

// Reads "address_0=192.168.100.100" lines of /etc/hccn.conf.
std::map<int, std::string> ParseHccnConf(const std::string& text);

// "FOO=bar" strings for execve, sorted by name.
std::vector<std::string> EnvToStrings(const EnvMap& env);

}  // namespace suanli::agent
