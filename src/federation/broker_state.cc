#include "federation/broker_state.h"

#include <algorithm>
#include <cmath>

namespace suanli::federation {

using nlohmann::json;

namespace {

// Reads a JSON number field; absent keeps `*out`. Nonsense (not a number, negative, not finite,
// below `min`) is an error naming the field.
Status ReadNumber(const json& j, const char* key, const std::string& where, double min,
                  double* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return InvalidArgument("field '" + where + key + "' must be a number");
  double v = it->get<double>();
  if (!std::isfinite(v) || v < min) {
    return InvalidArgument("field '" + where + key + "' must be at least " +
                           std::to_string(min).substr(0, std::to_string(min).find('.') + 2) +
                           ", got " + it->dump());
  }
  *out = v;
  return Status::Ok();
}

Status ReadCount(const json& j, const char* key, const std::string& where, int64_t* out) {
  double v = static_cast<double>(*out);
  SUANLI_RETURN_IF_ERROR(ReadNumber(j, key, where, 0, &v));
  if (v != std::floor(v)) {
    return InvalidArgument("field '" + where + key + "' must be a whole number");
  }
  *out = static_cast<int64_t>(v);
  return Status::Ok();
}

Status ReadString(const json& j, const char* key, std::string* out, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return InvalidArgument("field '" + std::string(key) + "' is required");
    return Status::Ok();
  }
  if (!it->is_string()) return InvalidArgument("field '" + std::string(key) + "' must be a string");
  *out = it->get<std::string>();
  if (required && out->empty()) {
    return InvalidArgument("field '" + std::string(key) + "' must not be empty");
  }
  return Status::Ok();
}

// Center names end up in store keys, URLs and idempotency keys: keep them plain.
Status CheckName(const std::string& name, const std::string& what) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  if (!ok) {
    return InvalidArgument("field '" + what + "' ('" + name.substr(0, 64) +
                           "') must be 1-64 letters, digits, '.', '_' or '-'");
  }
  return Status::Ok();
}

}  // namespace

Result<CenterReport> ParseReport(const json& j) {
  if (!j.is_object()) return InvalidArgument("a report must be a JSON object");
  CenterReport r;
  SUANLI_RETURN_IF_ERROR(ReadString(j, "center", &r.name, true));
  SUANLI_RETURN_IF_ERROR(CheckName(r.name, "center"));
  SUANLI_RETURN_IF_ERROR(ReadString(j, "region", &r.region, true));
  SUANLI_RETURN_IF_ERROR(CheckName(r.region, "region"));
  SUANLI_RETURN_IF_ERROR(ReadString(j, "url", &r.url, true));
  SUANLI_RETURN_IF_ERROR(ReadString(j, "token", &r.token, false));
  SUANLI_RETURN_IF_ERROR(ReadNumber(j, "pue", "", 1.0, &r.pue));
  SUANLI_RETURN_IF_ERROR(ReadNumber(j, "electricity_per_kwh", "", 0, &r.electricity_per_kwh));
  SUANLI_RETURN_IF_ERROR(ReadNumber(j, "carbon_g_per_kwh", "", 0, &r.carbon_g_per_kwh));
  if (auto it = j.find("pools"); it != j.end()) {
    if (!it->is_array()) return InvalidArgument("field 'pools' must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& p = (*it)[i];
      std::string where = "pools[" + std::to_string(i) + "].";
      if (!p.is_object())
        return InvalidArgument("field 'pools[" + std::to_string(i) + "]' must be an object");
      AccelPool pool;
      auto type = p.find("type");
      if (type == p.end() || !type->is_string() || type->get<std::string>().empty()) {
        return InvalidArgument("field '" + where + "type' must name the accelerator type");
      }
      pool.type = type->get<std::string>();
      SUANLI_RETURN_IF_ERROR(ReadCount(p, "total", where, &pool.total));
      SUANLI_RETURN_IF_ERROR(ReadCount(p, "allocated", where, &pool.allocated));
      SUANLI_RETURN_IF_ERROR(ReadCount(p, "queued", where, &pool.queued));
      SUANLI_RETURN_IF_ERROR(ReadCount(p, "largest_node", where, &pool.largest_node));
      SUANLI_RETURN_IF_ERROR(ReadNumber(p, "price_per_hour", where, 0, &pool.price_per_hour));
      SUANLI_RETURN_IF_ERROR(ReadNumber(p, "watts_per_device", where, 0, &pool.watts_per_device));
      if (pool.allocated > pool.total) {
        return InvalidArgument("field '" + where + "allocated' (" + std::to_string(pool.allocated) +
                               ") exceeds '" + where + "total' (" + std::to_string(pool.total) +
                               ")");
      }
      if (pool.largest_node > pool.total) {
        return InvalidArgument("field '" + where + "largest_node' exceeds '" + where + "total'");
      }
      if (auto rel = p.find("releases"); rel != p.end() && rel->is_array()) {
        for (size_t k = 0; k < rel->size(); ++k) {
          std::string rw = where + "releases[" + std::to_string(k) + "].";
          Release r2;
          double at = 0;
          SUANLI_RETURN_IF_ERROR(ReadNumber((*rel)[k], "at_ms", rw, 0, &at));
          r2.at = static_cast<TimeMs>(at);
          SUANLI_RETURN_IF_ERROR(ReadCount((*rel)[k], "devices", rw, &r2.devices));
          pool.releases.push_back(r2);
        }
        std::sort(pool.releases.begin(), pool.releases.end(),
                  [](const Release& a, const Release& b) { return a.at < b.at; });
      }
      r.pools.push_back(std::move(pool));
    }
  }
  if (auto it = j.find("datasets"); it != j.end() && it->is_array()) {
    for (const auto& d : *it) {
      if (!d.is_string()) return InvalidArgument("field 'datasets' must be a list of names");
      r.datasets.push_back(d.get<std::string>());
    }
  }
  if (auto it = j.find("jobs"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      SeenJob seen;
      if (!s.is_object() || !s.value("key", json()).is_string() ||
          !s.value("id", json()).is_number_integer() || !s.value("state", json()).is_string()) {
        return InvalidArgument("field 'jobs' must hold {\"key\", \"id\", \"state\"} objects");
      }
      seen.key = s["key"].get<std::string>();
      seen.id = s["id"].get<int64_t>();
      seen.state = s["state"].get<std::string>();
      r.jobs.push_back(std::move(seen));
    }
  }
  return r;
}

