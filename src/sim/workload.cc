#include "sim/workload.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/policy.h"
#include "sim/cluster_spec.h"
#include "sim/csv.h"

namespace suanli::sim {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::vector<std::string> SplitTypes(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t pos = s.find('|', start);
    std::string part = s.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end()) out.push_back(part);
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

// Most devices any node has among the acceptable types (all types when `types` is empty).
int64_t LargestNodeDevices(const core::ClusterState& c, const std::vector<core::AccelType>& types) {
  int64_t best = 0;
  for (const auto& n : c.nodes) {
    int64_t count = 0;
    for (const auto& d : n.devices) {
      if (types.empty() || std::find(types.begin(), types.end(), d.type) != types.end()) ++count;
    }
    best = std::max(best, count);
  }
  return best;
}

}  // namespace

double StableUnit(uint64_t seed, const std::string& name) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a, then mixed with the seed
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ULL;
  return static_cast<double>(SplitMix64(h ^ SplitMix64(seed)) >> 11) * 0x1.0p-53;
}

bool InWindow(const std::string& wallclock, const std::string& start, const std::string& end) {
  if (!start.empty() && wallclock.compare(0, start.size(), start) < 0) return false;
  if (!end.empty() && wallclock.compare(0, end.size(), end) > 0) return false;
  return true;
}

Result<std::map<std::string, double>> ParseTenantWeights(const std::string& spec) {
  std::map<std::string, double> weights;
  std::error_code ec;
  if (std::filesystem::is_regular_file(spec, ec)) {
    SUANLI_ASSIGN_OR_RETURN(auto lines, ReadLines(spec));
    SUANLI_ASSIGN_OR_RETURN(auto vcs, ParseVcPartitions(lines, spec));
    for (const auto& vc : vcs) weights[vc.vc] = vc.nodes * vc.gpus_per_node;
    return weights;
  }
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = item.find('=');
    auto w = eq == std::string::npos ? std::nullopt : ParseDouble(item.substr(eq + 1));
    if (eq == 0 || !w || *w <= 0) {
      return InvalidArgument("tenant weight '" + item +
                             "' is not NAME=WEIGHT with a positive weight (or a vc,nodes file)");
    }
    weights[item.substr(0, eq)] = *w;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (weights.empty()) return InvalidArgument("tenant weights '" + spec + "' name no tenant");
  return weights;
}

FilteredTrace FilterTrace(const Trace& trace, const TraceFilter& filter) {
  FilteredTrace out;
  out.trace.source = trace.source;
  out.trace.data_rows = trace.data_rows;
  out.trace.bad_rows = trace.bad_rows;
  out.trace.never_ran = trace.never_ran;
  for (const TraceJob& row : trace.jobs) {
    if (!InWindow(row.submit_wallclock, filter.window_start, filter.window_end)) {
      ++out.outside_window;
    } else if (filter.limit_jobs > 0 &&
               static_cast<int64_t>(out.trace.jobs.size()) >= filter.limit_jobs) {
      ++out.beyond_limit;
    } else {
      out.trace.jobs.push_back(row);
    }
  }
  return out;
}

