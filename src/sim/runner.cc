#include "sim/runner.h"

#include <algorithm>

#include "core/policy.h"
#include "sim/cluster_spec.h"
#include "sim/outage.h"
#include "sim/synthetic.h"

namespace suanli::sim {

Result<Trace> LoadTraceSpec(const std::string& spec) {
  if (IsSyntheticSpec(spec)) return GenerateSyntheticTrace(spec);
  return LoadTrace(spec);
}

std::string RunLabel(const std::string& policy, const std::string& placement) {
  return placement.empty() || placement == "auto" ? policy : policy + "/" + placement;
}

Result<SimReport> RunSimulation(const Trace& trace, const SimOptions& options) {
  if (options.policies.empty()) return InvalidArgument("name at least one --policy");
  FilteredTrace filtered = FilterTrace(trace, options.filter);
  SimReport report;
  std::vector<core::ClusterState> clusters;
  std::string description;
  int64_t capacity = 0;
  Workload unpartitioned;  // rows of tenants without a partition, for the account only
  EngineOptions engine = options.engine;
  if (!options.vc_partition.empty()) {
    if (!options.node_outages.empty()) {
      return InvalidArgument("--node-outage needs one shared --cluster, not --vc-partition");
    }
    SUANLI_ASSIGN_OR_RETURN(auto vcs, LoadVcPartitions(options.vc_partition));
    WorkloadOptions wo = options.workload;
    for (const auto& vc : vcs) wo.tenant_names.push_back(vc.vc);
    std::sort(wo.tenant_names.begin(), wo.tenant_names.end());
    for (const auto& vc : vcs) {
      Trace part;
      part.source = trace.source;
      for (const auto& row : filtered.trace.jobs) {
        if (row.tenant == vc.vc) part.jobs.push_back(row);
      }
      clusters.push_back(UniformCluster(vc.nodes, vc.gpus_per_node, ""));
      SUANLI_ASSIGN_OR_RETURN(auto w, BuildWorkload(part, clusters.back(), wo));
      report.parts.push_back(std::move(w));
      report.part_names.push_back(vc.vc);
      capacity += TotalAccelMilli(clusters.back());
    }
    for (const auto& row : filtered.trace.jobs) {
      bool known = false;
      for (const auto& vc : vcs) known = known || row.tenant == vc.vc;
      if (!known) {
        unpartitioned.infeasible.push_back(
            {row.id, row.line,
             "tenant '" + row.tenant + "' has no partition in " + options.vc_partition});
      }
    }
    description =
        std::to_string(vcs.size()) + " isolated VC partitions from " + options.vc_partition;
  } else {
    SUANLI_ASSIGN_OR_RETURN(auto cluster, ParseClusterSpec(options.cluster));
    SUANLI_ASSIGN_OR_RETURN(auto w, BuildWorkload(filtered.trace, cluster, options.workload));
    const core::Time origin = w.jobs.empty() ? 0 : w.jobs[0].job.submit_time;
    SUANLI_ASSIGN_OR_RETURN(auto outages, ParseNodeOutages(options.node_outages, cluster, origin));
    engine.node_events.insert(engine.node_events.end(), outages.begin(), outages.end());
    description = DescribeCluster(cluster);
    capacity = TotalAccelMilli(cluster);
    clusters.push_back(std::move(cluster));
    report.parts.push_back(std::move(w));
    report.part_names.push_back("");
  }
  std::vector<const Workload*> accounted;
  for (const auto& w : report.parts) accounted.push_back(&w);
  accounted.push_back(&unpartitioned);
  report.input = AccountInput(filtered, description, capacity / 1000, accounted);

  for (const auto& policy_name : options.policies) {
    for (const auto& placement : options.placements) {
      PolicyRun run;
      run.label = RunLabel(policy_name, placement);
      core::PolicyConfig config;
      config.name = policy_name;
      config.placement = placement;
      config.seed = options.seed;
      config.explain_pending = false;
      std::vector<RunPart> parts;
      for (size_t p = 0; p < report.parts.size(); ++p) {
        // A fresh policy per partition: partitions are separate clusters with separate schedulers.
        SUANLI_ASSIGN_OR_RETURN(auto policy, core::MakePolicy(config));
        auto outcome = RunEngine(report.parts[p], clusters[p], *policy, engine);
        if (!outcome.ok()) {
          return Status(outcome.status().code(),
                        run.label +
                            (report.part_names[p].empty() ? "" : " in " + report.part_names[p]) +
                            ": " + outcome.status().message());
        }
        run.outcomes.push_back(std::move(outcome).value());
      }
      for (size_t p = 0; p < report.parts.size(); ++p) {
        parts.push_back({&report.parts[p], &run.outcomes[p]});
      }
      run.summary = Summarize(run.label, parts, options.timeline_buckets);
      report.runs.push_back(std::move(run));
    }
  }
  return report;
}

Result<FragmentationReport> RunFragmentationStudy(const Trace& trace, const SimOptions& options) {
  if (options.fgd_seeds < 1) return InvalidArgument("--seeds must be at least 1");
  if (options.fgd_target <= 0 || options.fgd_target > 10) {
    return InvalidArgument("--fgd-target must be in (0, 10] (1.3 = 130 % of GPU capacity)");
  }
  // Protocol C never lets a pod depart, so durations are unused: pods recorded without one (they
  // were still pending when the trace was taken) are part of the population sampled, as in FGD.
  Trace all = trace;
  for (TraceJob row : trace.never_ran) {
    row.duration_s = 0;
    all.jobs.push_back(std::move(row));
  }
  std::stable_sort(all.jobs.begin(), all.jobs.end(), [](const TraceJob& a, const TraceJob& b) {
    return a.submit_s != b.submit_s ? a.submit_s < b.submit_s : a.line < b.line;
  });
  const size_t durationless = all.never_ran.size();
  all.never_ran.clear();
  FilteredTrace filtered = FilterTrace(all, options.filter);
  SUANLI_ASSIGN_OR_RETURN(auto cluster, ParseClusterSpec(options.cluster));
  SUANLI_ASSIGN_OR_RETURN(auto pods, BuildWorkload(filtered.trace, cluster, options.workload));
  FragmentationReport report;
  report.input =
      AccountInput(filtered, DescribeCluster(cluster), TotalAccelMilli(cluster) / 1000, {&pods});
  report.target_pct = options.fgd_target * 100;
  report.durationless_pods = static_cast<int64_t>(durationless);
  for (const auto& policy_name : options.policies) {
    for (const auto& placement : options.placements) {
      core::PolicyConfig config;
      config.name = policy_name;
      config.placement = placement;
      std::vector<FragmentationRun> runs;
      for (int s = 0; s < options.fgd_seeds; ++s) {
        SUANLI_ASSIGN_OR_RETURN(auto run, RunFragmentation(pods, cluster, config,
                                                           options.seed + static_cast<uint64_t>(s),
                                                           options.fgd_target));
        runs.push_back(std::move(run));
      }
      report.runs.push_back(
          SummarizeFragmentation(RunLabel(policy_name, placement), std::move(runs)));
    }
  }
  return report;
}

}  // namespace suanli::sim
