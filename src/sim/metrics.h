#pragma once
// Turns engine outcomes into the figures reports quote: JCT, queueing delay and slowdown
// distributions, makespan, accelerator utilization (overall and over time), per-tenant share vs
// entitlement, Jain's fairness index, starvation (longest wait), preemptions and lost work.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine.h"
#include "sim/workload.h"

namespace suanli::sim {

// Percentile with linear interpolation between closest ranks (numpy's default):
// rank = p/100 × (n − 1). `values` need not be sorted. 0 for an empty input.
double Percentile(std::vector<double> values, double p);

// Jain's fairness index (Σx)² / (n · Σx²): 1 when all equal, 1/n when one has everything.
// 1 for an empty input or all zeros.
double JainIndex(const std::vector<double>& x);

// Bounded slowdown: JCT / max(run time, kSlowdownFloorS), never below 1.
inline constexpr double kSlowdownFloorS = 10.0;

struct Distribution {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

struct TenantSummary {
  std::string name;
  double weight = 1;
  int64_t jobs = 0, finished = 0;
  double avg_jct_s = 0, avg_queue_s = 0, max_queue_s = 0;
  double entitlement = 0;     // weight / Σ weights of tenants with jobs
  double received_gpu_h = 0;  // accelerator-hours it ran
  double fair_gpu_h = 0;      // weighted max-min fair accelerator-hours given its demand
  double demand_gpu_h = 0;
  double share = 0;       // received / Σ received
  double fair_ratio = 0;  // received / fair (1 = exactly its fair share)
};

struct RunSummary {
  std::string label;
  int64_t jobs = 0, finished = 0, unfinished = 0;
  Distribution jct_s, queue_s, slowdown;
  double makespan_s = 0;     // first submission to last completion
  double utilization = 0;    // allocated / capacity accelerator-time over the makespan
  double jain_fairness = 1;  // over tenants' min(1, received / fair)
  int64_t preemptions = 0;
  int64_t node_losses = 0;             // runs ended because a node they used left (--node-outage)
  double outage_gpu_h = 0;             // capacity out of service while nodes were out
  int64_t alternative_shape_runs = 0;  // finished jobs whose last run used shapes[1+] (flexible)
  double lost_gpu_h = 0;
  int64_t cycles = 0;
  int64_t capacity_gpus = 0;
  std::vector<TenantSummary> tenants;
  std::vector<double> utilization_timeline;  // average utilization per equal time bucket
  std::vector<std::string> unfinished_jobs;  // first few names, for the report
};

// One replay: a workload and what the engine made of it. Protocol A runs one per partition.
struct RunPart {
  const Workload* workload;
  const RunOutcome* outcome;
};

RunSummary Summarize(const std::string& label, const std::vector<RunPart>& parts,
                     int timeline_buckets = 96);

}  // namespace suanli::sim
