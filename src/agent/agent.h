#pragma once
// The node agent: discovers devices, registers with the controller, runs assigned tasks as isolated
// processes and reports. Contract used by `suanli up` (src/cli) — keep these signatures stable.
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

namespace suanli::agent {

struct AgentOptions {
  std::string server_url;      // e.g. "http://127.0.0.1:8080"
  std::string join_token;
  std::string name;            // empty = hostname
  std::string accelerators;    // declared devices "nvidia-a100:8,ascend-910b:4"; added to discovered ones
  std::string work_dir = "agent-work";  // job directories, logs, the agent's own state for re-attach
  double cpus = 0;             // 0 = all of this machine's
  int64_t mem_mb = 0;          // 0 = all of this machine's
};

class Agent {
 public:
  // Registers and starts the poll loop in background threads; returns once registered.
  static Result<std::unique_ptr<Agent>> Start(const AgentOptions& options);
  virtual ~Agent() = default;
  virtual void Stop() = 0;  // stops polling; running jobs keep running (re-attached on restart)
};

}  // namespace suanli::agent
