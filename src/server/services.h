#pragma once
// Long-running services (issue #16): N replicas of one command, each an ordinary job tagged with
// the service, its replica index and version (JobSpec::service), restarted when it ends or fails
// its health check (with exponential backoff, and a CRASHLOOP state after repeated quick
// failures), rolled over to a new version one replica at a time, scaled between min and max
// replicas on the request rate its endpoint sees. One of the controller's components
// (controller.h): it owns the services' state, decides, and says what to start and stop; the
// controller makes and ends the jobs. Its state is one meta key in the store, written into the
// controller's WriteBatch, so a replica's job and the service that knows it commit together (no
// duplicate after a restart).
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/store.h"

namespace suanli::server {

struct ServicePolicy {
  TimeMs backoff_base_ms = 1000;     // first restart delay; doubles per quick failure
  TimeMs backoff_max_ms = 60000;     // the most it waits (in CRASHLOOP too)
  int crashloop_after = 3;           // this many quick failures in a row = CRASHLOOP
  TimeMs stable_after_ms = 30000;    // running (and healthy) this long resets the failures
  TimeMs health_grace_ms = 30000;    // a replica never healthy this long after start is failed
  int unhealthy_after = 3;           // failed probes in a row (after one passed) fail it
  TimeMs scale_window_ms = 10000;    // request rate measured over this window
  TimeMs scale_down_after_ms = 30000;  // below target this long before one replica goes
};

// What a user asks (POST /services, PATCH /services/{name}).
struct ServiceRequest {
  std::string name;
  std::string tenant;
  store::JobSpec spec;  // the replicas' command and resources (one task each)
  int32_t replicas = 1;
  int32_t min_replicas = -1;  // -1 = replicas
  int32_t max_replicas = -1;  // -1 = replicas
  std::string health;         // "http:/healthz" or empty (no check: running = healthy)
  double target_rps = 10;     // requests per second per replica, for scaling
  int32_t endpoint_port = 0;  // chosen by the HTTP layer (a port free on the controller's host)
};

// PATCH: which fields were given.
struct ServiceUpdate {
  std::optional<store::JobSpec> spec;  // a new command/resources: a new version, rolled over
  std::optional<int32_t> replicas, min_replicas, max_replicas;
  std::optional<std::string> health;
  std::optional<double> target_rps;
};

// The HTTP bodies (on HTTP threads). A service's job fields (command or script, cpus, mem_mb,
// gpus, gpu_type, env, priority, grace_s, workdir, tenant) are read as POST /jobs reads them.
Result<ServiceRequest> ParseServiceCreate(const std::string& body);
struct ServiceUpdateRequest {
  ServiceUpdate update;           // spec unset: see job_fields
  nlohmann::json job_fields;      // the job fields given (an object; empty = the spec stays)
};
Result<ServiceUpdateRequest> ParseServiceUpdate(const std::string& body);
// `current` with the job fields of an update applied (on the owner thread, which knows it).
Result<store::JobSpec> MergeServiceSpec(const store::JobSpec& current,
                                        const nlohmann::json& job_fields);

class Services {
 public:
  static constexpr const char* kMetaKey = "services";
  // Added to a replica's priority: services rank above all batch work (docs/api.md, "Services").
  static constexpr int32_t kPriorityClass = 2'000'000;

  enum class ReplicaState { kPending, kRunning, kBackoff, kCrashLoop };
  static const char* StateName(ReplicaState s);

  struct Replica {
    int32_t index = 0;
    store::JobId job = 0;      // its current job; 0 = none (waiting to restart)
    store::JobId old_job = 0;  // during a rollout: the previous version's job, still serving
    int32_t version = 0;       // the version `job` runs
    ReplicaState state = ReplicaState::kPending;
    int32_t restarts = 0;      // jobs started for this replica after its first
    int32_t failures = 0;      // quick failures in a row
    TimeMs next_start = 0;     // while backing off
    std::string last_exit;     // how its last job ended
    store::JobId last_job = 0;  // that job (its logs say why)
  };
  // What is known of one replica job now (not stored: probed again after a restart).
  struct JobHealth {
    TimeMs running_since = -1;  // reached RUNNING (this controller's clock)
    std::string address;        // host:port once its agent reported the port
    bool healthy = false;
    TimeMs healthy_since = -1;  // first probe that passed
    int32_t failed_probes = 0;  // in a row
    std::string error;          // the last failed probe
    bool stopping = false;      // a Stop was asked
  };

