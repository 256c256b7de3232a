#pragma once
// sbatch's input environment variables (SBATCH_PARTITION, SBATCH_TIMELIMIT, ...): what a site's
// or user's profile sets so every submission gets it. Slurm's order is: #SBATCH directives, then
// these, then the command line, each overriding the one before; so they are turned into options
// placed before the command line's (ParseBatchSubmission reads the command line after the
// directives, and a later option wins).
#include <functional>
#include <string>
#include <vector>

namespace suanli::slurm {

// Looks a variable up; "" = unset. The caller passes the environment in (this library reads none).
using EnvGetter = std::function<std::string(const std::string&)>;

// The options the set SBATCH_* variables stand for, in a fixed order, e.g. SBATCH_TIMELIMIT=1:00
// -> "--time=1:00". Flag variables (SBATCH_REQUEUE, SBATCH_NO_REQUEUE, SBATCH_EXCLUSIVE,
// SBATCH_WAIT, SBATCH_NO_KILL) set their flag when given any value.
std::vector<std::string> SbatchEnvOptions(const EnvGetter& env);

// The names read, for documentation and tests.
std::vector<std::string> SbatchEnvNames();

}  // namespace suanli::slurm
