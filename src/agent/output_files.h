#pragma once
// Where a task's streams go when its job named files for them (sbatch --output/--error): Slurm's
// filename patterns expanded for this task, from the launch and the environment the task gets
// (so %N and %n are the node and node index its SLURM_* variables name). Pure: unit-tested.
#include <string>

#include "agent/task_env.h"
#include "agent/types.h"

namespace suanli::agent {

struct TaskOutputFiles {
  std::string stdout_path;        // empty: the agent's own log file
  std::string stderr_path;        // empty: the agent's own log file, unless stderr_to_stdout
  bool stderr_to_stdout = false;  // an output without an error takes both streams, as in Slurm
  bool append = false;
  bool any() const { return !stdout_path.empty() || !stderr_path.empty(); }
};

// `env` is the task's environment as BuildTaskEnv made it.
TaskOutputFiles ExpandOutputFiles(const LaunchSpec& spec, const EnvMap& env);

}  // namespace suanli::agent
