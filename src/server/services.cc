#include "server/services.h"

#include <algorithm>
#include <cmath>

#include "server/json_input.h"
#include "server/requests.h"

namespace suanli::server {

using nlohmann::json;
using store::JobId;

namespace {

constexpr int32_t kMaxReplicas = 1000;

json Seconds(TimeMs ms) { return ms < 0 ? json(nullptr) : json(static_cast<double>(ms) / 1000.0); }

json ShapeJson(const store::ShapeSpec& s) {
  return json{{"c", s.cpus}, {"m", s.mem_mb}, {"g", s.gpus}, {"t", s.gpu_type}};
}

store::ShapeSpec ShapeFrom(const json& j) {
  store::ShapeSpec s;
  s.cpus = j.value("c", 1.0);
  s.mem_mb = j.value("m", int64_t{1024});
  s.gpus = j.value("g", 0.0);
  s.gpu_type = j.value("t", std::string("any"));
  return s;
}

// The fields of a service body that are the service's own; every other one is a job field.
const char* const kServiceFields[] = {"name", "replicas", "min_replicas", "max_replicas", "health",
                                      "target_rps"};
// Job fields a service does not take (ParseSubmit would accept them).
const char* const kRefusedJobFields[] = {"array",      "dependency", "begin_time", "hold",
                                         "tasks",      "shapes",     "time_limit_s",
                                         "idempotency_key", "requeue", "preemptible",
                                         "checkpointable"};

Status SplitServiceBody(const json& j, json* service, json* job) {
  *service = json::object();
  *job = json::object();
  for (const auto& [k, v] : j.items()) {
    if (std::find(std::begin(kRefusedJobFields), std::end(kRefusedJobFields), k) !=
        std::end(kRefusedJobFields)) {
      return InvalidArgument("field '" + k + "' is not for services (a replica is one long-running "
                             "task, restarted by its service)");
    }
    bool own = std::find(std::begin(kServiceFields), std::end(kServiceFields), k) !=
               std::end(kServiceFields);
    (own ? *service : *job)[k] = v;
  }
  return Status::Ok();
}

struct ServiceCounts {
  int64_t replicas = -2, min = -1, max = -1;
  std::string health;
  bool has_health = false;
  double rps = -1;
};

Status ReadServiceFields(const json& service, std::string* name, ServiceCounts* c) {
  FieldReader r(service);
  if (name) r.String("name", name, 64);
  r.Int("replicas", &c->replicas, 0, kMaxReplicas)
      .Int("min_replicas", &c->min, 0, kMaxReplicas)
      .Int("max_replicas", &c->max, 1, kMaxReplicas)
      .Number("target_rps", &c->rps, 0.001, 1e6);
  c->has_health = service.contains("health");
  r.String("health", &c->health, 1024);
  return r.Finish();
}

}  // namespace

Result<ServiceRequest> ParseServiceCreate(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  json service, job;
  SUANLI_RETURN_IF_ERROR(SplitServiceBody(j, &service, &job));
  ServiceRequest req;
  ServiceCounts c;
  SUANLI_RETURN_IF_ERROR(ReadServiceFields(service, &req.name, &c));
  if (req.name.empty()) return InvalidArgument("field 'name' is required: the service's name");
  SUANLI_RETURN_IF_ERROR(CheckName(req.name, "name"));
  job["name"] = req.name;
  SUANLI_ASSIGN_OR_RETURN(SubmitRequest sub, ParseSubmit(job.dump()));
  req.tenant = sub.tenant;
  req.spec = std::move(sub.spec);
  req.replicas = c.replicas == -2 ? (c.min > 0 ? static_cast<int32_t>(c.min) : 1)
                                  : static_cast<int32_t>(c.replicas);
  req.min_replicas = static_cast<int32_t>(c.min);
  req.max_replicas = static_cast<int32_t>(c.max);
  req.health = c.health;
  if (c.rps > 0) req.target_rps = c.rps;
  return req;
}

Result<ServiceUpdateRequest> ParseServiceUpdate(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  if (j.empty()) return InvalidArgument("the update is empty: give the fields to change");
  json service, job;
  SUANLI_RETURN_IF_ERROR(SplitServiceBody(j, &service, &job));
  if (service.contains("name")) return InvalidArgument("a service's 'name' cannot change");
  if (job.contains("tenant")) return InvalidArgument("a service's 'tenant' cannot change");
  ServiceCounts c;
  SUANLI_RETURN_IF_ERROR(ReadServiceFields(service, nullptr, &c));
  ServiceUpdateRequest out;
  if (c.replicas >= 0) out.update.replicas = static_cast<int32_t>(c.replicas);
  if (c.min >= 0) out.update.min_replicas = static_cast<int32_t>(c.min);
  if (c.max >= 0) out.update.max_replicas = static_cast<int32_t>(c.max);
  if (c.has_health) out.update.health = c.health;
  if (c.rps > 0) out.update.target_rps = c.rps;
  out.job_fields = job;
  if (!job.empty()) {  // checked now, so a bad field is 400 before anything is posted
    SUANLI_RETURN_IF_ERROR(MergeServiceSpec(store::JobSpec{}, job).status());
  }
  return out;
}

Result<store::JobSpec> MergeServiceSpec(const store::JobSpec& current, const json& job_fields) {
  json base{{"name", current.name.empty() ? "service" : current.name},
            {"cpus", current.main.cpus},
            {"mem_mb", current.main.mem_mb},
            {"gpus", current.main.gpus},
            {"gpu_type", current.main.gpu_type},
            {"priority", current.priority},
            {"grace_s", current.grace_s}};
  if (!current.env.empty()) base["env"] = current.env;
  if (!current.workdir.empty()) base["workdir"] = current.workdir;
  if (!current.command.empty()) base["command"] = current.command;
  if (!current.script.empty()) base["script"] = current.script;
  if (job_fields.contains("command") || job_fields.contains("script")) {
    base.erase("command");
    base.erase("script");
  }
  if (!base.contains("command") && !base.contains("script") && !job_fields.contains("command") &&
      !job_fields.contains("script")) {
    base["command"] = json::array({"true"});  // only to check the other fields
  }
  for (const auto& [k, v] : job_fields.items()) base[k] = v;
  SUANLI_ASSIGN_OR_RETURN(SubmitRequest sub, ParseSubmit(base.dump()));
  return sub.spec;
}

const char* Services::StateName(ReplicaState s) {
  switch (s) {
    case ReplicaState::kPending:
      return "PENDING";
    case ReplicaState::kRunning:
      return "RUNNING";
    case ReplicaState::kBackoff:
      return "BACKOFF";
    case ReplicaState::kCrashLoop:
      return "CRASHLOOP";
  }
  return "PENDING";
}

Result<Services::Service> Services::Validate(const ServiceRequest& req) {
  SUANLI_RETURN_IF_ERROR(CheckName(req.name, "name"));
  Service s;
  s.name = req.name;
  s.tenant = req.tenant;
  s.spec = req.spec;
  s.replicas = req.replicas;
  s.min_replicas = req.min_replicas < 0 ? req.replicas : req.min_replicas;
  s.max_replicas = req.max_replicas < 0 ? std::max(req.replicas, s.min_replicas) : req.max_replicas;
  if (s.replicas < 0 || s.replicas > kMaxReplicas) {
    return InvalidArgument("field 'replicas' must be between 0 and " +
                           std::to_string(kMaxReplicas));
  }
  if (s.min_replicas < 0 || s.max_replicas < 1 || s.max_replicas > kMaxReplicas ||
      s.min_replicas > s.max_replicas) {
    return InvalidArgument("min_replicas " + std::to_string(s.min_replicas) + " and max_replicas " +
                           std::to_string(s.max_replicas) +
                           " must satisfy 0 <= min_replicas <= max_replicas <= " +
                           std::to_string(kMaxReplicas) + ", max_replicas >= 1");
  }
  if (s.replicas < s.min_replicas || s.replicas > s.max_replicas) {
    return InvalidArgument("field 'replicas' (" + std::to_string(s.replicas) +
                           ") must lie between min_replicas (" + std::to_string(s.min_replicas) +
                           ") and max_replicas (" + std::to_string(s.max_replicas) + ")");
  }
  if (!req.health.empty()) {
    const std::string prefix = "http:";
    if (req.health.rfind(prefix, 0) != 0 || req.health.size() < prefix.size() + 1 ||
        req.health[prefix.size()] != '/') {
      return InvalidArgument("field 'health' must be http:/PATH like http:/healthz, not '" +
                             req.health.substr(0, 64) + "'");
    }
    s.health_path = req.health.substr(prefix.size());
    for (char c : s.health_path) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
        return InvalidArgument("field 'health' holds a space or control character");
      }
    }
  }
  if (!(req.target_rps > 0) || req.target_rps > 1e6) {
    return InvalidArgument("field 'target_rps' must be above 0 and at most 1000000");
  }
  s.target_rps = req.target_rps;
  s.endpoint_port = req.endpoint_port;
  if (s.spec.main.tasks != 1 || !s.spec.shapes.empty()) {
    return InvalidArgument("a service replica is one task: 'tasks' must be 1 and 'shapes' absent");
  }
  if (s.spec.array.array_id != 0 || !s.spec.dependency.empty() || s.spec.begin_time != 0 ||
      s.spec.held) {
    return InvalidArgument("a service takes no array, dependency, begin_time or hold");
  }
  if (s.spec.time_limit_s != 0) {
    return InvalidArgument("a service runs until deleted: 'time_limit_s' must be absent");
  }
  return s;
}