json PoolJson(const AccelPool& p) {
  json rel = json::array();
  for (const auto& x : p.releases) rel.push_back({{"at_ms", x.at}, {"devices", x.devices}});
  return json{{"type", p.type},
              {"total", p.total},
              {"allocated", p.allocated},
              {"queued", p.queued},
              {"largest_node", p.largest_node},
              {"price_per_hour", p.price_per_hour},
              {"watts_per_device", p.watts_per_device},
              {"releases", rel}};
}

json ReportJson(const CenterReport& r) {
  json pools = json::array();
  for (const auto& p : r.pools) pools.push_back(PoolJson(p));
  json jobs = json::array();
  for (const auto& s : r.jobs) jobs.push_back({{"key", s.key}, {"id", s.id}, {"state", s.state}});
  return json{{"center", r.name},
              {"region", r.region},
              {"url", r.url},
              {"token", r.token},
              {"pue", r.pue},
              {"electricity_per_kwh", r.electricity_per_kwh},
              {"carbon_g_per_kwh", r.carbon_g_per_kwh},
              {"pools", pools},
              {"datasets", r.datasets},
              {"jobs", jobs}};
}

Status ParseOverride(const json& j, CenterOverride* into) {
  if (!j.is_object()) return InvalidArgument("a center update must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "prices" && k != "pue" && k != "electricity" && k != "carbon") {
      return InvalidArgument("unknown field '" + k + "' (known: prices, pue, electricity, carbon)");
    }
  }
  CenterOverride o = *into;
  if (auto p = j.find("prices"); p != j.end()) {
    if (!p->is_object()) return InvalidArgument("field 'prices' must map TYPE to a price");
    for (auto it = p->begin(); it != p->end(); ++it) {
      double v = -1;
      SUANLI_RETURN_IF_ERROR(ReadNumber(*p, it.key().c_str(), "prices.", 0, &v));
      if (v < 0) return InvalidArgument("field 'prices." + it.key() + "' must be a number");
      o.prices[it.key()] = v;
    }
  }
  double v = 0;
  if (j.contains("pue")) {
    SUANLI_RETURN_IF_ERROR(ReadNumber(j, "pue", "", 1.0, &v));
    o.pue = v;
  }
  if (j.contains("electricity")) {
    SUANLI_RETURN_IF_ERROR(ReadNumber(j, "electricity", "", 0, &v));
    o.electricity_per_kwh = v;
  }
  if (j.contains("carbon")) {
    SUANLI_RETURN_IF_ERROR(ReadNumber(j, "carbon", "", 0, &v));
    o.carbon_g_per_kwh = v;
  }
  *into = std::move(o);
  return Status::Ok();
}

