#pragma once
// Runs `suanli up` (controller + local agent in one process) for a test, and the CLI against it.
//
//   auto up = UpProcess::Start(dir.path(), {"--node-timeout", "2s"});
//   ASSERT_TRUE(up.ok()) << up.status().ToString();
//   auto out = up->Cli({"submit", "--", "echo", "hello"});
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "support/http.h"
#include "support/process.h"

namespace suanli::it {

// SUANLI_BINARY (set by CTest), else the build tree's suanli this support library was built with.
std::string SuanliBinary();
// SUANLI_SOURCE_DIR (set by CTest), else the source tree this support library was built from.
std::string SourceDir();

// Polls `done` every `every` until it returns true or `timeout` passes; returns its last answer.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(20));

struct UpOptions {
  std::vector<std::string>
      extra_args;  // e.g. {"--node-timeout", "2s", "--accelerators", "nvidia-a100:2"}
  std::chrono::milliseconds start_timeout = std::chrono::seconds(20);
  // A standby (another controller leads the store) writes no admin.token until it takes over.
  bool standby = false;
};

class UpProcess {
 public:
  // Starts `suanli up --data-dir DATA_DIR --listen 127.0.0.1:0 ...` and waits until DATA_DIR/url is
  // written and /healthz answers. DATA_DIR/url is removed first so a restart never reads a stale
  // one.
  static Result<std::unique_ptr<UpProcess>> Start(const std::string& data_dir,
                                                  const UpOptions& options = {});

  const std::string& data_dir() const { return data_dir_; }
  const std::string& url() const { return url_; }
  const std::string& admin_token() const { return admin_token_; }
  ChildProcess& process() { return process_; }
  std::string stdout_text() const;  // what `up` printed so far
  std::string stderr_text() const;

  // An HTTP client as admin (or with the given token).
  HttpClient Admin() const { return HttpClient(url_, admin_token_); }
  HttpClient As(const std::string& token) const { return HttpClient(url_, token); }

  // Runs the CLI with SUANLI_URL/SUANLI_TOKEN pointing here (token: admin unless given).
  CommandOutput Cli(const std::vector<std::string>& args,
                    std::optional<std::string> token = std::nullopt,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  // SIGTERM and wait for a clean exit; returns how it ended (nullopt: still running after timeout).
  std::optional<ExitInfo> Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // kill -9 of the `up` process alone, as a crash would (its jobs are left running).
  ExitInfo Crash();

 private:
  UpProcess(std::string data_dir, ChildProcess process)
      : data_dir_(std::move(data_dir)), process_(std::move(process)) {}
  std::string data_dir_;
  ChildProcess process_;
  std::string url_;
  std::string admin_token_;
};

// Runs the CLI binary with the given environment (no SUANLI_URL/SUANLI_TOKEN unless in env).
CommandOutput RunCli(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Trims trailing whitespace/newlines (CLI output ends with "\n").
std::string Trim(const std::string& s);

}  // namespace suanli::it
