// The broker's REST routes (docs/federation.md "API"): reports from centers, the centers' view
// and overrides, and jobs: submitted here, shown, cancelled and their logs read through the
// center that holds each.
#include <spdlog/spdlog.h>

#include "federation/broker_impl.h"
#include "federation/center_client.h"

namespace suanli::federation {

using nlohmann::json;

BrokerReply JsonAnswer(int status, const json& j) {
  BrokerReply r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

BrokerReply ErrorAnswer(const Status& st) {
  json j{{"error", {{"code", StatusCodeName(st.code())}, {"message", st.message()}}}};
  return JsonAnswer(HttpStatusOf(st.code()), j);
}

namespace {

std::string Bearer(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  return h.rfind("Bearer ", 0) == 0 ? h.substr(7) : "";
}

void Send(httplib::Response& res, const BrokerReply& r) {
  res.status = r.status;
  for (const auto& [k, v] : r.headers) res.set_header(k, v);
  res.set_content(r.body, r.content_type);
}

Result<int64_t> PathId(const httplib::Request& req) {
  try {
    return std::stoll(req.matches[1].str());
  } catch (const std::exception&) {
    return InvalidArgument("job id '" + req.matches[1].str() + "' is not a number");
  }
}

}  // namespace

void BrokerImpl::RegisterRoutes() {
  // kAdmin: the broker's admin token (users are not defined at the broker yet); kCenter: the join
  // token (or the admin's), for reports.
  enum class Who { kAnyone, kAdmin, kCenter };
  auto guard = [this](Who who, auto handler) {
    return [this, who, handler](const httplib::Request& req, httplib::Response& res) {
      const std::string tok = Bearer(req);
      bool ok =
          who == Who::kAnyone || tok == admin_token_ || (who == Who::kCenter && tok == join_token_);
      if (!ok) {
        Send(res, ErrorAnswer(Unauthenticated(
                      tok.empty() ? "no token: send 'Authorization: Bearer TOKEN' (the broker's "
                                    "admin.token, or join.token for a center's reports)"
                                  : "this token is not the broker's admin or join token")));
        return;
      }
      Send(res, handler(req));
    };
  };
  http_->Get("/api/v1/healthz", guard(Who::kAnyone, [](const httplib::Request&) {
               return JsonAnswer(200, json{{"ok", true}, {"role", "broker"}});
             }));
  http_->Post("/api/v1/federation/report",
              guard(Who::kCenter, [this](const httplib::Request& r) { return Report(r.body); }));
  http_->Get("/api/v1/centers",
             guard(Who::kAdmin, [this](const httplib::Request&) { return ListCenters(); }));
  http_->Patch(R"(/api/v1/centers/([A-Za-z0-9._-]+))",
               guard(Who::kAdmin, [this](const httplib::Request& r) {
                 return UpdateCenter(r.matches[1].str(), r.body);
               }));
  http_->Post("/api/v1/jobs",
              guard(Who::kAdmin, [this](const httplib::Request& r) { return Submit(r.body); }));
  http_->Get("/api/v1/jobs",
             guard(Who::kAdmin, [this](const httplib::Request&) { return ListJobs(); }));
  http_->Get(R"(/api/v1/jobs/(\d+))", guard(Who::kAdmin, [this](const httplib::Request& r) {
               auto id = PathId(r);
               return id.ok() ? ShowJob(*id) : ErrorAnswer(id.status());
             }));
  http_->Post(R"(/api/v1/jobs/(\d+)/cancel)", guard(Who::kAdmin, [this](const httplib::Request& r) {
                auto id = PathId(r);
                return id.ok() ? CancelJob(*id, r.body) : ErrorAnswer(id.status());
              }));
  http_->Get(R"(/api/v1/jobs/(\d+)/logs)", guard(Who::kAdmin, [this](const httplib::Request& r) {
               auto id = PathId(r);
               return id.ok() ? JobLogs(*id, r) : ErrorAnswer(id.status());
             }));
}

BrokerReply BrokerImpl::Report(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return ErrorAnswer(InvalidArgument("the report is not JSON"));
  auto report = ParseReport(j);
  if (!report.ok()) return ErrorAnswer(report.status());
  std::lock_guard lock(mu_);
  const std::string name = report->name;
  bool joined = !state_.centers().count(name);
  if (state_.ApplyReport(std::move(report).value(), NowMs())) {
    const Center& c = state_.centers().at(name);
    if (Status st = CommitLocked({{BrokerState::CenterKey(name), state_.CenterRecord(c).dump()}});
        !st.ok()) {
      return ErrorAnswer(st);
    }
    if (joined)
      spdlog::info("center {} joined (region {}, {})", name, c.report.region, c.report.url);
  }
  return JsonAnswer(200,
                    json{{"ok", true}, {"lease_timeout_s", state_.lease_timeout_ms() / 1000.0}});
}

BrokerReply BrokerImpl::ListCenters() {
  std::lock_guard lock(mu_);
  const int64_t now = NowMs();
  std::map<std::string, CenterState> routing;
  for (auto& s : state_.RoutingCenters()) routing[s.name] = s;
  json out = json::array();
  for (const auto& [name, c] : state_.centers()) {
    const CenterState& s = routing[name];
    json pools = json::array();
    for (const auto& p : s.pools) pools.push_back(PoolJson(p));
    out.push_back(
        {{"name", name},
         {"region", c.report.region},
         {"state", c.up ? "UP" : "DOWN"},
         {"url", c.report.url},
         {"last_report_age_s", c.heard ? json((now - c.last_report) / 1000.0) : json(nullptr)},
         {"pools", pools},
         {"pue", s.pue},
         {"electricity_per_kwh", s.electricity_per_kwh},
         {"carbon_g_per_kwh", s.carbon_g_per_kwh},
         {"datasets", s.datasets},
         {"override", OverrideJson(c.override_)}});
  }
  return JsonAnswer(200, json{{"centers", out}});
}

BrokerReply BrokerImpl::UpdateCenter(const std::string& name, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return ErrorAnswer(InvalidArgument("the update is not JSON"));
  std::lock_guard lock(mu_);
  auto it = state_.centers().find(name);
  if (it == state_.centers().end()) {
    return ErrorAnswer(NotFound("no center named '" + name + "' has joined this broker"));
  }
  CenterOverride o = it->second.override_;
  if (Status st = ParseOverride(j, &o); !st.ok()) return ErrorAnswer(st);
  Center updated = it->second;
  updated.override_ = o;
  if (Status st =
          CommitLocked({{BrokerState::CenterKey(name), state_.CenterRecord(updated).dump()}});
      !st.ok()) {
    return ErrorAnswer(st);
  }
  it->second.override_ = std::move(o);
  return JsonAnswer(200, json{{"name", name}, {"override", OverrideJson(it->second.override_)}});
}

// The broker's own fields of a job, added to the center's view of it.
void AddBrokerFields(const BrokerJob& job, bool center_up, json* view) {
  (*view)["id"] = job.id;
  (*view)["center"] = job.center.empty() ? json(nullptr) : json(job.center);
  (*view)["center_job_id"] = job.center_job_id > 0 ? json(job.center_job_id) : json(nullptr);
  (*view)["scores"] = job.scores;
  (*view)["routing_reason"] = job.reason;
  (*view)["broker_state"] = ForwardStateName(job.state);
  (*view)["broker_attempt"] = job.attempt;
  // What the center's last report said of it (what a move or a requeue is decided on).
  (*view)["reported_state"] = job.last_state.empty() ? json(nullptr) : json(job.last_state);
  json moved = json::array();
  for (const auto& m : job.moved) {
    moved.push_back({{"center", m.center}, {"cancelled", m.cancelled}});
  }
  (*view)["moved_from"] = moved;
  if (!center_up || job.state != ForwardState::kForwarded) {
    (*view)["state"] = job.VisibleState(center_up);
  }
}

namespace {

// What the broker knows of a job without asking its center.
json StoredView(const BrokerJob& job, bool center_up) {
  json view{{"name", job.body.value("name", "")},
            {"command", job.body.value("command", json(nullptr))},
            {"submit_time", job.submit_time / 1000.0},
            {"reason", job.reason}};
  if (!center_up && job.state == ForwardState::kForwarded) {
    view["reason"] = "center " + job.center + " is DOWN (last state there: " +
                     (job.last_state.empty() ? "not reported" : job.last_state) + ")";
  }
  AddBrokerFields(job, center_up, &view);
  return view;
}

}  // namespace

Result<BrokerImpl::JobTarget> BrokerImpl::Lookup(int64_t id, const char* action) {
  std::lock_guard lock(mu_);
  auto it = state_.jobs().find(id);
  if (it == state_.jobs().end())
    return NotFound("no job " + std::to_string(id) + " at this broker");
  if (action && it->second.state != ForwardState::kForwarded) {
    return FailedPrecondition("job " + std::to_string(id) + " is " +
                              ForwardStateName(it->second.state) +
                              " (no center holds it yet): cannot " + action + " yet");
  }
  JobTarget t;
  t.job = it->second;
  t.center_up = state_.CenterUp(t.job.center);
  if (auto c = state_.centers().find(t.job.center); c != state_.centers().end()) {
    t.url = c->second.report.url;
    t.token = c->second.report.token;
  }
  return t;
}

BrokerReply BrokerImpl::ListJobs() {
  std::lock_guard lock(mu_);
  json out = json::array();
  for (auto it = state_.jobs().rbegin(); it != state_.jobs().rend(); ++it) {
    out.push_back(StoredView(it->second, state_.CenterUp(it->second.center)));
  }
  return JsonAnswer(200, json{{"jobs", out}});
}

BrokerReply BrokerImpl::ShowJob(int64_t id) {
  auto found = Lookup(id);
  if (!found.ok()) return ErrorAnswer(found.status());
  const BrokerJob& job = found->job;
  const bool up = found->center_up;
  const CenterClient client(found->url, found->token,
                            static_cast<int>(options_.forward_timeout_ms));
  if (job.state != ForwardState::kForwarded || !up) return JsonAnswer(200, StoredView(job, up));
  auto view = client.GetJson("/api/v1/jobs/" + std::to_string(job.center_job_id));
  if (!view.ok()) return JsonAnswer(200, StoredView(job, up));
  {
    std::lock_guard lock(mu_);
    auto& stored = state_.jobs().at(id);
    if (stored.attempt == job.attempt) stored.last_state = view->value("state", stored.last_state);
  }
  AddBrokerFields(job, up, &*view);
  return JsonAnswer(200, *view);
}

BrokerReply BrokerImpl::CancelJob(int64_t id, const std::string& body) {
  auto found = Lookup(id, "cancel it");
  if (!found.ok()) return ErrorAnswer(found.status());
  const BrokerJob& job = found->job;
  const CenterClient client(found->url, found->token,
                            static_cast<int>(options_.forward_timeout_ms));
  auto a = client.Send("POST", "/api/v1/jobs/" + std::to_string(job.center_job_id) + "/cancel",
                       body.empty() ? "{}" : body);
  if (!a.ok()) return ErrorAnswer(a.status());
  json view = json::parse(a->body, nullptr, false);
  if (a->status < 200 || a->status >= 300 || !view.is_object()) {
    return ErrorAnswer(StatusFromAnswer(*a));
  }
  AddBrokerFields(job, true, &view);
  return JsonAnswer(a->status, view);
}

BrokerReply BrokerImpl::JobLogs(int64_t id, const httplib::Request& req) {
  auto found = Lookup(id, "read its logs");
  if (!found.ok()) return ErrorAnswer(found.status());
  const BrokerJob& job = found->job;
  const CenterClient client(found->url, found->token,
                            static_cast<int>(options_.forward_timeout_ms));
  std::string target = "/api/v1/jobs/" + std::to_string(job.center_job_id) + "/logs";
  std::string query;
  for (const auto& [k, v] : req.params) {
    query += (query.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  }
  auto a = client.Send("GET", target + query);
  if (!a.ok()) return ErrorAnswer(a.status());
  BrokerReply r{a->status, a->body, a->content_type.empty() ? "text/plain" : a->content_type, {}};
  for (const auto& [k, v] : a->headers) {
    if (k.rfind("X-Suanli-", 0) == 0) r.headers.emplace_back(k, v);
  }
  return r;
}

}  // namespace suanli::federation
