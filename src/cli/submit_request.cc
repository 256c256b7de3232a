#include "cli/submit_request.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/command_support.h"
#include "cli/slurm/support.h"
#include "cli/units.h"
#include "slurm/filename_pattern.h"

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

namespace {

Result<double> ParseGpus(const std::string& text, const std::string& what) {
  SUANLI_ASSIGN_OR_RETURN(double gpus, ParseNonNegative(text, what));
  if (gpus > 1 && std::fabs(gpus - std::round(gpus)) > 1e-9) {
    return InvalidArgument("invalid " + what + " '" + text +
                           "': more than one accelerator must be a whole number (a fraction "
                           "below 1 asks for a share of one device)");
  }
  return gpus;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

Result<nlohmann::json> ParseShape(const std::string& text, const std::string& what) {
  nlohmann::json shape = nlohmann::json::object();
  if (Trim(text).empty()) {
    return InvalidArgument(what + " is empty (example: --shape gpus=4,mem=512G,speed=0.55)");
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    const std::string item =
        Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return InvalidArgument(what + " '" + text + "': '" + item +
                             "' is not KEY=VALUE (keys: gpus, gpu-type, cpus, mem, nodes, speed)");
    }
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    const std::string at = what + " " + key;
    if (key == "gpus") {
      SUANLI_ASSIGN_OR_RETURN(double gpus, ParseGpus(value, at));
      shape["gpus"] = gpus;
    } else if (key == "gpu-type" || key == "gpu_type") {
      shape["gpu_type"] = value;
    } else if (key == "cpus") {
      SUANLI_ASSIGN_OR_RETURN(double cpus, ParseNonNegative(value, at));
      if (cpus <= 0)
        return InvalidArgument("invalid " + at + " '" + value + "': must be more than zero");
      shape["cpus"] = cpus;
    } else if (key == "mem") {
      auto mb = ParseSizeMb(value);
      if (!mb.ok()) return InvalidArgument(at + ": " + mb.status().message());
      shape["mem_mb"] = *mb;
    } else if (key == "nodes" || key == "tasks") {
      SUANLI_ASSIGN_OR_RETURN(int64_t tasks, ParseWholeNumber(value, at, 1));
      shape["tasks"] = tasks;
    } else if (key == "speed") {
      SUANLI_ASSIGN_OR_RETURN(double speed, ParseNonNegative(value, at));
      if (speed <= 0)
        return InvalidArgument("invalid " + at + " '" + value + "': must be more than zero");
      shape["speed"] = speed;
    } else {
      return InvalidArgument(what + " '" + text + "': unknown key '" + key +
                             "' (keys: gpus, gpu-type, cpus, mem, nodes, speed)");
    }
  }
  return shape;
}

Result<std::vector<std::string>> ScriptShapeDirectives(const std::string& script) {
  std::vector<std::string> shapes;
  std::istringstream in(script);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = Trim(line);
    if (t.empty()) continue;
    if (t[0] != '#') break;  // the header ends at the first command
    if (t.rfind("#SUANLI", 0) != 0) continue;
    const std::string rest = Trim(t.substr(7));
    std::string value;
    if (rest.rfind("--shape=", 0) == 0) {
      value = Trim(rest.substr(8));
    } else if (rest.rfind("--shape", 0) == 0 && rest.size() > 7 &&
               (rest[7] == ' ' || rest[7] == '\t')) {
      value = Trim(rest.substr(8));
    } else {
      return InvalidArgument("script line " + std::to_string(number) + ": '" + t +
                             "': #SUANLI takes only --shape VALUE");
    }
    if (value.empty()) {
      return InvalidArgument("script line " + std::to_string(number) + ": --shape needs a value");
    }
    shapes.push_back(value);
  }
  return shapes;
}

