#pragma once
// The node agent: discovers devices, registers with the controller, runs assigned tasks as isolated
// processes and reports. Contract used by `suanli up` (src/cli) — keep these signatures stable.
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

namespace suanli::agent {

struct AgentOptions {
  std::string server_url;  // e.g. "http://127.0.0.1:8080"
  std::string join_token;
  std::string name;  // empty = hostname
  std::string
      accelerators;  // declared devices "nvidia-a100:8,ascend-910b:4"; added to discovered ones
  std::string work_dir =
      "agent-work";    // job directories, logs, the agent's own state for re-attach
  double cpus = 0;     // 0 = all of this machine's
  int64_t mem_mb = 0;  // 0 = all of this machine's

  // Beyond the `suanli up` contract (defaults suit it); `suanli agent` exposes each as a flag.
  std::string address;  // what peers dial; empty = the route to the server
  std::string nvml_library = "libnvidia-ml.so.1";  // env SUANLI_NVML_LIBRARY overrides
  std::string npu_smi = "npu-smi";                 // env SUANLI_NPU_SMI overrides
  std::string fallback_user = "nobody";            // for users without an account here
  bool allow_root = false;                         // may jobs run as root?
  int64_t min_uid = 1000;     // accounts below this uid (system accounts) get the fallback
  std::string allowed_group;  // non-empty: only its members run as their own account
  bool use_cgroups = true;    // false: run without limits (and say so)
  bool private_tmp = true;    // per-job /tmp in its own mount namespace
  std::string cgroup_parent = "suanli";  // groups live in <hierarchy>/<parent>/<name>/
  int64_t pids_max = 4096;               // per task, unless the launch says otherwise
  int64_t log_rotate_mb = 64;            // per stream
  // Stop local tasks (LOST) after this long without the controller, so a requeued attempt never
  // runs beside this one: -1 = from the controller's register reply (default 8 s, below its default
  // node timeout), 0 = never, >0 = this many ms.
  int64_t fence_after_ms = -1;
  std::string dev_root = "/dev";        // where accelerator device nodes are (tests)
  int64_t register_timeout_ms = 30000;  // Start() gives up after this long
};

class Agent {
 public:
  // Registers and starts the poll loop in background threads; returns once registered.
  static Result<std::unique_ptr<Agent>> Start(const AgentOptions& options);
  virtual ~Agent() = default;
  virtual void Stop() = 0;  // stops polling; running jobs keep running (re-attached on restart)
};

}  // namespace suanli::agent
