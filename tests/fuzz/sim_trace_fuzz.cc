// The simulator's trace loader (sim::ParseTrace) on arbitrary CSV text. Traces come from public
// dumps and hand edits, so every row must end up exactly once: a job, a never-ran job or a bad
// row with its line, and the jobs sorted for replay. The jobs then become a workload on a small
// mixed cluster (with tenants from the trace and flexible shapes), as `suanli sim` builds it:
// every job is either replayed or said to be infeasible, and work and sizes stay non-negative.
#include <string>

#include "sim/cluster_spec.h"
#include "sim/trace.h"
#include "sim/workload.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> lines = suanli::fuzz::SplitLines(suanli::fuzz::AsText(data, size));
  auto t = suanli::sim::ParseTrace(lines, "fuzz.csv");
  if (!t.ok()) return 0;
  const int64_t rows = static_cast<int64_t>(lines.size()) - 1;
  FUZZ_CHECK(t->data_rows == rows);
  FUZZ_CHECK(static_cast<int64_t>(t->jobs.size() + t->never_ran.size() + t->bad_rows.size()) ==
             rows);
  for (size_t i = 0; i < t->jobs.size(); ++i) {
    const auto& j = t->jobs[i];
    FUZZ_CHECK(!j.id.empty() && j.duration_s >= 0 && j.submit_s >= 0 && j.num_gpus >= 0);
    FUZZ_CHECK(j.gpu_milli >= 0 && j.gpu_milli <= 1000);
    FUZZ_CHECK(j.gpu_milli == 1000 || j.num_gpus <= 1);
    FUZZ_CHECK(j.cpu_milli >= 0 && j.mem_mb >= 0);
    FUZZ_CHECK(j.line >= 2 && j.line <= rows + 1);
    if (i > 0) {
      const auto& p = t->jobs[i - 1];
      FUZZ_CHECK(p.submit_s < j.submit_s || (p.submit_s == j.submit_s && p.line < j.line));
    }
  }
  for (const auto& j : t->never_ran) FUZZ_CHECK(j.duration_s == -1);
  for (size_t i = 1; i < t->bad_rows.size(); ++i) {
    FUZZ_CHECK(t->bad_rows[i - 1].line < t->bad_rows[i].line);
  }

  static const suanli::core::ClusterState cluster =
      *suanli::sim::ParseInlineCluster("2x8:nvidia-a100,2x4:V100M16,1x0");
  suanli::sim::WorkloadOptions options;
  options.tenants_from_trace = true;
  options.flexible_fraction = 0.5;
  options.flexible_min_gpus = 2;
  auto w = suanli::sim::BuildWorkload(*t, cluster, options);
  if (!w.ok()) return 0;
  FUZZ_CHECK(w->jobs.size() + w->infeasible.size() == t->jobs.size());
  for (const auto& j : w->jobs) {
    FUZZ_CHECK(j.work_ms >= 0 && j.accel_milli >= 0);
    FUZZ_CHECK(!j.job.shapes.empty());
  }
  return 0;
}
