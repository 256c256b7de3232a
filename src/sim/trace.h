#pragma once
// Reads job traces in the common normalized schema of /work/shared/traces (see its README):
// job_id, tenant, submit_time_s, duration_s, num_gpus, gpu_type, status, then per-trace extras
// (gpu_milli, num_cpus, mem_mib, submit_wallclock, gpu_type_aug33, ...). Columns are found by
// header name, so extra or reordered columns are fine.
//
// Nothing is dropped silently: a row that cannot be understood becomes a BadRow with its line
// number and the reason; a row with an empty duration_s (the job never ran) is kept apart in
// `never_ran` so it is counted but never simulated as a zero-length job.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::sim {

struct TraceJob {
  int64_t line = 0;  // 1-based line in the file (the header is line 1)
  std::string id;
  std::string tenant;  // empty when the trace has none
  int64_t submit_s = 0;
  int64_t duration_s = -1;  // -1 only in Trace::never_ran
  int64_t num_gpus = 0;
  int64_t gpu_milli = 1000;    // share of each GPU; below 1000 only for a single fractional GPU
  std::string gpu_type;        // constraint, alternatives separated by '|'; empty = any
  std::string gpu_type_aug33;  // openb's augmented constraint column, empty when absent
  int64_t cpu_milli = 0;
  int64_t mem_mb = 0;
  std::string submit_wallclock;  // "YYYY-MM-DD HH:MM:SS" when the trace has it
  std::string status;
};

struct BadRow {
  int64_t line = 0;
  std::string reason;
};

struct Trace {
  std::string source;               // file name or generator spec, for reports
  int64_t data_rows = 0;            // rows after the header, including bad ones
  std::vector<TraceJob> jobs;       // good rows with a duration, sorted by (submit_s, line)
  std::vector<TraceJob> never_ran;  // good rows with an empty duration_s
  std::vector<BadRow> bad_rows;     // in line order
};

// Parses CSV text already split into lines (lines[0] is the header). A missing required column
// (job_id, submit_time_s, duration_s, num_gpus) or an empty input is an InvalidArgument.
Result<Trace> ParseTrace(const std::vector<std::string>& lines, const std::string& source);

// Reads and parses a trace file.
Result<Trace> LoadTrace(const std::string& path);

}  // namespace suanli::sim
