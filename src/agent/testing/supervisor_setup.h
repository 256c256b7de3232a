#pragma once
// What the supervisor and session tests without root share: a small host, options that need no
// root (no private /tmp, no device masking), and the simplest task to launch.
#include <string>

#include "agent/supervisor.h"

namespace suanli::agent {

inline HostInfo SmallHost() {
  HostInfo host;
  host.cpus = 4;
  host.numa_cpus = {{0, 1, 2, 3}};
  host.mem_mb = 8192;
  return host;
}

inline SupervisorOptions NoRootOptions(const std::string& work_dir) {
  SupervisorOptions o;
  o.work_dir = work_dir;
  o.node_name = "node-a";
  o.private_tmp = false;
  o.mask_devices = false;
  return o;
}

// Attempt 1, task 0 of `job`, running `true` as nobody.
inline LaunchSpec TrueTask(int64_t job) {
  LaunchSpec s;
  s.ref = {job, 1, 0};
  s.command = {"true"};
  s.user = "nobody";
  return s;
}

}  // namespace suanli::agent
