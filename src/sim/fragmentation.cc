#include "sim/fragmentation.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "adapter/ledger.h"

namespace suanli::sim {

namespace {

std::vector<size_t> ArrivalOrder(const Workload& pods, double target_milli, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t n = pods.jobs.size();
  // Every pod of the trace once, in a seeded random order (FGD shuffles the trace).
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  double total = 0;
  for (const auto& p : pods.jobs) total += static_cast<double>(p.accel_milli);
  if (total > target_milli) {
    // More demand than the target: drop pods at random until what is left fits under it.
    while (!order.empty() && total > target_milli) {
      const size_t k = rng() % order.size();
      total -= static_cast<double>(pods.jobs[order[k]].accel_milli);
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(k));
    }
    return order;
  }
  // Less: append pods sampled with replacement while the next one keeps demand within target.
  while (true) {
    const size_t k = rng() % n;
    const double next = total + static_cast<double>(pods.jobs[k].accel_milli);
    if (next > target_milli) break;
    total = next;
    order.push_back(k);
  }
  return order;
}

core::ClusterState GpuNodesOnly(const core::ClusterState& cluster) {
  core::ClusterState gpu;
  gpu.accel_types = cluster.accel_types;
  for (const auto& node : cluster.nodes) {
    if (!node.devices.empty()) gpu.nodes.push_back(node);
  }
  return gpu;
}

}  // namespace

Result<FragmentationRun> RunFragmentation(const Workload& pods, const core::ClusterState& cluster,
                                          core::PolicyConfig config, uint64_t seed,
                                          double target_arrived) {
  if (pods.jobs.empty()) return InvalidArgument("fragmentation run needs at least one pod");
  int64_t pod_demand = 0;
  for (const auto& p : pods.jobs) pod_demand += p.accel_milli;
  if (pod_demand == 0) return InvalidArgument("no pod in the trace asks for a GPU");
  config.seed = seed;
  config.explain_pending = false;
  SUANLI_ASSIGN_OR_RETURN(auto policy, core::MakePolicy(config));

  // FGD's simulator runs the openb pods on the cluster's GPU nodes only (its node list is the
  // GPU-node list): pods that ask for no GPU compete for those nodes' CPUs and memory.
  const core::ClusterState gpu_cluster = GpuNodesOnly(cluster);
  core::ClusterState state;
  state.accel_types = gpu_cluster.accel_types;
  state.nodes = gpu_cluster.nodes;
  state.tenants = pods.tenants;
  adapter::Ledger ledger(gpu_cluster);
  const double capacity = static_cast<double>(ledger.capacity_milli());
  if (capacity <= 0) return InvalidArgument("the cluster has no GPUs");
  const double target_milli = capacity * target_arrived;
  const int steps = static_cast<int>(std::floor(target_arrived * 100 + 1e-9));

  FragmentationRun run;
  run.seed = seed;
  run.alloc_pct_at.assign(static_cast<size_t>(steps) + 1, 0.0);
  double arrived = 0;
  int next_step = 1;  // alloc_pct_at[0] is the empty cluster
  for (size_t index : ArrivalOrder(pods, target_milli, seed)) {
    const SimJob& pod = pods.jobs[index];
    core::Job job = pod.job;
    job.id = run.pods_arrived + 1;
    job.submit_time = run.pods_arrived * 1000;
    job.queued_since = job.submit_time;
    ++run.pods_arrived;
    arrived += static_cast<double>(pod.accel_milli);
    state.jobs.push_back(std::move(job));
    core::CycleResult result = policy->Schedule(state, state.jobs.back().submit_time);
    bool placed = false;
    for (const auto& p : result.placements) {
      if (p.job != state.jobs.back().id) {
        return Internal("policy '" + config.name + "' placed job " + std::to_string(p.job) +
                        ", which is not pending");
      }
      std::vector<core::TaskAllocation> tasks;
      int64_t accel = 0, cpu = 0;
      SUANLI_RETURN_IF_ERROR(ledger.Reserve(
          state.jobs.back(), p, "policy '" + config.name + "' placed pod", &tasks, &accel, &cpu));
      core::Job& j = state.jobs.back();
      j.phase = core::JobPhase::kRunning;
      j.start_time = j.submit_time;
      j.shape_index = p.shape_index;
      j.allocation = std::move(tasks);
      placed = true;
    }
    if (!result.preemptions.empty()) {
      return FailedPrecondition("policy '" + config.name +
                                "' preempts; protocol C has no departures, use a non-preemptive "
                                "policy such as fifo");
    }
    if (placed) {
      ++run.pods_placed;
    } else {
      ++run.pods_failed;
      state.jobs.pop_back();
    }
    const double alloc_pct = 100.0 * static_cast<double>(ledger.allocated_milli()) / capacity;
    while (next_step <= steps && arrived >= capacity * next_step / 100.0) {
      run.alloc_pct_at[static_cast<size_t>(next_step++)] = alloc_pct;
    }
  }
  run.final_alloc_pct = 100.0 * static_cast<double>(ledger.allocated_milli()) / capacity;
  while (next_step <= steps)
    run.alloc_pct_at[static_cast<size_t>(next_step++)] = run.final_alloc_pct;
  return run;
}

FragmentationSummary SummarizeFragmentation(const std::string& label,
                                            std::vector<FragmentationRun> runs) {
  FragmentationSummary s;
  s.label = label;
  s.runs = std::move(runs);
  if (s.runs.empty()) return s;
  s.min_pct = s.max_pct = s.runs[0].final_alloc_pct;
  double sum = 0;
  size_t points = 0;
  for (const auto& r : s.runs) {
    sum += r.final_alloc_pct;
    s.min_pct = std::min(s.min_pct, r.final_alloc_pct);
    s.max_pct = std::max(s.max_pct, r.final_alloc_pct);
    points = std::max(points, r.alloc_pct_at.size());
  }
  s.mean_pct = sum / static_cast<double>(s.runs.size());
  s.mean_curve.assign(points, 0.0);
  for (const auto& r : s.runs) {
    for (size_t i = 0; i < r.alloc_pct_at.size(); ++i) s.mean_curve[i] += r.alloc_pct_at[i];
  }
  for (double& v : s.mean_curve) v /= static_cast<double>(s.runs.size());
  return s;
}

}  // namespace suanli::sim
