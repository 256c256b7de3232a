// logs and wait: commands that poll the server until a job has finished.
#include <chrono>
#include <memory>
#include <ostream>
#include <thread>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/units.h"

namespace suanli::cli {
namespace {

using std::chrono::milliseconds;

struct LogsCommand {
  ConnectionFlags conn;
  std::string id;
  bool follow = false;
  int task = 0;
  bool stderr_stream = false;
  bool json = false;
  int poll_ms = 200;
};

bool IsTerminalState(const std::string& state) {
  return state == "COMPLETED" || state == "FAILED" || state == "CANCELLED" || state == "TIMEOUT" ||
         state == "OUT_OF_MEMORY";
}

int RunLogs(CommandContext& ctx, const LogsCommand& c) {
  auto id = ParseJobId(c.id);
  if (!id.ok()) return Fail(ctx, "logs", id.status());
  if (c.task < 0) return Fail(ctx, "logs", InvalidArgument("--task must be 0 or more"));
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "logs", client.status());
  const std::string path = "jobs/" + std::to_string(*id) + "/logs";
  int64_t offset = 0;
  std::string collected, state_seen;  // for --json
  if (c.json && c.follow)
    return Fail(ctx, "logs", InvalidArgument("--json and --follow exclude each other"));
  while (true) {
    auto r = client->GetRaw(path, {{"task", std::to_string(c.task)},
                                   {"stream", c.stderr_stream ? "stderr" : "stdout"},
                                   {"offset", std::to_string(offset)}});
    if (!r.ok()) return Fail(ctx, "logs", r.status());
    if (c.json) {
      collected += r->body;
      state_seen = r->Header("x-suanli-job-state");
    } else {
      ctx.out << r->body << std::flush;
    }
    int64_t next = offset + static_cast<int64_t>(r->body.size());
    std::string header = r->Header("x-suanli-next-offset");
    if (!header.empty()) {
      try {
        next = std::stoll(header);
      } catch (...) {
        return Fail(ctx, "logs", Internal("bad X-Suanli-Next-Offset header '" + header + "'"));
      }
    }
    bool advanced = next > offset;
    offset = next;
    if (advanced) continue;  // there may be more already: read until the server has nothing new
    if (c.json) {
      PrintJson(ctx, nlohmann::json{{"job_id", *id},
                                    {"task", c.task},
                                    {"stream", c.stderr_stream ? "stderr" : "stdout"},
                                    {"data", collected},
                                    {"next_offset", offset},
                                    {"state", state_seen.empty() ? nlohmann::json()
                                                                 : nlohmann::json(state_seen)}});
      return kExitOk;
    }
    if (!c.follow) return kExitOk;
    // Following: stop once the job has ended and everything it wrote has been read.
    std::string state = r->Header("x-suanli-job-state");
    if (IsTerminalState(state)) return kExitOk;
    if (state.empty() || state == "PREEMPTED" || state == "LOST") {
      // Whether these end the job depends on its requeue setting, which only the job object has.
      auto job = client->Get("jobs/" + std::to_string(*id));
      if (!job.ok()) return Fail(ctx, "logs", job.status());
      if (IsTerminal(*job)) return kExitOk;
    }
    std::this_thread::sleep_for(milliseconds(c.poll_ms));
  }
}

void RegisterLogs(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<LogsCommand>();
  auto* cmd = app.add_subcommand("logs", "print a job's output");
  AddConnectionFlags(cmd, &c->conn);
  cmd->add_option("id", c->id, "job id")->required();
  cmd->add_flag("--follow,-f", c->follow, "keep printing new output until the job ends");
  cmd->add_option("--task", c->task, "task index within a gang job (default 0)");
  cmd->add_flag("--stderr", c->stderr_stream, "print the error stream instead of standard output");
  cmd->add_flag("--json", c->json, "print {job_id, task, stream, data, next_offset, state}");
  cmd->add_option("--poll-ms", c->poll_ms, "how often --follow asks for new output")
      ->check(CLI::Range(10, 60000))
      ->group("");
  SetAction(cmd, ctx, [&ctx, c] { return RunLogs(ctx, *c); });
}

struct WaitCommand {
  ConnectionFlags conn;
  std::vector<std::string> ids;
  std::string timeout;
  bool json = false;
  bool quiet = false;
};

std::string DescribeEnd(const nlohmann::json& job) {
  std::string s = "job " + FormatScalar(job.value("id", nlohmann::json())) + " " +
                  FormatScalar(job.value("state", nlohmann::json()));
  if (job.contains("exit_code") && !job["exit_code"].is_null())
    s += " exit_code=" + FormatScalar(job["exit_code"]);
  if (job.contains("signal") && !job["signal"].is_null())
    s += " signal=" + FormatScalar(job["signal"]);
  if (job.value("state", "") != "COMPLETED" && job.contains("reason") &&
      job["reason"].is_string() && !job["reason"].get<std::string>().empty()) {
    s += " (" + job["reason"].get<std::string>() + ")";
  }
  return s;
}

int RunWait(CommandContext& ctx, const WaitCommand& c) {
  std::vector<int64_t> ids;
  for (const auto& text : c.ids) {
    auto id = ParseJobId(text);
    if (!id.ok()) return Fail(ctx, "wait", id.status());
    ids.push_back(*id);
  }
  auto deadline = std::chrono::steady_clock::time_point::max();
  if (!c.timeout.empty()) {
    auto seconds = ParseDurationSeconds(c.timeout);
    if (!seconds.ok())
      return Fail(ctx, "wait", InvalidArgument("--timeout: " + seconds.status().message()));
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*seconds);
  }
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "wait", client.status());
  std::vector<nlohmann::json> finished(ids.size());
  std::vector<bool> done(ids.size(), false);
  size_t remaining = ids.size();
  auto interval = milliseconds(20);  // quick first answers for short jobs, then back off to 1 s
  while (true) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (done[i]) continue;
      auto job = client->Get("jobs/" + std::to_string(ids[i]));
      if (!job.ok()) return Fail(ctx, "wait", job.status());
      if (IsTerminal(*job)) {
        done[i] = true;
        finished[i] = *job;
        --remaining;
        if (!c.json && !c.quiet) ctx.out << DescribeEnd(*job) << "\n" << std::flush;
      }
    }
    if (remaining == 0) break;
    if (std::chrono::steady_clock::now() + interval > deadline) {
      ctx.err << "suanli wait: timed out with " << remaining << " job(s) still running:";
      for (size_t i = 0; i < ids.size(); ++i) {
        if (!done[i]) ctx.err << " " << ids[i];
      }
      ctx.err << "\n";
      return kExitTimeout;
    }
    std::this_thread::sleep_for(interval);
    interval = std::min(interval * 2, milliseconds(1000));
  }
  int code = kExitOk;
  for (const auto& job : finished) {
    if (job.value("state", "") != "COMPLETED") code = kExitJobFailed;
  }
  if (c.json) PrintJson(ctx, nlohmann::json{{"jobs", finished}});
  return code;
}

void RegisterWait(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<WaitCommand>();
  auto* cmd =
      app.add_subcommand("wait", "wait until jobs end; fails (exit 6) unless all COMPLETED");
  AddConnectionFlags(cmd, &c->conn);
  cmd->add_option("ids", c->ids, "job ids")->required();
  cmd->add_option("--timeout", c->timeout, "give up after this long (exit 7), e.g. 10m");
  cmd->add_flag("--json", c->json, "print the final job objects");
  cmd->add_flag("--quiet,-q", c->quiet, "print nothing; only the exit code tells");
  SetAction(cmd, ctx, [&ctx, c] { return RunWait(ctx, *c); });
}

}  // namespace

void RegisterFollowCommands(CLI::App& app, CommandContext& ctx) {
  RegisterLogs(app, ctx);
  RegisterWait(app, ctx);
}

}  // namespace suanli::cli
