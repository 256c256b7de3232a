// Job operations of the user API: submit (with admission), list, show, cancel, log access.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "server/controller.h"
#include "server/shape_choice.h"
#include "slurm/array_spec.h"
#include "slurm/dependency_spec.h"
#include "slurm/option_values.h"

namespace suanli::server {

namespace {

json Seconds(TimeMs ms) { return ms < 0 ? json(nullptr) : json(static_cast<double>(ms) / 1000.0); }

template <typename T>
json Opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json ShapeJson(const store::ShapeSpec& s) {
  return json{{"tasks", s.tasks}, {"cpus", s.cpus},         {"mem_mb", s.mem_mb},
              {"gpus", s.gpus},   {"gpu_type", s.gpu_type}, {"speed", s.speed}};
}

}  // namespace

json Controller::JobJson(const JobRecord& job) const {
  json history = json::array();
  for (const auto& h : job.history) {
    history.push_back(
        json{{"state", JobStateName(h.state)}, {"time", Seconds(h.time)}, {"reason", h.reason}});
  }
  json nodes = json::array();
  json tasks = json::array();
  for (const auto& t : job.placement) {
    if (std::find(nodes.begin(), nodes.end(), t.node) == nodes.end()) nodes.push_back(t.node);
    tasks.push_back(json{{"task", t.task},
                         {"node", t.node},
                         {"devices", t.devices},
                         {"gpu_type", t.gpu_type},
                         {"started", t.started},
                         {"exited", t.exited},
                         {"exit_code", Opt(t.exit_code)},
                         {"signal", Opt(t.signal)}});
  }
  json shapes = json::array();
  for (const auto& s : job.spec.shapes) shapes.push_back(ShapeJson(s));
  TimeMs est = -1;
  std::string reason = job.reason;
  if (auto it = pending_view_.find(job.id);
      it != pending_view_.end() && job.state == JobState::kPending) {
    est = it->second.info.est_start;
    if (it->second.info.words) reason = it->second.info.Reason(Now());
  }
  std::string reason_code;
  if (job.state == JobState::kPending) {
    if (auto b = blocked_.find(job.id); b != blocked_.end()) {
      reason_code = GateReasonCode(b->second.kind);
    }
  } else if (job.reason.rfind("DependencyNeverSatisfied", 0) == 0) {
    reason_code = "DependencyNeverSatisfied";
  }
  const store::ShapeSpec& m = job.spec.main;
  return json{
      {"id", job.id},
      {"name", job.spec.name},
      {"state", JobStateName(job.state)},
      {"reason", reason},
      {"est_start_time", job.state == JobState::kPending ? Seconds(est) : json(nullptr)},
      {"estimated_run_s", Seconds(EstimatedRunTime(job.id))},
      {"tenant", job.tenant},
      {"user", job.user},
      {"resources",
       {{"cpus", m.cpus},
        {"mem_mb", m.mem_mb},
        {"gpus", m.gpus},
        {"gpu_type", m.gpu_type},
        {"tasks", m.tasks}}},
      {"shapes", shapes},
      {"shape_index", job.shape_index},
      {"shape", job.attempt > 0 ? ShapeJson(ShapeAt(job.spec, job.shape_index)) : json(nullptr)},
      {"shape_reason", job.shape_reason.empty() ? json(nullptr) : json(job.shape_reason)},
      {"nodes", nodes},
      {"tasks", tasks},
      {"exit_code", Opt(job.exit_code)},
      {"signal", Opt(job.signal)},
      {"failed_task", Opt(job.failed_task)},
      {"submit_time", Seconds(job.submit_time)},
      {"start_time", Seconds(job.start_time)},
      {"end_time", Seconds(job.end_time)},
      {"priority", job.spec.priority},
      {"time_limit_s", job.spec.time_limit_s},
      {"command", job.spec.command},
      {"script", job.spec.script.empty() ? json(nullptr) : json(job.spec.script)},
      {"env", job.spec.env},
      {"attempt", job.attempt},
      {"requeue", job.spec.requeue},
      {"preemptible", job.spec.preemptible},
      {"checkpointable", job.spec.checkpointable},
      {"grace_s", job.spec.grace_s},
      {"advance_signal",
       job.spec.advance_signal.number == 0
           ? json(nullptr)
           : json(slurm::FormatSignalSpec(job.spec.advance_signal.number,
                                          static_cast<uint32_t>(job.spec.advance_signal.before_s),
                                          job.spec.advance_signal.batch_only))},
      {"output",
       job.spec.output_files.output.empty() ? json(nullptr) : json(job.spec.output_files.output)},
      {"error",
       job.spec.output_files.error.empty() ? json(nullptr) : json(job.spec.output_files.error)},
      {"open_mode", job.spec.output_files.empty()
                        ? json(nullptr)
                        : json(job.spec.output_files.append ? "append" : "truncate")},
      {"idempotency_key",
       job.spec.idempotency_key.empty() ? json(nullptr) : json(job.spec.idempotency_key)},
      {"cost", job.cost},
      {"history", history},
      {"array", job.spec.array.array_id == 0 ? json(nullptr)
                                             : json{{"job_id", job.spec.array.array_id},
                                                    {"task_id", job.spec.array.task_id},
                                                    {"count", job.spec.array.count},
                                                    {"max_running", job.spec.array.max_running},
                                                    {"spec", job.spec.array.spec}}},
      {"dependency", job.spec.dependency.empty() ? json(nullptr) : json(job.spec.dependency)},
      {"begin_time", job.spec.begin_time > 0 ? Seconds(job.spec.begin_time) : json(nullptr)},
      {"held", job.spec.held},
      {"workdir", job.spec.workdir.empty() ? json(nullptr) : json(job.spec.workdir)},
      {"reason_code", reason_code},
  };
}

Result<std::optional<JobRecord>> Controller::FindVisibleJob(const Principal& p, JobId id) {
  std::optional<JobRecord> job;
  if (auto it = jobs_.active().find(id); it != jobs_.active().end()) {
    job = it->second;
  } else {
    SUANLI_ASSIGN_OR_RETURN(job, store_->GetJob(id));
  }
  if (job && !CanSeeJob(p, *job)) job.reset();
  return job;
}

void Controller::PrefetchIdempotencyKeys(
    const std::vector<std::pair<std::string, std::string>>& token_keys) {
  std::vector<store::Store::UserKey> wanted;
  for (const auto& [token, key] : token_keys) {
    auto p = Authenticate(token);
    if (!p.ok() || jobs_.FindByKey(p->user, key)) continue;
    wanted.emplace_back(p->user, key);
  }
  auto found = store_->FindByIdempotencyKeys(wanted);
  if (!found.ok()) return;  // each submission then asks on its own and reports the error
  key_prefetch_.asked.insert(wanted.begin(), wanted.end());
  key_prefetch_.found = std::move(found).value();
}

void Controller::ClearIdempotencyPrefetch() {
  key_prefetch_.asked.clear();
  key_prefetch_.found.clear();
}

// Admission: the request must fit some node of the cluster when it is empty.
Status Controller::CheckAdmission(const JobRecord& job) {
  if (!nodes_.empty()) {
    CoreView v = BuildCoreView(job.submit_time, false);
    // Types only a job names are unknown to the cluster: no node has them.
    for (const store::ShapeSpec* s : [&] {
           std::vector<const store::ShapeSpec*> all{&job.spec.main};
           for (const auto& x : job.spec.shapes) all.push_back(&x);
           return all;
         }()) {
      if (s->gpus <= 0 || s->gpu_type == "any") continue;
      size_t start = 0;
      const std::string& types = s->gpu_type;
      while (true) {
        size_t bar = types.find('|', start);
        std::string name =
            types.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        if (!v.type_index.count(name)) {
          v.type_index[name] = static_cast<int32_t>(v.state.accel_types.size());
          v.state.accel_types.push_back(name);
        }
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
    }
    const core::Job cj = ToCoreJob(job, v, job.submit_time);
    // Every listed shape must be possible: a typo in one alternative is refused, not ignored.
    std::string problem;
    if (const int32_t bad = core::FirstImpossibleShape(v.state, cj, &problem);
        bad >= 0 && !job.spec.shapes.empty()) {
      return InvalidArgument(ShapeLabel(job.spec, bad) + " can never run: " + problem);
    }
    return core::CheckFeasible(v.state, cj);
  }
  return Status::Ok();
}

ApiReply Controller::SubmitJob(const Principal& p, SubmitRequest req) {
  std::string tenant = req.tenant.empty() ? p.tenant : req.tenant;
  if (!directory_.Has(tenant) || !directory_.CanSeeTenant(p, tenant)) {
    return ErrorReply(NotFound("tenant '" + tenant + "' does not exist"));
  }
  if (p.role == Role::kMember && tenant != p.tenant) {
    return ErrorReply(PermissionDenied("members submit only to their own tenant"));
  }
  const std::string& key = req.spec.idempotency_key;
  if (!key.empty()) {
    std::optional<JobId> seen = jobs_.FindByKey(p.user, key);
    if (!seen && key_prefetch_.asked.count({p.user, key})) {
      auto it = key_prefetch_.found.find({p.user, key});
      if (it != key_prefetch_.found.end()) seen = it->second;
    } else if (!seen) {
      auto found = store_->FindByIdempotencyKey(p.user, key);
      if (!found.ok()) return ErrorReply(found.status());
      seen = *found;
    }
    if (seen) {
      auto job = FindVisibleJob(p, *seen);
      if (!job.ok()) return ErrorReply(job.status());
      if (*job) return JsonReply(200, JobJson(**job));
    }
  }
  JobRecord job;
  job.id = jobs_.next_id();  // kept only if admitted
  job.tenant = tenant;
  job.user = p.user;
  job.spec = std::move(req.spec);
  job.submit_time = Now();
  if (Status st = CheckAdmission(job); !st.ok()) return ErrorReply(st);
  // An array is one job per task, with consecutive ids: all of them or none.
  std::vector<uint32_t> task_ids;
  if (!req.array.empty()) {
    const uint32_t max = std::max<uint32_t>(options_.max_array_tasks, 1);
    auto parsed = slurm::ParseArraySpec(req.array, {max - 1, max});
    if (!parsed.ok()) {
      return ErrorReply(InvalidArgument("field 'array': " + parsed.status().message()));
    }
    task_ids = parsed->task_ids;
    job.spec.array.array_id = job.id;
    job.spec.array.count = static_cast<uint32_t>(task_ids.size());
    job.spec.array.max_running = parsed->max_running.value_or(0);
    job.spec.array.spec = req.array;
  }
  // One user's or tenant's loop cannot fill the queue (caps are 0 = none; checked after the
  // idempotency key, so a retried submission that was accepted is still answered). An array
  // counts as the jobs it makes: one submission of 10,000 tasks is not one pending job.
  const int64_t adding = task_ids.empty() ? 1 : static_cast<int64_t>(task_ids.size());
  auto over_cap = [&](const std::string& who, int64_t pending, int64_t cap,
                      const char* flag) -> std::optional<ApiReply> {
    if (cap <= 0 || pending + adding <= cap) return std::nullopt;
    std::string more = adding == 1 ? "" : "; this array would add " + std::to_string(adding);
    return ErrorReply(ResourceExhausted(
        who + " has " + std::to_string(pending) + " pending jobs" + more + ", over the cap (" +
        flag + " " + std::to_string(cap) + "); submit again when some have started or ended"));
  };
  if (auto r = over_cap("user '" + p.user + "'", jobs_.PendingOfUser(p.user),
                        options_.max_pending_per_user, "--max-pending-per-user")) {
    return *r;
  }
  if (auto r = over_cap("tenant '" + tenant + "'", jobs_.PendingInTenant(tenant),
                        options_.max_pending_per_tenant, "--max-pending-per-tenant")) {
    return *r;
  }
  // Dependencies name jobs that exist and that the submitter may see (another tenant's job is
  // one that does not exist); resolved for each task, as aftercorr differs per task.
  std::optional<slurm::DependencySpec> dependency;
  if (!job.spec.dependency.empty()) {
    auto parsed = slurm::ParseDependencySpec(job.spec.dependency);
    if (!parsed.ok()) {
      return ErrorReply(InvalidArgument("field 'dependency': " + parsed.status().message()));
    }
    auto visible = [&](JobId id) -> std::optional<JobFacts> {
      auto f = FactsOf(id);
      if (f && !f->tenant.empty() && !directory_.CanSeeTenant(p, f->tenant)) return std::nullopt;
      return f;
    };
    if (auto r = ResolveDependency(*parsed, job, visible); !r.ok()) {
      return ErrorReply(InvalidArgument(r.status().message()));
    }
  }
  accounting_.AdvanceUsage(Now());  // every change of any job's state is a step of the account
  job.state = JobState::kPending;
  job.reason = nodes_.empty() ? "no nodes registered yet" : "waiting for the next scheduling pass";
  job.history.push_back({JobState::kPending, job.submit_time, "submitted"});
  if (task_ids.empty()) {
    const JobRecord& added = jobs_.Add(std::move(job));
    EstimateRunTime(added);
    if (Status st = TrackGates(added); !st.ok())
      spdlog::error("job {}: {}", added.id, st.ToString());
    schedule_wanted_ = true;
    return JsonReply(201, JobJson(added));
  }
  const JobId first = job.id;
  const uint32_t step = task_ids.size() > 1 ? task_ids[1] - task_ids[0] : 1;
  for (size_t i = 0; i < task_ids.size(); ++i) {
    JobRecord task = job;
    task.id = first + static_cast<JobId>(i);
    task.spec.array.task_id = task_ids[i];
    if (i > 0) task.spec.idempotency_key.clear();  // the array answers a retry as one
    auto& env = task.spec.env;
    for (const char* prefix : {"SLURM_", "SUANLI_"}) {
      const std::string p(prefix);
      env[p + "ARRAY_JOB_ID"] = std::to_string(first);
      env[p + "ARRAY_TASK_ID"] = std::to_string(task_ids[i]);
      env[p + "ARRAY_TASK_COUNT"] = std::to_string(task_ids.size());
      env[p + "ARRAY_TASK_MIN"] = std::to_string(task_ids.front());
      env[p + "ARRAY_TASK_MAX"] = std::to_string(task_ids.back());
      env[p + "ARRAY_TASK_STEP"] = std::to_string(step);
    }
    const JobRecord& added = jobs_.Add(std::move(task));
    EstimateRunTime(added);
    if (Status st = TrackGates(added); !st.ok()) {
      spdlog::error("job {}: {}", added.id, st.ToString());
    }
  }
  schedule_wanted_ = true;
  json reply = JobJson(*jobs_.Find(first));
  reply["array_tasks"] = task_ids.size();
  return JsonReply(201, reply);
}

ApiReply Controller::ListJobs(const Principal& p, const JobListRequest& req) {
  std::vector<JobState> states = req.states;
  if (states.empty()) {
    states = req.all ? store::AllJobStates()
                     : std::vector<JobState>{JobState::kPending, JobState::kStarting,
                                             JobState::kRunning};
  }
  if (!req.tenant.empty() &&
      (!directory_.Has(req.tenant) || !directory_.CanSeeTenant(p, req.tenant))) {
    return ErrorReply(NotFound("tenant '" + req.tenant + "' does not exist"));
  }
  std::vector<std::string> tenants = directory_.VisibleTenants(p, req.tenant);
  std::set<std::string> tenant_set(tenants.begin(), tenants.end());
  auto wanted = [&](const JobRecord& j) {
    return std::find(states.begin(), states.end(), j.state) != states.end() &&
           tenant_set.count(j.tenant) && (req.user.empty() || j.user == req.user) &&
           (req.array == 0 || j.spec.array.array_id == req.array);
  };
  std::map<JobId, const JobRecord*, std::greater<>> picked;
  for (auto it = jobs_.active().rbegin(); it != jobs_.active().rend(); ++it) {
    if (wanted(it->second)) picked[it->first] = &it->second;
    if (static_cast<int64_t>(picked.size()) >= req.limit) break;
  }
  std::vector<JobState> finished;
  for (JobState s : states) {
    if (store::IsTerminal(s)) finished.push_back(s);
  }
  std::vector<JobRecord> from_store;
  if (!finished.empty() && !tenants.empty()) {
    store::JobQuery q;
    q.states = finished;
    q.tenants = tenants;
    q.user = req.user;
    q.limit = req.limit;
    if (req.array != 0) {  // its tasks are the ids array .. array + count - 1
      auto first = FindVisibleJob(p, req.array);
      if (!first.ok()) return ErrorReply(first.status());
      const uint32_t count = *first ? (*first)->spec.array.count : 0;
      q.before_id = req.array + std::max<uint32_t>(count, 1);
      q.limit = std::min<int64_t>(req.limit, std::max<uint32_t>(count, 1));
    }
    auto r = store_->ListJobs(q);
    if (!r.ok()) return ErrorReply(r.status());
    from_store = std::move(r).value();
    for (const auto& j : from_store) {
      if (req.array != 0 && j.spec.array.array_id != req.array) continue;
      if (!picked.count(j.id) && !jobs_.active().count(j.id)) picked[j.id] = &j;
    }
  }
  json jobs = json::array();
  for (const auto& [id, j] : picked) {
    if (static_cast<int64_t>(jobs.size()) >= req.limit) break;
    jobs.push_back(JobJson(*j));
  }
  return JsonReply(200, json{{"jobs", jobs}});
}

ApiReply Controller::GetJob(const Principal& p, JobId id) {
  auto job = FindVisibleJob(p, id);
  if (!job.ok()) return ErrorReply(job.status());
  if (!*job) return ErrorReply(NotFound("job " + std::to_string(id) + " does not exist"));
  return JsonReply(200, JobJson(**job));
}

ApiReply Controller::CancelJob(const Principal& p, JobId id) {
  auto job = FindVisibleJob(p, id);
  if (!job.ok()) return ErrorReply(job.status());
  if (!*job) return ErrorReply(NotFound("job " + std::to_string(id) + " does not exist"));
  if (p.role == Role::kMember && (*job)->user != p.user) {
    return ErrorReply(PermissionDenied("members may cancel only their own jobs; job " +
                                       std::to_string(id) + " belongs to " + (*job)->user));
  }
  JobRecord* active = jobs_.Find(id);
  if (!active || store::IsTerminal(active->state)) {
    return ErrorReply(FailedPrecondition("job " + std::to_string(id) + " already finished (" +
                                         std::string(JobStateName((*job)->state)) + ")"));
  }
  EndAttempt(*active, JobState::kCancelled, "cancelled by " + p.user, "CANCELLED", false);
  return JsonReply(200, JobJson(*active));
}

ApiReply Controller::CheckLogRead(const Principal& p, JobId id, const LogRead& req,
                                  std::string* path) {
  auto job = FindVisibleJob(p, id);
  if (!job.ok()) return ErrorReply(job.status());
  if (!*job) return ErrorReply(NotFound("job " + std::to_string(id) + " does not exist"));
  int32_t tasks = (*job)->spec.main.tasks;
  for (const auto& s : (*job)->spec.shapes) tasks = std::max(tasks, s.tasks);
  if (req.task >= tasks) {
    return ErrorReply(
        NotFound("job " + std::to_string(id) + " has no task " + std::to_string(req.task)));
  }
  *path = (std::filesystem::path(options_.data_dir) / "logs" / std::to_string(id) /
           (std::to_string(req.task) + "." + req.stream))
              .string();
  ApiReply r;
  r.headers.emplace_back("X-Suanli-Job-State", std::string(JobStateName((*job)->state)));
  return r;
}

}  // namespace suanli::server