const Services::Service* Services::Find(const std::string& name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : &it->second;
}

void Services::Reindex(Service& s) {
  for (int32_t i = static_cast<int32_t>(s.slots.size()); i < s.replicas; ++i) {
    Replica r;
    r.index = i;
    s.slots.push_back(r);
  }
}

Status Services::Add(Service s, TimeMs now) {
  if (services_.count(s.name)) {
    return AlreadyExists("service '" + s.name + "' already exists");
  }
  s.created = now;
  Reindex(s);
  for (auto& r : s.slots) r.next_start = now;
  services_[s.name] = std::move(s);
  dirty_ = true;
  return Status::Ok();
}

Status Services::Update(const std::string& name, const ServiceUpdate& u, TimeMs now) {
  auto it = services_.find(name);
  if (it == services_.end()) return NotFound("service '" + name + "' does not exist");
  Service next = it->second;
  if (u.spec) {
    next.spec = *u.spec;
    ++next.version;
  }
  ServiceRequest req;
  req.name = next.name;
  req.tenant = next.tenant;
  req.spec = next.spec;
  req.min_replicas = u.min_replicas.value_or(next.min_replicas);
  req.max_replicas = u.max_replicas.value_or(next.max_replicas);
  req.replicas = u.replicas.value_or(std::clamp(next.replicas, req.min_replicas,
                                                std::max(req.max_replicas, req.min_replicas)));
  req.health = u.health ? *u.health
                        : (next.health_path.empty() ? std::string() : "http:" + next.health_path);
  req.target_rps = u.target_rps.value_or(next.target_rps);
  SUANLI_ASSIGN_OR_RETURN(Service checked, Validate(req));
  next.spec = checked.spec;
  next.replicas = checked.replicas;
  next.min_replicas = checked.min_replicas;
  next.max_replicas = checked.max_replicas;
  next.health_path = checked.health_path;
  next.target_rps = checked.target_rps;
  Reindex(next);
  for (auto& r : next.slots) {
    if (r.job == 0 && r.state != ReplicaState::kCrashLoop) r.next_start = std::min(r.next_start, now);
    // A new version is a new chance: a crash-looping replica starts it at once.
    if (u.spec && r.job == 0) {
      r.failures = 0;
      r.next_start = now;
      r.state = ReplicaState::kPending;
    }
  }
  it->second = std::move(next);
  dirty_ = true;
  return Status::Ok();
}

