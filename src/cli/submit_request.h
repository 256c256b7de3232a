#pragma once
// Turns `suanli submit` flags into the POST /jobs body (docs/api.md), checking units locally so a
// typo is reported before anything reaches the server.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "slurm/begin_time.h"
#include "slurm/option_values.h"

namespace suanli::cli {

struct SubmitFlags {
  std::string tenant;
  std::string cpus;      // number, e.g. "0.5"
  std::string mem;       // size, e.g. "32G"
  std::string gpus;      // number per task; below 1 asks for a share of one device
  std::string gpu_type;  // "nvidia-a100", "nvidia-a100|nvidia-h100" or "any"
  std::string nodes;     // gang size (tasks)
  std::string time;      // duration, e.g. "2h"
  std::string name;
  std::string priority;
  std::string idempotency_key;
  std::vector<std::string> env;  // K=V
  // Alternative shapes, "gpus=8" then "gpus=4,mem=512G,speed=0.55": the first is the main ask
  // (over the flags above), the others alternatives. Keys: gpus, gpu-type, cpus, mem, nodes,
  // speed. A script's `#SUANLI --shape ...` header lines are used when no --shape is given.
  std::vector<std::string> shapes;
  bool no_requeue = false;
  // What must happen before it starts, in Slurm's syntax (docs/api.md "Arrays, dependencies"):
  std::string array;       // "0-99%4": one job per index, at most 4 running at once
  std::string dependency;  // "afterok:12,singleton"
  std::string begin;       // "now+1hour", "16:00", "2026-12-24T08:00"
  std::string signal;      // "B:USR1@120": sent that many seconds before the time limit
  std::string output;      // "logs/%x-%j.out": the job writes its stdout (and stderr) there
  std::string error;       // its stderr there
  std::string open_mode;   // "append" | "truncate" (the default)
  bool hold = false;       // pending until `suanli release`
  std::string chdir;       // the tasks' working directory (made absolute here)
  // For a federation broker (docs/federation.md); a center refuses them as unknown fields.
  std::string objective;  // earliest | cheapest | greenest
  std::string deadline;   // finish within this from now, e.g. 6h
  std::string max_price;  // total cost cap
  std::vector<std::string> positional;  // the command after `--`, or a script path
};

// `text` as a whole number of at least `min`; else an error naming `flag`.
Result<int64_t> ParseWholeNumber(const std::string& text, const std::string& flag, int64_t min);

// saw_double_dash: the positionals came after `--` and are the command to run; otherwise exactly
// one positional must name a script file, whose text is sent as "script".
// `clock` reads --begin (local time of day and dates); null = this machine's clock and zone.
Result<nlohmann::json> BuildSubmitRequest(const SubmitFlags& flags, bool saw_double_dash,
                                          const slurm::BeginClock* clock = nullptr);

// One --shape value as the API's shape object (only the keys given), e.g. "gpus=4,mem=512G,
// speed=0.55" -> {"gpus":4,"mem_mb":524288,"speed":0.55}. `what` names it in errors.
Result<nlohmann::json> ParseShape(const std::string& text, const std::string& what);

// The `#SUANLI --shape VALUE` (or `--shape=VALUE`) lines of a script's header: the comment lines
// before its first command. Any other `#SUANLI` option is refused, naming its line.
Result<std::vector<std::string>> ScriptShapeDirectives(const std::string& script);

}  // namespace suanli::cli
