#include "core/capacity.h"

#include <algorithm>

#include "core/job_util.h"

namespace suanli::core {

int32_t Capacity::whole_free(int32_t n, AccelType t) const {
  const auto& wf = nodes_[n].whole_free;
  return t >= 0 && t < static_cast<AccelType>(wf.size()) ? wf[t] : 0;
}

void Capacity::Reset(const ClusterState& state, const std::vector<int32_t>* running) {
  logging_ = false;
  synced_ = false;
  undo_.clear();
  const auto num_types = static_cast<int32_t>(state.accel_types.size());
  nodes_.resize(state.nodes.size());
  by_type_.assign(num_types, TypeIndex{});
  schedulable_.clear();
  totals_.assign(kDimAccelBase + num_types, 0);
  for (size_t i = 0; i < state.nodes.size(); ++i) {
    const Node& node = state.nodes[i];
    NodeFree& nf = nodes_[i];
    nf.schedulable = node.schedulable;
    nf.switch_id = node.switch_id;
    nf.cpu_total = nf.cpu_free = node.cpu_milli;
    nf.mem_total = nf.mem_free = node.mem_mb;
    const size_t nd = node.devices.size();
    nf.dev_free.resize(nd);
    nf.dev_total.resize(nd);
    nf.dev_type.resize(nd);
    nf.dev_island.resize(nd);
    nf.whole_free.assign(num_types, 0);
    ++nf.version;
    for (size_t d = 0; d < nd; ++d) {
      const Device& dev = node.devices[d];
      const bool known = dev.type >= 0 && dev.type < num_types;
      nf.dev_type[d] = known ? dev.type : kNoAccel;
      nf.dev_total[d] = nf.dev_free[d] = known ? std::max<int64_t>(dev.total_milli, 0) : 0;
      nf.dev_island[d] = dev.island;
    }
  }
  // Running allocations, before the indexes exist (ApplyToNode leaves them alone).
  auto apply = [&](const Job& job) {
    if (job.phase != JobPhase::kRunning) return;
    for (const auto& task : job.allocation) ApplyToNode(task, -1, nullptr);
  };
  if (running) {
    for (int32_t i : *running) apply(state.jobs[i]);
  } else {
    for (const Job& job : state.jobs) apply(job);
  }
  // Indexes over schedulable nodes.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    NodeFree& nf = nodes_[i];
    if (!nf.schedulable) continue;
    const auto n = static_cast<int32_t>(i);
    schedulable_.push_back(n);
    totals_[kDimCpu] += nf.cpu_total;
    totals_[kDimMem] += nf.mem_total;
    std::vector<int32_t> per_type(num_types, 0);
    for (size_t d = 0; d < nf.dev_type.size(); ++d) {
      const AccelType t = nf.dev_type[d];
      if (t == kNoAccel) continue;
      ++per_type[t];
      by_type_[t].total_devices += 1;
      totals_[kDimAccelBase + t] += nf.dev_total[d];
      by_type_[t].free_milli += std::max<int64_t>(nf.dev_free[d], 0);
    }
    for (AccelType t = 0; t < num_types; ++t) {
      if (per_type[t] == 0) continue;
      TypeIndex& ti = by_type_[t];
      ti.nodes.push_back(n);
      ti.max_per_node = std::max(ti.max_per_node, per_type[t]);
    }
  }
  for (AccelType t = 0; t < num_types; ++t) {
    by_type_[t].buckets.assign(by_type_[t].max_per_node + 1, {});
  }
  for (int32_t n : schedulable_) {
    NodeFree& nf = nodes_[n];
    for (size_t d = 0; d < nf.dev_type.size(); ++d) {
      const AccelType t = nf.dev_type[d];
      if (t != kNoAccel && nf.dev_total[d] > 0 && nf.dev_free[d] >= nf.dev_total[d]) {
        ++nf.whole_free[t];
      }
    }
  }
  for (AccelType t = 0; t < num_types; ++t) {
    TypeIndex& ti = by_type_[t];
    for (int32_t n : ti.nodes) {
      const int32_t w = nodes_[n].whole_free[t];
      ti.buckets[w].insert(ti.buckets[w].end(), n);
      ti.free_whole += w;
    }
  }
}

void Capacity::SetWholeFree(int32_t n, AccelType t, int32_t count) {
  NodeFree& nf = nodes_[n];
  const int32_t old = nf.whole_free[t];
  if (old == count) return;
  nf.whole_free[t] = count;
  if (!nf.schedulable) return;
  TypeIndex& ti = by_type_[t];
  ti.buckets[old].erase(n);
  ti.buckets[count].insert(n);
  ti.free_whole += count - old;
}

void Capacity::Apply(const TaskAllocation& task, int sign) {
  if (logging_) undo_.emplace_back(task, sign);
  ApplyToNode(task, sign, this);
}

