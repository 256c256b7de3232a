#include "sim/report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/format.h"

namespace suanli::sim {
namespace {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += "\"\"";
    else
      out.push_back(c);
  }
  return out + "\"";
}

nlohmann::json DistJson(const Distribution& d) {
  return {{"mean", d.mean}, {"p50", d.p50}, {"p95", d.p95}, {"p99", d.p99}, {"max", d.max}};
}

nlohmann::json InputJson(const InputAccount& in) {
  nlohmann::json bad = nlohmann::json::array();
  for (const auto& b : in.bad_rows) bad.push_back({{"line", b.line}, {"reason", b.reason}});
  nlohmann::json never = nlohmann::json::array();
  for (const auto& j : in.never_ran) never.push_back({{"line", j.line}, {"job_id", j.id}});
  nlohmann::json infeasible = nlohmann::json::array();
  for (const auto& j : in.infeasible) {
    infeasible.push_back({{"line", j.line}, {"job_id", j.name}, {"reason", j.reason}});
  }
  return {{"trace", in.trace},
          {"cluster", in.cluster},
          {"capacity_gpus", in.capacity_gpus},
          {"data_rows", in.data_rows},
          {"bad_rows", in.bad_rows.size()},
          {"bad_row_list", bad},
          {"never_ran", in.never_ran.size()},
          {"never_ran_list", never},
          {"outside_window", in.outside_window},
          {"beyond_limit", in.beyond_limit},
          {"infeasible", in.infeasible.size()},
          {"infeasible_list", infeasible},
          {"replayed", in.replayed},
          {"flexible", in.flexible}};
}

std::string InputMarkdown(const InputAccount& in) {
  std::ostringstream md;
  md << "Trace `" << in.trace << "`: " << Int(in.data_rows) << " rows; replayed "
     << Int(in.replayed) << " jobs on " << in.cluster << " (" << Int(in.capacity_gpus)
     << " GPUs).\n";
  md << "Not replayed: " << in.bad_rows.size() << " bad rows, " << in.never_ran.size()
     << " never ran (empty duration), " << in.outside_window << " outside --window, "
     << in.beyond_limit << " beyond --limit-jobs, " << in.infeasible.size()
     << " can never fit the cluster (or have no partition).";
  if (in.flexible > 0) md << " Flexible jobs: " << in.flexible << ".";
  md << "\n";
  const size_t kShow = 10;
  for (size_t i = 0; i < in.bad_rows.size() && i < kShow; ++i) {
    md << "- bad row, line " << in.bad_rows[i].line << ": " << in.bad_rows[i].reason << "\n";
  }
  if (in.bad_rows.size() > kShow) md << "- … " << in.bad_rows.size() - kShow << " more bad rows\n";
  for (size_t i = 0; i < in.never_ran.size() && i < kShow; ++i) {
    md << "- never ran, line " << in.never_ran[i].line << ": " << in.never_ran[i].id << "\n";
  }
  if (in.never_ran.size() > kShow)
    md << "- … " << in.never_ran.size() - kShow << " more that never ran\n";
  for (size_t i = 0; i < in.infeasible.size() && i < kShow; ++i) {
    md << "- not replayed, line " << in.infeasible[i].line << " (" << in.infeasible[i].name
       << "): " << in.infeasible[i].reason << "\n";
  }
  if (in.infeasible.size() > kShow)
    md << "- … " << in.infeasible.size() - kShow << " more that never fit\n";
  return md.str();
}

// ---- SVG plots ----

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

struct Series {
  std::string name;
  std::vector<double> y;
  bool dashed = false;
};

