// Services (services.h): the user API, the replicas as jobs, and what the endpoint gateway asks.
#include <spdlog/spdlog.h>

#include "server/controller.h"

namespace suanli::server {

bool Controller::MayChangeService(const Principal& p, const Services::Service& s) const {
  if (!directory_.CanSeeTenant(p, s.tenant)) return false;
  return p.role != Role::kMember || p.user == s.user;
}

json Controller::ServiceJson(const Services::Service& s) {
  json j = services_.ToJson(s, Now());
  j["endpoint"] = s.endpoint_port > 0
                      ? json("http://" + service_host_ + ":" + std::to_string(s.endpoint_port))
                      : json(nullptr);
  // The replicas' jobs as the scheduler sees them: their state, reason and where they run.
  double cost = 0;
  for (auto& r : j["replicas"]) {
    if (r["job_id"].is_null()) continue;
    const JobRecord* job = jobs_.Find(r["job_id"].get<JobId>());
    if (job == nullptr) continue;
    r["job_state"] = store::JobStateName(job->state);
    r["job_reason"] = job->reason;
    r["node"] = job->placement.empty() ? json(nullptr) : json(job->placement[0].node);
    cost += job->cost;
  }
  j["cost_running"] = cost;
  return j;
}

ApiReply Controller::CreateService(const Principal& p, ServiceRequest req) {
  std::string tenant = req.tenant.empty() ? p.tenant : req.tenant;
  if (!directory_.Has(tenant) || !directory_.CanSeeTenant(p, tenant)) {
    return ErrorReply(NotFound("tenant '" + tenant + "' does not exist"));
  }
  // A service's replicas run in a priority class above every batch job and are not preempted
  // below their minimum: creating one is a tenant administrator's act, not a member's.
  if (p.role == Role::kMember) {
    return ErrorReply(PermissionDenied(
        "services run above batch work and preempt it: only a tenant-admin or admin creates one"));
  }
  req.tenant = tenant;
  auto s = Services::Validate(req);
  if (!s.ok()) return ErrorReply(s.status());
  s->user = p.user;
  JobRecord probe;
  probe.submit_time = Now();
  probe.tenant = tenant;
  probe.user = p.user;
  probe.spec = s->spec;
  if (Status st = CheckAdmission(probe); !st.ok()) return ErrorReply(st);
  std::string name = s->name;
  if (Status st = services_.Add(std::move(s).value(), Now()); !st.ok()) return ErrorReply(st);
  ReconcileServices(Now());  // the replicas are pending at once
  return JsonReply(201, ServiceJson(*services_.Find(name)));
}

ApiReply Controller::ListServices(const Principal& p) {
  json out = json::array();
  for (const auto& [name, s] : services_.all()) {
    if (directory_.CanSeeTenant(p, s.tenant)) out.push_back(ServiceJson(s));
  }
  return JsonReply(200, json{{"services", out}});
}

ApiReply Controller::GetService(const Principal& p, const std::string& name) {
  const Services::Service* s = services_.Find(name);
  if (s == nullptr || !directory_.CanSeeTenant(p, s->tenant)) {
    return ErrorReply(NotFound("service '" + name + "' does not exist"));
  }
  return JsonReply(200, ServiceJson(*s));
}

ApiReply Controller::UpdateService(const Principal& p, const std::string& name,
                                   const ServiceUpdateRequest& req) {
  const Services::Service* s = services_.Find(name);
  if (s == nullptr || !directory_.CanSeeTenant(p, s->tenant)) {
    return ErrorReply(NotFound("service '" + name + "' does not exist"));
  }
  if (!MayChangeService(p, *s)) {
    return ErrorReply(PermissionDenied("members change only their own services"));
  }
  ServiceUpdate u = req.update;
  if (!req.job_fields.empty()) {
    auto spec = MergeServiceSpec(s->spec, req.job_fields);
    if (!spec.ok()) return ErrorReply(spec.status());
    spec->name = s->spec.name;
    JobRecord probe;
    probe.tenant = s->tenant;
    probe.user = s->user;
    probe.spec = *spec;
    if (Status st = CheckAdmission(probe); !st.ok()) return ErrorReply(st);
    u.spec = std::move(spec).value();
  }
  if (Status st = services_.Update(name, u, Now()); !st.ok()) return ErrorReply(st);
  // A new --min-replicas protects (or releases) the replicas running now.
  const Services::Service& updated = *services_.Find(name);
  for (const auto& r : updated.slots) {
    JobRecord* job = r.job ? jobs_.Find(r.job) : nullptr;
    if (job == nullptr || job->spec.preemptible == (r.index >= updated.min_replicas)) continue;
    job->spec.preemptible = r.index >= updated.min_replicas;
    jobs_.MarkDirty(*job);
  }
  ReconcileServices(Now());
  return JsonReply(200, ServiceJson(*services_.Find(name)));
}

ApiReply Controller::DeleteService(const Principal& p, const std::string& name) {
  const Services::Service* s = services_.Find(name);
  if (s == nullptr || !directory_.CanSeeTenant(p, s->tenant)) {
    return ErrorReply(NotFound("service '" + name + "' does not exist"));
  }
  if (!MayChangeService(p, *s)) {
    return ErrorReply(PermissionDenied("members delete only their own services"));
  }
  json cancelled = json::array();
  for (JobId id : services_.Remove(name)) {
    JobRecord* job = jobs_.Find(id);
    if (job == nullptr || store::IsTerminal(job->state)) continue;
    EndAttempt(*job, JobState::kCancelled, "service " + name + " deleted", "CANCELLED", false);
    cancelled.push_back(id);
  }
  return JsonReply(200, json{{"deleted", name}, {"cancelled_jobs", cancelled}});
}

JobId Controller::StartReplica(const Services::Service& s, int32_t index) {
  JobRecord job;
  job.id = jobs_.next_id();
  job.tenant = s.tenant;
  job.user = s.user;
  job.spec = s.spec;
  job.spec.service = s.name;
  job.spec.replica = index;
  job.spec.service_version = s.version;
  job.spec.name = s.name + "." + std::to_string(index);
  job.spec.requeue = true;  // preempted or lost: the same job runs again
  job.spec.time_limit_s = 0;
  // Services' priority class: above every batch job (whose priority is at most 1,000,000), so a
  // pending replica preempts preemptible batch work and batch work never preempts a replica;
  // replicas up to --min-replicas are not preemptible at all (not even by other services).
  job.spec.priority = Services::kPriorityClass + s.spec.priority;
  job.spec.preemptible = index >= s.min_replicas;
  job.spec.env["SUANLI_SERVICE"] = s.name;
  job.spec.env["SUANLI_REPLICA"] = std::to_string(index);
  job.spec.env["SUANLI_SERVICE_VERSION"] = std::to_string(s.version);
  job.submit_time = Now();
  accounting_.AdvanceUsage(Now());
  job.state = JobState::kPending;
  job.reason = nodes_.empty() ? "no nodes registered yet" : "waiting for the next scheduling pass";
  job.history.push_back({JobState::kPending, job.submit_time,
                         "replica " + std::to_string(index) + " of service " + s.name +
                             " (version " + std::to_string(s.version) + ")"});
  const JobRecord& added = jobs_.Add(std::move(job));
  schedule_wanted_ = true;
  return added.id;
}

void Controller::ReconcileServices(TimeMs now) {
  if (services_.all().empty()) return;
  auto view = [&](JobId id) {
    Services::JobView v;
    const JobRecord* job = jobs_.Find(id);
    if (job == nullptr || store::IsTerminal(job->state)) return v;
    v.exists = true;
    v.running = job->state == JobState::kRunning;
    if (v.running && !job->placement.empty() && job->placement[0].port > 0) {
      const NodeRegistry::Node* node = nodes_.Find(job->placement[0].node);
      std::string host = node && !node->rec.address.empty() ? node->rec.address : "127.0.0.1";
      v.address = host + ":" + std::to_string(job->placement[0].port);
    }
    return v;
  };
  Services::Actions a = services_.Reconcile(now, view);
  for (const auto& stop : a.stop) {
    JobRecord* job = jobs_.Find(stop.job);
    if (job == nullptr || store::IsTerminal(job->state)) continue;
    spdlog::info("service {}: stopping job {}: {}", job->spec.service, job->id, stop.reason);
    EndAttempt(*job, JobState::kCancelled, stop.reason, "CANCELLED", false);
  }
  for (const auto& start : a.start) {
    const Services::Service* s = services_.Find(start.service);
    if (s == nullptr) continue;
    JobId id = StartReplica(*s, start.index);
    services_.Started(start.service, start.index, id);
  }
}

ApiReply Controller::ServiceTargets() {
  json out = json::array();
  for (const auto& [name, s] : services_.all()) {
    json replicas = json::array();
    for (const auto& r : s.slots) {
      for (JobId id : {r.job, r.old_job}) {
        const Services::JobHealth* h = services_.HealthOf(id);
        if (id == 0 || h == nullptr || h->address.empty() || h->stopping) continue;
        bool healthy = h->running_since >= 0 && (s.health_path.empty() || h->healthy);
        replicas.push_back(json{{"job", id}, {"address", h->address}, {"healthy", healthy}});
      }
    }
    out.push_back(json{{"name", name},
                       {"port", s.endpoint_port},
                       {"health", s.health_path},
                       {"replicas", replicas}});
  }
  return JsonReply(200, json{{"services", out}});
}

ApiReply Controller::ReportServiceProbes(const json& report) {
  const TimeMs now = Now();
  for (const auto& s : report.value("services", json::array())) {
    std::string name = s.value("name", "");
    for (const auto& pr : s.value("probes", json::array())) {
      services_.Probed(name, pr.value("job", JobId{0}), pr.value("ok", false),
                       pr.value("error", ""), now);
    }
    int64_t n = s.value("requests", int64_t{0});
    services_.CountRequests(name, n, now);
  }
  return JsonReply(200, json{{"ok", true}});
}

}  // namespace suanli::server
