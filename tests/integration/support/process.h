#pragma once
// Child processes for integration tests: the real `suanli` binary started on loopback.
// Each child runs in its own process group so a test can stop it together with the jobs it spawned.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::it {

// How a child ended: exit_code when it exited, term_signal when a signal killed it.
struct ExitInfo {
  int exit_code = -1;
  int term_signal = 0;
  bool exited() const { return term_signal == 0; }
};

class ChildProcess {
 public:
  // Starts argv[0] with argv; extra_env is added to (and overrides) this process's environment.
  // stdout and stderr go to the given files (created or truncated), so a failing test can show
  // them.
  static Result<ChildProcess> Spawn(const std::vector<std::string>& argv,
                                    const std::map<std::string, std::string>& extra_env,
                                    const std::string& stdout_path, const std::string& stderr_path);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // A child still running when the test ends is killed with its whole process group.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool running();             // reaps the child when it has ended
  void Signal(int sig);       // the child only
  void SignalGroup(int sig);  // the child and everything it started
  // Waits up to `timeout` for the child to end; nullopt if it is still running.
  std::optional<ExitInfo> Wait(std::chrono::milliseconds timeout);
  // SIGKILL to the whole group, then reaps.
  ExitInfo KillHard();
  const std::optional<ExitInfo>& exit_info() const { return exit_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
  std::optional<ExitInfo> exit_;
};

// Result of running a short command to completion.
struct CommandOutput {
  ExitInfo exit;
  std::string out;
  std::string err;
  // "exit 3; stdout: ...; stderr: ..." for assertion messages.
  std::string Describe() const;
};

// Runs argv to completion (killed after `timeout`, reported as signal SIGKILL) and captures its
// output.
CommandOutput RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& extra_env = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace suanli::it
