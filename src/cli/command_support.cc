#include "cli/command_support.h"

#include <charconv>
#include <chrono>
#include <ostream>

namespace suanli::cli {

void AddConnectionFlags(CLI::App* cmd, ConnectionFlags* flags) {
  cmd->add_option("--url", flags->url, "controller address (default: $SUANLI_URL, then ./data/url)")
      ->group("Connection");
  cmd->add_option("--token", flags->token,
                  "API token (default: $SUANLI_TOKEN, then ./data/admin.token)")
      ->group("Connection");
  cmd->add_option("--data-dir", flags->data_dir,
                  "read url and admin.token from this `suanli up` data dir")
      ->group("Connection");
}

int Fail(CommandContext& ctx, const std::string& command, const Status& status) {
  ctx.err << "suanli " << command << ": " << status.message() << "\n";
  return ExitCodeFor(status);
}

Result<ApiClient> Connect(const CommandContext& ctx, const ConnectionFlags& flags) {
  SUANLI_ASSIGN_OR_RETURN(Connection c, ResolveConnection(flags, ctx.env));
  return ApiClient(std::move(c));
}

void PrintJson(CommandContext& ctx, const nlohmann::json& j) { ctx.out << j.dump(2) << "\n"; }

Result<int64_t> ParseJobId(const std::string& text) {
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
    return InvalidArgument("invalid job id '" + text + "': expected a positive whole number");
  }
  return id;
}

bool IsTerminal(const nlohmann::json& job) {
  std::string state = job.value("state", "");
  if (state == "COMPLETED" || state == "FAILED" || state == "CANCELLED" || state == "TIMEOUT" ||
      state == "OUT_OF_MEMORY") {
    return true;
  }
  if (state == "PREEMPTED" || state == "LOST") {
    return !(job.contains("requeue") && job["requeue"].is_boolean() && job["requeue"].get<bool>());
  }
  return false;
}

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace suanli::cli