// A line chart over x in [x0, x1] with y in [0, y_max].
std::string LineChart(const std::string& title, const std::string& x_label, double x0, double x1,
                      const std::string& y_label, double y_max, const std::vector<Series>& series) {
  const double W = 720, H = 300, L = 60, R = 170, T = 30, B = 45;
  const double pw = W - L - R, ph = H - T - B;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
      << "' font-family='sans-serif' font-size='11'>";
  svg << "<text x='" << L << "' y='18' font-size='13' font-weight='bold'>" << HtmlEscape(title)
      << "</text>";
  svg << "<rect x='" << L << "' y='" << T << "' width='" << pw << "' height='" << ph
      << "' fill='none' stroke='#999'/>";
  for (int i = 0; i <= 4; ++i) {
    double y = T + ph - ph * i / 4.0;
    svg << "<line x1='" << L << "' x2='" << L + pw << "' y1='" << Num(y, 1) << "' y2='" << Num(y, 1)
        << "' stroke='#eee'/><text x='" << L - 5 << "' y='" << Num(y + 4, 1)
        << "' text-anchor='end'>" << Num(y_max * i / 4.0, y_max >= 10 ? 0 : 2) << "</text>";
    double x = L + pw * i / 4.0;
    svg << "<text x='" << Num(x, 1) << "' y='" << T + ph + 15 << "' text-anchor='middle'>"
        << Num(x0 + (x1 - x0) * i / 4.0, (x1 - x0) >= 10 ? 0 : 2) << "</text>";
  }
  svg << "<text x='" << L + pw / 2 << "' y='" << H - 8 << "' text-anchor='middle'>"
      << HtmlEscape(x_label) << "</text>";
  svg << "<text transform='translate(14," << T + ph / 2 << ") rotate(-90)' text-anchor='middle'>"
      << HtmlEscape(y_label) << "</text>";
  for (size_t s = 0; s < series.size(); ++s) {
    const auto& se = series[s];
    if (se.y.empty()) continue;
    const char* color = kColors[s % 10];
    svg << "<polyline fill='none' stroke='" << color << "' stroke-width='1.5'"
        << (se.dashed ? " stroke-dasharray='5,3'" : "") << " points='";
    for (size_t i = 0; i < se.y.size(); ++i) {
      double fx = se.y.size() == 1 ? 0 : static_cast<double>(i) / (se.y.size() - 1);
      double fy = y_max > 0 ? std::clamp(se.y[i] / y_max, 0.0, 1.0) : 0;
      svg << Num(L + pw * fx, 1) << "," << Num(T + ph - ph * fy, 1) << " ";
    }
    svg << "'/>";
    double ly = T + 12 + 16 * static_cast<double>(s);
    svg << "<line x1='" << L + pw + 10 << "' x2='" << L + pw + 30 << "' y1='" << ly << "' y2='"
        << ly << "' stroke='" << color << "' stroke-width='2'"
        << (se.dashed ? " stroke-dasharray='5,3'" : "") << "/><text x='" << L + pw + 35 << "' y='"
        << ly + 4 << "'>" << HtmlEscape(se.name) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

// Horizontal bars, one group per label with one bar per measure.
std::string BarChart(const std::string& title, const std::vector<std::string>& labels,
                     const std::vector<std::string>& measures,
                     const std::vector<std::vector<double>>& values, const std::string& unit) {
  const double W = 720, L = 170, R = 90, bar = 14, gap = 10;
  double vmax = 0;
  for (const auto& row : values) {
    for (double v : row) vmax = std::max(vmax, v);
  }
  const double group = bar * static_cast<double>(measures.size()) + gap;
  const double H = 40 + group * static_cast<double>(labels.size()) + 20;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
      << "' font-family='sans-serif' font-size='11'>";
  svg << "<text x='10' y='18' font-size='13' font-weight='bold'>" << HtmlEscape(title) << "</text>";
  for (size_t m = 0; m < measures.size(); ++m) {
    svg << "<rect x='" << L + 160 * m << "' y='26' width='10' height='10' fill='" << kColors[m % 10]
        << "'/><text x='" << L + 160 * m + 14 << "' y='35'>" << HtmlEscape(measures[m])
        << "</text>";
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    double y0 = 44 + group * static_cast<double>(i);
    svg << "<text x='" << L - 6 << "' y='" << y0 + group / 2 << "' text-anchor='end'>"
        << HtmlEscape(labels[i]) << "</text>";
    for (size_t m = 0; m < measures.size(); ++m) {
      double v = values[i][m];
      double w = vmax > 0 ? (W - L - R) * v / vmax : 0;
      double y = y0 + bar * static_cast<double>(m);
      svg << "<rect x='" << L << "' y='" << y << "' width='" << Num(w, 1) << "' height='" << bar - 2
          << "' fill='" << kColors[m % 10] << "'/><text x='" << Num(L + w + 4, 1) << "' y='"
          << y + bar - 4 << "'>" << Num(v, v >= 100 ? 0 : 2) << unit << "</text>";
    }
  }
  svg << "</svg>";
  return svg.str();
}

std::string MarkdownToHtmlTable(const std::string& md) {
  // Converts the pipe tables of our own Markdown (and plain lines) into HTML.
  std::istringstream in(md);
  std::string line, html;
  bool in_table = false, header = false;
  while (std::getline(in, line)) {
    if (line.rfind("|", 0) == 0) {
      if (line.find("---") != std::string::npos &&
          line.find_first_not_of("|-: ") == std::string::npos) {
        continue;
      }
      if (!in_table) {
        html += "<table>";
        in_table = true;
        header = true;
      }
      html += "<tr>";
      size_t start = 1;
      while (start < line.size()) {
        size_t end = line.find('|', start);
        if (end == std::string::npos) break;
        std::string cell = line.substr(start, end - start);
        std::string tag = header ? "th" : "td";
        html += "<" + tag + ">" + HtmlEscape(cell) + "</" + tag + ">";
        start = end + 1;
      }
      html += "</tr>\n";
      header = false;
    } else {
      if (in_table) html += "</table>\n";
      in_table = false;
      if (line.rfind("## ", 0) == 0) {
        html += "<h2>" + HtmlEscape(line.substr(3)) + "</h2>\n";
      } else if (line.rfind("### ", 0) == 0) {
        html += "<h3>" + HtmlEscape(line.substr(4)) + "</h3>\n";
      } else if (line.rfind("# ", 0) == 0) {
        html += "<h1>" + HtmlEscape(line.substr(2)) + "</h1>\n";
      } else if (!line.empty()) {
        html += "<p>" + HtmlEscape(line) + "</p>\n";
      }
    }
  }
  if (in_table) html += "</table>\n";
  return html;
}

std::string HtmlPage(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" + HtmlEscape(title) +
         "</title><style>body{font-family:sans-serif;margin:24px;max-width:1100px}"
         "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:right}th{background:#f3f3f3}svg{display:block;margin:12px 0}</style></head>"
         "<body>\n" +
         body + "</body></html>\n";
}

Status WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Internal("cannot write '" + path.string() + "'");
  out << content;
  out.close();
  if (!out) return Internal("error while writing '" + path.string() + "'");
  return Status::Ok();
}

Status MakeDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create directory '" + dir + "': " + ec.message());
  return Status::Ok();
}

