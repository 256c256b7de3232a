#include "adapter/ledger.h"

#include <algorithm>
#include <tuple>

#include "core/fair_share.h"

namespace suanli::adapter {

Ledger::Ledger(const core::ClusterState& cluster) : accel_types_(cluster.accel_types) {
  dims_ = core::kDimAccelBase + cluster.accel_types.size();
  cpu_free_.resize(cluster.nodes.size());
  mem_free_.resize(cluster.nodes.size());
  dev_free_.resize(cluster.nodes.size());
  device_total_.resize(cluster.nodes.size());
  for (size_t n = 0; n < cluster.nodes.size(); ++n) {
    const core::Node& node = cluster.nodes[n];
    NodeInfo info{node.name, node.schedulable, {}};
    cpu_free_[n] = node.cpu_milli;
    mem_free_[n] = node.mem_mb;
    for (const auto& d : node.devices) {
      dev_free_[n].push_back(d.total_milli);
      device_total_[n].push_back(d.total_milli);
      info.device_type.push_back(d.type);
      if (node.schedulable) capacity_milli_ += d.total_milli;
    }
    nodes_.push_back(std::move(info));
  }
  for (const auto& t : cluster.tenants) {
    tenants_.push_back({t.name, t.parent, t.limit, t.accel_hour_budget, t.accel_hours_used,
                        core::DimVector(dims_, 0)});
  }
}

void Ledger::SetSchedulable(int32_t node, bool schedulable) {
  if (node < 0 || static_cast<size_t>(node) >= nodes_.size()) return;
  NodeInfo& info = nodes_[node];
  if (info.schedulable == schedulable) return;
  info.schedulable = schedulable;
  int64_t total = 0;
  for (size_t d = 0; d < info.device_type.size(); ++d) total += device_total_[node][d];
  capacity_milli_ += schedulable ? total : -total;
}

void Ledger::UpdateTenants(const std::vector<core::Tenant>& tenants) {
  for (size_t i = 0; i < tenants.size() && i < tenants_.size(); ++i) {
    tenants_[i].limit = tenants[i].limit;
    tenants_[i].budget = tenants[i].accel_hour_budget;
    tenants_[i].used_hours = tenants[i].accel_hours_used;
  }
}

std::vector<int32_t> Ledger::PathOf(int32_t tenant) const {
  std::vector<int32_t> path;
  for (int32_t t = tenant;
       t >= 0 && t < static_cast<int32_t>(tenants_.size()) && path.size() <= tenants_.size();
       t = tenants_[t].parent) {
    path.push_back(t);
  }
  return path;
}

Status Ledger::CheckTenant(const core::Job& job, const std::vector<core::TaskAllocation>& tasks,
                           const std::string& who) const {
  const core::DimVector ask = core::AskOf(tasks, dims_);
  for (int32_t t : PathOf(job.tenant)) {
    const TenantInfo& ten = tenants_[t];
    if (ten.budget >= 0 && ten.used_hours >= ten.budget) {
      return Internal(who + " although tenant '" + ten.name + "' has used its budget (" +
                      std::to_string(ten.used_hours) + " of " + std::to_string(ten.budget) +
                      " accelerator-hours)");
    }
    for (size_t d = 0; d < ask.size() && d < ten.limit.size(); ++d) {
      if (ask[d] <= 0 || ten.limit[d] < 0 || ten.held[d] + ask[d] <= ten.limit[d]) continue;
      const std::string dim = d == core::kDimCpu ? "cpu milli"
                              : d == core::kDimMem
                                  ? "memory MB"
                                  : accel_types_[d - core::kDimAccelBase] + " milli";
      return Internal(who + " past tenant '" + ten.name + "''s limit of " +
                      std::to_string(ten.limit[d]) + " " + dim + " (it holds " +
                      std::to_string(ten.held[d]) + ", the job asks " + std::to_string(ask[d]) +
                      ")");
    }
  }
  return Status::Ok();
}

void Ledger::Charge(int32_t tenant, const std::vector<core::TaskAllocation>& tasks, int sign) {
  const core::DimVector ask = core::AskOf(tasks, dims_);
  for (int32_t t : PathOf(tenant)) {
    for (size_t d = 0; d < ask.size(); ++d) tenants_[t].held[d] += sign * ask[d];
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
    if (task.node < 0 || task.node >= static_cast<int32_t>(nodes_.size()) ||
        !nodes_[task.node].schedulable) {
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
    const auto& types = nodes_[task.node].device_type;
    for (int32_t d : task.devices) {
      if (d < 0 || d >= static_cast<int32_t>(types.size())) {
        return Internal(who + " on missing device " + std::to_string(d) + " of node " +
                        nodes_[task.node].name);
      }
      if (!shape.accel_types.empty() &&
          std::find(shape.accel_types.begin(), shape.accel_types.end(), types[d]) ==
              shape.accel_types.end()) {
        return Internal(who + " on a " + accel_types_[types[d]] +
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
      return Internal(who + " on node " + nodes_[node].name + " beyond its free cpu or memory");
    }
  }
  for (const auto& [node, dev, milli] : dev_take) {
    int64_t sum = 0;
    for (const auto& [n2, d2, m2] : dev_take) {
      if (n2 == node && d2 == dev) sum += m2;
    }
    if (sum > dev_free_[node][dev]) {
      return Internal(who + " on device " + std::to_string(dev) + " of node " + nodes_[node].name +
                      " beyond its free share");
    }
  }
  SUANLI_RETURN_IF_ERROR(CheckTenant(job, tasks, who));
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
  Charge(job.tenant, tasks, +1);
  *out_tasks = std::move(tasks);
  *out_accel = accel;
  *out_cpu = cpu;
  return Status::Ok();
}

void Ledger::Hold(const core::Job& running) {
  Apply(running.allocation, -1);
  Charge(running.tenant, running.allocation, +1);
}

void Ledger::Release(const core::Job& job) {
  Apply(job.allocation, +1);
  Charge(job.tenant, job.allocation, -1);
}

// sign -1 takes, +1 gives back. Indices were checked when the allocation was reserved; a held
// allocation from a snapshot may name a node that is gone, and is skipped.
void Ledger::Apply(const std::vector<core::TaskAllocation>& tasks, int sign) {
  for (const auto& task : tasks) {
    if (task.node < 0 || task.node >= static_cast<int32_t>(nodes_.size())) continue;
    cpu_free_[task.node] += sign * task.res.cpu_milli;
    mem_free_[task.node] += sign * task.res.mem_mb;
    if (task.devices.empty()) continue;
    const int64_t share = task.res.accel_milli / static_cast<int64_t>(task.devices.size());
    for (int32_t d : task.devices) {
      if (d >= 0 && d < static_cast<int32_t>(dev_free_[task.node].size())) {
        dev_free_[task.node][d] += sign * share;
      }
    }
    allocated_milli_ -= sign * task.res.accel_milli;
  }
}

}  // namespace suanli::adapter
