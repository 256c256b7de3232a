// Read-only views: tenants, nodes, usage reports, overview, utilization history, metrics.
#include <fmt/format.h>

#include <algorithm>

#include "server/controller.h"

namespace suanli::server {

namespace {

json Seconds(TimeMs ms) { return ms < 0 ? json(nullptr) : json(static_cast<double>(ms) / 1000.0); }

bool Holding(JobState s) { return s == JobState::kStarting || s == JobState::kRunning; }

struct UsageRow {
  std::set<JobId> jobs;
  core::ResourceSeconds used;
  double cost = 0;

  void Add(const store::UsageRecord& u) {
    jobs.insert(u.job_id);
    core::ResourceSeconds r;
    r.cpu_s = u.cpu_s;
    r.mem_mb_s = u.mem_mb_s;
    r.accel_s = u.accel_s;
    used.Add(r);
    cost += u.cost;
  }
  json Json(const std::string& key) const {
    return json{{"key", key},
                {"jobs", jobs.size()},
                {"cpu_s", used.cpu_s},
                {"mem_mb_s", used.mem_mb_s},
                {"accel_s", used.accel_s},
                {"accel_hours", used.AccelSeconds() / 3600.0},
                {"cost", cost}};
  }
};

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::map<std::string, double> Controller::AllocatedByType() const {
  std::map<std::string, double> out;
  for (const auto& [name, n] : nodes_.nodes()) {
    if (!n.up) continue;
    for (const auto& d : n.rec.devices) out[d.type] += 0;
  }
  for (const auto& [id, job] : jobs_.active()) {
    if (!Holding(job.state)) continue;
    for (const auto& t : job.placement) {
      if (!t.gpu_type.empty()) out[t.gpu_type] += t.accel_milli / 1000.0;
    }
  }
  for (const auto& d : draining_.tasks()) {
    if (d.handed_over) continue;  // its successor counts it already
    if (!d.held.gpu_type.empty()) out[d.held.gpu_type] += d.held.accel_milli / 1000.0;
  }
  return out;
}

json Controller::TenantJson(const store::TenantRecord& t, double running_hours, TimeMs now) {
  const BudgetLedger::Entry* b = accounting_.Budget(t.name, now);
  core::PeriodWindow window = b ? b->window : core::PeriodWindow{};
  auto bound = [](TimeMs ms, bool bounded) { return bounded ? Seconds(ms) : json(nullptr); };
  return json{{"name", t.name},
              {"parent", t.parent.empty() ? json(nullptr) : json(t.parent)},
              {"weight", t.weight},
              {"quota", t.quota},
              {"limit", t.limit},
              {"budget_accel_hours", t.budget_accel_hours},
              {"budget_period", core::BudgetPeriodName(t.budget_period)},
              {"budget_used_accel_hours", (b ? b->finished_hours : 0.0) + running_hours},
              {"budget_period_start", bound(window.start, window.bounded())},
              {"budget_resets_at", bound(window.end, window.bounded())}};
}

ApiReply Controller::ListTenants(const Principal& p) {
  struct Counts {
    int pending = 0, running = 0;
    std::map<std::string, double> allocated;
    double running_budget_hours = 0;  // running attempts of its subtree inside its budget period
  };
  const TimeMs now = Now();
  std::map<std::string, Counts> counts;
  for (const auto& [id, job] : jobs_.active()) {
    Counts& c = counts[job.tenant];
    if (job.state == JobState::kPending) ++c.pending;
    if (!Holding(job.state)) continue;
    ++c.running;
    for (const auto& t : job.placement) {
      c.allocated["cpus"] += t.cpus;
      c.allocated["mem_mb"] += static_cast<double>(t.mem_mb);
      if (!t.gpu_type.empty()) c.allocated[t.gpu_type] += t.accel_milli / 1000.0;
    }
    for (const std::string& h : directory_.Ancestry(job.tenant)) {
      const BudgetLedger::Entry* b = accounting_.Budget(h, now);
      counts[h].running_budget_hours +=
          Accounting::AccelHoursSince(job, b ? b->window.start : core::kBeginningOfTime, now);
    }
  }
  json out = json::array();
  for (const auto& t : directory_.tenants()) {
    if (!directory_.CanSeeTenant(p, t.name)) continue;
    const Counts& c = counts[t.name];
    json row = TenantJson(t, c.running_budget_hours, now);
    row["allocated"] = c.allocated;
    row["pending_jobs"] = c.pending;
    row["running_jobs"] = c.running;
    row["fair_share"] = directory_.FairShare(t.name);
    row["usage_accel_hours"] = accounting_.AllTimeAccelHours(t.name);
    out.push_back(std::move(row));
  }
  return JsonReply(200, json{{"tenants", out}});
}

ApiReply Controller::ListNodes(const Principal& p) {
  json out = json::array();
  for (const auto& [name, n] : nodes_.nodes()) {
    double cpus = 0, gpus = 0;
    int64_t mem = 0;
    json jobs = json::array();
    int holding = 0;  // every job's, visible or not
    for (const auto& [id, job] : jobs_.active()) {
      if (!Holding(job.state)) continue;
      bool here = false;
      for (const auto& t : job.placement) {
        if (t.node != name) continue;
        here = true;
        cpus += t.cpus;
        mem += t.mem_mb;
        gpus += t.accel_milli / 1000.0;
      }
      holding += here;
      if (here && CanSeeJob(p, job)) jobs.push_back(id);
    }
    json devices = json::array();
    for (const auto& d : n.rec.devices) {
      devices.push_back(json{{"index", d.index},
                             {"type", d.type},
                             {"uuid", d.uuid},
                             {"memory_mb", d.memory_mb},
                             {"island", d.island}});
    }
    // Slurm's words: DRAINING while jobs still run there, DRAINED once it is empty.
    std::string state = !n.up             ? "DOWN"
                        : !n.rec.draining ? "UP"
                        : holding == 0    ? "DRAINED"
                                          : "DRAINING";
    out.push_back(json{{"name", name},
                       {"state", state},
                       {"address", n.rec.address},
                       {"cpus", n.rec.cpus},
                       {"mem_mb", n.rec.mem_mb},
                       {"devices", devices},
                       {"allocated", {{"cpus", cpus}, {"mem_mb", mem}, {"gpus", gpus}}},
                       {"jobs", jobs},
                       {"last_heartbeat", Seconds(n.last_heartbeat)}});
  }
  return JsonReply(200, json{{"nodes", out}});
}

ApiReply Controller::Usage(const Principal& p, const UsageRequest& req) {
  if (!req.tenant.empty() &&
      (!directory_.Has(req.tenant) || !directory_.CanSeeTenant(p, req.tenant))) {
    return ErrorReply(NotFound("tenant '" + req.tenant + "' does not exist"));
  }
  store::UsageQuery q;
  q.tenants = directory_.VisibleTenants(p, req.tenant);
  q.user = req.user;
  q.since = req.since;
  q.until = req.until;
  std::vector<store::UsageRecord> records;
  if (!q.tenants.empty()) {
    auto r = store_->QueryUsage(q);
    if (!r.ok()) return ErrorReply(r.status());
    records = std::move(r).value();
  }
  std::map<std::string, UsageRow> rows;
  UsageRow total;
  for (const auto& u : records) {
    std::string key = req.by == "tenant" ? u.tenant : req.by == "user" ? u.user : "";
    if (req.by == "type") {
      key = "cpu-only";
      for (const auto& [type, s] : u.accel_s) {
        if (s > 0) {
          key = type;
          break;
        }
      }
    }
    rows[key].Add(u);
    total.Add(u);
  }
  if (req.csv) {
    std::set<std::string> types;
    for (const auto& [k, r] : rows) {
      for (const auto& [type, s] : r.used.accel_s) types.insert(type);
    }
    std::string csv = req.by + ",jobs,cpu_s,mem_mb_s,accel_hours";
    for (const auto& t : types) csv += "," + CsvField(t) + "_s";
    csv += ",cost\n";
    auto line = [&](const std::string& key, const UsageRow& r) {
      csv += fmt::format("{},{},{:.3f},{:.3f},{:.6f}", CsvField(key), r.jobs.size(), r.used.cpu_s,
                         r.used.mem_mb_s, r.used.AccelSeconds() / 3600.0);
      for (const auto& t : types) {
        auto it = r.used.accel_s.find(t);
        csv += fmt::format(",{:.3f}", it == r.used.accel_s.end() ? 0.0 : it->second);
      }
      csv += fmt::format(",{:.6f}\n", r.cost);
    };
    for (const auto& [k, r] : rows) line(k, r);
    line("TOTAL", total);
    ApiReply reply;
    reply.content_type = "text/csv";
    reply.body = std::move(csv);
    return reply;
  }
  json out = json::array();
  for (const auto& [k, r] : rows) out.push_back(r.Json(k));
  return JsonReply(200, json{{"by", req.by},
                             {"since", Seconds(req.since)},
                             {"until", req.until > 0 ? Seconds(req.until) : json(nullptr)},
                             {"rows", out},
                             {"total", total.Json("TOTAL")}});
}

ApiReply Controller::Overview(const Principal& p) {
  std::map<std::string, double> total = nodes_.TotalByType();
  std::map<std::string, double> allocated = AllocatedByType();
  json accels = json::array();
  for (const auto& [type, n] : allocated) total[type] += 0;
  for (const auto& [type, n] : total) {
    double a = allocated[type];
    accels.push_back(
        json{{"type", type}, {"total", n}, {"allocated", a}, {"idle", std::max(0.0, n - a)}});
  }
  std::map<std::string, std::pair<int, int>> by_tenant;
  int pending = 0, running = 0;
  for (const auto& [id, job] : jobs_.active()) {
    if (!CanSeeJob(p, job)) continue;
    if (job.state == JobState::kPending) {
      ++by_tenant[job.tenant].first;
      ++pending;
    } else if (Holding(job.state)) {
      ++by_tenant[job.tenant].second;
      ++running;
    }
  }
  json tenants = json::array();
  for (const auto& [t, c] : by_tenant) {
    tenants.push_back(json{{"tenant", t}, {"pending", c.first}, {"running", c.second}});
  }
  json failures = json::array();
  std::vector<std::string> visible = directory_.VisibleTenants(p, "");
  if (!visible.empty()) {
    store::JobQuery q;
    q.states = {JobState::kFailed, JobState::kLost, JobState::kOutOfMemory, JobState::kTimeout};
    q.tenants = visible;
    q.limit = 10;
    auto r = store_->ListJobs(q);
    if (!r.ok()) return ErrorReply(r.status());
    for (const auto& j : *r) failures.push_back(JobJson(j));
  }
  const int up = nodes_.UpCount();
  return JsonReply(200, json{{"accelerators", accels},
                             {"jobs_by_tenant", tenants},
                             {"jobs", {{"pending", pending}, {"running", running}}},
                             {"nodes", {{"total", nodes_.nodes().size()}, {"up", up}}},
                             {"recent_failures", failures},
                             {"time", Seconds(Now())}});
}

ApiReply Controller::Utilization(const Principal& p, TimeMs since) {
  json samples = json::array();
  for (const auto& s : samples_) {
    if (s.time < since) continue;
    samples.push_back(
        json{{"time", Seconds(s.time)}, {"allocated", s.allocated}, {"total", s.total}});
  }
  // The current moment, so a fresh server already has a point to draw.
  samples.push_back(json{
      {"time", Seconds(Now())}, {"allocated", AllocatedByType()}, {"total", nodes_.TotalByType()}});
  return JsonReply(200, json{{"samples", samples}});
}

std::string Controller::MetricsText() {
  std::string out;
  std::map<std::string, std::pair<int, int>> by_tenant;
  for (const auto& t : directory_.tenants()) by_tenant[t.name];
  for (const auto& [id, job] : jobs_.active()) {
    if (job.state == JobState::kPending) ++by_tenant[job.tenant].first;
    if (Holding(job.state)) ++by_tenant[job.tenant].second;
  }
  out += "# HELP suanli_jobs_pending Pending jobs per tenant\n# TYPE suanli_jobs_pending gauge\n";
  for (const auto& [t, c] : by_tenant) {
    out += fmt::format("suanli_jobs_pending{{tenant=\"{}\"}} {}\n", PromLabel(t), c.first);
  }
  out +=
      "# HELP suanli_jobs_running Running (and starting) jobs per tenant\n"
      "# TYPE suanli_jobs_running gauge\n";
  for (const auto& [t, c] : by_tenant) {
    out += fmt::format("suanli_jobs_running{{tenant=\"{}\"}} {}\n", PromLabel(t), c.second);
  }
  std::map<std::string, double> total = nodes_.TotalByType();
  std::map<std::string, double> allocated = AllocatedByType();
  out +=
      "# HELP suanli_accelerators_total Accelerators on nodes that are up, per type\n"
      "# TYPE suanli_accelerators_total gauge\n";
  for (const auto& [type, n] : total) {
    out += fmt::format("suanli_accelerators_total{{type=\"{}\"}} {}\n", PromLabel(type), n);
  }
  out +=
      "# HELP suanli_accelerators_allocated Accelerators held by jobs, per type\n"
      "# TYPE suanli_accelerators_allocated gauge\n";
  for (const auto& [type, n] : allocated) {
    out += fmt::format("suanli_accelerators_allocated{{type=\"{}\"}} {}\n", PromLabel(type), n);
  }
  const int up = nodes_.UpCount();
  out += fmt::format(
      "# HELP suanli_nodes_up Nodes whose agent reports in time\n# TYPE suanli_nodes_up gauge\n"
      "suanli_nodes_up {}\n# HELP suanli_nodes Nodes known\n# TYPE suanli_nodes gauge\n"
      "suanli_nodes {}\n",
      up, nodes_.nodes().size());
  if (metrics_) {
    out += fmt::format(
        "# HELP suanli_store_commits_total Group commits\n# TYPE suanli_store_commits_total "
        "counter\n"
        "suanli_store_commits_total {}\n"
        "# HELP suanli_store_committed_changes_total Records written\n"
        "# TYPE suanli_store_committed_changes_total counter\nsuanli_store_committed_changes_total "
        "{}\n"
        "# HELP suanli_store_commit_failures_total Failed commits\n"
        "# TYPE suanli_store_commit_failures_total counter\nsuanli_store_commit_failures_total "
        "{}\n",
        metrics_->commits.load(), metrics_->committed_changes.load(),
        metrics_->commit_failures.load());
    metrics_->cycle_latency.Render(&out);
    metrics_->api_latency.Render(&out);
  }
  return out;
}

}  // namespace suanli::server
