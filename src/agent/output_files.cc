#include "agent/output_files.h"

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

}  // namespace

TaskOutputFiles ExpandOutputFiles(const LaunchSpec& spec, const EnvMap& env) {
  TaskOutputFiles out;
  if (spec.output_pattern.empty() && spec.error_pattern.empty()) return out;
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
  if (!spec.output_pattern.empty())
    out.stdout_path = slurm::ExpandFilenamePattern(spec.output_pattern, v);
  if (!spec.error_pattern.empty())
    out.stderr_path = slurm::ExpandFilenamePattern(spec.error_pattern, v);
  if (!out.stdout_path.empty() && (out.stderr_path.empty() || out.stderr_path == out.stdout_path)) {
    out.stderr_path.clear();
    out.stderr_to_stdout = true;
  }
  out.append = spec.output_append;
  return out;
}

}  // namespace suanli::agent
