#pragma once
// The replacement symbols of sbatch's --output, --error and --input file names (sbatch(1),
// "filename pattern"): %j %A %a %b %x %u %N %n %t %s %J %%. A number between '%' and the letter
// zero-pads numeric values ("%5a" -> 00007; at most 10), and is ignored for names. A pattern
// with a backslash anywhere is taken literally, backslashes removed, as Slurm does.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace suanli::slurm {

struct FilenameValues {
  uint64_t job_id = 0;
  std::optional<uint64_t> array_job_id;   // %A; the job id when not an array task
  std::optional<uint32_t> array_task_id;  // %a; Slurm prints 4294967294 when there is none
  std::string job_name;                   // %x
  std::string user;                       // %u
  std::string first_node;                 // %N (short host name)
  uint32_t node_index = 0;                // %n, relative to the job
  uint32_t task_id = 0;                   // %t, the rank
  std::string step = "batch";             // %s, and %J = job_id.step
};

std::string ExpandFilenamePattern(std::string_view pattern, const FilenameValues& values);

// A pattern made absolute against `dir` (the job's working directory, as Slurm resolves a relative
// --output), with any '%' in `dir` doubled so that only the pattern's own symbols are expanded.
// Unchanged when already absolute or when `dir` is empty.
std::string AbsoluteFilenamePattern(std::string_view pattern, std::string_view dir);

// sbatch's defaults: "slurm-%j.out", and "slurm-%A_%a.out" for an array job.
std::string_view DefaultOutputPattern(bool array_job);

}  // namespace suanli::slurm
