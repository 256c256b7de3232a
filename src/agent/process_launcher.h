#pragma once
// Starts a task so that it outlives the agent: the agent forks a tiny supervisor ("shim") in its
// own session; the shim forks the job, waits for it and writes its exit status to a file. The agent
// tracks the shim by pid + start time, so after an agent restart it can tell "still running" from
// "ended meanwhile" (the status file) from "vanished" (neither). The job joins its cgroup, gets a
// private /tmp in its own mount namespace, drops to the user's account, and execs — in that order,
// before any job code runs.
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::agent {

struct SpawnRequest {
  std::string exec_path;  // absolute, resolved against the job's PATH by the caller
  std::vector<std::string> argv;
  std::vector<std::string> envp;  // "K=V"
  std::string cwd;
  std::string stdout_path, stderr_path;
  // Files the job opens itself once it has taken its account, so the user's permissions decide
  // (sbatch --output/--error): they replace stdout and stderr; empty = none. When they are open the
  // job's child, back as root, writes "open" to user_files_gate in the task's directory.
  std::string user_stdout_path, user_stderr_path;
  bool user_stderr_to_stdout = false;  // stderr joins the stdout file
  bool user_files_append = false;      // else truncated on open
  std::string user_files_gate;
  std::string exit_file;         // the shim writes "exit N" or "signal N" here (atomically)
  std::string pid_file;          // the shim writes the job's pid here
  std::string setup_error_file;  // the job child writes why it could not start (then exits 125)
  std::vector<std::string> cgroup_procs;  // files to write "0" to (join the cgroup)
  bool change_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string private_tmp;  // bind-mounted on /tmp in a new mount namespace; empty = none
  // Device nodes hidden under /dev/null in the task's mount namespace (other tasks' accelerators).
  std::vector<std::string> masked_devices;
};

struct Spawned {
  pid_t shim_pid = 0;
  uint64_t shim_start = 0;  // clock ticks since boot; with the pid it names the shim uniquely
};

// Parsed content of the exit file.
struct ExitStatus {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
};
Result<ExitStatus> ParseExitFile(const std::string& text);

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  virtual Result<Spawned> Spawn(const SpawnRequest& request) = 0;
  // True while the shim named by pid + start time is alive (reaps it when it is our child).
  virtual bool Alive(pid_t pid, uint64_t start) = 0;
};

std::unique_ptr<ProcessLauncher> MakeForkLauncher();

// First executable named `name` on `path_list` ("a:b:c"); `name` itself when it holds a '/'.
Result<std::string> ResolveExecutable(const std::string& name, const std::string& path_list);

}  // namespace suanli::agent