json OverrideJson(const CenterOverride& o) {
  json j = json::object();
  if (!o.prices.empty()) j["prices"] = o.prices;
  if (o.pue) j["pue"] = *o.pue;
  if (o.electricity_per_kwh) j["electricity"] = *o.electricity_per_kwh;
  if (o.carbon_g_per_kwh) j["carbon"] = *o.carbon_g_per_kwh;
  return j;
}

std::string ForwardStateName(ForwardState s) {
  switch (s) {
    case ForwardState::kForwarding:
      return "FORWARDING";
    case ForwardState::kForwarded:
      return "FORWARDED";
    case ForwardState::kRefused:
      return "REFUSED";
  }
  return "FORWARDING";
}

std::string BrokerJob::ForwardKey() const {
  std::string key = "broker:";
  key += std::to_string(id);
  if (attempt > 0) {
    key += ':';
    key += std::to_string(attempt);
  }
  return key;
}

std::string CopyKey(int64_t job_id, const MovedCopy& m) {
  BrokerJob j;
  j.id = job_id;
  j.attempt = m.attempt;
  return j.ForwardKey();
}

namespace {
bool Ended(const std::string& state) {
  return state == "COMPLETED" || state == "FAILED" || state == "CANCELLED" || state == "TIMEOUT" ||
         state == "OUT_OF_MEMORY" || state == "LOST" || state == "PREEMPTED" ||
         state == "NODE_FAIL";
}
}  // namespace

bool Started(const std::string& state) { return !state.empty() && state != "PENDING"; }

std::string BrokerJob::VisibleState(bool center_up) const {
  if (state != ForwardState::kForwarded) return ForwardStateName(state);
  if (!center_up && Started(last_state) && !Ended(last_state)) return "LOST";
  return last_state.empty() ? "FORWARDED" : last_state;
}

json JobRecordJson(const BrokerJob& j) {
  json moved = json::array();
  for (const auto& m : j.moved) {
    moved.push_back({{"center", m.center},
                     {"attempt", m.attempt},
                     {"center_job_id", m.center_job_id},
                     {"cancelled", m.cancelled}});
  }
  return json{{"id", j.id},
              {"body", j.body},
              {"routing", j.routing},
              {"user_key", j.user_key},
              {"state", ForwardStateName(j.state)},
              {"attempt", j.attempt},
              {"center", j.center},
              {"center_job_id", j.center_job_id},
              {"last_state", j.last_state},
              {"scores", j.scores},
              {"reason", j.reason},
              {"moved", moved},
              {"submit_time_ms", j.submit_time}};
}

Result<BrokerJob> ParseJobRecord(const json& j) {
  try {
    BrokerJob b;
    b.id = j.at("id").get<int64_t>();
    b.body = j.at("body");
    b.routing = j.value("routing", json::object());
    b.user_key = j.value("user_key", "");
    const std::string st = j.at("state").get<std::string>();
    b.state = st == "FORWARDED" ? ForwardState::kForwarded
              : st == "REFUSED" ? ForwardState::kRefused
                                : ForwardState::kForwarding;
    b.attempt = j.value("attempt", 0);
    b.center = j.value("center", "");
    b.center_job_id = j.value("center_job_id", int64_t{0});
    b.last_state = j.value("last_state", "");
    b.scores = j.value("scores", json::array());
    b.reason = j.value("reason", "");
    for (const auto& m : j.value("moved", json::array())) {
      b.moved.push_back({m.at("center").get<std::string>(), m.value("attempt", 0),
                         m.value("center_job_id", int64_t{0}), m.value("cancelled", false)});
    }
    b.submit_time = j.value("submit_time_ms", int64_t{0});
    return b;
  } catch (const json::exception& e) {
    return Internal(std::string("a broker job record is damaged: ") + e.what());
  }
}

