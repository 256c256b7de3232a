#include "agent/output_files.h"

#include <cctype>
#include <charconv>
#include <optional>

#include "slurm/filename_pattern.h"

namespace suanli::agent {
namespace {

template <typename T>
std::optional<T> NumberIn(const EnvMap& env, const std::string& key) {
  auto it = env.find(key);
  if (it == env.end()) return std::nullopt;
  T value{};
  const char* end = it->second.data() + it->second.size();
  auto [p, ec] = std::from_chars(it->second.data(), end, value);
  if (ec != std::errc() || p != end) return std::nullopt;
  return value;
}

// A pattern that names a different file for each task (%t the rank, %n the node index, %N the
// node): with one of them every task writes its own file.
bool PerTask(const std::string& pattern) {
  for (size_t i = pattern.find('%'); i != std::string::npos; i = pattern.find('%', i + 1)) {
    size_t j = i + 1;
    while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) ++j;
    if (j < pattern.size() && (pattern[j] == 't' || pattern[j] == 'n' || pattern[j] == 'N'))
      return true;
    if (j < pattern.size() && pattern[j] == '%') i = j;  // "%%" is a literal percent
  }
  return false;
}

}  // namespace

TaskOutputFiles ExpandOutputFiles(const LaunchSpec& spec, const EnvMap& env) {
  TaskOutputFiles out;
  if (spec.output_pattern.empty() && spec.error_pattern.empty()) return out;
  // sbatch's --output is the batch step's, which runs once, on the first node: a file without a
  // per-task symbol is task 0's only (the others truncating or interleaving it would lose output);
  // the other tasks' streams stay in the agent's log.
  const bool first = spec.ref.task == 0;
  const std::string output = first || PerTask(spec.output_pattern) ? spec.output_pattern : "";
  const std::string error = first || PerTask(spec.error_pattern) ? spec.error_pattern : "";
  if (output.empty() && error.empty()) return out;
  slurm::FilenameValues v;
  v.job_id = static_cast<uint64_t>(spec.ref.job_id);
  // The server sets SUANLI_ARRAY_* (and SLURM_ARRAY_*) on every task of an array.
  v.array_job_id = NumberIn<uint64_t>(env, "SUANLI_ARRAY_JOB_ID");
  v.array_task_id = NumberIn<uint32_t>(env, "SUANLI_ARRAY_TASK_ID");
  v.job_name = spec.name;
  v.user = spec.user;
  auto node = env.find("SUANLI_NODE");
  v.first_node = node == env.end() ? "" : node->second;
  v.node_index = NumberIn<uint32_t>(env, "SLURM_NODEID").value_or(0);
  v.task_id = static_cast<uint32_t>(spec.ref.task);
  if (!output.empty()) out.stdout_path = slurm::ExpandFilenamePattern(output, v);
  if (!error.empty()) out.stderr_path = slurm::ExpandFilenamePattern(error, v);
  // An output with no error asked for takes both streams; one dropped above does not count.
  if (!out.stdout_path.empty() &&
      (spec.error_pattern.empty() || out.stderr_path == out.stdout_path)) {
    out.stderr_path.clear();
    out.stderr_to_stdout = true;
  }
  out.append = spec.output_append;
  return out;
}

}  // namespace suanli::agent
