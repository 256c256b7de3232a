#include "agent/process_launcher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "agent/fs_util.h"

namespace suanli::agent {
namespace {

// --- Code below runs in forked children: only system calls and stack memory. ---

void WriteAll(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void WriteStr(int fd, const char* s) { WriteAll(fd, s, strlen(s)); }

// Formats a non-negative integer into buf; returns its start.
char* FormatInt(long v, char* buf, size_t size) {
  char* p = buf + size - 1;
  *p = '\0';
  if (v == 0) *--p = '0';
  while (v > 0 && p > buf) {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p;
}

// Writes `label N\n` to path (via path.tmp + rename, so readers never see half a file).
void WriteStatusFile(const char* path, const char* tmp, const char* label, long n) {
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char buf[32];
  WriteStr(fd, label);
  WriteStr(fd, " ");
  WriteStr(fd, FormatInt(n, buf, sizeof(buf)));
  WriteStr(fd, "\n");
  fsync(fd);
  close(fd);
  rename(tmp, path);
}

[[noreturn]] void SetupFailed(const char* error_file, const char* what, const char* detail,
                              int err) {
  const char* reason = strerror(err);
  for (int fd : {2, -1}) {
    int out = fd >= 0 ? fd : open(error_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) continue;
    WriteStr(out, "suanli: ");
    WriteStr(out, what);
    WriteStr(out, " ");
    WriteStr(out, detail);
    WriteStr(out, ": ");
    WriteStr(out, reason);
    WriteStr(out, "\n");
    if (fd < 0) close(out);
  }
  _exit(125);
}

// The job's own --output/--error files, opened with the job's identity (effective uid, gid and
// groups, then back to root) so the user's permissions decide where it may write, as Slurm's
// step daemon does. They replace fds 1 and 2; then "open" goes to the gate the log shipper
// waits for.
void OpenUserFiles(const SpawnRequest& r) {
  const char* err_file = r.setup_error_file.c_str();
  if (r.user_stdout_path.empty() && r.user_stderr_path.empty()) return;
  if (r.change_user) {
    if (setgroups(r.groups.size(), r.groups.data()) != 0 || setegid(r.gid) != 0 ||
        seteuid(r.uid) != 0)
      SetupFailed(err_file, "cannot take the job's identity to open", "its output files", errno);
  }
  // O_APPEND even when truncating: tasks sharing one file then interleave, not overwrite.
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (r.user_files_append ? 0 : O_TRUNC);
  int out = -1, err = -1, out_errno = 0, err_errno = 0;
  if (!r.user_stdout_path.empty()) {
    out = open(r.user_stdout_path.c_str(), flags, 0644);
    out_errno = errno;
  }
  if (out >= 0 || r.user_stdout_path.empty()) {
    if (!r.user_stderr_path.empty()) {
      err = open(r.user_stderr_path.c_str(), flags, 0644);
      err_errno = errno;
    }
  }
  if (r.change_user && (seteuid(0) != 0 || setegid(0) != 0))
    SetupFailed(err_file, "cannot return to root after opening", "the output files", errno);
  if (!r.user_stdout_path.empty() && out < 0)
    SetupFailed(err_file, "cannot open the --output file", r.user_stdout_path.c_str(), out_errno);
  if (!r.user_stderr_path.empty() && err < 0)
    SetupFailed(err_file, "cannot open the --error file", r.user_stderr_path.c_str(), err_errno);
  if (out >= 0) dup2(out, 1);
  if (err >= 0) dup2(err, 2);
  if (out >= 0 && r.user_stderr_to_stdout) dup2(out, 2);
  int gate = open(r.user_files_gate.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (gate < 0) SetupFailed(err_file, "cannot write", r.user_files_gate.c_str(), errno);
  WriteStr(gate, "open\n");
  close(gate);
}

struct CArgs {  // char* arrays built before fork
  std::vector<char*> argv, envp;
};

[[noreturn]] void RunJobChild(const SpawnRequest& r, const CArgs& a) {
  const char* err_file = r.setup_error_file.c_str();
  // Logs first, so every later failure lands in the job's stderr.
  int out = open(r.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int errfd = open(r.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || errfd < 0 || null < 0)
    SetupFailed(err_file, "cannot open log", r.stdout_path.c_str(), errno);
  dup2(null, 0);
  dup2(out, 1);
  dup2(errfd, 2);
  setpgid(0, 0);  // own process group: the fallback way to signal the whole job without cgroups
  for (const auto& procs : r.cgroup_procs) {
    int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1)
      SetupFailed(err_file, "cannot join cgroup", procs.c_str(), errno);
    close(fd);
  }
  // Before the private /tmp, so a file under /tmp is the host's, where the agent reads it.
  OpenUserFiles(r);
  if (!r.private_tmp.empty() || !r.masked_devices.empty()) {
    if (unshare(CLONE_NEWNS) != 0)
      SetupFailed(err_file, "cannot unshare", "the mount namespace", errno);
    // Keep our mounts from propagating back to the host.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      SetupFailed(err_file, "cannot make mounts private", "/", errno);
  }
  if (!r.private_tmp.empty() &&
      mount(r.private_tmp.c_str(), "/tmp", nullptr, MS_BIND, nullptr) != 0)
    SetupFailed(err_file, "cannot bind a private /tmp from", r.private_tmp.c_str(), errno);
  // Other tasks' accelerators: opening them now opens /dev/null. Done as root, before the job's
  // account is taken, so the job cannot undo it (it has no CAP_SYS_ADMIN to unmount).
  for (const auto& dev : r.masked_devices)
    if (mount("/dev/null", dev.c_str(), nullptr, MS_BIND, nullptr) != 0)
      SetupFailed(err_file, "cannot hide the device", dev.c_str(), errno);
  if (r.change_user) {
    if (setgroups(r.groups.size(), r.groups.data()) != 0)
      SetupFailed(err_file, "setgroups", "", errno);
    if (setgid(r.gid) != 0) SetupFailed(err_file, "setgid", "", errno);
    if (setuid(r.uid) != 0) SetupFailed(err_file, "setuid", "", errno);
  }
  if (chdir(r.cwd.c_str()) != 0)
    SetupFailed(err_file, "cannot enter working directory", r.cwd.c_str(), errno);
  // The agent ignores SIGPIPE and blocks nothing the job should inherit: restore defaults.
  for (int s = 1; s < NSIG; ++s)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(r.exec_path.c_str(), a.argv.data(), a.envp.data());
  SetupFailed(err_file, "cannot execute", r.exec_path.c_str(), errno);
}

[[noreturn]] void RunShim(const SpawnRequest& r, const CArgs& a, const std::string& exit_tmp,
                          const std::string& pid_tmp) {
  setsid();  // its own session: survives the agent, and no terminal signals reach it
  // Hold nothing of the agent's (sockets, the controller's listening port in `suanli up`).
  if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
    for (int fd = 3; fd < 4096; ++fd) close(fd);
  signal(SIGTERM, SIG_IGN);  // the job is signalled through its cgroup; the shim must outlive it
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_DFL);
  pid_t job = fork();
  if (job < 0) {
    WriteStatusFile(r.exit_file.c_str(), exit_tmp.c_str(), "exit", 125);
    _exit(1);
  }
  if (job == 0) RunJobChild(r, a);
  WriteStatusFile(r.pid_file.c_str(), pid_tmp.c_str(), "pid", job);
  int status = 0;
  while (waitpid(job, &status, 0) < 0) {
    if (errno != EINTR) {
      WriteStatusFile(r.exit_file.c_str(), exit_tmp.c_str(), "exit", 125);
      _exit(1);
    }
  }
  if (WIFSIGNALED(status))
    WriteStatusFile(r.exit_file.c_str(), exit_tmp.c_str(), "signal", WTERMSIG(status));
  else
    WriteStatusFile(r.exit_file.c_str(), exit_tmp.c_str(), "exit", WEXITSTATUS(status));
  _exit(0);
}

class ForkLauncher : public ProcessLauncher {
 public:
  Result<Spawned> Spawn(const SpawnRequest& r) override {
    CArgs a;
    for (const auto& s : r.argv) a.argv.push_back(const_cast<char*>(s.c_str()));
    a.argv.push_back(nullptr);
    for (const auto& s : r.envp) a.envp.push_back(const_cast<char*>(s.c_str()));
    a.envp.push_back(nullptr);
    std::string exit_tmp = r.exit_file + ".tmp", pid_tmp = r.pid_file + ".tmp";
    pid_t shim = fork();
    if (shim < 0) return Internal(fmt::format("fork failed: {}", ErrnoText(errno)));
    if (shim == 0) RunShim(r, a, exit_tmp, pid_tmp);
    Spawned s;
    s.shim_pid = shim;
    s.shim_start = ProcessStartTime(shim);
    return s;
  }

  bool Alive(pid_t pid, uint64_t start) override {
    if (pid <= 0) return false;
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return false;  // our child, just reaped
    uint64_t now_start = ProcessStartTime(pid);
    return now_start != 0 && (start == 0 || now_start == start);
  }
};

}  // namespace

std::unique_ptr<ProcessLauncher> MakeForkLauncher() { return std::make_unique<ForkLauncher>(); }

Result<ExitStatus> ParseExitFile(const std::string& text) {
  std::stringstream ss(text);
  std::string label;
  long n = -1;
  ss >> label >> n;
  // An exit status or a signal number fits a byte; a larger one is a damaged file, not a code to
  // truncate into an int.
  if (ss.fail() || n < 0 || n > 255)
    return InvalidArgument(fmt::format("bad exit file '{}'", text));
  ExitStatus st;
  if (label == "exit") {
    st.exit_code = static_cast<int>(n);
  } else if (label == "signal") {
    st.signal = static_cast<int>(n);
  } else {
    return InvalidArgument(fmt::format("bad exit file '{}'", text));
  }
  return st;
}

Result<std::string> ResolveExecutable(const std::string& name, const std::string& path_list) {
  if (name.empty()) return InvalidArgument("the command is empty");
  if (name.find('/') != std::string::npos) return name;
  std::stringstream ss(path_list);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string p = dir + "/" + name;
    struct stat st;
    if (stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) return p;
  }
  return NotFound(fmt::format("command '{}' is not on PATH {}", name, path_list));
}

}  // namespace suanli::agent
