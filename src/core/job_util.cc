#include "core/job_util.h"

#include <algorithm>

namespace suanli::core {

int32_t DevicesPerTask(const Resources& per_task) {
  if (per_task.accel_milli <= 0) return 0;
  if (per_task.accel_milli < kMilliPerDevice) return 1;
  return static_cast<int32_t>((per_task.accel_milli + kMilliPerDevice - 1) / kMilliPerDevice);
}

double TypeSpeed(const Job& job, AccelType type) {
  for (const auto& [t, speed] : job.type_speed) {
    if (t == type) return speed;
  }
  return 1.0;
}

std::vector<AccelType> CandidateTypes(const ClusterState& state, const Job& job,
                                      const Shape& shape) {
  if (shape.per_task.accel_milli <= 0) return {kNoAccel};
  std::vector<AccelType> types;
  const auto n = static_cast<AccelType>(state.accel_types.size());
  if (shape.accel_types.empty()) {
    for (AccelType t = 0; t < n; ++t) types.push_back(t);
  } else {
    for (AccelType t : shape.accel_types) {
      if (t >= 0 && t < n && std::find(types.begin(), types.end(), t) == types.end()) {
        types.push_back(t);
      }
    }
  }
  std::stable_sort(types.begin(), types.end(), [&](AccelType a, AccelType b) {
    const double sa = TypeSpeed(job, a), sb = TypeSpeed(job, b);
    if (sa != sb) return sa > sb;
    return a < b;
  });
  return types;
}

double HeldDevices(const Job& job) {
  double accel = 0, cpus = 0;
  for (const auto& task : job.allocation) {
    accel += static_cast<double>(task.res.accel_milli) / kMilliPerDevice;
    cpus += static_cast<double>(task.res.cpu_milli) / 1000.0;
  }
  return accel > 0 ? accel : cpus;
}

double ShapeDevices(const Shape& shape) {
  const double per_task = shape.per_task.accel_milli > 0
                              ? static_cast<double>(shape.per_task.accel_milli) / kMilliPerDevice
                              : static_cast<double>(shape.per_task.cpu_milli) / 1000.0;
  return per_task * std::max(shape.tasks, 1);
}

std::vector<JobDelta> UniqueChanges(const JobFeed& feed) {
  std::vector<JobDelta> changes = feed.changes;
  std::stable_sort(changes.begin(), changes.end(),
                   [](const JobDelta& a, const JobDelta& b) { return a.id < b.id; });
  std::vector<JobDelta> unique;
  for (const JobDelta& d : changes) {
    if (!unique.empty() && unique.back().id == d.id) {
      unique.back() = d;
    } else {
      unique.push_back(d);
    }
  }
  return unique;
}

bool FeedMatchesJobs(const ClusterState& state, const std::vector<JobDelta>& unique) {
  const auto num_jobs = static_cast<int32_t>(state.jobs.size());
  auto by_id = [](const JobDelta& d, JobId id) { return d.id < id; };
  for (const JobDelta& d : state.feed.changes) {
    if (d.index < 0) continue;
    if (d.index >= num_jobs || state.jobs[d.index].id != d.id) return false;
    // It is there, so a last word that it was removed is wrong.
    auto last = std::lower_bound(unique.begin(), unique.end(), d.id, by_id);
    if (last != unique.end() && last->id == d.id && last->index < 0) return false;
  }
  return true;
}

}  // namespace suanli::core