bool Capacity::SameNodes(const ClusterState& state) const {
  if (state.nodes.size() != nodes_.size() || by_type_.size() != state.accel_types.size()) {
    return false;
  }
  if (state.feed.stream != 0 && !state.feed.nodes_changed) return true;  // the feed's promise
  const auto num_types = static_cast<int32_t>(state.accel_types.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = state.nodes[i];
    const NodeFree& nf = nodes_[i];
    if (nf.schedulable != node.schedulable || nf.switch_id != node.switch_id ||
        nf.cpu_total != node.cpu_milli || nf.mem_total != node.mem_mb ||
        nf.dev_type.size() != node.devices.size()) {
      return false;
    }
    for (size_t d = 0; d < node.devices.size(); ++d) {
      const Device& dev = node.devices[d];
      const bool known = dev.type >= 0 && dev.type < num_types;
      if (nf.dev_type[d] != (known ? dev.type : kNoAccel) || nf.dev_island[d] != dev.island ||
          nf.dev_total[d] != (known ? std::max<int64_t>(dev.total_milli, 0) : 0)) {
        return false;
      }
    }
  }
  return true;
}

void Capacity::Sync(const ClusterState& state, const std::vector<int32_t>& running,
                    bool incremental) {
  // Back to the base: what the running jobs hold, without the previous cycle's decisions.
  logging_ = false;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it)
    ApplyToNode(it->first, -it->second, this);
  undo_.clear();
  auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::vector<JobDelta> changes;
  bool follow = incremental && synced_ && SameNodes(state);
  if (follow) {
    changes = UniqueChanges(state.feed);
    follow = FeedMatchesJobs(state, changes);
  }
  if (!follow) {
    Reset(state, &running);
    held_by_job_.clear();
    for (int32_t i : running) held_by_job_.emplace_back(state.jobs[i].id, state.jobs[i].allocation);
    std::sort(held_by_job_.begin(), held_by_job_.end(), by_id);
    synced_ = true;
  } else {
    std::vector<std::pair<JobId, std::vector<TaskAllocation>>> added;
    for (const JobDelta& d : changes) {
      auto it = std::lower_bound(held_by_job_.begin(), held_by_job_.end(),
                                 std::make_pair(d.id, std::vector<TaskAllocation>{}), by_id);
      if (it != held_by_job_.end() && it->first == d.id) {
        for (const auto& task : it->second) ApplyToNode(task, +1, this);
        it->second.clear();  // dropped below
      }
      if (d.index < 0) continue;
      const Job& job = state.jobs[d.index];
      if (job.phase != JobPhase::kRunning) continue;
      for (const auto& task : job.allocation) ApplyToNode(task, -1, this);
      added.emplace_back(job.id, job.allocation);
    }
    std::erase_if(held_by_job_, [](const auto& h) { return h.second.empty(); });
    for (auto& a : added) {
      if (a.second.empty()) continue;
      auto it = std::lower_bound(held_by_job_.begin(), held_by_job_.end(), a, by_id);
      held_by_job_.insert(it, std::move(a));
    }
  }
  logging_ = true;
}

void Capacity::ApplyToNode(const TaskAllocation& task, int sign, Capacity* index) {
  if (task.node < 0 || task.node >= num_nodes()) return;
  NodeFree& nf = nodes_[task.node];
  nf.cpu_free += sign * task.res.cpu_milli;
  nf.mem_free += sign * task.res.mem_mb;
  ++nf.version;
  if (task.devices.empty() || task.res.accel_milli <= 0) return;
  const int64_t share = task.res.accel_milli / static_cast<int64_t>(task.devices.size());
  // Whole-free counts move once per type at the end, so the node is re-indexed once, not once
  // per device.
  AccelType changed_type = kNoAccel;
  int32_t whole_delta = 0;
  for (int32_t d : task.devices) {
    if (d < 0 || d >= static_cast<int32_t>(nf.dev_free.size())) continue;
    const AccelType t = nf.dev_type[d];
    const bool was_whole = nf.dev_total[d] > 0 && nf.dev_free[d] >= nf.dev_total[d];
    nf.dev_free[d] += sign * share;
    if (t == kNoAccel || index == nullptr) continue;
    const bool is_whole = nf.dev_total[d] > 0 && nf.dev_free[d] >= nf.dev_total[d];
    if (nf.schedulable) by_type_[t].free_milli += sign * share;
    if (was_whole == is_whole) continue;
    if (t != changed_type && whole_delta != 0) {  // a task spanning types (unusual): flush
      SetWholeFree(task.node, changed_type, nf.whole_free[changed_type] + whole_delta);
      whole_delta = 0;
    }
    changed_type = t;
    whole_delta += is_whole ? 1 : -1;
  }
  if (whole_delta != 0) {
    SetWholeFree(task.node, changed_type, nf.whole_free[changed_type] + whole_delta);
  }
}

}  // namespace suanli::core
