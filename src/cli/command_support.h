#pragma once
// What every client subcommand shares: where output goes, the connection flags, error reporting.
#include <CLI/CLI.hpp>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "cli/api_client.h"
#include "cli/connection.h"
#include "cli/exit_codes.h"

namespace suanli::cli {

// One run of the CLI. Commands write to out/err (not std::cout) so tests can capture them, and
// leave their exit code here for Main to return.
struct CommandContext {
  std::ostream& out;
  std::ostream& err;
  EnvLookup env = RealEnv;
  bool saw_double_dash = false;  // argv held "--": `submit` treats what follows as the command
  int exit_code = kExitOk;
  std::istream* in = nullptr;  // what `sbatch` reads a script from when given none; null: stdin
};

// Adds --url, --token and --data-dir to a client subcommand.
void AddConnectionFlags(CLI::App* cmd, ConnectionFlags* flags);

// Prints "suanli <command>: <message>" on err and returns the exit code for the status.
int Fail(CommandContext& ctx, const std::string& command, const Status& status);

// Resolves the connection (flags, env, data dir) into a client.
Result<ApiClient> Connect(const CommandContext& ctx, const ConnectionFlags& flags);

// Pretty JSON on out, for --json.
void PrintJson(CommandContext& ctx, const nlohmann::json& j);

// Runs `body` as the subcommand's action, catching nothing: bodies return exit codes, never throw.
template <typename Fn>
void SetAction(CLI::App* cmd, CommandContext& ctx, Fn body) {
  cmd->callback([&ctx, body] { ctx.exit_code = body(); });
}

// "7" -> 7; anything else is a usage error naming the text.
Result<int64_t> ParseJobId(const std::string& text);

// States after which a job never runs again (PREEMPTED/LOST only when the job is not requeued).
bool IsTerminal(const nlohmann::json& job);

// Unix seconds now (the CLI is an adapter: it may read the wall clock).
double NowSeconds();

}  // namespace suanli::cli
