#include "slurm/input_env.h"

namespace suanli::slurm {
namespace {

struct EnvOption {
  const char* variable;
  const char* option;  // long option name, without "--"
  bool flag;           // takes no value (set when the variable is)
};

// From sbatch(1), "INPUT ENVIRONMENT VARIABLES", limited to options this parser knows (known
// but unsupported ones still get their one warning, as on the command line).
constexpr EnvOption kSbatchEnv[] = {
    {"SBATCH_ACCOUNT", "account", false},
    {"SBATCH_ARRAY_INX", "array", false},
    {"SBATCH_CONSTRAINT", "constraint", false},
    {"SBATCH_CPUS_PER_GPU", "cpus-per-gpu", false},
    {"SBATCH_ERROR", "error", false},
    {"SBATCH_EXCLUSIVE", "exclusive", true},
    {"SBATCH_EXPORT", "export", false},
    {"SBATCH_GPUS", "gpus", false},
    {"SBATCH_GPUS_PER_NODE", "gpus-per-node", false},
    {"SBATCH_GPUS_PER_TASK", "gpus-per-task", false},
    {"SBATCH_GRES", "gres", false},
    {"SBATCH_JOB_NAME", "job-name", false},
    {"SBATCH_MEM_PER_CPU", "mem-per-cpu", false},
    {"SBATCH_MEM_PER_GPU", "mem-per-gpu", false},
    {"SBATCH_MEM_PER_NODE", "mem", false},
    {"SBATCH_NO_KILL", "no-kill", true},
    {"SBATCH_NO_REQUEUE", "no-requeue", true},
    {"SBATCH_OPEN_MODE", "open-mode", false},
    {"SBATCH_OUTPUT", "output", false},
    {"SBATCH_PARTITION", "partition", false},
    {"SBATCH_QOS", "qos", false},
    {"SBATCH_REQUEUE", "requeue", true},
    {"SBATCH_RESERVATION", "reservation", false},
    {"SBATCH_SIGNAL", "signal", false},
    {"SBATCH_TIMELIMIT", "time", false},
    {"SBATCH_WAIT", "wait", true},
    {"SBATCH_WCKEY", "wckey", false},
};

}  // namespace

std::vector<std::string> SbatchEnvOptions(const EnvGetter& env) {
  std::vector<std::string> out;
  for (const auto& e : kSbatchEnv) {
    const std::string value = env(e.variable);
    if (value.empty()) continue;
    out.push_back(e.flag ? std::string("--") + e.option
                         : std::string("--") + e.option + "=" + value);
  }
  return out;
}

std::vector<std::string> SbatchEnvNames() {
  std::vector<std::string> out;
  for (const auto& e : kSbatchEnv) out.emplace_back(e.variable);
  return out;
}

}  // namespace suanli::slurm