Result<nlohmann::json> BuildSubmitRequest(const SubmitFlags& flags, bool saw_double_dash,
                                          const slurm::BeginClock* clock) {
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
    SUANLI_ASSIGN_OR_RETURN(double gpus, ParseGpus(flags.gpus, "--gpus"));
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
  // Arrays and dependencies are checked by the server against its limits and its jobs.
  if (!flags.array.empty()) body["array"] = flags.array;
  if (!flags.dependency.empty()) body["dependency"] = flags.dependency;
  if (!flags.signal.empty()) {
    // Checked here so that a typo is named as the flag, before anything is sent.
    auto sig = slurm::ParseSignalSpec(flags.signal);
    if (!sig.ok()) return InvalidArgument("--signal: " + sig.status().message());
    body["signal"] = slurm::FormatSignalSpec(sig->number, sig->seconds, sig->batch_only);
  }
  if (!flags.begin.empty()) {
    const slurm::BeginClock local = clock ? *clock : slurm_cmd::LocalClock();
    auto at = slurm::ParseBeginTime(flags.begin, local);
    if (!at.ok()) return InvalidArgument("--begin: " + at.status().message());
    body["begin_time"] = *at;
  }
  if (flags.hold) body["hold"] = true;
  if (!flags.chdir.empty()) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(flags.chdir, ec);
    if (ec) return InvalidArgument("--chdir '" + flags.chdir + "': " + ec.message());
    body["workdir"] = dir.lexically_normal().string();
  }
  if (!flags.output.empty() || !flags.error.empty()) {
    // A relative name is in the job's working directory (--chdir, else here), as sbatch has it.
    std::error_code ec;
    std::string dir = body.contains("workdir") ? body["workdir"].get<std::string>()
                                               : std::filesystem::current_path(ec).string();
    if (!flags.output.empty()) body["output"] = slurm::AbsoluteFilenamePattern(flags.output, dir);
    if (!flags.error.empty()) body["error"] = slurm::AbsoluteFilenamePattern(flags.error, dir);
  }
  if (!flags.open_mode.empty()) {
    if (flags.open_mode != "append" && flags.open_mode != "truncate")
      return InvalidArgument("--open-mode '" + flags.open_mode + "': append or truncate");
    if (flags.output.empty() && flags.error.empty())
      return InvalidArgument("--open-mode needs --output or --error: there is no file to open");
    body["open_mode"] = flags.open_mode;
  }
  std::vector<std::string> shapes = flags.shapes;
  std::string origin = "--shape";
  if (shapes.empty() && body.contains("script")) {
    SUANLI_ASSIGN_OR_RETURN(shapes, ScriptShapeDirectives(body["script"].get<std::string>()));
    origin = "#SUANLI --shape";
  }
  if (shapes.size() > 17) {
    return InvalidArgument("at most 17 " + origin + " values (the main ask and 16 alternatives)");
  }
  nlohmann::json alternatives = nlohmann::json::array();
  for (size_t i = 0; i < shapes.size(); ++i) {
    SUANLI_ASSIGN_OR_RETURN(nlohmann::json shape,
                            ParseShape(shapes[i], origin + " " + std::to_string(i)));
    if (i > 0) {
      alternatives.push_back(std::move(shape));
      continue;
    }
    // The first shape is the main ask: it runs at speed 1, the others relative to it.
    if (shape.contains("speed") && shape["speed"].get<double>() != 1.0) {
      return InvalidArgument(origin + " 0 '" + shapes[0] +
                             "' is the main ask and runs at speed 1; give speed= to the "
                             "alternatives after it");
    }
    shape.erase("speed");
    for (auto& [k, v] : shape.items()) body[k] = v;
  }
  if (!alternatives.empty()) body["shapes"] = alternatives;
  if (!flags.objective.empty()) {
    if (flags.objective != "earliest" && flags.objective != "cheapest" &&
        flags.objective != "greenest") {
      return InvalidArgument("--objective must be earliest, cheapest or greenest, got '" +
                             flags.objective + "'");
    }
    body["objective"] = flags.objective;
  }
  if (!flags.deadline.empty()) {
    auto ms = ParseDurationMs(flags.deadline);
    if (!ms.ok() || *ms <= 0) {
      return InvalidArgument("--deadline must be a positive duration from now like 6h, got '" +
                             flags.deadline + "'");
    }
    // Unix seconds: the broker compares it with each center's estimated finish.
    body["deadline"] = std::floor(NowSeconds() + static_cast<double>(*ms) / 1000.0);
  }
  if (!flags.max_price.empty()) {
    double v = -1;
    auto [end, ec] = std::from_chars(flags.max_price.data(),
                                     flags.max_price.data() + flags.max_price.size(), v);
    if (ec != std::errc() || end != flags.max_price.data() + flags.max_price.size() || v <= 0) {
      return InvalidArgument("--max-price must be a positive number, got '" + flags.max_price +
                             "'");
    }
    body["max_price"] = v;
  }
  return body;
}

}  // namespace suanli::cli
