#pragma once
// Turns trace rows into the jobs the engine replays against one cluster: tenants, gang shapes,
// accelerator-type constraints, optional flexible alternative shapes, and the filters
// (FilterTrace: --window, --limit-jobs). Every row that is not replayed is accounted for.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/model.h"
#include "sim/trace.h"

namespace suanli::sim {

// Host memory a flexible shape asks for per GPU it gives up (it offloads state to host memory).
inline constexpr int64_t kFlexibleMemMbPerGpu = 64 * 1024;

struct WorkloadOptions {
  bool tenants_from_trace = false;               // else every job belongs to one tenant, "all"
  std::map<std::string, double> tenant_weights;  // absent tenants weigh 1
  std::vector<std::string> tenant_names;         // fixed tenant set (VC partitions); else derived
  double flexible_fraction = 0;                  // of jobs with >= flexible_min_gpus GPUs
  double flexible_speed = 0.55;
  int64_t flexible_min_gpus = 8;
  bool use_gpu_type_aug33 = false;  // openb: take constraints from gpu_type_aug33
  bool checkpointable = true;       // preempted jobs resume where they stopped
  uint64_t seed = 1;
};

struct SimJob {
  core::Job job;            // static part; job.id is 1 + the index in Workload::jobs
  std::string name;         // the trace's job_id
  int64_t line = 0;         // trace line, for reports
  core::Time work_ms = 0;   // run time at speed 1.0 on shapes[0]
  int64_t accel_milli = 0;  // total accelerators of shapes[0]
  bool flexible = false;
};

struct UnplaceableJob {
  std::string name;
  int64_t line = 0;
  std::string reason;
};

struct Workload {
  std::vector<core::Tenant> tenants;
  std::vector<SimJob> jobs;                // sorted by (submit_time, line); ids 1..n
  std::vector<UnplaceableJob> infeasible;  // could never fit this cluster (not replayed)
  int64_t flexible_jobs = 0;
};

// Rows kept by --window (prefix comparison on submit_wallclock; empty bound = open) and then
// --limit-jobs (the first N; 0 = all), with counts of what each dropped.
struct TraceFilter {
  std::string window_start, window_end;
  int64_t limit_jobs = 0;
};
struct FilteredTrace {
  Trace trace;
  int64_t outside_window = 0;
  int64_t beyond_limit = 0;
};
FilteredTrace FilterTrace(const Trace& trace, const TraceFilter& filter);

// Jobs from `trace` for `cluster`. Feasibility is decided by core::CheckFeasible, so the engine
// never waits for a job no shape of which fits the empty cluster.
Result<Workload> BuildWorkload(const Trace& trace, const core::ClusterState& cluster,
                               const WorkloadOptions& options);

// "a=2,b=1" or a VC file (vc,nodes,...; weight = nodes) into tenant weights.
Result<std::map<std::string, double>> ParseTenantWeights(const std::string& spec);

// True when `wallclock` falls in [start, end], comparing as many leading characters as each bound
// has, so "2017-11-30" as the end includes the whole day.
bool InWindow(const std::string& wallclock, const std::string& start, const std::string& end);

// Deterministic per-job uniform number in [0, 1) from a seed and a job name.
double StableUnit(uint64_t seed, const std::string& name);

}  // namespace suanli::sim
