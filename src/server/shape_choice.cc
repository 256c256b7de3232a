#include "server/shape_choice.h"

#include <cmath>

#include <fmt/format.h>

#include "core/text.h"

namespace suanli::server {

const store::ShapeSpec& ShapeAt(const store::JobSpec& spec, int32_t index) {
  if (index <= 0 || index > static_cast<int32_t>(spec.shapes.size())) return spec.main;
  return spec.shapes[static_cast<size_t>(index - 1)];
}

std::string ShapeLabel(const store::JobSpec& spec, int32_t index) {
  const store::ShapeSpec& s = ShapeAt(spec, index);
  std::string ask;
  if (s.tasks != 1) ask += fmt::format("{} tasks × ", s.tasks);
  if (s.gpus > 0) {
    ask += fmt::format("{} gpus", s.gpus);
    if (s.gpu_type != "any" && !s.gpu_type.empty()) ask += " " + s.gpu_type;
  } else {
    ask += fmt::format("{} cpus", s.cpus);
  }
  ask += fmt::format(", {} MiB, speed {}", s.mem_mb, s.speed);
  return fmt::format("shape {} ({})", index, ask);
}

std::string ShapeChoiceText(const store::JobSpec& spec, const core::Placement& p,
                            core::Time now) {
  if (spec.shapes.empty()) return "";
  const std::string chosen = ShapeLabel(spec, p.shape_index);
  if (p.shape_index == p.fastest_shape) return chosen + ": the fastest shape, and it fits now";
  const std::string fastest = ShapeLabel(spec, p.fastest_shape);
  if (p.fastest_over_quota) {
    return chosen + ": " + fastest + " would pass a tenant limit, so it starts now on this one";
  }
  if (!p.compared) {
    if (spec.time_limit_s <= 0) {
      return chosen + ": " + fastest +
             " does not fit now, and without a time limit the finishes cannot be compared, so "
             "it starts now on this one";
    }
    return chosen + ": " + fastest +
           " does not fit now and running jobs declare no time limits, so when it could start is "
           "unknown; it starts now on this one";
  }
  const double work_ms = static_cast<double>(spec.time_limit_s) * 1000.0;
  const double speed = ShapeAt(spec, p.shape_index).speed;
  const double fastest_speed = ShapeAt(spec, p.fastest_shape).speed;
  const auto finish = static_cast<core::Time>(work_ms / speed);
  const core::Time wait = p.fastest_start - now;
  const auto fastest_finish = static_cast<core::Time>(static_cast<double>(wait) +
                                                      work_ms / fastest_speed);
  return fmt::format(
      "{}: starting now it finishes in {} (its {} s time limit at speed {}); {} would start in "
      "{} and finish in {}",
      chosen, core::RoughDuration(finish), spec.time_limit_s, speed, fastest,
      core::RoughDuration(wait), core::RoughDuration(fastest_finish));
}

std::map<std::string, std::string> ShapeEnv(const store::JobSpec& spec, int32_t index) {
  std::map<std::string, std::string> env;
  if (spec.shapes.empty()) return env;
  const store::ShapeSpec& s = ShapeAt(spec, index);
  env["SUANLI_SHAPE"] = std::to_string(index);
  env["SUANLI_SHAPES"] = std::to_string(spec.shapes.size() + 1);
  env["SUANLI_SHAPE_TASKS"] = std::to_string(s.tasks);
  env["SUANLI_SHAPE_GPUS"] = fmt::format("{}", s.gpus);
  env["SUANLI_SHAPE_GPU_TYPE"] = s.gpu_type;
  env["SUANLI_SHAPE_CPUS"] = fmt::format("{}", s.cpus);
  env["SUANLI_SHAPE_MEM_MB"] = std::to_string(s.mem_mb);
  env["SUANLI_SHAPE_SPEED"] = fmt::format("{}", s.speed);
  return env;
}

int64_t ShapeTimeLimitS(const store::JobSpec& spec, int32_t index) {
  if (spec.time_limit_s <= 0) return 0;
  const double speed = ShapeAt(spec, index).speed;
  if (!(speed > 0) || speed >= 1.0) return spec.time_limit_s;
  return static_cast<int64_t>(std::ceil(static_cast<double>(spec.time_limit_s) / speed - 1e-9));
}

}  // namespace suanli::server