Result<Workload> BuildWorkload(const Trace& trace, const core::ClusterState& cluster,
                               const WorkloadOptions& options) {
  if (options.flexible_fraction < 0 || options.flexible_fraction > 1) {
    return InvalidArgument("flexible fraction must be in [0, 1]");
  }
  if (options.flexible_speed <= 0 || options.flexible_speed > 1) {
    return InvalidArgument("flexible speed must be in (0, 1]");
  }
  Workload w;
  // Tenants in name order, so indices do not depend on row order.
  std::map<std::string, int32_t> tenant_index;
  if (!options.tenant_names.empty()) {
    for (const auto& n : options.tenant_names) tenant_index[n] = 0;
  } else if (options.tenants_from_trace) {
    std::set<std::string> names;
    for (const auto& j : trace.jobs) names.insert(j.tenant.empty() ? "(none)" : j.tenant);
    for (const auto& n : names) tenant_index[n] = 0;
  } else {
    tenant_index["all"] = 0;
  }
  for (auto& [name, index] : tenant_index) {
    index = static_cast<int32_t>(w.tenants.size());
    core::Tenant t;
    t.name = name;
    auto it = options.tenant_weights.find(name);
    t.weight = it == options.tenant_weights.end() ? 1.0 : it->second;
    w.tenants.push_back(std::move(t));
  }

  // Feasibility is judged against the cluster with this workload's tenants (core checks both).
  core::ClusterState empty = cluster;
  empty.tenants = w.tenants;
  empty.jobs.clear();
  for (const TraceJob& row : trace.jobs) {
    const bool named_tenants = options.tenants_from_trace || !options.tenant_names.empty();
    const std::string tenant_name =
        !named_tenants ? "all" : (row.tenant.empty() ? "(none)" : row.tenant);
    auto tenant_it = tenant_index.find(tenant_name);
    if (tenant_it == tenant_index.end()) {
      w.infeasible.push_back({row.id, row.line, "tenant '" + tenant_name + "' has no partition"});
      continue;
    }
    SimJob sj;
    sj.name = row.id;
    sj.line = row.line;
    sj.work_ms = row.duration_s * 1000;
    core::Job& job = sj.job;
    job.tenant = tenant_it->second;
    job.user = row.tenant;
    job.submit_time = row.submit_s * 1000;
    job.oracle_duration = sj.work_ms;
    job.checkpointable = options.checkpointable;
    job.preemptible = true;

    // Accelerator-type constraint: keep the alternatives this cluster has.
    const std::string& constraint = options.use_gpu_type_aug33 && !row.gpu_type_aug33.empty()
                                        ? row.gpu_type_aug33
                                        : row.gpu_type;
    std::vector<core::AccelType> types;
    if (!constraint.empty() && row.num_gpus > 0) {
      for (const auto& name : SplitTypes(constraint)) {
        for (size_t t = 0; t < cluster.accel_types.size(); ++t) {
          if (cluster.accel_types[t] == name) types.push_back(static_cast<core::AccelType>(t));
        }
      }
      if (types.empty()) {
        w.infeasible.push_back(
            {row.id, row.line,
             "asks gpu_type '" + constraint + "' but the cluster has none of it"});
        continue;
      }
      std::sort(types.begin(), types.end());
    }

    // Gang shape: one task when the job fits one node, else the fewest equal tasks that do.
    core::Shape shape;
    shape.accel_types = types;
    int64_t per_node = std::max<int64_t>(LargestNodeDevices(cluster, types), 1);
    int64_t tasks = 1;
    if (row.num_gpus > per_node) {
      tasks = (row.num_gpus + per_node - 1) / per_node;
      while (row.num_gpus % tasks != 0) ++tasks;
    }
    shape.tasks = static_cast<int32_t>(tasks);
    shape.per_task.accel_milli =
        row.num_gpus == 1 ? row.gpu_milli : row.num_gpus / tasks * core::kMilliPerDevice;
    shape.per_task.cpu_milli = (row.cpu_milli + tasks - 1) / tasks;
    shape.per_task.mem_mb = (row.mem_mb + tasks - 1) / tasks;
    job.shapes.push_back(shape);
    sj.accel_milli = shape.per_task.accel_milli * tasks;

    if (options.flexible_fraction > 0 && row.num_gpus >= options.flexible_min_gpus &&
        StableUnit(options.seed, row.id) < options.flexible_fraction) {
      core::Shape flex = shape;
      int64_t gpus_per_task = row.num_gpus / tasks;
      int64_t kept = std::max<int64_t>(gpus_per_task / 2, 1);
      flex.per_task.accel_milli = kept * core::kMilliPerDevice;
      flex.per_task.mem_mb += (gpus_per_task - kept) * kFlexibleMemMbPerGpu;
      flex.speed = options.flexible_speed;
      job.shapes.push_back(flex);
      sj.flexible = true;
      ++w.flexible_jobs;
    }

    Status feasible = core::CheckFeasible(empty, job);
    if (!feasible.ok()) {
      w.infeasible.push_back({row.id, row.line, feasible.message()});
      if (sj.flexible) --w.flexible_jobs;
      continue;
    }
    job.id = static_cast<core::JobId>(w.jobs.size()) + 1;  // ids from 1: 0 means "none" in core
    w.jobs.push_back(std::move(sj));
  }
  return w;
}

}  // namespace suanli::sim
