#pragma once
// Questions about jobs and shapes that several parts of the core ask.
#include <cstdint>
#include <vector>

#include "core/model.h"

namespace suanli::core {

// Devices one task occupies: whole asks use accel_milli / 1000 devices, a fractional ask one
// device.
int32_t DevicesPerTask(const Resources& per_task);
inline bool IsFractional(const Resources& r) {
  return r.accel_milli > 0 && r.accel_milli < kMilliPerDevice;
}

// The speed factor the job declared for `type` (1.0 when absent).
double TypeSpeed(const Job& job, AccelType type);

// Accelerator types `shape` accepts in `state`, fastest first for `job` (stable by type index).
// {kNoAccel} when the shape needs no accelerator.
std::vector<AccelType> CandidateTypes(const ClusterState& state, const Job& job,
                                      const Shape& shape);

// Devices (whole-device equivalents) the job holds in its current allocation, or cpus when it
// holds no accelerator; used to turn attained service into time.
double HeldDevices(const Job& job);

// Whole-device equivalents asked by a shape (tasks × accel), or cpus when it needs none.
double ShapeDevices(const Shape& shape);

// The jobs a feed names, each once (the last mention wins), by ascending id.
std::vector<JobDelta> UniqueChanges(const JobFeed& feed);
// False when state.feed contradicts state.jobs, so it cannot be followed: a change names an index
// that does not hold its job, or a job named at its index is named as removed afterwards.
// `unique` is UniqueChanges(state.feed).
bool FeedMatchesJobs(const ClusterState& state, const std::vector<JobDelta>& unique);

// When the job last became pending.
inline Time QueuedSince(const Job& job) {
  return job.queued_since == kUnknownTime ? job.submit_time : job.queued_since;
}

}  // namespace suanli::core
