#pragma once
// Resources still held by tasks being killed (cancel, preemption, gang failure, a stale task)
// until their exit is reported or a deadline passes: the scheduler must not hand them out yet.
// A preemption's victim (or a LOST job's gang-mate) is "handed over": the policy planned with its
// resources free, as the simulator frees them at once, so they stay in the core's view; what was
// placed on them waits (Controller::ReleaseWaitingLaunches) until the kill is confirmed.
// One of the controller's components (controller.h).
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "server/node_registry.h"
#include "store/store.h"

namespace suanli::server {

class DrainingTasks {
 public:
  struct Task {
    store::JobId job = 0;
    int32_t attempt = 0;
    int32_t task = 0;
    store::TaskPlacement held;
    TimeMs deadline = 0;
    bool handed_over = false;
  };

  void Add(Task t) { tasks_.push_back(std::move(t)); }
  // Hands over every task added since `mark` (a value of mark()): what the caller just ended
  // for a policy that planned it free.
  size_t mark() const { return tasks_.size(); }
  void HandOverSince(size_t mark);

  // The task exited: what it held is free. False when it was not draining.
  bool Exited(const TaskKey& task);
  bool Contains(const TaskKey& task) const;
  // Forgets the tasks whose deadline has passed; true when there were any.
  bool DropExpired(TimeMs now);
  // Forgets and returns the tasks on `node` (it went DOWN: nothing there holds resources now).
  std::vector<Task> TakeOnNode(const std::string& node);

  // Tasks of `placement` whose node still runs a handed-over task on a device it was given (or,
  // where either holds no device, at all).
  std::set<int32_t> WaitingForHandedOver(const std::vector<store::TaskPlacement>& placement) const;

  const std::vector<Task>& tasks() const { return tasks_; }
  bool empty() const { return tasks_.empty(); }

 private:
  std::vector<Task> tasks_;
};

}  // namespace suanli::server
