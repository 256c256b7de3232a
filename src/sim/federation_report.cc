#include "sim/federation_report.h"

#include "sim/format.h"

namespace suanli::sim {

nlohmann::json ToJson(const FederationReport& report) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : report.runs) {
    nlohmann::json centers = nlohmann::json::array();
    for (const auto& c : r.centers) {
      centers.push_back({{"name", c.name},
                         {"region", c.region},
                         {"capacity", c.capacity},
                         {"jobs", c.jobs},
                         {"utilization", c.utilization},
                         {"gpu_h", c.gpu_h},
                         {"cost", c.cost},
                         {"energy_kwh", c.energy_kwh},
                         {"carbon_kg", c.carbon_kg}});
    }
    runs.push_back({{"policy", r.policy},
                    {"jobs", r.jobs},
                    {"finished", r.finished},
                    {"rejected", r.rejected},
                    {"rejected_examples", r.rejected_examples},
                    {"spilled", r.spilled},
                    {"jct_s",
                     {{"mean", r.jct_s.mean},
                      {"p50", r.jct_s.p50},
                      {"p95", r.jct_s.p95},
                      {"p99", r.jct_s.p99},
                      {"max", r.jct_s.max}}},
                    {"avg_wait_s", r.avg_wait_s},
                    {"compute_cost", r.compute_cost},
                    {"egress_cost", r.egress_cost},
                    {"total_cost", r.total_cost},
                    {"energy_kwh", r.energy_kwh},
                    {"carbon_kg", r.carbon_kg},
                    {"data_moved_tb", r.data_moved_tb},
                    {"copies", r.copies},
                    {"staged_jobs", r.staged_jobs},
                    {"preemptions", r.preemptions},
                    {"residency_violations", r.residency_violations},
                    {"utilization_cv", r.utilization_cv},
                    {"utilization_max_min", r.utilization_max_min},
                    {"makespan_s", r.makespan_s},
                    {"centers", centers}});
  }
  return {{"trace", report.trace},
          {"network", report.network},
          {"trace_jobs", report.trace_jobs},
          {"infeasible", report.infeasible},
          {"runs", runs}};
}

std::string ToMarkdown(const FederationReport& report) {
  std::string out = "# Federation replay\n\n";
  out += "Trace " + report.trace + " (" + Int(static_cast<double>(report.trace_jobs)) + " jobs; " +
         Int(static_cast<double>(report.infeasible)) +
         " larger than every center together, not replayed) on " + report.network + ".\n\n";
  out +=
      "| policy | jobs | avg JCT s | p99 JCT s | avg wait s | cost | egress | energy MWh | "
      "carbon t | data moved TB | staged jobs | preempt | util CV | util max/min |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : report.runs) {
    out += "| " + r.policy + " | " + Int(static_cast<double>(r.finished)) + " | " +
           Int(r.jct_s.mean) + " | " + Int(r.jct_s.p99) + " | " + Int(r.avg_wait_s) + " | " +
           Int(r.total_cost) + " | " + Int(r.egress_cost) + " | " + Num(r.energy_kwh / 1000, 1) +
           " | " + Num(r.carbon_kg / 1000, 1) + " | " + Num(r.data_moved_tb, 1) + " | " +
           Int(static_cast<double>(r.staged_jobs)) + " | " +
           Int(static_cast<double>(r.preemptions)) + " | " + Num(r.utilization_cv, 3) + " | " +
           (r.utilization_max_min > 0 ? Num(r.utilization_max_min, 2) : std::string("∞")) + " |\n";
  }
  if (report.runs.empty()) return out;
  out += "\nUtilization per center (allocated / capacity accelerator-time over the replay):\n\n";
  out += "| center | region | accelerators |";
  std::string rule = "|---|---|---:|";
  for (const auto& r : report.runs) {
    out += " " + r.policy + " |";
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (size_t c = 0; c < report.runs[0].centers.size(); ++c) {
    const CenterResult& first = report.runs[0].centers[c];
    out += "| " + first.name + " | " + first.region + " | " +
           Int(static_cast<double>(first.capacity)) + " |";
    for (const auto& r : report.runs) out += " " + Pct(r.centers[c].utilization) + " |";
    out += "\n";
  }
  std::string notes;
  for (const auto& r : report.runs) {
    if (r.rejected > 0) {
      notes += "- " + r.policy + ": " + Int(static_cast<double>(r.rejected)) +
               " jobs no center could take, e.g. " + r.rejected_examples.front() + "\n";
    }
    if (r.spilled > 0) {
      notes += "- " + r.policy + ": " + Int(static_cast<double>(r.spilled)) +
               " jobs no center of their home region could take went to the least-loaded one\n";
    }
    if (r.residency_violations > 0) {
      notes += "- " + r.policy + ": " + Int(static_cast<double>(r.residency_violations)) +
               " copies of a resident dataset out of its region (a bug)\n";
    }
  }
  if (!notes.empty()) out += "\n" + notes;
  return out;
}

}  // namespace suanli::sim
