#include "server/draining_tasks.h"

#include <algorithm>

namespace suanli::server {

namespace {
bool Is(const DrainingTasks::Task& d, const TaskKey& task) {
  return TaskKey{d.job, d.attempt, d.task} == task;
}
}  // namespace

void DrainingTasks::HandOverSince(size_t mark) {
  for (size_t i = mark; i < tasks_.size(); ++i) tasks_[i].handed_over = true;
}

bool DrainingTasks::Exited(const TaskKey& task) {
  return std::erase_if(tasks_, [&](const Task& d) { return Is(d, task); }) > 0;
}

bool DrainingTasks::Contains(const TaskKey& task) const {
  return std::any_of(tasks_.begin(), tasks_.end(), [&](const Task& d) { return Is(d, task); });
}

bool DrainingTasks::DropExpired(TimeMs now) {
  return std::erase_if(tasks_, [&](const Task& d) { return d.deadline <= now; }) > 0;
}

std::vector<DrainingTasks::Task> DrainingTasks::TakeOnNode(const std::string& node) {
  std::vector<Task> taken;
  std::erase_if(tasks_, [&](const Task& d) {
    if (d.held.node != node) return false;
    taken.push_back(d);
    return true;
  });
  return taken;
}

std::set<int32_t> DrainingTasks::WaitingForHandedOver(
    const std::vector<store::TaskPlacement>& placement) const {
  std::set<int32_t> wait;
  for (const auto& t : placement) {
    for (const auto& d : tasks_) {
      if (!d.handed_over || d.held.node != t.node) continue;
      bool shares = t.devices.empty() || d.held.devices.empty();
      for (int32_t dev : t.devices) {
        shares = shares || std::find(d.held.devices.begin(), d.held.devices.end(), dev) !=
                               d.held.devices.end();
      }
      if (shares) wait.insert(t.task);
    }
  }
  return wait;
}

}  // namespace suanli::server
