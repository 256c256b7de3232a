#include "cli/submit_request.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/units.h"

namespace suanli::cli {
namespace {

constexpr size_t kMaxScriptBytes = 512 * 1024;  // the API refuses bodies over 1 MiB

std::string BaseName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

Result<int64_t> ParseWholeNumber(const std::string& text, const std::string& flag, int64_t min) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || v < min) {
    return InvalidArgument("invalid " + flag + " '" + text + "': expected a whole number" +
                           (min > INT64_MIN ? " of at least " + std::to_string(min) : ""));
  }
  return v;
}

Result<nlohmann::json> BuildSubmitRequest(const SubmitFlags& flags, bool saw_double_dash) {
  nlohmann::json body = nlohmann::json::object();
  if (flags.positional.empty()) {
    return InvalidArgument(
        "nothing to run: give a command after `--` (suanli submit -- echo hi) or a "
        "script file (suanli submit job.sh)");
  }
  if (saw_double_dash) {
    body["command"] = flags.positional;
    body["name"] = BaseName(flags.positional[0]);
  } else {
    if (flags.positional.size() > 1) {
      return InvalidArgument("'" + flags.positional[0] +
                             "' is followed by more arguments: put `--` before a command "
                             "(suanli submit -- CMD ARGS...) or give a single script file");
    }
    const std::string& path = flags.positional[0];
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return InvalidArgument("script '" + path +
                             "' is not a readable file (to run a command, put `--` "
                             "before it: suanli submit -- " +
                             path + ")");
    }
    if (std::filesystem::file_size(path, ec) > kMaxScriptBytes) {
      return InvalidArgument("script '" + path + "' is larger than 512 KiB");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return InvalidArgument("cannot read script '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    body["script"] = ss.str();
    body["name"] = BaseName(path);
  }
  if (!flags.name.empty()) body["name"] = flags.name;
  if (!flags.tenant.empty()) body["tenant"] = flags.tenant;
  if (!flags.cpus.empty()) {
    SUANLI_ASSIGN_OR_RETURN(double cpus, ParseNonNegative(flags.cpus, "--cpus"));
    if (cpus <= 0)
      return InvalidArgument("invalid --cpus '" + flags.cpus + "': must be more than zero");
    body["cpus"] = cpus;
  }
  if (!flags.mem.empty()) {
    auto mb = ParseSizeMb(flags.mem);
    if (!mb.ok()) return InvalidArgument("--mem: " + mb.status().message());
    body["mem_mb"] = *mb;
  }
  if (!flags.gpus.empty()) {
    SUANLI_ASSIGN_OR_RETURN(double gpus, ParseNonNegative(flags.gpus, "--gpus"));
    if (gpus > 1 && std::fabs(gpus - std::round(gpus)) > 1e-9) {
      return InvalidArgument(
          "invalid --gpus '" + flags.gpus +
          "': more than one accelerator must be a whole number (a fraction below "
          "1 asks for a share of one device)");
    }
    body["gpus"] = gpus;
  }
  if (!flags.gpu_type.empty()) body["gpu_type"] = flags.gpu_type;
  if (!flags.nodes.empty()) {
    SUANLI_ASSIGN_OR_RETURN(int64_t tasks, ParseWholeNumber(flags.nodes, "--nodes", 1));
    body["tasks"] = tasks;
  }
  if (!flags.time.empty()) {
    auto seconds = ParseDurationSeconds(flags.time);
    if (!seconds.ok()) return InvalidArgument("--time: " + seconds.status().message());
    body["time_limit_s"] = *seconds;
  }
  if (!flags.priority.empty()) {
    SUANLI_ASSIGN_OR_RETURN(int64_t priority,
                            ParseWholeNumber(flags.priority, "--priority", INT64_MIN));
    body["priority"] = priority;
  }
  if (!flags.idempotency_key.empty()) body["idempotency_key"] = flags.idempotency_key;
  if (!flags.env.empty()) {
    nlohmann::json env = nlohmann::json::object();
    for (const auto& kv : flags.env) {
      auto parsed = ParseKeyValue(kv);
      if (!parsed.ok()) return InvalidArgument("--env: " + parsed.status().message());
      env[parsed->first] = parsed->second;
    }
    body["env"] = env;
  }
  if (flags.no_requeue) body["requeue"] = false;
  return body;
}

}  // namespace suanli::cli
