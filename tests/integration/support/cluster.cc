#include "support/cluster.h"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "support/temp_dir.h"

namespace suanli::it {
namespace {

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string SuanliBinary() {
  std::string v = EnvOr("SUANLI_BINARY");
#ifdef SUANLI_DEFAULT_BINARY
  if (v.empty()) v = SUANLI_DEFAULT_BINARY;
#endif
  return v;
}

std::string SourceDir() {
  std::string v = EnvOr("SUANLI_SOURCE_DIR");
#ifdef SUANLI_DEFAULT_SOURCE_DIR
  if (v.empty()) v = SUANLI_DEFAULT_SOURCE_DIR;
#endif
  return v;
}

bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

std::string Trim(const std::string& s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  return s.substr(begin, end - begin + 1);
}

Result<std::unique_ptr<UpProcess>> UpProcess::Start(const std::string& data_dir,
                                                    const UpOptions& options) {
  std::string binary = SuanliBinary();
  if (binary.empty()) return FailedPrecondition("SUANLI_BINARY is not set (run through ctest)");
  if (!std::filesystem::exists(binary))
    return NotFound("SUANLI_BINARY " + binary + " does not exist");
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  std::filesystem::remove(data_dir + "/url", ec);
  std::vector<std::string> argv = {binary, "up", "--data-dir", data_dir, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  // Output files are appended per start so a restarted process keeps the earlier log beside it.
  int n = 0;
  while (std::filesystem::exists(data_dir + "/up-" + std::to_string(n) + ".out")) ++n;
  std::string out = data_dir + "/up-" + std::to_string(n) + ".out";
  std::string err = data_dir + "/up-" + std::to_string(n) + ".err";
  auto child = ChildProcess::Spawn(argv, {}, out, err);
  if (!child.ok()) return child.status();
  std::unique_ptr<UpProcess> up(new UpProcess(data_dir, std::move(child).value()));
  auto describe = [&] {
    return " (stdout: " + ReadFileOr(out) + "; stderr: " + ReadFileOr(err) + ")";
  };
  bool ready = PollUntil(
      [&] {
        if (!up->process_.running()) return true;
        // The banner comes last, after the controller and the local agent are both up.
        if (ReadFileOr(out).find("Press Ctrl-C to stop") == std::string::npos) return false;
        std::string url = Trim(ReadFileOr(data_dir + "/url"));
        if (url.empty()) return false;
        if (HttpClient(url, "").Get("/api/v1/healthz").status != 200) return false;
        up->url_ = url;
        return true;
      },
      options.start_timeout);
  if (!up->process_.running()) {
    auto info = *up->process_.exit_info();
    return Internal("suanli up exited early with " +
                    (info.exited() ? "code " + std::to_string(info.exit_code)
                                   : "signal " + std::to_string(info.term_signal)) +
                    describe());
  }
  if (!ready || up->url_.empty()) {
    return Unavailable("suanli up did not become ready within " +
                       std::to_string(options.start_timeout.count()) + " ms" + describe());
  }
  up->admin_token_ = Trim(ReadFileOr(data_dir + "/admin.token"));
  if (up->admin_token_.empty() && !options.standby) {
    return Internal("no admin token in " + data_dir + "/admin.token");
  }
  return up;
}

std::string UpProcess::stdout_text() const {
  int n = 0;
  while (std::filesystem::exists(data_dir_ + "/up-" + std::to_string(n + 1) + ".out")) ++n;
  return ReadFileOr(data_dir_ + "/up-" + std::to_string(n) + ".out");
}

std::string UpProcess::stderr_text() const {
  int n = 0;
  while (std::filesystem::exists(data_dir_ + "/up-" + std::to_string(n + 1) + ".err")) ++n;
  return ReadFileOr(data_dir_ + "/up-" + std::to_string(n) + ".err");
}

CommandOutput UpProcess::Cli(const std::vector<std::string>& args, std::optional<std::string> token,
                             std::chrono::milliseconds timeout) const {
  return RunCli(args, {{"SUANLI_URL", url_}, {"SUANLI_TOKEN", token.value_or(admin_token_)}},
                timeout);
}

std::optional<ExitInfo> UpProcess::Terminate(std::chrono::milliseconds timeout) {
  process_.Signal(SIGTERM);
  return process_.Wait(timeout);
}

ExitInfo UpProcess::Crash() {
  // Only the `up` process, as a crash would: jobs the agent started in their own sessions survive.
  process_.Signal(SIGKILL);
  auto info = process_.Wait(std::chrono::seconds(10));
  return info ? *info : process_.KillHard();
}

CommandOutput RunCli(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env,
                     std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {SuanliBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> full_env = {{"SUANLI_URL", ""}, {"SUANLI_TOKEN", ""}};
  for (const auto& [k, v] : env) full_env[k] = v;
  return RunCommand(argv, full_env, timeout);
}

}  // namespace suanli::it
