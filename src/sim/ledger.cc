#include "sim/ledger.h"

#include <algorithm>
#include <tuple>

namespace suanli::sim {

Ledger::Ledger(const core::ClusterState& cluster) : cluster_(cluster) {
  cpu_free_.resize(cluster.nodes.size());
  mem_free_.resize(cluster.nodes.size());
  dev_free_.resize(cluster.nodes.size());
  for (size_t n = 0; n < cluster.nodes.size(); ++n) {
    const core::Node& node = cluster.nodes[n];
    cpu_free_[n] = node.cpu_milli;
    mem_free_[n] = node.mem_mb;
    for (const auto& d : node.devices) {
      dev_free_[n].push_back(d.total_milli);
      if (node.schedulable) capacity_milli_ += d.total_milli;
    }
  }
}

Status Ledger::Reserve(const core::Job& job, const core::Placement& p, const std::string& who,
                       std::vector<core::TaskAllocation>* out_tasks, int64_t* out_accel,
                       int64_t* out_cpu) {
  if (p.shape_index < 0 || p.shape_index >= static_cast<int32_t>(job.shapes.size())) {
    return Internal(who + " with shape " + std::to_string(p.shape_index) + " of " +
                    std::to_string(job.shapes.size()));
  }
  const core::Shape& shape = job.shapes[p.shape_index];
  if (static_cast<int32_t>(p.tasks.size()) != shape.tasks) {
    return Internal(who + " with " + std::to_string(p.tasks.size()) + " tasks, shape has " +
                    std::to_string(shape.tasks));
  }
  std::vector<core::TaskAllocation> tasks = p.tasks;
  std::vector<std::tuple<int32_t, int64_t, int64_t>> node_take;  // node, cpu, mem
  std::vector<std::tuple<int32_t, int32_t, int64_t>> dev_take;   // node, device, milli
  for (auto& task : tasks) {
    if (task.res.cpu_milli == 0 && task.res.mem_mb == 0 && task.res.accel_milli == 0) {
      task.res = shape.per_task;
    }
    if (task.node < 0 || task.node >= static_cast<int32_t>(cluster_.nodes.size()) ||
        !cluster_.nodes[task.node].schedulable) {
      return Internal(who + " on node index " + std::to_string(task.node) +
                      ", which does not exist or is not schedulable");
    }
    if (task.res.accel_milli < shape.per_task.accel_milli ||
        task.res.cpu_milli < shape.per_task.cpu_milli || task.res.mem_mb < shape.per_task.mem_mb) {
      return Internal(who + " with less than its shape asks for");
    }
    node_take.emplace_back(task.node, task.res.cpu_milli, task.res.mem_mb);
    if (task.res.accel_milli == 0) continue;
    if (task.devices.empty()) return Internal(who + " with accelerators but no devices");
    const int64_t n = static_cast<int64_t>(task.devices.size());
    if (task.res.accel_milli % n != 0) {
      return Internal(who + ": " + std::to_string(task.res.accel_milli) +
                      " milli-devices do not split evenly over " + std::to_string(n) + " devices");
    }
    const auto& devs = cluster_.nodes[task.node].devices;
    for (int32_t d : task.devices) {
      if (d < 0 || d >= static_cast<int32_t>(devs.size())) {
        return Internal(who + " on missing device " + std::to_string(d) + " of node " +
                        cluster_.nodes[task.node].name);
      }
      if (!shape.accel_types.empty() &&
          std::find(shape.accel_types.begin(), shape.accel_types.end(), devs[d].type) ==
              shape.accel_types.end()) {
        return Internal(who + " on a " + cluster_.accel_types[devs[d].type] +
                        " device, a type the job does not accept");
      }
      dev_take.emplace_back(task.node, d, task.res.accel_milli / n);
    }
  }
  // A gang may put several tasks on one node: compare sums, not single tasks.
  for (const auto& [node, cpu, mem] : node_take) {
    int64_t cpu_sum = 0, mem_sum = 0;
    for (const auto& [n2, c2, m2] : node_take) {
      if (n2 == node) cpu_sum += c2, mem_sum += m2;
    }
    if (cpu_sum > cpu_free_[node] || mem_sum > mem_free_[node]) {
      return Internal(who + " on node " + cluster_.nodes[node].name +
                      " beyond its free cpu or memory");
    }
  }
  for (const auto& [node, dev, milli] : dev_take) {
    int64_t sum = 0;
    for (const auto& [n2, d2, m2] : dev_take) {
      if (n2 == node && d2 == dev) sum += m2;
    }
    if (sum > dev_free_[node][dev]) {
      return Internal(who + " on device " + std::to_string(dev) + " of node " +
                      cluster_.nodes[node].name + " beyond its free share");
    }
  }
  int64_t accel = 0, cpu = 0;
  for (const auto& [node, c, m] : node_take) {
    cpu_free_[node] -= c;
    mem_free_[node] -= m;
    cpu += c;
  }
  for (const auto& [node, dev, milli] : dev_take) {
    dev_free_[node][dev] -= milli;
    accel += milli;
  }
  allocated_milli_ += accel;
  *out_tasks = std::move(tasks);
  *out_accel = accel;
  *out_cpu = cpu;
  return Status::Ok();
}

void Ledger::Release(const std::vector<core::TaskAllocation>& tasks) {
  for (const auto& task : tasks) {
    cpu_free_[task.node] += task.res.cpu_milli;
    mem_free_[task.node] += task.res.mem_mb;
    if (task.devices.empty()) continue;
    const int64_t share = task.res.accel_milli / static_cast<int64_t>(task.devices.size());
    for (int32_t d : task.devices) dev_free_[task.node][d] += share;
    allocated_milli_ -= task.res.accel_milli;
  }
}

}  // namespace suanli::sim