std::vector<JobId> Services::Remove(const std::string& name) {
  std::vector<JobId> jobs;
  auto it = services_.find(name);
  if (it == services_.end()) return jobs;
  for (const auto& r : it->second.slots) {
    if (r.job) jobs.push_back(r.job);
    if (r.old_job) jobs.push_back(r.old_job);
  }
  for (JobId j : jobs) health_.erase(j);
  services_.erase(it);
  dirty_ = true;
  return jobs;
}

Services::Replica* Services::FindByJob(Service& s, JobId job, bool* is_old) {
  for (auto& r : s.slots) {
    if (r.job == job) {
      *is_old = false;
      return &r;
    }
    if (r.old_job == job) {
      *is_old = true;
      return &r;
    }
  }
  return nullptr;
}

bool Services::Healthy(const Service& s, JobId job) const {
  const JobHealth* h = HealthOf(job);
  if (h == nullptr || h->running_since < 0 || h->stopping) return false;
  if (s.health_path.empty()) return true;
  return h->healthy;
}

bool Services::Stable(const Service& s, JobId job, TimeMs now) const {
  const JobHealth* h = HealthOf(job);
  if (h == nullptr || h->running_since < 0) return false;
  TimeMs since = s.health_path.empty() ? h->running_since : h->healthy_since;
  return since >= 0 && Healthy(s, job) && now - since >= policy_.stable_after_ms;
}

