// The agent protocol: registration with re-attachment, polls (heartbeat + events + work), and
// log uploads. `attempt` fences stale reports: anything not about the job's current attempt is
// ignored, and tasks still running for it are killed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "server/controller.h"

namespace suanli::server {

namespace {

std::string ExitReason(const AgentEvent& ev) {
  if (ev.signal) return "killed by signal " + std::to_string(*ev.signal);
  return "exited with code " + std::to_string(ev.exit_code.value_or(0));
}

}  // namespace

ApiReply Controller::RegisterAgent(const RegisterRequest& req) {
  const store::NodeRecord& rec = nodes_.Register(req.node, Now(), &batch_).rec;
  schedule_wanted_ = true;
  spdlog::info("node {} registered ({} cpus, {} MiB, {} devices, {} running tasks)", rec.name,
               rec.cpus, rec.mem_mb, rec.devices.size(), req.running.size());

  // Re-attach what the agent still runs; kill what is unknown or stale.
  std::set<std::pair<JobId, int32_t>> reported;
  for (const TaskRef& r : req.running) {
    JobRecord* found = jobs_.Find(r.job_id);
    bool current = false;
    if (found && found->attempt == r.attempt &&
        (found->state == JobState::kStarting || found->state == JobState::kRunning)) {
      for (auto& t : found->placement) {
        if (t.task == r.task && t.node == rec.name && !t.exited) {
          current = true;
          if (!t.started) {
            t.started = true;
            jobs_.MarkDirty(*found);
          }
        }
      }
    }
    if (current) {
      reported.insert({r.job_id, r.task});
      JobRecord& job = *found;
      bool all = std::all_of(job.placement.begin(), job.placement.end(),
                             [](const auto& t) { return t.started; });
      if (job.state == JobState::kStarting && all) {
        Transition(job, JobState::kRunning, "re-attached after agent restart");
      }
    } else {
      KillStale(rec.name, r);
    }
  }
  // Tasks not reported any more are gone; reported ones keep their entry while they still run.
  nodes_.ForgetHeldExcept(rec.name, req.running);
  // Tasks this controller placed here that the agent no longer runs.
  jobs_.ForEach([&](JobRecord& job) {
    if (job.state != JobState::kStarting && job.state != JobState::kRunning) return;
    std::set<int32_t> resend;
    bool vanished = false;
    for (const auto& t : job.placement) {
      if (t.node != rec.name || t.exited || reported.count({job.id, t.task})) continue;
      if (t.started) {
        vanished = true;
      } else {
        resend.insert(t.task);
      }
    }
    if (vanished) {
      EndAttempt(job, JobState::kLost, "its task vanished when node " + rec.name + " restarted",
                 "LOST", true);
    } else if (!resend.empty()) {
      QueueLaunches(job, resend);
    }
  });
  if (!nodes_.Find(rec.name)->outbox.kill.empty()) nodes_.Signal(rec.name);
  // fence_ms: an agent cut off this long stops its tasks itself, before this controller declares
  // the node DOWN and requeues them elsewhere, so a partition never leaves two copies running.
  proto::RegisterReply reply;
  reply.node = rec.name;
  reply.heartbeat_ms = static_cast<int>(options_.heartbeat_ms);
  reply.node_timeout_ms = options_.node_timeout_ms;
  reply.fence_ms = options_.node_timeout_ms * 4 / 5;
  return JsonReply(200, proto::Encode(reply));
}

void Controller::ApplyEvent(const std::string& node, const AgentEvent& ev) {
  // A draining task's exit frees its resources.
  if (ev.event == "exited") {
    if (draining_.Exited({ev.ref.job_id, static_cast<int32_t>(ev.ref.attempt), ev.ref.task})) {
      schedule_wanted_ = true;
    }
  }
  JobRecord* found = jobs_.Find(ev.ref.job_id);
  store::TaskPlacement* task = nullptr;
  if (found && found->attempt == ev.ref.attempt &&
      (found->state == JobState::kStarting || found->state == JobState::kRunning)) {
    for (auto& t : found->placement) {
      if (t.task == ev.ref.task && t.node == node) task = &t;
    }
  }
  if (!task) {
    // Stale: another attempt, a finished job, or not placed here. A start is answered with a kill.
    if (ev.event == "started") {
      nodes_.QueueKill(node, proto::Kill{ev.ref.job_id, ev.ref.attempt, 0, "STALE"});
      nodes_.Signal(node);
    }
    return;
  }
  JobRecord& job = *found;
  if (ev.event == "started") {
    if (task->started) return;
    task->started = true;
    if (ev.port > 0) task->port = ev.port;
    jobs_.MarkDirty(job);
    bool all = std::all_of(job.placement.begin(), job.placement.end(),
                           [](const auto& t) { return t.started; });
    if (job.state == JobState::kStarting && all) {
      Transition(job, JobState::kRunning,
                 job.placement.size() > 1
                     ? "all " + std::to_string(job.placement.size()) + " tasks started"
                     : "started on " + task->node);
    }
    return;
  }
  // exited
  if (task->exited) return;
  task->exited = true;
  task->started = true;
  task->exit_code = ev.exit_code;
  task->signal = ev.signal;
  jobs_.MarkDirty(job);
  bool failed = (ev.exit_code && *ev.exit_code != 0) || ev.signal || !ev.reason.empty();
  if (!failed) {
    bool all = std::all_of(job.placement.begin(), job.placement.end(),
                           [](const auto& t) { return t.exited; });
    if (all) {
      job.exit_code = 0;
      EndAttempt(job, JobState::kCompleted,
                 job.placement.size() > 1 ? "all tasks exited with code 0" : "exited with code 0",
                 "COMPLETED", false);
    }
    return;
  }
  JobState state = JobState::kFailed;
  if (ev.reason == "OUT_OF_MEMORY") state = JobState::kOutOfMemory;
  if (ev.reason == "TIMEOUT") state = JobState::kTimeout;
  job.exit_code = ev.exit_code;
  job.signal = ev.signal;
  job.failed_task = ev.ref.task;
  std::string reason = job.placement.size() > 1
                           ? "task " + std::to_string(ev.ref.task) + " " + ExitReason(ev)
                           : ExitReason(ev);
  if (!ev.reason.empty()) reason += " (" + ev.reason + ")";
  EndAttempt(job, state, reason, job.placement.size() > 1 ? "GANG_FAILED" : "FAILED", false);
}

ApiReply Controller::PollAgent(const std::string& name, const PollRequest& req) {
  if (!nodes_.Find(name)) {
    return ErrorReply(NotFound("node '" + name + "' is not registered; register first"));
  }
  const TimeMs now = Now();
  if (nodes_.Heard(name, now)) schedule_wanted_ = true;
  for (const AgentEvent& ev : req.events) ApplyEvent(name, ev);
  // Running tasks the controller does not recognise for this node are killed.
  for (const TaskRef& r : req.running) {
    auto j = jobs_.active().find(r.job_id);
    bool current =
        j != jobs_.active().end() && j->second.attempt == r.attempt &&
        (j->second.state == JobState::kStarting || j->second.state == JobState::kRunning) &&
        std::any_of(j->second.placement.begin(), j->second.placement.end(),
                    [&](const auto& t) { return t.task == r.task && t.node == name; });
    bool draining = draining_.Contains({r.job_id, static_cast<int32_t>(r.attempt), r.task});
    if (!current && !draining) KillStale(name, r);
  }
  // Tasks not reported any more are gone; reported ones keep their entry while they still run.
  nodes_.ForgetHeldExcept(name, req.running);
  RelaunchUnacked(name, req, now);
  return TakeWork(name);
}

// Launches are taken out of the outbox before the reply is sent, so a lost reply would lose
// them. Agents ignore a launch for a task they already run, so handing one out again is safe.
void Controller::RelaunchUnacked(const std::string& node, const PollRequest& req, TimeMs now) {
  int64_t after =
      options_.relaunch_after_ms > 0 ? options_.relaunch_after_ms : 2 * options_.heartbeat_ms;
  std::set<TaskKey> running;
  for (const TaskRef& r : req.running) running.insert({r.job_id, r.attempt, r.task});
  auto waiting = [&](const TaskKey& key) {
    const auto& [job_id, attempt, task_index] = key;
    auto j = jobs_.active().find(job_id);
    if (j == jobs_.active().end() || j->second.attempt != attempt ||
        j->second.state != JobState::kStarting || running.count(key)) {
      return false;
    }
    return std::any_of(j->second.placement.begin(), j->second.placement.end(), [&](const auto& t) {
      return t.task == task_index && t.node == node && !t.started && !t.exited;
    });
  };
  for (const auto& due : nodes_.TakeDueLaunches(node, now, after, waiting)) {
    const auto& [job_id, attempt, task_index] = due.task;
    spdlog::warn(
        "node {}: task {} of job {} (attempt {}) not started {} ms after its launch; "
        "sending the launch again",
        node, task_index, job_id, attempt, now - due.handed_out);
    QueueLaunches(jobs_.active().at(job_id), {task_index});
  }
}

void Controller::KillStale(const std::string& node, const TaskRef& r) {
  nodes_.QueueKill(node, proto::Kill{r.job_id, r.attempt, 0, "STALE"});
  // Its last known placement: from before the node went DOWN, or the job's own record when
  // that attempt's placement is still there. Without it a scheduling pass would hand the same
  // devices to another job while the stale task still uses them.
  std::optional<store::TaskPlacement> held =
      nodes_.HeldWhenDown(node, {r.job_id, static_cast<int32_t>(r.attempt), r.task});
  if (auto j = jobs_.active().find(r.job_id);
      !held && j != jobs_.active().end() && j->second.attempt == r.attempt) {
    for (const auto& t : j->second.placement) {
      if (t.task == r.task && t.node == node) held = t;
    }
  }
  if (held) {
    // grace_s is 0 for STALE kills; 10 s covers the agent's reaction and the exit report.
    // attempt fits: the protocol accepts at most INT32_MAX.
    draining_.Add({r.job_id, static_cast<int32_t>(r.attempt), r.task, *held, Now() + 10000});
    schedule_wanted_ = true;
  } else {
    spdlog::warn(
        "node {}: killing stale task {} of job {} (attempt {}) whose placement is not "
        "known; its resources may be offered before it exits",
        node, r.task, r.job_id, r.attempt);
  }
  nodes_.Signal(node);
}

ApiReply Controller::TakeWork(const std::string& name) {
  const NodeRegistry::Node* node = nodes_.Find(name);
  if (!node) {
    return ErrorReply(NotFound("node '" + name + "' is not registered; register first"));
  }
  bool work = !node->outbox.launch.empty() || !node->outbox.kill.empty();
  ApiReply r;
  r.status = 200;
  r.body = nodes_.TakeOutbox(name, Now());
  r.has_work = work;
  return r;
}

ApiReply Controller::CheckLogUpload(const std::string& node, const LogUpload& up,
                                    LogTarget* target) {
  if (!nodes_.Find(node)) {
    return ErrorReply(NotFound("node '" + node + "' is not registered; register first"));
  }
  std::optional<JobRecord> job;
  if (auto it = jobs_.active().find(up.ref.job_id); it != jobs_.active().end()) {
    job = it->second;
  } else {
    auto r = store_->GetJob(up.ref.job_id);
    if (!r.ok()) return ErrorReply(r.status());
    job = *r;
  }
  if (!job) return ErrorReply(NotFound("job " + std::to_string(up.ref.job_id) + " does not exist"));
  ApiReply ok;
  ok.status = 204;
  // Output is kept only for the attempt that owns the log files now: the current attempt while it
  // runs, or the last one once the job ended. A requeued job (PENDING, same attempt number until
  // its next launch) must not take late output from the old attempt into the new attempt's log.
  bool holding = job->state == JobState::kStarting || job->state == JobState::kRunning;
  bool current = job->attempt == up.ref.attempt && (holding || store::IsTerminal(job->state));
  if (!current) {
    ok.headers.emplace_back("X-Suanli-Ignored", "stale attempt");
    return ok;  // a stale attempt's output is dropped, not an error for the agent
  }
  target->path = (std::filesystem::path(options_.data_dir) / "logs" / std::to_string(job->id) /
                  (std::to_string(up.ref.task) + "." + up.stream))
                     .string();
  return ok;
}

}  // namespace suanli::server
