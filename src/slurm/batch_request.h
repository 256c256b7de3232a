#pragma once
// What one sbatch submission asks for, after its #SBATCH directives and command-line options are
// read. Values are typed but not yet checked against a cluster: that is the server's job.
// An option left out stays empty (nullopt, "" or {}), so that a caller can apply its own defaults.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "slurm/array_spec.h"
#include "slurm/begin_time.h"
#include "slurm/dependency_spec.h"
#include "slurm/gres_spec.h"
#include "slurm/option_values.h"
#include "slurm/time_spec.h"

namespace suanli::slurm {

struct BatchRequest {
  std::string job_name;                      // --job-name, -J
  std::optional<NodeRange> nodes;            // --nodes, -N
  std::optional<uint32_t> ntasks;            // --ntasks, -n
  std::optional<uint32_t> ntasks_per_node;   // --ntasks-per-node, --tasks-per-node
  std::optional<uint32_t> cpus_per_task;     // --cpus-per-task, -c
  std::optional<MemorySize> mem;             // --mem (per node)
  std::optional<MemorySize> mem_per_cpu;     // --mem-per-cpu
  std::optional<MemorySize> mem_per_gpu;     // --mem-per-gpu
  std::vector<GresRequest> gres;             // --gres
  std::optional<GpuCount> gpus;              // --gpus, -G (for the whole job)
  std::optional<GpuCount> gpus_per_node;     // --gpus-per-node
  std::optional<GpuCount> gpus_per_task;     // --gpus-per-task
  std::optional<TimeLimit> time_limit;       // --time, -t
  std::optional<TimeLimit> time_min;         // --time-min
  std::string partition;                     // --partition, -p
  std::string account;                       // --account, -A
  std::string qos;                           // --qos, -q
  std::optional<ArraySpec> array;            // --array, -a
  std::optional<DependencySpec> dependency;  // --dependency, -d
  std::string output;                        // --output, -o (a pattern, see filename_pattern.h)
  std::string error;                         // --error, -e
  std::optional<OpenMode> open_mode;         // --open-mode
  std::string chdir;                         // --chdir, -D
  std::optional<ExportSpec> export_env;      // --export
  std::optional<SignalSpec> signal;          // --signal
  std::optional<bool> requeue;               // --requeue / --no-requeue
  std::optional<std::string> exclusive;      // --exclusive[=user|mcs|topo]; "" when plain
  std::string constraint;                    // --constraint, -C (kept as written)
  std::vector<std::string> nodelist;         // --nodelist, -w (expanded)
  std::vector<std::string> exclude;          // --exclude, -x (expanded)
  std::optional<int64_t> begin_unix;         // --begin, -b
  bool hold = false;                         // --hold, -H
  std::vector<std::string> mail_types;       // --mail-type
  std::string mail_user;                     // --mail-user
  std::string comment;                       // --comment
  std::string wrap;                          // --wrap (command line only)
  std::string script;                        // the script, or the one sbatch writes for --wrap
};

// What the parse needs from its caller, so that it reads no clock and no configuration itself.
struct BatchParseOptions {
  BeginClock clock;          // for --begin
  ArrayLimits array_limits;  // the site's MaxArraySize
  size_t max_hosts = 65536;  // the longest --nodelist/--exclude expansion accepted
};

}  // namespace suanli::slurm