// Published FGD final allocation ratios (ATC'23, openb default, 130 % arrived, mean of 10 seeds).
double PublishedFgd(const std::string& label) {
  static const std::map<std::string, double> kPublished = {
      {"random", 87.47},  {"dot-product", 90.85}, {"dotprod", 90.85}, {"clustering", 91.88},
      {"packing", 92.00}, {"best-fit", 93.08},    {"bestfit", 93.08}, {"fgd", 95.39}};
  size_t slash = label.rfind('/');
  std::string placement = slash == std::string::npos ? label : label.substr(slash + 1);
  auto it = kPublished.find(placement);
  return it == kPublished.end() ? -1 : it->second;
}

}  // namespace

std::string FileSafe(const std::string& label) {
  std::string s;
  for (char c : label)
    s.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '-');
  return s;
}

InputAccount AccountInput(const FilteredTrace& filtered, const std::string& cluster_description,
                          int64_t capacity_gpus, const std::vector<const Workload*>& parts) {
  InputAccount in;
  in.trace = filtered.trace.source;
  in.cluster = cluster_description;
  in.capacity_gpus = capacity_gpus;
  in.data_rows = filtered.trace.data_rows;
  in.bad_rows = filtered.trace.bad_rows;
  in.never_ran = filtered.trace.never_ran;
  in.outside_window = filtered.outside_window;
  in.beyond_limit = filtered.beyond_limit;
  for (const Workload* w : parts) {
    in.infeasible.insert(in.infeasible.end(), w->infeasible.begin(), w->infeasible.end());
    in.replayed += static_cast<int64_t>(w->jobs.size());
    in.flexible += w->flexible_jobs;
  }
  std::sort(in.infeasible.begin(), in.infeasible.end(),
            [](const UnplaceableJob& a, const UnplaceableJob& b) { return a.line < b.line; });
  return in;
}

