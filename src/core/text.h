#pragma once
// Small formatting helpers for the core's user-facing reasons. The core may not use <cstdio> or
// streams (core_purity_test), so numbers are written by hand here.
#include <cstdint>
#include <string>

#include "core/model.h"

namespace suanli::core {

// 2000 -> "2", 500 -> "0.5", 1250 -> "1.25" (thousandths of a device, trailing zeros dropped).
std::string MilliText(int64_t milli);

// A double with one decimal: 12.345 -> "12.3".
std::string OneDecimal(double value);

// A rough duration a user reads: "~40 s", "~40 min", "~3.5 h", "~2.1 d".
std::string RoughDuration(Time ms);

// "2 × nvidia-a100", "0.5 × nvidia-a100", "4 cpus" for one task's ask of `type`.
std::string TaskAskText(const ClusterState& state, const Resources& per_task, AccelType type);

// The whole gang: "2 × nvidia-a100" for one task, "4 tasks × 8 × nvidia-a100" for gangs.
std::string ShapeAskText(const ClusterState& state, const Shape& shape, AccelType type);

// Name of an accelerator type, "accelerator" when out of range.
std::string TypeName(const ClusterState& state, AccelType type);

}  // namespace suanli::core
