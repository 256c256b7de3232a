#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/temp_dir.h"

extern char** environ;

namespace suanli::it {
namespace {

ExitInfo DecodeWaitStatus(int status) {
  ExitInfo info;
  if (WIFEXITED(status)) {
    info.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.term_signal = WTERMSIG(status);
  }
  return info;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& extra_env,
                                         const std::string& stdout_path,
                                         const std::string& stderr_path) {
  if (argv.empty()) return InvalidArgument("Spawn needs a program");
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra_env) env[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  int out_fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    return Internal("cannot open output files " + stdout_path + ", " + stderr_path + ": " +
                    std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(out_fd);
    close(err_fd);
    return Internal(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execve(argp[0], argp.data(), envp.data());
    const char msg[] = "exec failed\n";
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so the group exists before any signal we send
  close(out_fd);
  close(err_fd);
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), exit_(std::move(other.exit_)) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_) KillHard();
    pid_ = other.pid_;
    exit_ = std::move(other.exit_);
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    if (!exit_) KillHard();
    // Jobs the child started may outlive it in the same group; they belong to this test.
    kill(-pid_, SIGKILL);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || exit_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_ = DecodeWaitStatus(status);
    return false;
  }
  return r == 0;
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0 && !exit_) kill(pid_, sig);
}

void ChildProcess::SignalGroup(int sig) {
  if (pid_ > 0) kill(-pid_, sig);
}

std::optional<ExitInfo> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_;
}

ExitInfo ChildProcess::KillHard() {
  if (pid_ <= 0) return {};
  if (!exit_) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) exit_ = DecodeWaitStatus(status);
    if (!exit_) exit_ = ExitInfo{-1, SIGKILL};
  }
  return *exit_;
}

std::string CommandOutput::Describe() const {
  std::ostringstream s;
  if (exit.exited()) {
    s << "exit " << exit.exit_code;
  } else {
    s << "killed by signal " << exit.term_signal;
  }
  s << "; stdout: [" << out << "]; stderr: [" << err << "]";
  return s.str();
}

CommandOutput RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& extra_env,
                         std::chrono::milliseconds timeout) {
  CommandOutput result;
  TempDir dir("cmd");
  std::string out_path = dir.path() + "/stdout";
  std::string err_path = dir.path() + "/stderr";
  auto child = ChildProcess::Spawn(argv, extra_env, out_path, err_path);
  if (!child.ok()) {
    result.exit.exit_code = 127;
    result.err = child.status().ToString();
    return result;
  }
  auto info = child->Wait(timeout);
  result.exit = info ? *info : child->KillHard();
  result.out = ReadWholeFile(out_path);
  result.err = ReadWholeFile(err_path);
  return result;
}

}  // namespace suanli::it
