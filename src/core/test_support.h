#pragma once
// Builders for small scheduling scenarios in the core's tests (header only, pure data).
#include <string>
#include <utility>
#include <vector>

#include "core/job_queue.h"
#include "core/model.h"

namespace suanli::core::testing {

inline constexpr Time kSec = 1000;
inline constexpr Time kMin = 60 * kSec;
inline constexpr Time kHourMs = 60 * kMin;

// A cluster of `nodes` nodes with `devices` accelerators of each type in `types` order
// (one type per node, assigned round-robin), `islands` islands per node.
inline ClusterState MakeCluster(int nodes, int devices,
                                std::vector<std::string> types = {"nvidia-a100"}, int islands = 1,
                                int nodes_per_switch = 1000) {
  ClusterState s;
  s.accel_types = std::move(types);
  for (int n = 0; n < nodes; ++n) {
    Node node;
    node.name = "node-" + std::to_string(n);
    node.switch_id = n / nodes_per_switch;
    node.cpu_milli = 64000;
    node.mem_mb = 512 * 1024;
    for (int d = 0; d < devices; ++d) {
      Device dev;
      dev.type = static_cast<AccelType>(n % s.accel_types.size());
      dev.island = d * islands / devices;
      node.devices.push_back(dev);
    }
    s.nodes.push_back(std::move(node));
  }
  s.tenants.push_back(Tenant{.name = "default"});
  return s;
}

inline Job MakeJob(JobId id, int64_t accel_milli, int32_t tasks = 1, Time submit = 0,
                   int32_t tenant = 0) {
  Job j;
  j.id = id;
  j.tenant = tenant;
  j.user = "u";
  j.submit_time = submit;
  Shape s;
  s.tasks = tasks;
  s.per_task.accel_milli = accel_milli;
  s.per_task.cpu_milli = 1000;
  s.per_task.mem_mb = 1024;
  j.shapes.push_back(s);
  return j;
}

// Marks `job` running on `node` with the given devices (whole devices unless `milli` given).
inline Job Running(Job job, int32_t node, std::vector<int32_t> devices, Time start,
                   int64_t milli = -1, AccelType type = 0) {
  job.phase = JobPhase::kRunning;
  job.start_time = start;
  TaskAllocation t;
  t.node = node;
  t.devices = std::move(devices);
  t.res = job.shapes[0].per_task;
  t.res.accel_milli = milli >= 0 ? milli : static_cast<int64_t>(t.devices.size()) * kMilliPerDevice;
  t.type = type;
  job.allocation.assign(1, t);
  return job;
}

inline const PendingInfo* FindPending(const CycleResult& r, JobId id) {
  for (const auto& p : r.pending) {
    if (p.job == id) return &p;
  }
  return nullptr;
}

inline const Placement* FindPlacement(const CycleResult& r, JobId id) {
  for (const auto& p : r.placements) {
    if (p.job == id) return &p;
  }
  return nullptr;
}

// Queue rules for tests: submission order, ranks that never change with time.
inline JobQueue::Rules SubmitOrder(bool bucket_per_tenant = false) {
  JobQueue::Rules rules;
  rules.rank = [](const Job& job, Time) {
    QueueRank r;
    r.time = job.submit_time;
    r.id = job.id;
    return r;
  };
  rules.next_change = [](const Job&, Time) { return kUnknownTime; };
  rules.bucket_per_tenant = bucket_per_tenant;
  return rules;
}

}  // namespace suanli::core::testing
