#pragma once
// What one `suanli sim` invocation measured, and the writers that turn it into a text/Markdown
// comparison table, JSON, CSV files and a self-contained HTML page with inline SVG plots.
// Output holds no wall-clock times, so two runs of the same inputs are byte-identical.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "sim/engine.h"
#include "sim/fragmentation.h"
#include "sim/metrics.h"
#include "sim/trace.h"
#include "sim/workload.h"

namespace suanli::sim {

// Where every trace row went.
struct InputAccount {
  std::string trace;
  std::string cluster;
  int64_t capacity_gpus = 0;
  int64_t data_rows = 0;
  std::vector<BadRow> bad_rows;
  std::vector<TraceJob> never_ran;  // empty duration_s: counted, not simulated
  int64_t outside_window = 0, beyond_limit = 0;
  std::vector<UnplaceableJob> infeasible;  // never fit (incl. tenants without a partition)
  int64_t replayed = 0;
  int64_t flexible = 0;
};

InputAccount AccountInput(const FilteredTrace& trace, const std::string& cluster_description,
                          int64_t capacity_gpus, const std::vector<const Workload*>& parts);

struct PolicyRun {
  std::string label;
  std::vector<RunOutcome> outcomes;  // one per workload part
  RunSummary summary;
};

struct SimReport {
  InputAccount input;
  std::vector<Workload> parts;  // one, or one per VC partition (protocol A)
  std::vector<std::string> part_names;
  std::vector<PolicyRun> runs;
};

nlohmann::json ToJson(const SimReport& report);
std::string ToMarkdown(const SimReport& report);  // also the text output
std::string ToHtml(const SimReport& report);
std::string SummaryCsv(const SimReport& report);
std::string TenantsCsv(const SimReport& report);
std::string UtilizationCsv(const SimReport& report);
std::string JobsCsv(const SimReport& report, const PolicyRun& run);
// Writes summary.json, summary.csv, tenants.csv, utilization.csv, report.md, report.html and,
// with job_details, one jobs-<label>.csv per policy into `dir` (created when missing).
Status WriteReport(const SimReport& report, const std::string& dir, bool job_details = false);

// Protocol C.
struct FragmentationReport {
  InputAccount input;
  double target_pct = 130;
  int64_t durationless_pods = 0;  // sampled too: protocol C has no departures
  std::vector<FragmentationSummary> runs;
};
nlohmann::json ToJson(const FragmentationReport& report);
std::string ToMarkdown(const FragmentationReport& report);
std::string ToHtml(const FragmentationReport& report);
Status WriteReport(const FragmentationReport& report, const std::string& dir);

// "fifo/best-fit" -> "fifo-best-fit": safe in file names.
std::string FileSafe(const std::string& label);

}  // namespace suanli::sim