TimeMs Services::Backoff(int32_t failures) const {
  if (failures <= 1) return policy_.backoff_base_ms;
  double ms = static_cast<double>(policy_.backoff_base_ms) * std::pow(2.0, failures - 1);
  return static_cast<TimeMs>(std::min(ms, static_cast<double>(policy_.backoff_max_ms)));
}

double Services::RequestRate(const Service& s, TimeMs now) const {
  int64_t n = 0;
  for (const auto& [t, c] : s.request_log) {
    if (now - t <= policy_.scale_window_ms) n += c;
  }
  return static_cast<double>(n) * 1000.0 / static_cast<double>(policy_.scale_window_ms);
}

void Services::CountRequests(const std::string& service, int64_t n, TimeMs now) {
  auto it = services_.find(service);
  if (it == services_.end()) return;
  Service& s = it->second;
  s.requests_total += n;
  s.request_log.emplace_back(now, n);
  while (!s.request_log.empty() && now - s.request_log.front().first > policy_.scale_window_ms) {
    s.request_log.erase(s.request_log.begin());
  }
}

Services::Actions Services::Reconcile(TimeMs now, const std::function<JobView(JobId)>& view) {
  Actions out;
  for (auto& [name, s] : services_) {
    Reindex(s);
    auto stop = [&](JobId job, const std::string& reason) {
      JobHealth& h = health_[job];
      if (h.stopping) return;
      h.stopping = true;
      out.stop.push_back({job, reason});
    };
    // What the jobs do now.
    for (auto& r : s.slots) {
      for (JobId* job : {&r.job, &r.old_job}) {
        if (*job == 0) continue;
        JobView v = view(*job);
        if (!v.exists) {  // ended without our hearing (a store changed by hand): restart it
          health_.erase(*job);
          *job = 0;
          r.next_start = now;
          dirty_ = true;
          continue;
        }
        JobHealth& h = health_[*job];
        if (v.running && h.running_since < 0) h.running_since = now;
        if (!v.running) h.running_since = -1;
        h.address = v.address;
      }
      if (r.job != 0) {
        const JobHealth& h = health_[r.job];
        ReplicaState st = h.running_since >= 0 ? ReplicaState::kRunning
                          : r.state == ReplicaState::kCrashLoop ? ReplicaState::kCrashLoop
                                                                : ReplicaState::kPending;
        if (st == ReplicaState::kRunning && r.state == ReplicaState::kCrashLoop &&
            !Stable(s, r.job, now)) {
          st = ReplicaState::kCrashLoop;  // still suspect until it has run stably
        }
        if (st != r.state) {
          r.state = st;
          dirty_ = true;
        }
        if (Stable(s, r.job, now) && r.failures != 0) {
          r.failures = 0;
          r.state = ReplicaState::kRunning;
          dirty_ = true;
        }
        if (!s.health_path.empty() && h.running_since >= 0 && !h.stopping) {
          if (h.healthy_since < 0 && now - h.running_since > policy_.health_grace_ms) {
            stop(r.job, "health check http:" + s.health_path + " never passed in " +
                            std::to_string(policy_.health_grace_ms / 1000) + " s" +
                            (h.error.empty() ? "" : ": " + h.error));
          } else if (h.healthy_since >= 0 && h.failed_probes >= policy_.unhealthy_after) {
            stop(r.job, "failed " + std::to_string(h.failed_probes) +
                            " health checks in a row: " + h.error);
          }
        }
      }
      // A rollout: the old version goes once the new one serves.
      if (r.old_job != 0 && r.job != 0 && Healthy(s, r.job)) {
        stop(r.old_job, "replaced by version " + std::to_string(r.version));
      }
    }
    // Scaling on the request rate, between min and max.
    if (s.max_replicas > s.min_replicas) {
      double rate = RequestRate(s, now);
      int32_t desired = static_cast<int32_t>(std::ceil(rate / s.target_rps));
      desired = std::clamp(desired, s.min_replicas, s.max_replicas);
      if (desired > s.replicas) {
        s.replicas = desired;
        s.below_target_since = -1;
        dirty_ = true;
        Reindex(s);
        for (auto& r : s.slots) {
          if (r.job == 0 && r.index < s.replicas) r.next_start = std::min(r.next_start, now);
        }
      } else if (desired < s.replicas) {
        if (s.below_target_since < 0) {
          s.below_target_since = now;
        } else if (now - s.below_target_since >= policy_.scale_down_after_ms) {
          --s.replicas;
          s.below_target_since = now;
          dirty_ = true;
        }
      } else {
        s.below_target_since = -1;
      }
    }
    // Replicas above the count go (scale-down), highest index first; their slots with them.
    for (auto& r : s.slots) {
      if (r.index < s.replicas) continue;
      if (r.job) stop(r.job, "scaled down to " + std::to_string(s.replicas) + " replicas");
      if (r.old_job) stop(r.old_job, "scaled down to " + std::to_string(s.replicas) + " replicas");
    }
    while (static_cast<int32_t>(s.slots.size()) > s.replicas && s.slots.back().job == 0 &&
           s.slots.back().old_job == 0) {
      s.slots.pop_back();
      dirty_ = true;
    }
    // One replica at a time moves to the current version, once every replica serves.
    bool rolling = std::any_of(s.slots.begin(), s.slots.end(),
                               [](const Replica& r) { return r.old_job != 0; });
    bool all_serving = std::all_of(s.slots.begin(), s.slots.end(), [&](const Replica& r) {
      return r.index >= s.replicas || (r.job != 0 && Healthy(s, r.job));
    });
    if (!rolling && all_serving) {
      for (auto& r : s.slots) {
        if (r.index < s.replicas && r.job != 0 && r.version < s.version) {
          r.old_job = r.job;
          r.job = 0;
          r.next_start = now;
          r.state = ReplicaState::kPending;
          dirty_ = true;
          break;
        }
      }
    }
    for (const auto& r : s.slots) {
      if (r.index < s.replicas && r.job == 0 && now >= r.next_start) {
        out.start.push_back({name, r.index});
      }
    }
  }
  return out;
}

