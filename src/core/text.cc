#include "core/text.h"

#include <cmath>

namespace suanli::core {

std::string MilliText(int64_t milli) {
  std::string out = milli < 0 ? "-" : "";
  const int64_t abs = milli < 0 ? -milli : milli;
  out += std::to_string(abs / 1000);
  int64_t frac = abs % 1000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 3 - digits.size(), '0');
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

std::string OneDecimal(double value) {
  const int64_t tenths = static_cast<int64_t>(std::llround(value * 10.0));
  return MilliText(tenths * 100);
}

std::string RoughDuration(Time ms) {
  if (ms < 0) ms = 0;
  const double s = static_cast<double>(ms) / 1000.0;
  if (s < 90) return "~" + std::to_string(static_cast<int64_t>(std::llround(s))) + " s";
  if (s < 90 * 60) return "~" + std::to_string(static_cast<int64_t>(std::llround(s / 60))) + " min";
  if (s < 48 * 3600) return "~" + OneDecimal(s / 3600) + " h";
  return "~" + OneDecimal(s / 86400) + " d";
}

std::string TypeName(const ClusterState& state, AccelType type) {
  if (type >= 0 && type < static_cast<AccelType>(state.accel_types.size())) {
    return state.accel_types[type];
  }
  return "accelerator";
}

std::string TaskAskText(const ClusterState& state, const Resources& per_task, AccelType type) {
  if (per_task.accel_milli > 0) {
    return MilliText(per_task.accel_milli) + " × " + TypeName(state, type);
  }
  return MilliText(per_task.cpu_milli) + " cpus";
}

std::string ShapeAskText(const ClusterState& state, const Shape& shape, AccelType type) {
  std::string ask = TaskAskText(state, shape.per_task, type);
  if (shape.tasks <= 1) return ask;
  return std::to_string(shape.tasks) + " tasks × " + ask;
}

std::string PendingInfo::Reason(Time now) const {
  std::string text;
  text.reserve((words ? words->size() : 0) + 64);
  if (words) text = *words;
  if (ahead > 0) {
    text.append("; behind ").append(std::to_string(ahead)).append(" higher-ranked job");
    if (ahead > 1) text.push_back('s');
  }
  switch (start) {
    case Start::kReserved:
      text.append("; reserved start in ").append(RoughDuration(est_start - now));
      break;
    case Start::kReservedUnknown:
      text.append(
          "; next in line: resources are being reserved for it (running jobs have no time limit, "
          "so no start time can be promised)");
      break;
    case Start::kEstimate:
      if (est_start != kUnknownTime) {
        text.append("; estimated start in ").append(RoughDuration(est_start - now));
      }
      break;
  }
  return text;
}

}  // namespace suanli::core