nlohmann::json ToJson(const SimReport& report) {
  nlohmann::json policies = nlohmann::json::array();
  for (const auto& run : report.runs) {
    const RunSummary& s = run.summary;
    nlohmann::json tenants = nlohmann::json::array();
    for (const auto& t : s.tenants) {
      if (t.jobs == 0) continue;
      tenants.push_back({{"tenant", t.name},
                         {"weight", t.weight},
                         {"entitlement", t.entitlement},
                         {"jobs", t.jobs},
                         {"finished", t.finished},
                         {"avg_jct_s", t.avg_jct_s},
                         {"avg_queue_s", t.avg_queue_s},
                         {"max_queue_s", t.max_queue_s},
                         {"received_gpu_h", t.received_gpu_h},
                         {"fair_gpu_h", t.fair_gpu_h},
                         {"demand_gpu_h", t.demand_gpu_h},
                         {"share", t.share},
                         {"received_over_fair", t.fair_ratio}});
    }
    policies.push_back({{"policy", run.label},
                        {"jobs", s.jobs},
                        {"finished", s.finished},
                        {"unfinished", s.unfinished},
                        {"unfinished_jobs", s.unfinished_jobs},
                        {"avg_jct_s", s.jct_s.mean},
                        {"p50_jct_s", s.jct_s.p50},
                        {"p95_jct_s", s.jct_s.p95},
                        {"p99_jct_s", s.jct_s.p99},
                        {"max_jct_s", s.jct_s.max},
                        {"avg_queue_s", s.queue_s.mean},
                        {"p50_queue_s", s.queue_s.p50},
                        {"p99_queue_s", s.queue_s.p99},
                        {"max_queue_s", s.queue_s.max},
                        {"slowdown", DistJson(s.slowdown)},
                        {"makespan_s", s.makespan_s},
                        {"utilization", s.utilization},
                        {"jain_fairness", s.jain_fairness},
                        {"preemptions", s.preemptions},
                        {"node_losses", s.node_losses},
                        {"outage_gpu_h", s.outage_gpu_h},
                        {"alternative_shape_runs", s.alternative_shape_runs},
                        {"lost_gpu_h", s.lost_gpu_h},
                        {"cycles", s.cycles},
                        {"tenants", tenants},
                        {"utilization_timeline", s.utilization_timeline}});
  }
  return {{"input", InputJson(report.input)}, {"policies", policies}};
}

std::string ToMarkdown(const SimReport& report) {
  std::ostringstream md;
  md << "## Policy comparison\n\n" << InputMarkdown(report.input) << "\n";
  md << "| policy | jobs | avg JCT s | p50 JCT s | p95 JCT s | p99 JCT s | avg queue s | p99 queue "
        "s "
        "| max queue s | avg slowdown | makespan h | util | Jain | preempt | lost GPU·h |\n";
  md << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& run : report.runs) {
    const RunSummary& s = run.summary;
    md << "| " << run.label << " | " << Int(s.finished)
       << (s.unfinished > 0 ? " (+" + Int(s.unfinished) + " unfinished)" : "") << " | "
       << Int(s.jct_s.mean) << " | " << Int(s.jct_s.p50) << " | " << Int(s.jct_s.p95) << " | "
       << Int(s.jct_s.p99) << " | " << Int(s.queue_s.mean) << " | " << Int(s.queue_s.p99) << " | "
       << Int(s.queue_s.max) << " | " << Num(s.slowdown.mean, 2) << " | "
       << Num(s.makespan_s / 3600, 1) << " | " << Pct(s.utilization) << " | "
       << Num(s.jain_fairness, 3) << " | " << Int(s.preemptions) << " | " << Num(s.lost_gpu_h, 1)
       << " |\n";
  }
  for (const auto& run : report.runs) {
    const RunSummary& s = run.summary;
    if (s.outage_gpu_h <= 0 && s.node_losses == 0) continue;
    md << "\n"
       << run.label << ": nodes were out for " << Num(s.outage_gpu_h, 1) << " GPU·h of capacity; "
       << Int(s.node_losses) << " runs ended with their node and were requeued (utilization "
       << "counts the whole cluster, outages included).\n";
  }
  for (const auto& run : report.runs) {
    if (report.input.flexible == 0) break;
    md << "\n"
       << run.label << ": " << Int(run.summary.alternative_shape_runs) << " of "
       << Int(report.input.flexible) << " flexible jobs finished on their alternative shape.\n";
  }
  for (const auto& run : report.runs) {
    const RunSummary& s = run.summary;
    if (s.tenants.size() <= 1) continue;
    md << "\n### Tenants under " << run.label << "\n\n";
    md << "| tenant | weight | entitlement | jobs | avg JCT s | avg queue s | max queue s | "
          "GPU·h received | share | fair GPU·h | received / fair |\n";
    md << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& t : s.tenants) {
      if (t.jobs == 0) continue;
      md << "| " << t.name << " | " << Num(t.weight, 0) << " | " << Pct(t.entitlement) << " | "
         << Int(t.jobs) << " | " << Int(t.avg_jct_s) << " | " << Int(t.avg_queue_s) << " | "
         << Int(t.max_queue_s) << " | " << Int(t.received_gpu_h) << " | " << Pct(t.share) << " | "
         << Int(t.fair_gpu_h) << " | " << Num(t.fair_ratio, 2) << " |\n";
    }
  }
  return md.str();
}