Result<Submission> ParseSubmission(const json& request) {
  if (!request.is_object()) return InvalidArgument("the request body must be a JSON object");
  Submission s;
  s.body = request;
  s.routing = json::object();
  if (auto it = request.find("objective"); it != request.end()) {
    if (!it->is_string()) return InvalidArgument("field 'objective' must be a string");
    SUANLI_ASSIGN_OR_RETURN(s.ask.objective, ParseObjective(it->get<std::string>()));
    s.routing["objective"] = *it;
  }
  double deadline_s = 0, max_price = 0;
  SUANLI_RETURN_IF_ERROR(ReadNumber(request, "deadline", "", 0, &deadline_s));
  SUANLI_RETURN_IF_ERROR(ReadNumber(request, "max_price", "", 0, &max_price));
  if (deadline_s > 0) s.routing["deadline"] = deadline_s;
  if (max_price > 0) s.routing["max_price"] = max_price;
  s.ask.deadline = static_cast<TimeMs>(deadline_s * 1000);
  s.ask.max_price = max_price;
  for (const char* k : {"objective", "deadline", "max_price"}) s.body.erase(k);
  // The center checks the rest of the body; the broker reads only what routing needs.
  double gpus = 0, tasks = 1, limit = 0;
  SUANLI_RETURN_IF_ERROR(ReadNumber(request, "gpus", "", 0, &gpus));
  SUANLI_RETURN_IF_ERROR(ReadNumber(request, "tasks", "", 1, &tasks));
  SUANLI_RETURN_IF_ERROR(ReadNumber(request, "time_limit_s", "", 0, &limit));
  SUANLI_RETURN_IF_ERROR(ReadString(request, "gpu_type", &s.ask.gpu_type, false));
  if (s.ask.gpu_type == "any") s.ask.gpu_type.clear();
  if (s.ask.gpu_type.find('|') != std::string::npos) {
    return InvalidArgument(
        "field 'gpu_type': the broker routes one accelerator type per job, got '" + s.ask.gpu_type +
        "'");
  }
  s.ask.gpus_per_node = static_cast<int64_t>(std::ceil(gpus));
  s.ask.nodes = static_cast<int64_t>(tasks);
  if (limit > 0) s.ask.run_s = static_cast<int64_t>(limit);
  if (auto it = request.find("idempotency_key"); it != request.end() && it->is_string()) {
    s.user_key = it->get<std::string>();
    s.body.erase("idempotency_key");  // the broker's own key goes to the center
  }
  return s;
}

Result<JobAsk> AskOf(const BrokerJob& job) {
  json request = job.body;
  for (auto it = job.routing.begin(); it != job.routing.end(); ++it) request[it.key()] = it.value();
  SUANLI_ASSIGN_OR_RETURN(Submission s, ParseSubmission(request));
  return s.ask;
}

Status BrokerState::Load(const std::map<std::string, std::string>& meta) {
  for (const auto& [k, v] : meta) {
    bool center = k.rfind("center/", 0) == 0, job = k.rfind("job/", 0) == 0;
    if (!center && !job) continue;
    json j = json::parse(v, nullptr, false);
    if (j.is_discarded()) return Internal("broker record '" + k + "' is not JSON");
    if (center) {
      Center c;
      c.report.name = j.value("center", "");
      c.report.region = j.value("region", "");
      c.report.url = j.value("url", "");
      c.report.token = j.value("token", "");
      SUANLI_RETURN_IF_ERROR(ParseOverride(j.value("override", json::object()), &c.override_));
      centers_[c.report.name] = std::move(c);
    } else {
      SUANLI_ASSIGN_OR_RETURN(BrokerJob b, ParseJobRecord(j));
      PutJob(std::move(b));
    }
  }
  return Status::Ok();
}

void BrokerState::PutJob(BrokerJob job) {
  max_job_id_ = std::max(max_job_id_, job.id);
  if (!job.user_key.empty()) user_keys_[job.user_key] = job.id;
  jobs_[job.id] = std::move(job);
}

std::optional<int64_t> BrokerState::FindUserKey(const std::string& key) const {
  auto it = user_keys_.find(key);
  if (it == user_keys_.end()) return std::nullopt;
  return it->second;
}