  struct Service {
    std::string name, tenant, user;
    store::JobSpec spec;
    int32_t version = 1;
    int32_t replicas = 1, min_replicas = 1, max_replicas = 1;
    std::string health_path;  // "/healthz"; empty = no check
    double target_rps = 10;
    int32_t endpoint_port = 0;
    TimeMs created = 0;
    std::vector<Replica> slots;  // one per replica index 0..replicas-1 (more while scaling down)
    // Request counting (from the endpoint), not stored.
    std::vector<std::pair<TimeMs, int64_t>> request_log;  // (time, requests since the previous)
    TimeMs below_target_since = -1;
    int64_t requests_total = 0;
  };

  explicit Services(ServicePolicy policy = {}) : policy_(policy) {}

  // The stored services (meta kMetaKey); each replica job it names must be handed to Adopt.
  Status Load(const std::map<std::string, std::string>& meta);
  // Checks a request (names, counts, health syntax) and turns it into a service.
  static Result<Service> Validate(const ServiceRequest& req);
  Status Add(Service s, TimeMs now);
  Status Update(const std::string& name, const ServiceUpdate& u, TimeMs now);
  // Removes it; returns the jobs of its replicas (for the caller to cancel).
  std::vector<store::JobId> Remove(const std::string& name);

  const std::map<std::string, Service>& all() const { return services_; }
  const Service* Find(const std::string& name) const;

  // What the controller reports of a replica's job.
  struct JobView {
    bool exists = false;  // active (not terminal)
    bool running = false;
    std::string address;  // host:port of its first task, empty until started with a port
  };
  // One step: for every service, which replicas need a job now (backoff over) and which jobs to
  // stop (health failed, scaled down, replaced by a new version that is healthy).
  struct Start {
    std::string service;
    int32_t index = 0;
  };
  struct Stop {
    store::JobId job = 0;
    std::string reason;
  };
  struct Actions {
    std::vector<Start> start;
    std::vector<Stop> stop;
  };
  Actions Reconcile(TimeMs now, const std::function<JobView(store::JobId)>& view);
  // The controller made job `job` for a Start.
  void Started(const std::string& service, int32_t index, store::JobId job);
  // A replica's job ended for good (not requeued): `ran_ms` how long its attempt ran.
  void JobEnded(const std::string& service, store::JobId job, const std::string& how, TimeMs ran_ms,
                TimeMs now);
  // A health probe of the replica whose job is `job`: passed or failed with `error`.
  void Probed(const std::string& service, store::JobId job, bool ok, const std::string& error,
              TimeMs now);
  // Requests its endpoint forwarded since the last report.
  void CountRequests(const std::string& service, int64_t n, TimeMs now);
  // The request rate (per second) over the scaling window.
  double RequestRate(const Service& s, TimeMs now) const;

  // The JSON of GET /services/{name} less what the controller adds (jobs' states, cost).
  nlohmann::json ToJson(const Service& s, TimeMs now) const;

  // The stored form, when something changed since the last call.
  void TakeChanges(store::WriteBatch* out);
  bool is_dirty() const { return dirty_; }

 private:
  Replica* FindByJob(Service& s, store::JobId job, bool* is_old);
  bool Stable(const Service& s, store::JobId job, TimeMs now) const;
  bool Healthy(const Service& s, store::JobId job) const;
  nlohmann::json ReplicaJson(const Service& s, const Replica& r, store::JobId job, TimeMs now) const;

 public:
  const JobHealth* HealthOf(store::JobId job) const {
    auto it = health_.find(job);
    return it == health_.end() ? nullptr : &it->second;
  }

 private:
  std::map<store::JobId, JobHealth> health_;
  TimeMs Backoff(int32_t failures) const;
  nlohmann::json Encode() const;
  void Reindex(Service& s);  // slots' size follows `replicas`

  ServicePolicy policy_;
  std::map<std::string, Service> services_;
  bool dirty_ = false;
};

}  // namespace suanli::server