void Services::Started(const std::string& service, int32_t index, JobId job) {
  auto it = services_.find(service);
  if (it == services_.end()) return;
  for (auto& r : it->second.slots) {
    if (r.index != index) continue;
    r.job = job;
    r.version = it->second.version;
    if (r.state != ReplicaState::kCrashLoop) r.state = ReplicaState::kPending;
    health_[job] = JobHealth{};
    dirty_ = true;
  }
}

void Services::JobEnded(const std::string& service, JobId job, const std::string& how,
                        TimeMs ran_ms, TimeMs now) {
  auto it = services_.find(service);
  if (it == services_.end()) return;
  Service& s = it->second;
  bool is_old = false;
  Replica* r = FindByJob(s, job, &is_old);
  if (r == nullptr) return;
  bool stable = Stable(s, job, now);
  health_.erase(job);
  dirty_ = true;
  if (is_old) {
    r->old_job = 0;
    return;
  }
  r->job = 0;
  r->last_exit = how;
  r->last_job = job;
  if (r->index >= s.replicas) return;  // scaled down: no restart
  ++r->restarts;
  (void)ran_ms;
  r->failures = stable ? 0 : r->failures + 1;
  r->next_start = now + Backoff(r->failures);
  r->state = r->failures >= policy_.crashloop_after ? ReplicaState::kCrashLoop
                                                    : ReplicaState::kBackoff;
}

