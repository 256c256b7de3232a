#pragma once
// A job with several shapes (`--shape`): the words that explain which one the scheduler chose,
// the environment that tells the job, and the wall-clock limit of the chosen shape.
#include <cstdint>
#include <map>
#include <string>

#include "core/model.h"
#include "store/records.h"

namespace suanli::server {

// The spec's shape `index` (0 = main ask); the main ask when out of range.
const store::ShapeSpec& ShapeAt(const store::JobSpec& spec, int32_t index);

// "shape 1 (4 tasks × 2 gpus nvidia-a100, 512 GiB, speed 0.55)".
std::string ShapeLabel(const store::JobSpec& spec, int32_t index);

// Why `p` (a placement at `now`, ms) took its shape, e.g. "shape 1 (...): finishes in ~1.8 h
// (by its time limit at speed 0.55); shape 0 (...) would start in ~2 h and finish in ~3 h".
// Empty for a job with one shape.
std::string ShapeChoiceText(const store::JobSpec& spec, const core::Placement& p, core::Time now);

// What a task of a job running on shape `index` is told: SUANLI_SHAPE (the index),
// SUANLI_SHAPES (how many there are), SUANLI_SHAPE_GPUS, _CPUS, _MEM_MB, _TASKS, _SPEED,
// _GPU_TYPE. Empty for a job with one shape.
std::map<std::string, std::string> ShapeEnv(const store::JobSpec& spec, int32_t index);

// The declared limit is the work at speed 1 (the main shape); a shape at speed s may run
// limit / s of wall-clock time (rounded up), as the scheduler's finish estimates assume.
// 0 when there is no limit.
int64_t ShapeTimeLimitS(const store::JobSpec& spec, int32_t index);

}  // namespace suanli::server
