// *.cpp, not *.cc: the module glob must not pull test doubles into the agent library.
#include "agent/testing/fake_launcher.h"

namespace suanli::agent {

Result<Spawned> FakeLauncher::Spawn(const SpawnRequest& request) {
  requests.push_back(request);
  if (on_spawn) on_spawn();
  Spawned s{next_pid, 1000};
  alive[next_pid++] = true;
  return s;
}

bool FakeLauncher::Alive(pid_t pid, uint64_t) { return alive.count(pid) && alive[pid]; }

}  // namespace suanli::agent