std::string ToHtml(const SimReport& report) {
  std::string body = "<h1>suanli sim</h1>\n" + MarkdownToHtmlTable(ToMarkdown(report));
  std::vector<Series> util;
  double hours = 0;
  std::vector<std::string> labels;
  std::vector<std::vector<double>> jct;
  for (const auto& run : report.runs) {
    Series s{run.label, {}};
    for (double u : run.summary.utilization_timeline) s.y.push_back(100 * u);
    util.push_back(std::move(s));
    hours = std::max(hours, run.summary.makespan_s / 3600);
    labels.push_back(run.label);
    jct.push_back({run.summary.jct_s.mean / 3600, run.summary.queue_s.mean / 3600,
                   run.summary.queue_s.max / 3600 / 24});
  }
  body += BarChart("JCT and waiting", labels, {"avg JCT (h)", "avg queue (h)", "max queue (days)"},
                   jct, "");
  body += LineChart("Accelerator utilization over time", "hours since first submission", 0, hours,
                    "allocated %", 100, util);
  for (const auto& run : report.runs) {
    if (run.summary.tenants.size() <= 1) continue;
    std::vector<std::string> names;
    std::vector<std::vector<double>> v;
    for (const auto& t : run.summary.tenants) {
      if (t.jobs == 0) continue;
      names.push_back(t.name);
      double fair_total = 0;
      for (const auto& u : run.summary.tenants) fair_total += u.fair_gpu_h;
      v.push_back({100 * t.share, 100 * t.entitlement,
                   fair_total > 0 ? 100 * t.fair_gpu_h / fair_total : 0});
    }
    body += BarChart("Tenant share under " + run.label, names,
                     {"received share %", "entitlement %", "fair share given demand %"}, v, "");
  }
  return HtmlPage("suanli sim report", body);
}

std::string SummaryCsv(const SimReport& report) {
  std::string csv =
      "policy,jobs,finished,unfinished,avg_jct_s,p50_jct_s,p95_jct_s,p99_jct_s,avg_queue_s,"
      "p50_queue_s,p99_queue_s,max_queue_s,avg_slowdown,p99_slowdown,makespan_s,utilization,"
      "jain_fairness,preemptions,lost_gpu_h,cycles,node_losses,outage_gpu_h\n";
  for (const auto& run : report.runs) {
    const RunSummary& s = run.summary;
    csv += CsvCell(run.label) + "," + std::to_string(s.jobs) + "," + std::to_string(s.finished) +
           "," + std::to_string(s.unfinished) + "," + Num(s.jct_s.mean, 3) + "," +
           Num(s.jct_s.p50, 3) + "," + Num(s.jct_s.p95, 3) + "," + Num(s.jct_s.p99, 3) + "," +
           Num(s.queue_s.mean, 3) + "," + Num(s.queue_s.p50, 3) + "," + Num(s.queue_s.p99, 3) +
           "," + Num(s.queue_s.max, 3) + "," + Num(s.slowdown.mean, 4) + "," +
           Num(s.slowdown.p99, 4) + "," + Num(s.makespan_s, 3) + "," + Num(s.utilization, 6) + "," +
           Num(s.jain_fairness, 6) + "," + std::to_string(s.preemptions) + "," +
           Num(s.lost_gpu_h, 3) + "," + std::to_string(s.cycles) + "," +
           std::to_string(s.node_losses) + "," + Num(s.outage_gpu_h, 3) + "\n";
  }
  return csv;
}

