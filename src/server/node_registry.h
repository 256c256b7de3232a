#pragma once
// The nodes the controller knows and its session with each node's agent: the registered record,
// whether the agent reports in time (UP/DOWN), the outbox of launches and kills waiting for its
// next poll, launches handed out but not yet acknowledged, and what its tasks held when it went
// DOWN. One of the controller's components (controller.h); it knows nothing of jobs, so questions
// about a job (is this task still current?) are asked back through the callers' predicates.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "proto/codec.h"
#include "server/node_signals.h"
#include "store/store.h"

namespace suanli::server {

// One task of one attempt: (job, attempt, task).
using TaskKey = std::tuple<store::JobId, int32_t, int32_t>;

class NodeRegistry {
 public:
  // Launches and kills waiting for the node's next poll. A job's launches share its peer list as
  // one JSON text, so queued launches cost O(tasks), not O(tasks^2).
  struct Outbox {
    std::vector<proto::PreparedLaunch> launch;
    std::vector<proto::Kill> kill;
  };
  struct Node {
    store::NodeRecord rec;
    bool up = true;
    bool seen = false;  // has talked to this controller process (registered or polled)
    TimeMs last_heartbeat = 0;
    Outbox outbox;
    // Launches handed out to the agent -> when, until the task is seen started or running; a lost
    // poll reply must not leave a job STARTING forever.
    std::map<TaskKey, TimeMs> unacked_launches;
    // What the node's tasks held when it went DOWN: if it comes back still running them, their
    // resources stay held (the controller drains them) until the STALE kill lands.
    std::map<TaskKey, store::TaskPlacement> held_when_down;

    // Offered to the scheduler: up, talking to this process, and not drained by an admin.
    bool Schedulable() const { return up && seen && !rec.draining; }
  };

  explicit NodeRegistry(NodeSignals* signals) : signals_(signals) {}

  // The stored nodes. None is schedulable until its agent talks to this process; each counts as
  // heard at `now`, so a node whose agent never returns goes DOWN one timeout after a restart.
  void Load(std::vector<store::NodeRecord> nodes, TimeMs now);
  // An agent (re-)registers: its new record keeps the first registration time and the drain flag,
  // the node is UP and its outbox starts empty. The record is appended to `out`.
  const Node& Register(store::NodeRecord rec, TimeMs now, store::WriteBatch* out);
  // The agent of a known node polled: true when it was DOWN or not yet seen by this process (the
  // scheduler then has capacity to look at again).
  bool Heard(const std::string& name, TimeMs now);
  // Marks DOWN each UP node silent for more than `timeout_ms`, empties its outbox and calls
  // `on_down` for it before looking at the next one.
  void TimeOut(TimeMs now, int64_t timeout_ms,
               const std::function<void(const std::string& name)>& on_down);

  const Node* Find(const std::string& name) const;
  // An admin drains (no new work; what runs there keeps running) or resumes a node; the record is
  // appended to `out`. False for an unknown node.
  bool SetDraining(const std::string& name, bool draining, store::WriteBatch* out);
  const std::map<std::string, Node>& nodes() const { return nodes_; }
  bool empty() const { return nodes_.empty(); }
  int UpCount() const;
  // Accelerators of the nodes that are up, per type.
  std::map<std::string, double> TotalByType() const;
  // Where the device the agent numbers `agent_index` stands in the node's device list; -1 if none.
  int32_t DevicePosition(const std::string& node, int32_t agent_index) const;

  // ---- The outbox ----
  // False (and nothing queued) for an unknown node. Queuing does not wake the agent: Signal does.
  bool QueueLaunch(const std::string& node, proto::PreparedLaunch launch);
  bool QueueKill(const std::string& node, const proto::Kill& kill);
  // Wakes the node's long-poll, if one waits.
  void Signal(const std::string& node);
  // The poll reply body {"launch":[...],"kill":[...]}; empties the outbox and notes each launch
  // as handed out at `now`. Empty for an unknown node.
  std::string TakeOutbox(const std::string& node, TimeMs now);

  // ---- Launches handed out ----
  struct DueLaunch {
    TaskKey task;
    TimeMs handed_out = 0;
  };
  // The launches handed out more than `after_ms` before `now` whose task `waiting` says still
  // waits to start: they are forgotten here and returned, to be queued again. Entries whose task
  // no longer waits (started, ended, or not current) are forgotten too.
  std::vector<DueLaunch> TakeDueLaunches(const std::string& node, TimeMs now, int64_t after_ms,
                                         const std::function<bool(const TaskKey&)>& waiting);

  // ---- What tasks held when their node went DOWN ----
  void RememberHeld(const std::string& node, const TaskKey& task, const store::TaskPlacement& held);
  std::optional<store::TaskPlacement> HeldWhenDown(const std::string& node,
                                                   const TaskKey& task) const;
  // The agent reports `running`: tasks it no longer reports are gone and hold nothing.
  void ForgetHeldExcept(const std::string& node, const std::vector<proto::TaskRef>& running);

 private:
  Node* Mutable(const std::string& name);

  NodeSignals* signals_;  // may be null (tests)
  std::map<std::string, Node> nodes_;
};

}  // namespace suanli::server