json BrokerState::CenterRecord(const Center& c) const {
  return json{{"center", c.report.name},
              {"region", c.report.region},
              {"url", c.report.url},
              {"token", c.report.token},
              {"override", OverrideJson(c.override_)}};
}

bool BrokerState::ApplyReport(CenterReport report, TimeMs now) {
  Center& c = centers_[report.name];
  bool changed = c.report.region != report.region || c.report.url != report.url ||
                 c.report.token != report.token;
  // The center's own jobs as it sees them: the last state of each job the broker placed there.
  std::map<std::string, const SeenJob*> by_key;
  for (const auto& s : report.jobs) by_key[s.key] = &s;
  for (auto& [id, job] : jobs_) {
    if (job.state != ForwardState::kForwarded || job.center != report.name) continue;
    auto it = by_key.find(job.ForwardKey());
    if (it != by_key.end()) job.last_state = it->second->state;
  }
  c.report = std::move(report);
  c.last_report = now;
  c.heard = true;
  if (!c.up) came_up_.push_back("+" + c.report.name);
  c.up = true;
  return changed;
}

std::vector<std::string> BrokerState::UpdateLeases(TimeMs now) {
  std::vector<std::string> changed = std::move(came_up_);
  came_up_.clear();
  for (auto& [name, c] : centers_) {
    bool up = c.last_report > 0 && now - c.last_report <= lease_timeout_ms_;
    if (up != c.up) changed.push_back((up ? "+" : "-") + name);
    c.up = up;
  }
  return changed;
}

bool BrokerState::CenterUp(const std::string& name) const {
  auto it = centers_.find(name);
  return it != centers_.end() && it->second.up;
}

std::vector<CenterState> BrokerState::RoutingCenters() const {
  std::vector<CenterState> out;
  for (const auto& [name, c] : centers_) {
    CenterState s;
    s.name = name;
    s.region = c.report.region;
    s.up = c.up;
    s.pools = c.report.pools;
    for (auto& p : s.pools) {
      if (auto it = c.override_.prices.find(p.type); it != c.override_.prices.end())
        p.price_per_hour = it->second;
    }
    s.pue = c.override_.pue.value_or(c.report.pue);
    s.electricity_per_kwh = c.override_.electricity_per_kwh.value_or(c.report.electricity_per_kwh);
    s.carbon_g_per_kwh = c.override_.carbon_g_per_kwh.value_or(c.report.carbon_g_per_kwh);
    s.datasets = c.report.datasets;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<int64_t> BrokerState::ToMove(TimeMs now) const {
  std::vector<int64_t> out;
  for (const auto& [id, job] : jobs_) {
    if (job.state != ForwardState::kForwarded || CenterUp(job.center)) continue;
    // Never seen started: not started as far as the broker knows (a copy that did start in the
    // last report interval is cancelled there when the center returns).
    if (!Started(job.last_state)) {
      out.push_back(id);
      continue;
    }
    if (requeue_running_after_ms_ <= 0 || Ended(job.last_state)) continue;
    if (auto rq = job.body.find("requeue"); rq != job.body.end() && rq->is_boolean() && !*rq)
      continue;
    auto c = centers_.find(job.center);
    // A center not known (a store without its record) has no time it went DOWN: never requeued.
    // After a broker restart the broker sets every known center's last report to the start, so
    // its running jobs wait a lease and the whole delay from then, not from the epoch.
    if (c == centers_.end() || c->second.last_report <= 0) continue;
    const TimeMs down_at = c->second.last_report + lease_timeout_ms_;
    if (now - down_at >= requeue_running_after_ms_) out.push_back(id);
  }
  return out;
}

std::vector<std::pair<int64_t, MovedCopy>> BrokerState::ToCancel(const std::string& center) const {
  std::vector<std::pair<int64_t, MovedCopy>> out;
  for (const auto& [id, job] : jobs_) {
    for (const auto& m : job.moved) {
      if (m.center == center && !m.cancelled) out.emplace_back(id, m);
    }
  }
  return out;
}

std::vector<int64_t> BrokerState::Forwarding() const {
  std::vector<int64_t> out;
  for (const auto& [id, job] : jobs_) {
    if (job.state == ForwardState::kForwarding) out.push_back(id);
  }
  return out;
}

}  // namespace suanli::federation
