// Held jobs, begin times, dependencies and array throttles: which pending jobs the scheduler may
// see this pass (job_gates.h decides each job's own gates; the counts across jobs are here).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/controller.h"
#include "slurm/dependency_spec.h"

namespace suanli::server {
namespace {

JobFacts FactsFrom(const JobRecord& job) {
  JobFacts f;
  f.id = job.id;
  f.state = job.state;
  f.array = job.spec.array;
  f.tenant = job.tenant;
  for (const auto& h : job.history) {
    if (h.state == JobState::kRunning) {
      f.first_start = h.time;
      break;
    }
  }
  return f;
}

bool Throttled(const JobRecord& job) {
  return job.spec.array.array_id != 0 && job.spec.array.max_running > 0;
}

}  // namespace

bool Controller::HasGates(const JobRecord& job) {
  return job.spec.held || job.spec.begin_time > 0 || !job.spec.dependency.empty() ||
         Throttled(job);
}

std::optional<JobFacts> Controller::FactsOf(JobId id) {
  if (const JobRecord* job = jobs_.Find(id)) return FactsFrom(*job);
  if (auto it = ended_facts_.find(id); it != ended_facts_.end()) return it->second;
  auto stored = store_->GetJob(id);
  if (!stored.ok()) {
    // Unknown for now, not absent: the dependent waits and the next pass asks again.
    spdlog::warn("dependency facts of job {}: {}", id, stored.status().ToString());
    JobFacts waiting;
    waiting.id = id;
    return waiting;
  }
  if (!*stored) return std::nullopt;
  JobFacts f = FactsFrom(**stored);
  if (store::IsTerminal(f.state)) ended_facts_[id] = f;  // an ended job changes no more
  return f;
}

Status Controller::TrackGates(const JobRecord& job) {
  if (!HasGates(job) || store::IsTerminal(job.state)) return Status::Ok();
  if (!job.spec.dependency.empty() && !dependencies_.count(job.id) &&
      !dependency_met_.count(job.id)) {
    SUANLI_ASSIGN_OR_RETURN(auto spec, slurm::ParseDependencySpec(job.spec.dependency));
    auto lookup = [this](JobId id) { return FactsOf(id); };
    SUANLI_ASSIGN_OR_RETURN(ResolvedDependency dep, ResolveDependency(spec, job, lookup));
    dependencies_[job.id] = std::move(dep);
  }
  gated_.insert(job.id);
  schedule_wanted_ = true;
  return Status::Ok();
}

void Controller::EvaluateGates(TimeMs now) {
  if (gated_.empty() && blocked_.empty()) {
    ended_facts_.clear();
    return;
  }
  auto lookup = [this](JobId id) { return FactsOf(id); };

  // Singletons: who runs, and the first waiting singleton, per (user, name).
  using Owner = std::pair<std::string, std::string>;
  std::set<Owner> running_names;
  std::map<Owner, JobId> first_singleton;
  bool any_singleton = false;
  for (JobId id : gated_) {
    auto d = dependencies_.find(id);
    any_singleton = any_singleton || (d != dependencies_.end() && d->second.singleton());
  }
  if (any_singleton) {
    for (const auto& [id, job] : jobs_.active()) {
      if (job.state == JobState::kStarting || job.state == JobState::kRunning) {
        running_names.insert({job.user, job.spec.name});
      } else if (job.state == JobState::kPending) {
        auto d = dependencies_.find(id);
        if (d != dependencies_.end() && d->second.singleton()) {
          first_singleton.emplace(Owner{job.user, job.spec.name}, id);  // ids ascend
        }
      }
    }
  }

  struct Throttle {
    uint32_t max = 0;
    uint32_t running = 0;
    std::vector<JobId> ready;  // pending, no other gate, in id (task) order
  };
  std::map<JobId, Throttle> throttles;
  std::unordered_map<JobId, GateVerdict> next;
  std::vector<std::pair<JobId, std::string>> never;
  for (auto it = gated_.begin(); it != gated_.end();) {
    JobRecord* job = jobs_.Find(*it);
    if (job == nullptr || store::IsTerminal(job->state)) {
      dependencies_.erase(*it);
      dependency_met_.erase(*it);
      it = gated_.erase(it);
      continue;
    }
    const JobId id = *it;
    if (Throttled(*job)) {
      Throttle& t = throttles[job->spec.array.array_id];
      t.max = job->spec.array.max_running;
      if (job->state == JobState::kStarting || job->state == JobState::kRunning) ++t.running;
    }
    if (job->state != JobState::kPending) {
      ++it;
      continue;
    }
    auto d = dependencies_.find(id);
    bool singleton_blocked = false;
    if (d != dependencies_.end() && d->second.singleton()) {
      const Owner owner{job->user, job->spec.name};
      auto first = first_singleton.find(owner);
      singleton_blocked =
          running_names.count(owner) || (first != first_singleton.end() && first->second < id);
    }
    bool met = false;
    GateVerdict v = server::EvaluateGates(*job, d == dependencies_.end() ? nullptr : &d->second,
                                          singleton_blocked, now, lookup, &met);
    if (met && d != dependencies_.end()) {  // met for good: never evaluated again
      dependencies_.erase(d);
      dependency_met_.insert(id);
    }
    if (v.kind == GateKind::kNever) {
      never.emplace_back(id, v.words);
    } else if (v.kind != GateKind::kNone) {
      next[id] = std::move(v);
    } else if (Throttled(*job)) {
      throttles[job->spec.array.array_id].ready.push_back(id);
    }
    // Nothing left to wait for: it leaves the gated set (a throttled array's task stays, since
    // it counts against its array's throttle while it runs).
    if (v.kind == GateKind::kNone && !Throttled(*job) && !dependencies_.count(id)) {
      it = gated_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [array_id, t] : throttles) {
    const size_t room = t.max > t.running ? t.max - t.running : 0;
    for (size_t i = room; i < t.ready.size(); ++i) {
      next[t.ready[i]] = {GateKind::kArrayLimit, "its array " + std::to_string(array_id) +
                                                     " runs " + std::to_string(t.running) +
                                                     " task(s), at most " +
                                                     std::to_string(t.max) + " at once"};
    }
  }
  // A job whose gate opened or closed is one the scheduler must look at again.
  for (const auto& [id, v] : blocked_) {
    if (!next.count(id)) jobs_.MarkChangedForPass(id);
  }
  for (auto& [id, v] : next) {
    if (!blocked_.count(id)) jobs_.MarkChangedForPass(id);
    if (JobRecord* job = jobs_.Find(id)) job->reason = v.words;
    pending_view_.erase(id);
  }
  blocked_ = std::move(next);
  for (const auto& [id, words] : never) {
    JobRecord* job = jobs_.Find(id);
    if (job == nullptr || job->state != JobState::kPending) continue;
    EndAttempt(*job, JobState::kCancelled, "DependencyNeverSatisfied: " + words, "CANCELLED",
               false);
  }
  // What ended jobs did is kept while dependencies wait (bounded: read again once dropped).
  if (dependencies_.empty() || ended_facts_.size() > 1'000'000) ended_facts_.clear();
}

Result<std::vector<JobId>> Controller::ArrayTaskIds(const Principal& p, JobId id) {
  auto first = FindVisibleJob(p, id);
  if (!first.ok()) return first.status();
  if (!*first) return NotFound("job " + std::to_string(id) + " does not exist");
  const store::ArrayTask& a = (*first)->spec.array;
  if (a.array_id != id) {
    return std::vector<JobId>{id};  // a plain job, or one task: itself
  }
  std::vector<JobId> ids;
  for (uint32_t i = 0; i < a.count; ++i) ids.push_back(id + i);
  return ids;
}

ApiReply Controller::HoldJob(const Principal& p, JobId id, bool hold, bool whole_array) {
  // The job (or the array's first task) decides visibility and ownership for all its tasks: an
  // array's tasks share tenant and user. Checked before anything changes.
  auto job = FindVisibleJob(p, id);
  if (!job.ok()) return ErrorReply(job.status());
  if (!*job) return ErrorReply(NotFound("job " + std::to_string(id) + " does not exist"));
  if (p.role == Role::kMember && (*job)->user != p.user) {
    return ErrorReply(PermissionDenied("members may hold or release only their own jobs; job " +
                                       std::to_string(id) + " belongs to " + (*job)->user));
  }
  std::vector<JobId> ids{id};
  if (whole_array) {
    auto all = ArrayTaskIds(p, id);
    if (!all.ok()) return ErrorReply(all.status());
    ids = std::move(all).value();
  } else if ((*job)->state != JobState::kPending) {
    return ErrorReply(FailedPrecondition("job " + std::to_string(id) + " is no longer pending (" +
                                         std::string(JobStateName((*job)->state)) +
                                         "): only pending jobs are held"));
  }
  json changed = json::array();
  for (JobId one : ids) {
    JobRecord* active = jobs_.Find(one);
    // A whole array: its running and ended tasks are left alone.
    if (active == nullptr || active->state != JobState::kPending || active->spec.held == hold) {
      continue;
    }
    active->spec.held = hold;
    jobs_.MarkDirty(*active);
    if (Status st = TrackGates(*active); !st.ok()) return ErrorReply(st);
    changed.push_back(one);
  }
  schedule_wanted_ = true;
  return JsonReply(200, json{{hold ? "held" : "released", changed}});
}

ApiReply Controller::CancelJobs(const Principal& p, JobId id, bool whole_array) {
  if (!whole_array) return CancelJob(p, id);
  auto ids = ArrayTaskIds(p, id);
  if (!ids.ok()) return ErrorReply(ids.status());
  // Ownership is the array's (its tasks share a user): checked before anything is cancelled.
  std::vector<JobRecord*> unfinished;
  for (JobId one : *ids) {
    JobRecord* active = jobs_.Find(one);
    if (active == nullptr || store::IsTerminal(active->state) || !CanSeeJob(p, *active)) continue;
    if (p.role == Role::kMember && active->user != p.user) {
      return ErrorReply(PermissionDenied("members may cancel only their own jobs; job " +
                                         std::to_string(one) + " belongs to " + active->user));
    }
    unfinished.push_back(active);
  }
  if (unfinished.empty()) {
    return ErrorReply(FailedPrecondition("job array " + std::to_string(id) +
                                         " has no unfinished task left to cancel"));
  }
  json cancelled = json::array();
  for (JobRecord* job : unfinished) {
    EndAttempt(*job, JobState::kCancelled, "cancelled by " + p.user, "CANCELLED", false);
    cancelled.push_back(job->id);
  }
  return JsonReply(200, json{{"cancelled", cancelled}});
}

}  // namespace suanli::server