void Services::Probed(const std::string& service, JobId job, bool ok, const std::string& error,
                      TimeMs now) {
  auto it = services_.find(service);
  if (it == services_.end()) return;
  auto h = health_.find(job);
  if (h == health_.end()) return;
  if (ok) {
    h->second.healthy = true;
    if (h->second.healthy_since < 0) h->second.healthy_since = now;
    h->second.failed_probes = 0;
    h->second.error.clear();
  } else {
    h->second.healthy = false;
    ++h->second.failed_probes;
    h->second.error = error;
  }
}

json Services::ReplicaJson(const Service& s, const Replica& r, JobId job, TimeMs now) const {
  const JobHealth* h = HealthOf(job);
  json j{{"index", r.index},
         {"job_id", job == 0 ? json(nullptr) : json(job)},
         {"version", job == 0 ? json(nullptr) : json(job == r.old_job ? r.version - 1 : r.version)},
         {"state", StateName(r.state)},
         {"healthy", job != 0 && Healthy(s, job)},
         {"address", h && !h->address.empty() ? json(h->address) : json(nullptr)},
         {"restarts", r.restarts},
         {"failures", r.failures},
         {"next_start", r.job == 0 ? Seconds(r.next_start) : json(nullptr)},
         {"last_exit", r.last_exit.empty() ? json(nullptr) : json(r.last_exit)},
         {"last_job_id", r.last_job == 0 ? json(nullptr) : json(r.last_job)},
         {"health_error", h && !h->error.empty() ? json(h->error) : json(nullptr)}};
  (void)now;
  return j;
}

json Services::ToJson(const Service& s, TimeMs now) const {
  json replicas = json::array();
  for (const auto& r : s.slots) {
    replicas.push_back(ReplicaJson(s, r, r.job, now));
    if (r.old_job != 0) {
      json old = ReplicaJson(s, r, r.old_job, now);
      old["state"] = "REPLACING";
      old["version"] = nullptr;
      replicas.push_back(old);
    }
  }
  int32_t healthy = 0;
  for (const auto& r : s.slots) {
    if (r.job && Healthy(s, r.job)) ++healthy;
  }
  return json{{"name", s.name},
              {"tenant", s.tenant},
              {"user", s.user},
              {"version", s.version},
              {"desired_replicas", s.replicas},
              {"healthy_replicas", healthy},
              {"min_replicas", s.min_replicas},
              {"max_replicas", s.max_replicas},
              {"health", s.health_path.empty() ? json(nullptr) : json("http:" + s.health_path)},
              {"target_rps", s.target_rps},
              {"request_rate", RequestRate(s, now)},
              {"requests_total", s.requests_total},
              {"command", s.spec.command},
              {"resources",
               {{"cpus", s.spec.main.cpus},
                {"mem_mb", s.spec.main.mem_mb},
                {"gpus", s.spec.main.gpus},
                {"gpu_type", s.spec.main.gpu_type}}},
              {"created", Seconds(s.created)},
              {"replicas", replicas}};
}