std::string TenantsCsv(const SimReport& report) {
  std::string csv =
      "policy,tenant,weight,entitlement,jobs,finished,avg_jct_s,avg_queue_s,max_queue_s,"
      "received_gpu_h,share,fair_gpu_h,demand_gpu_h,received_over_fair\n";
  for (const auto& run : report.runs) {
    for (const auto& t : run.summary.tenants) {
      if (t.jobs == 0) continue;
      csv += CsvCell(run.label) + "," + CsvCell(t.name) + "," + Num(t.weight, 3) + "," +
             Num(t.entitlement, 6) + "," + std::to_string(t.jobs) + "," +
             std::to_string(t.finished) + "," + Num(t.avg_jct_s, 3) + "," + Num(t.avg_queue_s, 3) +
             "," + Num(t.max_queue_s, 3) + "," + Num(t.received_gpu_h, 3) + "," + Num(t.share, 6) +
             "," + Num(t.fair_gpu_h, 3) + "," + Num(t.demand_gpu_h, 3) + "," +
             Num(t.fair_ratio, 6) + "\n";
    }
  }
  return csv;
}

std::string UtilizationCsv(const SimReport& report) {
  std::string csv = "policy,bucket,start_h,end_h,utilization\n";
  for (const auto& run : report.runs) {
    const auto& tl = run.summary.utilization_timeline;
    const double width = tl.empty() ? 0 : run.summary.makespan_s / 3600 / tl.size();
    for (size_t i = 0; i < tl.size(); ++i) {
      csv += CsvCell(run.label) + "," + std::to_string(i) + "," + Num(width * i, 3) + "," +
             Num(width * (i + 1), 3) + "," + Num(tl[i], 6) + "\n";
    }
  }
  return csv;
}

std::string JobsCsv(const SimReport& report, const PolicyRun& run) {
  std::string csv =
      "job_id,trace_line,tenant,gpus,submit_s,first_start_s,end_s,duration_s,jct_s,queue_s,"
      "preemptions,lost_gpu_s,shape\n";
  for (size_t p = 0; p < report.parts.size() && p < run.outcomes.size(); ++p) {
    const Workload& w = report.parts[p];
    for (size_t i = 0; i < w.jobs.size(); ++i) {
      const SimJob& sj = w.jobs[i];
      const JobOutcome& o = run.outcomes[p].jobs[i];
      auto secs = [](core::Time t) {
        return t == core::kUnknownTime ? std::string() : Num(t / 1000.0, 0);
      };
      csv += CsvCell(sj.name) + "," + std::to_string(sj.line) + "," +
             CsvCell(w.tenants[sj.job.tenant].name) + "," + Num(sj.accel_milli / 1000.0, 3) + "," +
             secs(o.submit) + "," + secs(o.first_start) + "," + secs(o.end) + "," +
             Num(sj.work_ms / 1000.0, 0) + "," +
             (o.end == core::kUnknownTime ? std::string() : Num((o.end - o.submit) / 1000.0, 0)) +
             "," + Num(o.pending_ms / 1000.0, 0) + "," + std::to_string(o.preemptions) + "," +
             Num(o.lost_accel_ms / 1000.0, 0) + "," + std::to_string(o.shape_index) + "\n";
    }
  }
  return csv;
}

Status WriteReport(const SimReport& report, const std::string& dir, bool job_details) {
  SUANLI_RETURN_IF_ERROR(MakeDir(dir));
  std::filesystem::path d(dir);
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "summary.json", ToJson(report).dump(2) + "\n"));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "summary.csv", SummaryCsv(report)));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "tenants.csv", TenantsCsv(report)));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "utilization.csv", UtilizationCsv(report)));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "report.md", ToMarkdown(report)));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "report.html", ToHtml(report)));
  if (job_details) {
    for (const auto& run : report.runs) {
      SUANLI_RETURN_IF_ERROR(
          WriteFile(d / ("jobs-" + FileSafe(run.label) + ".csv"), JobsCsv(report, run)));
    }
  }
  return Status::Ok();
}

// ---- Protocol C ----

