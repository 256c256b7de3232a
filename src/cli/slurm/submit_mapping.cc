#include "cli/slurm/submit_mapping.h"

#include <algorithm>

#include "cli/slurm/job_view.h"
#include "slurm/filename_pattern.h"

namespace suanli::cli::slurm_cmd {
namespace {

namespace sl = suanli::slurm;

uint64_t CeilDiv(uint64_t a, uint64_t b) { return b == 0 ? a : (a + b - 1) / b; }

// The gang's shape: Slurm nodes and the tasks on each.
struct Shape {
  uint64_t nodes = 1;
  uint64_t tasks_per_node = 1;
  uint64_t cpus_per_node = 1;
  uint64_t gpus_per_node = 0;
  std::string gpu_type;  // as the user wrote it, unresolved
};

Result<Shape> GangShape(const sl::BatchRequest& r, std::vector<std::string>& warnings) {
  Shape s;
  if (r.nodes) {
    s.nodes = r.nodes->min;
    if (r.nodes->max != r.nodes->min) {
      warnings.push_back("--nodes=" + std::to_string(r.nodes->min) + "-" +
                         std::to_string(r.nodes->max) + ": Suanli runs a fixed gang, using " +
                         std::to_string(r.nodes->min) + " node(s)");
    }
  } else if (r.ntasks && r.ntasks_per_node) {
    s.nodes = CeilDiv(*r.ntasks, *r.ntasks_per_node);
  }
  if (r.ntasks_per_node) {
    s.tasks_per_node = *r.ntasks_per_node;
  } else if (r.ntasks) {
    s.tasks_per_node = CeilDiv(*r.ntasks, s.nodes);
  }
  s.cpus_per_node = s.tasks_per_node * r.cpus_per_task.value_or(1);

  // GPUs per node, from whichever option gave them (the most specific first).
  std::vector<std::string> gres_ignored;
  const sl::GresRequest* gpu_gres = nullptr;
  for (const auto& g : r.gres) {
    if (g.name == "gpu") {
      gpu_gres = &g;
    } else {
      gres_ignored.push_back(g.name);
    }
  }
  for (const auto& name : gres_ignored) {
    warnings.push_back("--gres=" + name + " is not supported by Suanli; ignored (only gpu is)");
  }
  if (r.gpus_per_node) {
    s.gpus_per_node = r.gpus_per_node->count;
    s.gpu_type = r.gpus_per_node->type;
  } else if (gpu_gres != nullptr) {
    s.gpus_per_node = gpu_gres->count;
    s.gpu_type = gpu_gres->type;
  } else if (r.gpus_per_task) {
    s.gpus_per_node = r.gpus_per_task->count * s.tasks_per_node;
    s.gpu_type = r.gpus_per_task->type;
  } else if (r.gpus) {
    if (r.gpus->count % s.nodes != 0) {
      return InvalidArgument(
          "--gpus=" + std::to_string(r.gpus->count) + " cannot be split evenly over " +
          std::to_string(s.nodes) +
          " nodes: Suanli gives every node the same share (use --gpus-per-node)");
    }
    s.gpus_per_node = r.gpus->count / s.nodes;
    s.gpu_type = r.gpus->type;
  }
  return s;
}

std::optional<uint64_t> MemoryPerNode(const sl::BatchRequest& r, const Shape& s,
                                      std::vector<std::string>& warnings) {
  if (r.mem) {
    if (r.mem->whole_node) {
      warnings.push_back(
          "--mem=0 (all of a node's memory) is not supported by Suanli yet; the server's default "
          "memory per task is asked instead");
      return std::nullopt;
    }
    return r.mem->megabytes;
  }
  if (r.mem_per_cpu) return r.mem_per_cpu->megabytes * s.cpus_per_node;
  if (r.mem_per_gpu) {
    if (s.gpus_per_node == 0) {
      warnings.push_back("--mem-per-gpu without GPUs asks for no memory; ignored");
      return std::nullopt;
    }
    return r.mem_per_gpu->megabytes * s.gpus_per_node;
  }
  return std::nullopt;
}

// --partition: "all" or an accelerator type; see docs/slurm.md, "Partitions".
std::vector<std::string> PartitionTypes(const sl::BatchRequest& r, const ClusterTypes& cluster,
                                        std::vector<std::string>& warnings) {
  std::vector<std::string> types;
  if (r.partition.empty()) return types;
  if (!cluster.known) {
    warnings.push_back("--partition=" + r.partition +
                       " was not checked: --test-only does not ask the server for its partitions");
    return types;
  }
  size_t start = 0;
  while (start <= r.partition.size()) {
    size_t comma = r.partition.find(',', start);
    if (comma == std::string::npos) comma = r.partition.size();
    std::string p = r.partition.substr(start, comma - start);
    start = comma + 1;
    if (p.empty() || p == kAllPartition) continue;
    if (std::find(cluster.accel_types.begin(), cluster.accel_types.end(), p) !=
        cluster.accel_types.end()) {
      types.push_back(p);
      continue;
    }
    std::string known(kAllPartition);
    for (const auto& t : cluster.accel_types) known += ", " + t;
    warnings.push_back("partition '" + p + "' is not one of this cluster's (" + known +
                       "); ignored");
  }
  return types;
}

void WarnIgnored(const sl::BatchRequest& r, std::vector<std::string>& warnings) {
  auto warn = [&](bool given, const std::string& option, const std::string& why) {
    if (given)
      warnings.push_back(option + " is not supported by Suanli yet; ignored (" + why + ")");
  };
  warn(!r.qos.empty(), "--qos", "priority comes from the tenant tree and fair share");
  if (r.open_mode && r.output.empty() && r.error.empty()) {
    warnings.push_back(
        "--open-mode without --output/--error has no file to open; ignored (without them the "
        "server keeps the job's output: `suanli logs ID`)");
  }
  warn(r.signal && r.signal->reservation, "--signal's R:",
       "there are no reservations; the signal is still sent before the time limit");
  warn(r.time_min.has_value(), "--time-min", "the full --time is reserved");
  warn(r.exclusive.has_value(), "--exclusive", "tasks share nodes within their own limits");
  warn(!r.constraint.empty(), "--constraint", "ask for an accelerator type with --gres or -p");
  warn(!r.nodelist.empty() || !r.exclude.empty(), "--nodelist/--exclude",
       "the scheduler places gangs itself");
  warn(!r.mail_types.empty() || !r.mail_user.empty(), "--mail-type/--mail-user", "no mail is sent");
  warn(!r.comment.empty(), "--comment", "jobs carry no comment");
}

// What Slurm tells a batch script about itself and is known before the job has an id.
void AddSlurmEnv(nlohmann::json& env, const sl::BatchRequest& r, const Shape& s,
                 const std::string& name, const SubmitContext& c) {
  auto put = [&](const char* k, const std::string& v) {
    if (!env.contains(k)) env[k] = v;  // a variable the user exported wins
  };
  put("SLURM_JOB_NAME", name);
  put("SLURM_NNODES", std::to_string(s.nodes));
  put("SLURM_JOB_NUM_NODES", std::to_string(s.nodes));
  put("SLURM_NTASKS", std::to_string(s.nodes * s.tasks_per_node));
  put("SLURM_NTASKS_PER_NODE", std::to_string(s.tasks_per_node));
  put("SLURM_CPUS_ON_NODE", std::to_string(s.cpus_per_node));
  if (r.cpus_per_task) put("SLURM_CPUS_PER_TASK", std::to_string(*r.cpus_per_task));
  if (s.gpus_per_node > 0) put("SLURM_GPUS_ON_NODE", std::to_string(s.gpus_per_node));
  if (!c.submit_dir.empty()) put("SLURM_SUBMIT_DIR", c.submit_dir);
  if (!r.account.empty()) put("SLURM_JOB_ACCOUNT", r.account);
  if (!r.partition.empty()) put("SLURM_JOB_PARTITION", r.partition);
}

}  // namespace

std::string ResolveAccelType(const std::string& type, const ClusterTypes& cluster) {
  if (type.empty() || !cluster.known) return type;
  std::vector<std::string> matches;
  for (const auto& t : cluster.accel_types) {
    if (t == type) return t;
    size_t dash = t.find('-');
    if (dash != std::string::npos && t.substr(dash + 1) == type) matches.push_back(t);
  }
  if (matches.empty()) return type;  // the server names what no node has
  std::string out;
  for (const auto& m : matches) out += (out.empty() ? "" : "|") + m;
  return out;
}

Result<MappedSubmission> MapBatchRequest(const sl::BatchRequest& r, const SubmitContext& c) {
  MappedSubmission out;
  auto& w = out.warnings;
  SUANLI_ASSIGN_OR_RETURN(Shape shape, GangShape(r, w));
  nlohmann::json& body = out.body;
  std::string name = r.job_name.empty() ? c.default_name : r.job_name;
  body["name"] = name;
  body["script"] = r.script;
  body["tasks"] = shape.nodes;
  body["cpus"] = shape.cpus_per_node;
  if (auto mem = MemoryPerNode(r, shape, w)) body["mem_mb"] = *mem;
  std::vector<std::string> partition_types = PartitionTypes(r, c.cluster, w);
  if (shape.gpus_per_node > 0) {
    body["gpus"] = shape.gpus_per_node;
    std::string type = ResolveAccelType(shape.gpu_type, c.cluster);
    if (type.empty() && !partition_types.empty()) {
      for (const auto& t : partition_types) type += (type.empty() ? "" : "|") + t;
    }
    body["gpu_type"] = type.empty() ? "any" : type;
  } else if (!partition_types.empty()) {
    w.push_back("partition '" + r.partition +
                "' names an accelerator type, but the job asks for no GPUs: it may run on any "
                "node");
  }
  if (r.time_limit) body["time_limit_s"] = r.time_limit->unlimited ? 0 : r.time_limit->seconds;
  if (!r.account.empty()) body["tenant"] = r.account;
  if (r.requeue) body["requeue"] = *r.requeue;
  if (r.signal) {
    body["signal"] = sl::FormatSignalSpec(r.signal->number, r.signal->seconds, r.signal->batch_only);
  }
  // What must happen first: the scheduler's own (the server expands an array into its tasks).
  if (r.array) body["array"] = sl::FormatArraySpec(*r.array);
  if (r.dependency) body["dependency"] = sl::FormatDependencySpec(*r.dependency);
  if (r.begin_unix) body["begin_time"] = *r.begin_unix;
  if (r.hold) body["hold"] = true;
  if (!r.chdir.empty()) {
    // Relative to where sbatch runs, as Slurm reads it.
    body["workdir"] = r.chdir[0] == '/' || c.submit_dir.empty() ? r.chdir
                                                                 : c.submit_dir + "/" + r.chdir;
  }
  // The job writes these itself, as its user; a relative name is in its working directory, as
  // Slurm resolves it (-D, else where sbatch runs). The agent expands the %-symbols per task.
  const std::string job_dir =
      body.contains("workdir") ? body["workdir"].get<std::string>() : c.submit_dir;
  if (!r.output.empty()) body["output"] = sl::AbsoluteFilenamePattern(r.output, job_dir);
  if (!r.error.empty()) body["error"] = sl::AbsoluteFilenamePattern(r.error, job_dir);
  if (r.open_mode && (!r.output.empty() || !r.error.empty())) {
    body["open_mode"] = *r.open_mode == sl::OpenMode::kAppend ? "append" : "truncate";
  }
  nlohmann::json env = nlohmann::json::object();
  if (r.export_env) {
    for (const auto& [k, v] : r.export_env->variables) {
      if (v) {
        env[k] = *v;
      } else if (std::string value = c.env ? c.env(k) : ""; !value.empty()) {
        env[k] = value;
      }
    }
  }
  AddSlurmEnv(env, r, shape, name, c);
  body["env"] = env;
  WarnIgnored(r, w);
  return out;
}

}  // namespace suanli::cli::slurm_cmd