json Services::Encode() const {
  json all = json::array();
  for (const auto& [name, s] : services_) {
    json slots = json::array();
    for (const auto& r : s.slots) {
      slots.push_back(json{{"i", r.index},
                           {"job", r.job},
                           {"old", r.old_job},
                           {"v", r.version},
                           {"st", StateName(r.state)},
                           {"rs", r.restarts},
                           {"f", r.failures},
                           {"next", r.next_start},
                           {"exit", r.last_exit},
                           {"last", r.last_job}});
    }
    const store::JobSpec& sp = s.spec;
    all.push_back(json{{"name", s.name},
                       {"tenant", s.tenant},
                       {"user", s.user},
                       {"cmd", sp.command},
                       {"script", sp.script},
                       {"env", sp.env},
                       {"main", ShapeJson(sp.main)},
                       {"prio", sp.priority},
                       {"grace", sp.grace_s},
                       {"wd", sp.workdir},
                       {"jname", sp.name},
                       {"version", s.version},
                       {"replicas", s.replicas},
                       {"min", s.min_replicas},
                       {"max", s.max_replicas},
                       {"health", s.health_path},
                       {"rps", s.target_rps},
                       {"port", s.endpoint_port},
                       {"created", s.created},
                       {"slots", slots}});
  }
  return all;
}

Status Services::Load(const std::map<std::string, std::string>& meta) {
  auto it = meta.find(kMetaKey);
  if (it == meta.end()) return Status::Ok();
  json all = json::parse(it->second, nullptr, false);
  if (all.is_discarded() || !all.is_array()) {
    return Internal("the stored services (meta '" + std::string(kMetaKey) + "') are not JSON");
  }
  try {
    for (const auto& j : all) {
      Service s;
      s.name = j.at("name").get<std::string>();
      s.tenant = j.value("tenant", "");
      s.user = j.value("user", "");
      s.spec.command = j.value("cmd", std::vector<std::string>{});
      s.spec.script = j.value("script", "");
      s.spec.env = j.value("env", std::map<std::string, std::string>{});
      s.spec.main = ShapeFrom(j.value("main", json::object()));
      s.spec.priority = j.value("prio", 0);
      s.spec.grace_s = j.value("grace", int64_t{30});
      s.spec.workdir = j.value("wd", "");
      s.spec.name = j.value("jname", s.name);
      s.version = j.value("version", 1);
      s.replicas = j.value("replicas", 1);
      s.min_replicas = j.value("min", s.replicas);
      s.max_replicas = j.value("max", s.replicas);
      s.health_path = j.value("health", "");
      s.target_rps = j.value("rps", 10.0);
      s.endpoint_port = j.value("port", 0);
      s.created = j.value("created", TimeMs{0});
      for (const auto& rj : j.value("slots", json::array())) {
        Replica r;
        r.index = rj.value("i", 0);
        r.job = rj.value("job", JobId{0});
        r.old_job = rj.value("old", JobId{0});
        r.version = rj.value("v", 0);
        std::string st = rj.value("st", "PENDING");
        for (auto k : {ReplicaState::kPending, ReplicaState::kRunning, ReplicaState::kBackoff,
                       ReplicaState::kCrashLoop}) {
          if (st == StateName(k)) r.state = k;
        }
        r.restarts = rj.value("rs", 0);
        r.failures = rj.value("f", 0);
        r.next_start = rj.value("next", TimeMs{0});
        r.last_exit = rj.value("exit", "");
        r.last_job = rj.value("last", JobId{0});
        if (r.job) health_[r.job] = JobHealth{};
        if (r.old_job) health_[r.old_job] = JobHealth{};
        s.slots.push_back(std::move(r));
      }
      services_[s.name] = std::move(s);
    }
  } catch (const std::exception& e) {
    return Internal(std::string("the stored services cannot be read: ") + e.what());
  }
  return Status::Ok();
}

void Services::TakeChanges(store::WriteBatch* out) {
  if (!dirty_) return;
  out->meta[kMetaKey] = Encode().dump();
  dirty_ = false;
}

}  // namespace suanli::server
