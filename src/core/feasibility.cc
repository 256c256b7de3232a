// Admission: can some shape of a job ever fit the cluster when it is empty?
#include <algorithm>
#include <limits>
#include <string>

#include "core/job_util.h"
#include "core/policy.h"
#include "core/text.h"

namespace suanli::core {
namespace {

// Why `shape` can never run on `state`, or "" when it can (on some accepted type).
std::string ShapeProblem(const ClusterState& state, const Job& job, const Shape& shape) {
  const Resources& r = shape.per_task;
  if (shape.tasks <= 0) return "asks for " + std::to_string(shape.tasks) + " tasks";
  if (r.cpu_milli < 0 || r.mem_mb < 0 || r.accel_milli < 0) return "asks for negative resources";
  if (r.accel_milli > kMilliPerDevice && r.accel_milli % kMilliPerDevice != 0) {
    return "asks " + MilliText(r.accel_milli) +
           " accelerators per task; above one device the count must be whole";
  }
  if (!(shape.speed > 0)) return "has a shape with speed " + std::to_string(shape.speed);
  const std::vector<AccelType> types = CandidateTypes(state, job, shape);
  if (r.accel_milli > 0 && types.empty()) {
    return state.accel_types.empty() ? "asks for accelerators but the cluster has none"
                                     : "asks for an accelerator type the cluster does not have";
  }
  std::string first_problem;
  for (AccelType t : types) {
    // The largest node for this type: most devices, then most cpu and memory, per node.
    int64_t best_devices = 0, best_cpu = 0, best_mem = 0, best_device_milli = 0;
    bool fits = false;
    int64_t nodes_fitting = 0;
    for (const Node& node : state.nodes) {
      int64_t devices = 0, device_milli = 0;
      for (const Device& d : node.devices) {
        if (d.type == t) {
          ++devices;
          device_milli = std::max(device_milli, d.total_milli);
        }
      }
      best_devices = std::max(best_devices, devices);
      best_device_milli = std::max(best_device_milli, device_milli);
      best_cpu = std::max(best_cpu, node.cpu_milli);
      best_mem = std::max(best_mem, node.mem_mb);
      const bool accel_ok =
          t == kNoAccel || (IsFractional(r) ? device_milli >= r.accel_milli
                                            : devices * kMilliPerDevice >= r.accel_milli &&
                                                  device_milli >= kMilliPerDevice);
      if (accel_ok && node.cpu_milli >= r.cpu_milli && node.mem_mb >= r.mem_mb) {
        fits = true;
        ++nodes_fitting;
      }
    }
    if (fits && nodes_fitting * 1 >= 1) {
      // A gang of N tasks also needs N task slots across the cluster when empty.
      int64_t slots = 0;
      for (const Node& node : state.nodes) {
        int64_t s = std::numeric_limits<int64_t>::max();
        if (r.cpu_milli > 0) s = std::min(s, node.cpu_milli / r.cpu_milli);
        if (r.mem_mb > 0) s = std::min(s, node.mem_mb / r.mem_mb);
        if (t != kNoAccel) {
          int64_t dev_slots = 0;
          if (IsFractional(r)) {
            for (const Device& d : node.devices) {
              if (d.type == t) dev_slots += d.total_milli / r.accel_milli;
            }
          } else {
            int64_t whole = 0;
            for (const Device& d : node.devices)
              whole += d.type == t && d.total_milli >= kMilliPerDevice;
            dev_slots = whole / DevicesPerTask(r);
          }
          s = std::min(s, dev_slots);
        }
        if (s == std::numeric_limits<int64_t>::max()) s = shape.tasks;  // asks nothing per task
        slots += s;
        if (slots >= shape.tasks) return "";
      }
      if (first_problem.empty()) {
        first_problem = "asks " + std::to_string(shape.tasks) + " tasks of " +
                        TaskAskText(state, r, t) + " but the whole cluster holds only " +
                        std::to_string(slots);
      }
      continue;
    }
    if (!first_problem.empty()) continue;
    if (t != kNoAccel && !IsFractional(r) && best_devices * kMilliPerDevice < r.accel_milli) {
      first_problem = "asks " + MilliText(r.accel_milli) + " × " + TypeName(state, t) +
                      " per task but the largest node has " + std::to_string(best_devices) + " × " +
                      TypeName(state, t);
    } else if (t != kNoAccel && IsFractional(r) && best_device_milli < r.accel_milli) {
      first_problem = "asks " + MilliText(r.accel_milli) + " of one " + TypeName(state, t) +
                      " but the largest such device has " + MilliText(best_device_milli);
    } else if (best_cpu < r.cpu_milli) {
      first_problem = "asks " + MilliText(r.cpu_milli) +
                      " cpus per task but the largest node has " + MilliText(best_cpu) + " cpus";
    } else if (best_mem < r.mem_mb) {
      first_problem = "asks " + std::to_string(r.mem_mb) +
                      " MB of memory per task but the largest node has " +
                      std::to_string(best_mem) + " MB";
    } else {
      first_problem = "asks " + TaskAskText(state, r, t) + " with " + MilliText(r.cpu_milli) +
                      " cpus and " + std::to_string(r.mem_mb) +
                      " MB per task, which no single node has together";
    }
  }
  return first_problem;
}

}  // namespace

Status CheckFeasible(const ClusterState& state, const Job& job) {
  if (job.shapes.empty()) return InvalidArgument("job asks for no resource shape");
  if (job.tenant >= static_cast<int32_t>(state.tenants.size())) {
    return InvalidArgument("job names tenant index " + std::to_string(job.tenant) +
                           ", which does not exist");
  }
  if (job.time_limit < 0) return InvalidArgument("time limit must not be negative");
  for (const auto& [t, speed] : job.type_speed) {
    if (!(speed > 0)) return InvalidArgument("speed factor for an accelerator type must be > 0");
  }
  std::string problem;
  for (const Shape& shape : job.shapes) {
    std::string p = ShapeProblem(state, job, shape);
    if (p.empty()) return Status::Ok();
    if (problem.empty()) problem = std::move(p);
  }
  return InvalidArgument(problem);
}

int32_t FirstImpossibleShape(const ClusterState& state, const Job& job, std::string* problem) {
  for (size_t i = 0; i < job.shapes.size(); ++i) {
    std::string p = ShapeProblem(state, job, job.shapes[i]);
    if (!p.empty()) {
      if (problem) *problem = std::move(p);
      return static_cast<int32_t>(i);
    }
  }
  return -1;
}

}  // namespace suanli::core
