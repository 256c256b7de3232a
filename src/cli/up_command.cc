// `suanli up`: the controller and a local agent in one process, for a lab machine or a laptop.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>

#include "agent/agent.h"
#include "cli/commands.h"
#include "cli/units.h"
#include "server/command.h"
#include "server/federation_join.h"
#include "server/server.h"

namespace suanli::cli {
namespace {

// Ctrl-C/SIGTERM wake the main thread through a pipe (a handler may only do async-signal-safe
// work). A second signal while stopping exits at once, for a stop that hangs.
int g_wake_pipe[2] = {-1, -1};
std::atomic<int> g_stop_signals{0};

void OnStopSignal(int) {
  if (g_stop_signals.fetch_add(1) >= 1) _exit(130);
  char c = 's';
  (void)!write(g_wake_pipe[1], &c, 1);
}

struct UpCommand {
  std::string data_dir = "data";
  std::string store;
  std::string listen = "127.0.0.1:8080";
  std::string accelerators;
  std::string policy = "default";
  std::string node_timeout = "10s";
  uint32_t max_array_size = 10001;
  std::string node_name;
  std::string cpus;
  std::string mem;
  std::string web_dir;
  bool no_agent = false;
  server::ApiLimitFlags limits;
  server::FederationFlags federation;
};

// "nvidia-a100:8,ascend-910b:4": every item TYPE:N with N a positive whole number.
Status CheckAccelerators(const std::string& text) {
  if (text.empty()) return Status::Ok();
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t colon = item.rfind(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < item.size();
    if (ok) {
      for (size_t i = colon + 1; i < item.size(); ++i)
        ok = ok && std::isdigit(static_cast<unsigned char>(item[i]));
      ok = ok && std::stoll(item.substr(colon + 1)) > 0;
    }
    if (!ok) {
      return InvalidArgument("invalid --accelerators item '" + item +
                             "': expected TYPE:N, e.g. nvidia-a100:8,ascend-910b:4");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Status::Ok();
}

int RunUp(CommandContext& ctx, const UpCommand& c) {
  auto fail = [&](const Status& s) { return Fail(ctx, "up", s); };
  if (Status s = CheckAccelerators(c.accelerators); !s.ok()) return fail(s);
  auto timeout_ms = ParseDurationMs(c.node_timeout);
  if (!timeout_ms.ok())
    return fail(InvalidArgument("--node-timeout: " + timeout_ms.status().message()));
  agent::AgentOptions agent_options;
  if (!c.cpus.empty()) {
    auto cpus = ParseNonNegative(c.cpus, "--cpus");
    if (!cpus.ok()) return fail(cpus.status());
    agent_options.cpus = *cpus;
  }
  if (!c.mem.empty()) {
    auto mb = ParseSizeMb(c.mem);
    if (!mb.ok()) return fail(InvalidArgument("--mem: " + mb.status().message()));
    agent_options.mem_mb = *mb;
  }
  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec)
    return fail(InvalidArgument("cannot create data dir '" + c.data_dir + "': " + ec.message()));
  std::string data_dir = std::filesystem::absolute(c.data_dir, ec).lexically_normal().string();
  while (data_dir.size() > 1 && data_dir.back() == '/') data_dir.pop_back();

  if (pipe(g_wake_pipe) != 0) return fail(Internal("cannot create the signal pipe"));
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  server::ServerOptions server_options;
  server_options.data_dir = data_dir;
  server_options.store_uri = c.store;
  server_options.listen = c.listen;
  server_options.web_dir = c.web_dir;
  server_options.node_timeout_ms = *timeout_ms;
  server_options.policy = c.policy;
  server_options.max_array_tasks = c.max_array_size;
  if (Status st = server::ApplyApiLimitFlags(c.limits, &server_options); !st.ok()) return fail(st);
  auto server = server::Server::Start(server_options);
  if (!server.ok()) {
    return fail(Status(server.status().code(),
                       "cannot start the controller: " + server.status().message()));
  }

  std::unique_ptr<agent::Agent> agent;
  const bool standby = !(*server)->leading();
  if (!c.no_agent && standby) {
    ctx.err << "suanli up: another controller leads this store; this one stands by and takes "
               "over when it stops. The local agent is not started (start agents with "
               "`suanli agent --url LEADER,STANDBY`).\n";
  }
  if (!c.no_agent && !standby) {
    agent_options.server_url = (*server)->url();
    agent_options.join_token = (*server)->join_token();
    agent_options.name = c.node_name;
    agent_options.accelerators = c.accelerators;
    agent_options.work_dir = data_dir + "/agent-work";
    auto started = agent::Agent::Start(agent_options);
    if (!started.ok()) {
      (*server)->Stop();
      return fail(Status(started.status().code(),
                         "cannot start the local agent: " + started.status().message()));
    }
    agent = std::move(started).value();
  }

  int64_t interval_ms = -1;
  if (auto ms = ParseDurationMs(c.federation.interval); ms.ok()) interval_ms = *ms;
  auto reporter =
      server::StartFederationReporter(c.federation, interval_ms, **server, server_options);
  if (!reporter.ok()) {
    if (agent) agent->Stop();
    (*server)->Stop();
    return fail(reporter.status());
  }

  const std::string url = (*server)->url();
  const std::string token_path = (*server)->admin_token_path();
  ctx.out << "Suanli is up (data in " << data_dir << ")\n"
          << "  API:          " << url << "/api/v1\n"
          << "  Dashboard:    " << url << "/\n"
          << "  Admin token:  " << token_path << "\n"
          << "  Role:         " << (standby ? "standby (another controller leads)" : "leader")
          << "\n"
          << "  Local agent:  " << (agent ? "running" : "not started")
          << (c.accelerators.empty() ? "" : ", declared accelerators " + c.accelerators) << "\n"
          << (c.federation.given() ? "  Federation:   center " + c.federation.center + " (" +
                                         c.federation.region + ") reporting to " +
                                         c.federation.broker_url + "\n"
                                   : "")
          << "Use the CLI:\n"
          << "  export SUANLI_URL=" << url << " SUANLI_TOKEN=$(cat " << token_path << ")\n"
          << "  suanli submit -- echo hello && suanli queue --all\n"
          << "Press Ctrl-C to stop; running `suanli up` again resumes the same state.\n"
          << std::flush;

  char buf;
  while (read(g_wake_pipe[0], &buf, 1) < 0 && errno == EINTR) {
  }
  ctx.err << "suanli up: stopping\n" << std::flush;
  auto stop_start = std::chrono::steady_clock::now();
  if (*reporter) (*reporter)->Stop();
  // The controller first: that ends the agent's long poll at once instead of after its timeout.
  // The agent's running jobs keep running and are re-attached when `up` starts again.
  (*server)->Stop();
  if (agent) agent->Stop();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - stop_start);
  ctx.err << "suanli up: stopped cleanly in " << stop_ms.count() << " ms\n" << std::flush;
  return kExitOk;
}

// Everything about the controller (the rest configures the local agent).
void AddControllerOptions(CLI::App* cmd, UpCommand* c) {
  cmd->add_option("--data-dir", c->data_dir,
                  "state: SQLite store, logs, tokens, url (default ./data)");
  cmd->add_option("--store", c->store,
                  "where jobs, tenants and accounting live: sqlite:PATH (default "
                  "DATA_DIR/suanli.db) or postgresql://USER@HOST:PORT/DB");
  cmd->add_option("--listen", c->listen,
                  "HOST:PORT for the API and dashboard; port 0 picks a free one");
  cmd->add_option("--policy", c->policy, "scheduling policy (default: default)");
  cmd->add_option("--node-timeout", c->node_timeout,
                  "a silent node is DOWN after this long (default 10s)");
  cmd->add_option("--web-dir", c->web_dir,
                  "dashboard assets (default: beside the binary or source tree)");
  cmd->add_option("--max-array-size", c->max_array_size,
                  "most tasks in one job array, and one more than its highest index "
                  "(Slurm's MaxArraySize; default 10001)")
      ->check(CLI::Range(1u, 4000000u));
  server::AddApiLimitOptions(cmd, &c->limits);
  server::AddFederationOptions(cmd, &c->federation);
}

}  // namespace

void RegisterUpCommand(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<UpCommand>();
  auto* cmd = app.add_subcommand("up", "start the controller and a local agent in one process");
  AddControllerOptions(cmd, c.get());
  cmd->add_option("--accelerators", c->accelerators,
                  "declare accelerators beside the discovered ones: TYPE:N[,TYPE:N]");
  cmd->add_option("--node-name", c->node_name, "the local node's name (default: hostname)");
  cmd->add_option("--cpus", c->cpus, "CPUs the local agent offers (default: all)");
  cmd->add_option("--mem", c->mem, "memory the local agent offers, e.g. 16G (default: all)");
  cmd->add_flag("--no-agent", c->no_agent, "start the controller only");
  SetAction(cmd, ctx, [&ctx, c] { return RunUp(ctx, *c); });
}

}  // namespace suanli::cli
