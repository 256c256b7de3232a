#pragma once
// The jobs not yet terminal and every change of their state: submission (ids and idempotency
// keys), transitions with their history, attempts started and ended (usage recorded through
// Accounting), requeueing, and which jobs changed since the last commit and since the last
// scheduling pass. One of the controller's components (controller.h). What an ended attempt means
// for nodes (kills, draining) is the caller's: this component knows no nodes.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "server/accounting.h"
#include "store/store.h"

namespace suanli::server {

class JobLifecycle {
 public:
  JobLifecycle(const Clock* clock, Accounting* accounting)
      : clock_(clock), accounting_(accounting) {}

  // The stored active jobs; those holding resources are charged usage from now on.
  void Load(std::vector<store::JobRecord> active, store::JobId max_job_id);

  // The id the next submitted job gets.
  store::JobId next_id() const { return next_id_; }
  // Adds a submitted job under next_id() (its state and history set by the caller).
  store::JobRecord& Add(store::JobRecord job);
  // The active job `user` submitted with idempotency `key`, if any.
  std::optional<store::JobId> FindByKey(const std::string& user, const std::string& key) const;

  // PENDING jobs of one user, and submitted to one tenant (not its subtree).
  int64_t PendingOfUser(const std::string& user) const;
  int64_t PendingInTenant(const std::string& tenant) const;

  store::JobRecord* Find(store::JobId id);
  const store::JobRecord* Find(store::JobId id) const;
  // Not yet terminal, plus terminal ones until the commit that flushes them (TakeChanges).
  const std::map<store::JobId, store::JobRecord>& active() const { return active_; }
  // Calls `f(JobRecord&)` for each active job, in id order; `f` may change or end the job but
  // adds none.
  template <typename F>
  void ForEach(F&& f) {
    for (auto& [id, job] : active_) f(job);
  }

  // The job changed (its record must be written, and the scheduler must look at it again).
  void MarkDirty(const store::JobRecord& job);
  // Moves `job` to `state`, adding it to the history. Decayed usage is brought up to now first, at
  // the rates that held until this change.
  void Transition(store::JobRecord& job, store::JobState state, const std::string& reason);
  // A PENDING job placed by the pass at `now`: its next attempt starts on `placement` (STARTING,
  // saying `reason`).
  void StartAttempt(store::JobRecord& job, int32_t shape_index,
                    std::vector<store::TaskPlacement> placement, TimeMs now,
                    const std::string& reason);
  // Ends the current attempt (if it holds resources: its usage recorded into `out`, its service
  // and run time added) and moves to `state`; a PREEMPTED or LOST job is requeued to PENDING when
  // `allow_requeue` and its spec allow it. Returns whether it was requeued.
  bool EndAttempt(store::JobRecord& job, store::JobState state, const std::string& reason,
                  bool allow_requeue, store::WriteBatch* out);
  // Whether the job's current attempt holds its placement (STARTING or RUNNING, placed).
  static bool HoldsAttempt(const store::JobRecord& job);

  // The records changed since the last call, appended to `out`; terminal jobs leave the active
  // set with them. Returns the ids that left.
  std::vector<store::JobId> TakeChanges(store::WriteBatch* out);
  // The jobs changed since the last scheduling pass (see Controller::SyncCoreView).
  const std::set<store::JobId>& changed_since_pass() const { return changed_since_pass_; }
  void ClearChangedSincePass() { changed_since_pass_.clear(); }
  // The scheduler must look at the job again although its record did not change (a gate opened
  // or closed: controller_gates.cc).
  void MarkChangedForPass(store::JobId id) { changed_since_pass_.insert(id); }

  // What the current attempt of a STARTING or RUNNING job has received up to `now`: service
  // (devices × ms, cpus × ms when it holds no device) and ms run. Zero for one not placed.
  struct RunSoFar {
    double service_ms = 0;
    TimeMs ran_ms = 0;
  };
  static RunSoFar CurrentRun(const store::JobRecord& job, TimeMs now);

 private:
  const Clock* clock_;
  Accounting* accounting_;
  std::map<store::JobId, store::JobRecord> active_;
  std::map<std::pair<std::string, std::string>, store::JobId> idempotency_;  // active jobs only
  store::JobId next_id_ = 1;
  void CountPending(const store::JobRecord& job, int delta);
  std::map<std::string, int64_t> pending_by_user_, pending_by_tenant_;
  std::set<store::JobId> dirty_;               // to write in the next commit
  std::set<store::JobId> changed_since_pass_;  // for the next scheduling pass
};

}  // namespace suanli::server