nlohmann::json ToJson(const FragmentationReport& report) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& s : report.runs) {
    nlohmann::json seeds = nlohmann::json::array();
    for (const auto& r : s.runs) {
      seeds.push_back({{"seed", r.seed},
                       {"pods_arrived", r.pods_arrived},
                       {"pods_placed", r.pods_placed},
                       {"pods_failed", r.pods_failed},
                       {"final_alloc_pct", r.final_alloc_pct}});
    }
    double published = PublishedFgd(s.label);
    runs.push_back({{"policy", s.label},
                    {"alloc_pct_mean", s.mean_pct},
                    {"alloc_pct_min", s.min_pct},
                    {"alloc_pct_max", s.max_pct},
                    {"published_pct", published < 0 ? nlohmann::json() : nlohmann::json(published)},
                    {"seeds", seeds},
                    {"mean_curve", s.mean_curve}});
  }
  return {{"input", InputJson(report.input)},
          {"target_arrived_pct", report.target_pct},
          {"durationless_pods_sampled", report.durationless_pods},
          {"policies", runs}};
}

std::string ToMarkdown(const FragmentationReport& report) {
  std::ostringstream md;
  md << "## Fragmentation (FGD protocol: the whole trace in a seeded order, then resampled pods, "
        "no departures, until "
     << report.target_pct << " % of GPU capacity has arrived)\n\n"
     << InputMarkdown(report.input);
  if (report.durationless_pods > 0) {
    md << "Durations are unused (no departures): the " << report.durationless_pods
       << " pods recorded without one are sampled like the rest.\n";
  }
  md << "\n";
  md << "| policy/placement | seeds | allocated GPU % (mean) | min | max | at 100 % arrived | "
        "pods failed (mean) | published (FGD paper) |\n";
  md << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : report.runs) {
    double failed = 0;
    for (const auto& r : s.runs) failed += r.pods_failed;
    if (!s.runs.empty()) failed /= static_cast<double>(s.runs.size());
    double published = PublishedFgd(s.label);
    md << "| " << s.label << " | " << s.runs.size() << " | " << Num(s.mean_pct, 2) << " | "
       << Num(s.min_pct, 2) << " | " << Num(s.max_pct, 2) << " | "
       << (s.mean_curve.size() > 100 ? Num(s.mean_curve[100], 2) : std::string("")) << " | "
       << Num(failed, 1) << " | " << (published < 0 ? std::string("") : Num(published, 2))
       << " |\n";
  }
  return md.str();
}

std::string ToHtml(const FragmentationReport& report) {
  std::vector<Series> series;
  for (const auto& s : report.runs) series.push_back({s.label, s.mean_curve});
  std::vector<double> ideal;
  for (int i = 0; i <= static_cast<int>(report.target_pct); ++i) ideal.push_back(std::min(i, 100));
  series.push_back({"ideal (no fragmentation)", ideal, true});
  std::string body =
      "<h1>suanli sim — fragmentation</h1>\n" + MarkdownToHtmlTable(ToMarkdown(report)) +
      LineChart("Allocated GPU share vs arrived GPU demand", "arrived demand, % of capacity", 0,
                report.target_pct, "allocated %", 100, series);
  return HtmlPage("suanli sim fragmentation report", body);
}

Status WriteReport(const FragmentationReport& report, const std::string& dir) {
  SUANLI_RETURN_IF_ERROR(MakeDir(dir));
  std::filesystem::path d(dir);
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "fragmentation.json", ToJson(report).dump(2) + "\n"));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "fragmentation.md", ToMarkdown(report)));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "fragmentation.html", ToHtml(report)));
  std::string curves = "policy,arrived_pct,alloc_pct_mean\n";
  std::string seeds = "policy,seed,pods_arrived,pods_placed,pods_failed,final_alloc_pct\n";
  for (const auto& s : report.runs) {
    for (size_t i = 0; i < s.mean_curve.size(); ++i) {
      curves += CsvCell(s.label) + "," + std::to_string(i) + "," + Num(s.mean_curve[i], 3) + "\n";
    }
    for (const auto& r : s.runs) {
      seeds += CsvCell(s.label) + "," + std::to_string(r.seed) + "," +
               std::to_string(r.pods_arrived) + "," + std::to_string(r.pods_placed) + "," +
               std::to_string(r.pods_failed) + "," + Num(r.final_alloc_pct, 3) + "\n";
    }
  }
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "fragmentation_curves.csv", curves));
  SUANLI_RETURN_IF_ERROR(WriteFile(d / "fragmentation_seeds.csv", seeds));
  return Status::Ok();
}

}  // namespace suanli::sim
