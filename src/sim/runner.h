#pragma once
// The whole `suanli sim` pipeline as a library call (the command, tests and bench share it):
// load the trace and cluster, build the workload (or one per VC partition), replay it once per
// policy × placement, summarize.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "sim/engine.h"
#include "sim/report.h"
#include "sim/trace.h"
#include "sim/workload.h"

namespace suanli::sim {

struct SimOptions {
  std::string cluster;  // spec, see cluster_spec.h
  std::vector<std::string> policies = {"fifo"};
  std::vector<std::string> placements = {"auto"};
  std::string vc_partition;  // protocol A: a vc,nodes,gpus_per_node file
  TraceFilter filter;
  WorkloadOptions workload;
  EngineOptions engine;
  // NODES@START[-END] in hours after the first submission (see outage.h); not with vc_partition.
  std::vector<std::string> node_outages;
  uint64_t seed = 1;
  int timeline_buckets = 96;
  // Protocol C.
  bool fgd = false;
  int fgd_seeds = 10;
  double fgd_target = 1.30;
};

// A file path, or a synthetic generator spec ("synthetic:jobs=...").
Result<Trace> LoadTraceSpec(const std::string& spec);

// "fifo" or "fifo/best-fit" when the placement is not "auto".
std::string RunLabel(const std::string& policy, const std::string& placement);

Result<SimReport> RunSimulation(const Trace& trace, const SimOptions& options);
Result<FragmentationReport> RunFragmentationStudy(const Trace& trace, const SimOptions& options);

}  // namespace suanli::sim
