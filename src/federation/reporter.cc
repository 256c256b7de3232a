#include "federation/reporter.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "federation/center_client.h"
#include "federation/files.h"

namespace suanli::federation {

using nlohmann::json;

namespace {

double Num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<CenterReport> BuildReport(const json& overview, const json& nodes, const json& jobs,
                                 const ReporterOptions& o, int64_t now_ms) {
  CenterReport r;
  r.name = o.center;
  r.region = o.region;
  r.url = o.center_url;
  r.pue = o.pue;
  r.electricity_per_kwh = o.electricity_per_kwh;
  r.carbon_g_per_kwh = o.carbon_g_per_kwh;
  std::map<std::string, AccelPool> pools;
  for (const auto& a : overview.value("accelerators", json::array())) {
    AccelPool& p = pools[Str(a, "type")];
    p.type = Str(a, "type");
    p.total = static_cast<int64_t>(std::llround(Num(a, "total")));
    p.allocated = std::min<int64_t>(p.total, std::llround(Num(a, "allocated")));
  }
  for (const auto& n : nodes.value("nodes", json::array())) {
    const std::string state = Str(n, "state");
    if (state != "UP") continue;  // DOWN and draining nodes take no new work
    std::map<std::string, int64_t> here;
    for (const auto& d : n.value("devices", json::array())) ++here[Str(d, "type")];
    for (const auto& [type, count] : here) {
      auto it = pools.find(type);
      if (it != pools.end()) it->second.largest_node = std::max(it->second.largest_node, count);
    }
  }
  for (const auto& j : jobs.value("jobs", json::array())) {
    const std::string state = Str(j, "state");
    const std::string key = Str(j, "idempotency_key");
    if (key.rfind("broker:", 0) == 0) {
      r.jobs.push_back({key, static_cast<int64_t>(Num(j, "id")), state});
    }
    const json res = j.value("resources", json::object());
    std::string type = Str(res, "gpu_type");
    if ((type.empty() || type == "any") && pools.size() == 1) type = pools.begin()->first;
    auto pool = pools.find(type);
    if (pool == pools.end()) continue;  // no devices asked, or one of several types
    const int64_t devices = static_cast<int64_t>(std::ceil(Num(res, "gpus"))) *
                            std::max<int64_t>(1, std::llround(Num(res, "tasks")));
    if (devices <= 0) continue;
    if (state == "PENDING") {
      pool->second.queued += devices;
    } else if (state == "RUNNING" || state == "STARTING") {
      double run_s = Num(j, "estimated_run_s");
      if (run_s <= 0) run_s = Num(j, "time_limit_s");
      if (run_s <= 0) run_s = 3600;
      const double start_s = Num(j, "start_time") > 0 ? Num(j, "start_time") : now_ms / 1000.0;
      pool->second.releases.push_back(
          {std::max(now_ms, static_cast<int64_t>((start_s + run_s) * 1000)), devices});
    }
  }
  for (auto& [type, p] : pools) {
    auto price = o.prices.find(type);
    p.price_per_hour = price == o.prices.end() ? o.default_price : price->second;
    std::sort(p.releases.begin(), p.releases.end(),
              [](const Release& a, const Release& b) { return a.at < b.at; });
    r.pools.push_back(std::move(p));
  }
  // The same check the broker makes, so a center notices its own nonsense first.
  return ParseReport(ReportJson(r));
}

Result<std::unique_ptr<Reporter>> Reporter::Start(const ReporterOptions& options) {
  if (options.broker_url.empty()) return InvalidArgument("--federation needs the broker's URL");
  if (options.broker_token.empty()) {
    return InvalidArgument(
        "--federation-token is required with --federation (the broker's "
        "join.token)");
  }
  if (options.interval_ms <= 0) return InvalidArgument("the report interval must be positive");
  CenterReport probe;
  probe.name = options.center;
  probe.region = options.region;
  probe.url = options.center_url.empty() ? "-" : options.center_url;
  if (auto st = ParseReport(ReportJson(probe)); !st.ok()) {
    return InvalidArgument("--center/--region: " + st.status().message());
  }
  std::unique_ptr<Reporter> r(new Reporter(options));
  r->thread_ = std::thread([p = r.get()] { p->Loop(); });
  return r;
}

Reporter::~Reporter() { Stop(); }

void Reporter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status Reporter::ReportOnce() {
  const std::string token = ReadTrimmedFile(options_.center_token_path);
  CenterClient center(options_.center_url, token, 5000);
  SUANLI_ASSIGN_OR_RETURN(json overview, center.GetJson("/api/v1/stats/overview"));
  SUANLI_ASSIGN_OR_RETURN(json nodes, center.GetJson("/api/v1/nodes"));
  SUANLI_ASSIGN_OR_RETURN(json jobs, center.GetJson("/api/v1/jobs?all=true&limit=2000"));
  SUANLI_ASSIGN_OR_RETURN(CenterReport report, BuildReport(overview, nodes, jobs, options_, Now()));
  report.token = token;
  CenterClient broker(options_.broker_url, options_.broker_token, 5000);
  SUANLI_RETURN_IF_ERROR(broker.PostJson("/api/v1/federation/report", ReportJson(report)).status());
  ++sent_;
  return Status::Ok();
}

void Reporter::Loop() {
  std::string last_error;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Status st = ReportOnce();
    // Logged when it changes, not every few seconds while the broker is away.
    std::string now_error = st.ok() ? "" : st.ToString();
    if (now_error != last_error) {
      if (st.ok()) {
        spdlog::info("federation: reporting to {} as center {}", options_.broker_url,
                     options_.center);
      } else {
        spdlog::warn("federation: cannot report to {}: {}", options_.broker_url, now_error);
      }
      last_error = now_error;
    }
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms));
  }
}

}  // namespace suanli::federation
