#include "sim/command.h"

#include <chrono>
#include <iostream>
#include <memory>

#include "core/policy.h"
#include "sim/federation_report.h"
#include "sim/federation_sim.h"
#include "sim/runner.h"

namespace suanli::sim {
namespace {

struct CommandArgs {
  std::string trace;
  std::string out_dir;
  std::string tenant_weights;
  std::string window;
  std::string federation;
  bool json = false;
  bool job_details = false;
  double tick_s = 0;
  double half_life_h = 7 * 24;
  bool no_checkpoint = false;
  bool no_estimates = false;
  SimOptions options;
};

// Exit codes: 2 for bad input (like a usage error), 1 for anything else.
[[noreturn]] void Fail(const Status& status) {
  std::cerr << "suanli sim: " << status.message() << "\n";
  throw CLI::RuntimeError(
      status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? 2
                                                                                              : 1);
}

// Any report as JSON (--json) or its Markdown table.
template <typename Report>
void Print(const Report& report, bool json) {
  if (json) {
    std::cout << ToJson(report).dump(2) << "\n";
  } else {
    std::cout << ToMarkdown(report);
  }
}

// --federation: the trace over a network of centers, once per routing policy.
void RunFederationCommand(CommandArgs& a) {
  SimOptions& o = a.options;
  if (!o.cluster.empty() || !o.vc_partition.empty() || o.fgd) {
    Fail(InvalidArgument(
        "--federation describes the clusters itself; drop --cluster, --vc-partition and --fgd"));
  }
  auto net = LoadFederationNetwork(a.federation);
  if (!net.ok()) Fail(net.status());
  auto policies = ParseFederationPolicies(o.policies);
  if (!policies.ok()) Fail(policies.status());
  auto trace = LoadTraceSpec(a.trace);
  if (!trace.ok()) Fail(trace.status());
  const auto started = std::chrono::steady_clock::now();
  FederationOptions fo;
  fo.policies = *policies;
  fo.workload = o.workload;
  fo.engine = o.engine;
  FilteredTrace filtered = FilterTrace(*trace, o.filter);
  auto report = RunFederation(filtered.trace, *net, fo);
  if (!report.ok()) Fail(report.status());
  Print(*report, a.json);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "suanli sim: done in " << secs << " s\n";
}

void Run(CommandArgs& a) {
  SimOptions& o = a.options;
  if (!a.window.empty()) {
    size_t slash = a.window.find('/');
    if (slash == std::string::npos) {
      Fail(InvalidArgument("--window '" + a.window +
                           "' is not START/END (e.g. 2017-10-01/2017-11-30; either may be empty)"));
    }
    o.filter.window_start = a.window.substr(0, slash);
    o.filter.window_end = a.window.substr(slash + 1);
  }
  if (!a.tenant_weights.empty()) {
    auto weights = ParseTenantWeights(a.tenant_weights);
    if (!weights.ok()) Fail(weights.status());
    o.workload.tenant_weights = *weights;
  }
  if (a.tick_s < 0) Fail(InvalidArgument("--tick must be >= 0 seconds"));
  o.engine.tick_ms = static_cast<core::Time>(a.tick_s * 1000);
  o.engine.usage_half_life_ms = static_cast<core::Time>(a.half_life_h * 3600 * 1000);
  o.workload.checkpointable = !a.no_checkpoint;
  o.engine.learn_durations = !a.no_estimates;
  o.workload.seed = o.seed;
  if (!a.federation.empty()) return RunFederationCommand(a);
  if (o.cluster.empty() && o.vc_partition.empty()) {
    Fail(InvalidArgument(
        "--cluster is required (e.g. --cluster 80x8), unless --vc-partition is given"));
  }

  auto trace = LoadTraceSpec(a.trace);
  if (!trace.ok()) Fail(trace.status());
  const auto started = std::chrono::steady_clock::now();
  if (o.fgd) {
    if (o.cluster.empty()) Fail(InvalidArgument("--fgd needs --cluster (the openb nodes file)"));
    auto report = RunFragmentationStudy(*trace, o);
    if (!report.ok()) Fail(report.status());
    if (!a.out_dir.empty()) {
      Status st = WriteReport(*report, a.out_dir);
      if (!st.ok()) Fail(st);
    }
    Print(*report, a.json);
  } else {
    auto report = RunSimulation(*trace, o);
    if (!report.ok()) Fail(report.status());
    if (!a.out_dir.empty()) {
      Status st = WriteReport(*report, a.out_dir, a.job_details);
      if (!st.ok()) Fail(st);
    }
    Print(*report, a.json);
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "suanli sim: done in " << secs << " s"
            << (a.out_dir.empty() ? "" : ", wrote " + a.out_dir) << "\n";
}

}  // namespace

void RegisterCommands(CLI::App& app) {
  auto args = std::make_shared<CommandArgs>();
  SimOptions& o = args->options;
  o.policies.clear();
  auto* cmd = app.add_subcommand(
      "sim", "Replay a job trace on a simulated cluster with one or more scheduling policies");
  cmd->add_option("--trace", args->trace,
                  "Trace CSV in the common schema (see /work/shared/traces), or "
                  "synthetic[:jobs=N,tenants=K,seed=S,interarrival=S,median=S,sigma=X,max_gpus=G]")
      ->required();
  cmd->add_option("--cluster", o.cluster,
                  "Cluster: NODESxGPUS[:TYPE][:cpu=N][:mem=GiB],... (e.g. 80x8) or a nodes CSV "
                  "(node_id,num_gpus,gpu_type,num_cpus,mem_mib) or a vc,nodes,gpus_per_node file");
  cmd->add_option(
         "--policy", o.policies,
         "Policy to replay with (repeat to compare); with --federation a routing policy "
         "(local-only, round-robin, least-loaded, cheapest, default, all), else known: " +
             [] {
               std::string s;
               for (const auto& n : core::PolicyNames()) s += (s.empty() ? "" : ", ") + n;
               return s;
             }())
      ->required();
  cmd->add_option(
      "--placement", o.placements,
      "Placement (repeat to compare; each policy runs with each); default auto. Known: " + [] {
        std::string s;
        for (const auto& n : core::PlacementNames()) s += (s.empty() ? "" : ", ") + n;
        return s;
      }());
  cmd->add_option("--federation", args->federation,
                  "A network of centers (JSON, see docs/simulator.md 'Federation'): route each "
                  "job to one center by --policy; every center runs the core scheduler");
  cmd->add_flag("--json", args->json, "Print the metrics as JSON instead of a Markdown table");
  cmd->add_option("--out", args->out_dir,
                  "Also write summary.json/csv, tenants.csv, utilization.csv, "
                  "report.md and report.html (plots) into this directory");
  cmd->add_flag(
      "--job-details", args->job_details,
      "With --out, also write jobs-<policy>.csv: one row per job (large for whole traces)");
  cmd->add_flag("--tenants-from-trace", o.workload.tenants_from_trace,
                "Each distinct trace tenant (Philly VC) is a tenant; otherwise one tenant 'all'");
  cmd->add_option(
      "--tenant-weights", args->tenant_weights,
      "Tenant weights: NAME=W,... or a vc,nodes[,gpus_per_node] file (weight = its GPUs)");
  cmd->add_option("--vc-partition", o.vc_partition,
                  "Protocol A: each VC in this vc,nodes,gpus_per_node file is an isolated cluster "
                  "replaying only its own jobs");
  cmd->add_option("--window", args->window,
                  "START/END on submit_wallclock, compared by prefix: 2017-10-01/2017-11-30 keeps "
                  "Oct 1 00:00 through Nov 30 23:59:59");
  cmd->add_option("--limit-jobs", o.filter.limit_jobs,
                  "Replay only the first N jobs (after --window)");
  cmd->add_option(
      "--flexible-fraction", o.workload.flexible_fraction,
      "Fraction of jobs with >= --flexible-min-gpus GPUs given a second shape with half "
      "the GPUs plus 64 GiB host memory per GPU given up");
  cmd->add_option("--flexible-speed", o.workload.flexible_speed,
                  "Speed of the flexible shape relative to the full one (default 0.55)");
  cmd->add_option("--flexible-min-gpus", o.workload.flexible_min_gpus,
                  "Smallest job (GPUs) that may be flexible (default 8)");
  cmd->add_option("--seed", o.seed,
                  "Seed for random placement, flexible selection and --fgd sampling");
  cmd->add_option(
      "--tick", args->tick_s,
      "Also run a scheduling cycle every S seconds while jobs wait (for LAS and decayed "
      "fair share); default 0 = only at arrivals and completions");
  cmd->add_option("--half-life", args->half_life_h,
                  "Fair-share usage half-life in hours (default 168)");
  cmd->add_flag("--no-checkpoint", args->no_checkpoint,
                "Preempted jobs lose all work of the interrupted run (default: they resume)");
  cmd->add_flag("--no-estimates", args->no_estimates,
                "Give jobs no run-time estimates learned from finished jobs (sjf and srtf then "
                "rank jobs without time limits last, in submission order)");
  cmd->add_option("--node-outage", o.node_outages,
                  "Nodes out of service: NODES@START[-END], hours after the first submission; "
                  "NODES are indices (0-3), names or both, comma-separated; without END they "
                  "never return (repeat for more). Their runs end and requeue, as when a node "
                  "stops responding to the server");
  cmd->add_option("--buckets", o.timeline_buckets, "Utilization timeline buckets (default 96)");
  cmd->add_flag(
      "--fgd", o.fgd,
      "Protocol C: the whole trace in a seeded order, then pods resampled, no departures, on "
      "the GPU nodes, until --fgd-target of GPU "
      "capacity has arrived; report allocated GPU share over --seeds seeds");
  cmd->add_option("--seeds", o.fgd_seeds, "Seeds for --fgd (default 10: seed, seed+1, ...)");
  cmd->add_option("--fgd-target", o.fgd_target, "Arrived GPU demand to stop at (default 1.3)");
  cmd->add_flag("--gpu-type-aug33", o.workload.use_gpu_type_aug33,
                "Take GPU-type constraints from the gpu_type_aug33 column where it is set");
  cmd->callback([args] { Run(*args); });
}

}  // namespace suanli::sim
