#include "sim/trace.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "sim/csv.h"

namespace suanli::sim {
namespace {

// Bounds on a row's numbers, far beyond any trace (Philly spans months; openb's largest pod asks
// 8 GPUs): the workload multiplies times by 1000 and splits GPUs into gangs, which a row such as
// "duration_s=9223372036854775807" or "num_gpus=1000000007" (a prime: ~1e9 steps) would overflow
// or stall.
constexpr int64_t kMaxSeconds = 1'000'000'000'000;  // ~31,700 years; in ms still fits int64
constexpr int64_t kMaxGpus = 1 << 20;
constexpr double kMaxCpus = 1 << 20;
constexpr int64_t kMaxMemMib = int64_t{1} << 40;

std::string Range(int64_t max) { return "an integer in 0.." + std::to_string(max); }

struct Columns {
  int id = -1, tenant = -1, submit = -1, duration = -1, gpus = -1, gpu_type = -1, status = -1;
  int gpu_milli = -1, cpus = -1, mem = -1, wallclock = -1, aug33 = -1;
};

std::string Cell(const std::vector<std::string>& cells, int col) {
  if (col < 0) return "";
  std::string s = cells[col];
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t start = s.find_first_not_of(" \t");
  return start == std::string::npos ? "" : s.substr(start);
}

// Fills `job` from one row, or returns why the row is unusable.
std::string ParseRow(const std::vector<std::string>& cells, const Columns& c, TraceJob& job) {
  job.id = Cell(cells, c.id);
  if (job.id.empty()) return "empty job_id";
  job.tenant = Cell(cells, c.tenant);
  auto submit = ParseInt(Cell(cells, c.submit));
  if (!submit || *submit < 0 || *submit > kMaxSeconds) {
    return "submit_time_s '" + Cell(cells, c.submit) + "' is not " + Range(kMaxSeconds);
  }
  job.submit_s = *submit;
  std::string duration = Cell(cells, c.duration);
  if (duration.empty()) {
    job.duration_s = -1;
  } else {
    auto d = ParseInt(duration);
    if (!d) {
      // Some traces write whole seconds as "12.0"; accept integral decimals only.
      auto f = ParseDouble(duration);
      // Bounded before the cast: a double beyond int64 does not convert.
      if (f && *f >= 0 && *f <= kMaxSeconds && std::floor(*f) == *f) d = static_cast<int64_t>(*f);
    }
    if (!d || *d < 0 || *d > kMaxSeconds) {
      return "duration_s '" + duration + "' is not " + Range(kMaxSeconds);
    }
    job.duration_s = *d;
  }
  auto gpus = ParseInt(Cell(cells, c.gpus));
  if (!gpus || *gpus < 0 || *gpus > kMaxGpus) {
    return "num_gpus '" + Cell(cells, c.gpus) + "' is not " + Range(kMaxGpus);
  }
  job.num_gpus = *gpus;
  job.gpu_milli = 1000;
  if (c.gpu_milli >= 0 && !Cell(cells, c.gpu_milli).empty()) {
    auto m = ParseInt(Cell(cells, c.gpu_milli));
    if (!m || *m < 0 || *m > 1000) {
      return "gpu_milli '" + Cell(cells, c.gpu_milli) + "' is not an integer in 0..1000";
    }
    if (*m < 1000 && job.num_gpus > 1) {
      return "gpu_milli " + std::to_string(*m) + " < 1000 with num_gpus " +
             std::to_string(job.num_gpus) + " (a fractional share is for one GPU only)";
    }
    if (job.num_gpus > 0 && *m == 0) return "num_gpus > 0 but gpu_milli is 0";
    job.gpu_milli = job.num_gpus == 0 ? 0 : *m;
  }
  job.gpu_type = Cell(cells, c.gpu_type);
  job.gpu_type_aug33 = Cell(cells, c.aug33);
  if (c.cpus >= 0 && !Cell(cells, c.cpus).empty()) {
    auto cpus = ParseDouble(Cell(cells, c.cpus));
    if (!cpus || *cpus < 0 || *cpus > kMaxCpus) {
      return "num_cpus '" + Cell(cells, c.cpus) + "' is not a number in 0.." +
             std::to_string(static_cast<int64_t>(kMaxCpus));
    }
    job.cpu_milli = std::llround(*cpus * 1000);
  }
  if (c.mem >= 0 && !Cell(cells, c.mem).empty()) {
    auto mem = ParseInt(Cell(cells, c.mem));
    if (!mem || *mem < 0 || *mem > kMaxMemMib) {
      return "mem_mib '" + Cell(cells, c.mem) + "' is not " + Range(kMaxMemMib);
    }
    job.mem_mb = *mem;
  }
  job.submit_wallclock = Cell(cells, c.wallclock);
  job.status = Cell(cells, c.status);
  return "";
}

}  // namespace

Result<Trace> ParseTrace(const std::vector<std::string>& lines, const std::string& source) {
  if (lines.empty()) return InvalidArgument("trace '" + source + "' is empty (no header row)");
  std::vector<std::string> header = SplitCsvLine(lines[0]);
  Columns c;
  c.id = FindColumn(header, "job_id");
  c.tenant = FindColumn(header, "tenant");
  c.submit = FindColumn(header, "submit_time_s");
  c.duration = FindColumn(header, "duration_s");
  c.gpus = FindColumn(header, "num_gpus");
  c.gpu_type = FindColumn(header, "gpu_type");
  c.status = FindColumn(header, "status");
  c.gpu_milli = FindColumn(header, "gpu_milli");
  c.cpus = FindColumn(header, "num_cpus");
  c.mem = FindColumn(header, "mem_mib");
  c.wallclock = FindColumn(header, "submit_wallclock");
  c.aug33 = FindColumn(header, "gpu_type_aug33");
  std::string missing;
  if (c.id < 0) missing += " job_id";
  if (c.submit < 0) missing += " submit_time_s";
  if (c.duration < 0) missing += " duration_s";
  if (c.gpus < 0) missing += " num_gpus";
  if (!missing.empty()) {
    return InvalidArgument("trace '" + source + "' header lacks required column(s):" + missing +
                           " (header is '" + lines[0] + "')");
  }

  Trace trace;
  trace.source = source;
  std::unordered_set<std::string> seen_ids;
  for (size_t i = 1; i < lines.size(); ++i) {
    const int64_t line_no = static_cast<int64_t>(i) + 1;
    ++trace.data_rows;
    if (lines[i].find_first_not_of(" \t\r") == std::string::npos) {
      trace.bad_rows.push_back({line_no, "empty line"});
      continue;
    }
    std::vector<std::string> cells = SplitCsvLine(lines[i]);
    if (cells.size() != header.size()) {
      trace.bad_rows.push_back({line_no, "has " + std::to_string(cells.size()) +
                                             " fields, header has " +
                                             std::to_string(header.size())});
      continue;
    }
    TraceJob job;
    job.line = line_no;
    std::string why = ParseRow(cells, c, job);
    if (!why.empty()) {
      trace.bad_rows.push_back({line_no, why});
      continue;
    }
    if (!seen_ids.insert(job.id).second) {
      trace.bad_rows.push_back({line_no, "duplicate job_id '" + job.id + "'"});
      continue;
    }
    if (job.duration_s < 0) {
      trace.never_ran.push_back(std::move(job));
    } else {
      trace.jobs.push_back(std::move(job));
    }
  }
  // The README promises sorted rows; sort anyway (stable on line) so a hand-edited file still
  // replays in submission order.
  std::stable_sort(trace.jobs.begin(), trace.jobs.end(), [](const TraceJob& a, const TraceJob& b) {
    return a.submit_s != b.submit_s ? a.submit_s < b.submit_s : a.line < b.line;
  });
  return trace;
}

Result<Trace> LoadTrace(const std::string& path) {
  SUANLI_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  return ParseTrace(lines, path);
}

}  // namespace suanli::sim
