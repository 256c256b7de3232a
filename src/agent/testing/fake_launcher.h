#pragma once
// A ProcessLauncher that starts nothing: it records each request and hands out pids whose
// liveness the test sets. `on_spawn` runs inside Spawn, for failures that strike mid-launch.
#include <functional>
#include <map>
#include <vector>

#include "agent/process_launcher.h"

namespace suanli::agent {

class FakeLauncher : public ProcessLauncher {
 public:
  Result<Spawned> Spawn(const SpawnRequest& request) override;
  bool Alive(pid_t pid, uint64_t start) override;

  std::vector<SpawnRequest> requests;
  std::map<pid_t, bool> alive;
  pid_t next_pid = 4242;
  std::function<void()> on_spawn;
};

}  // namespace suanli::agent
