#include "server/node_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace suanli::server {

void NodeRegistry::Load(std::vector<store::NodeRecord> nodes, TimeMs now) {
  for (auto& n : nodes) {
    Node& node = nodes_[n.name];
    node.rec = std::move(n);
    node.up = true;
    node.seen = false;
    node.last_heartbeat = now;
  }
}

const NodeRegistry::Node& NodeRegistry::Register(store::NodeRecord rec, TimeMs now,
                                                 store::WriteBatch* out) {
  Node& node = nodes_[rec.name];
  const bool known = node.rec.registered > 0;
  rec.registered = known ? node.rec.registered : now;
  rec.draining = node.rec.draining;
  node.rec = std::move(rec);
  node.up = true;
  node.seen = true;
  node.last_heartbeat = now;
  node.outbox = Outbox{};
  out->nodes.push_back(node.rec);
  return node;
}

bool NodeRegistry::Heard(const std::string& name, TimeMs now) {
  Node* node = Mutable(name);
  if (!node) return false;
  if (!node->up) spdlog::info("node {} is back", name);
  const bool news = !node->up || !node->seen;
  node->up = true;
  node->seen = true;
  node->last_heartbeat = now;
  return news;
}

void NodeRegistry::TimeOut(TimeMs now, int64_t timeout_ms,
                           const std::function<void(const std::string& name)>& on_down) {
  for (auto& [name, node] : nodes_) {
    if (!node.up || now - node.last_heartbeat <= timeout_ms) continue;
    node.up = false;
    node.outbox = Outbox{};
    spdlog::warn("node {} silent for {} ms: DOWN", name, now - node.last_heartbeat);
    on_down(name);
  }
}

NodeRegistry::Node* NodeRegistry::Mutable(const std::string& name) {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

bool NodeRegistry::SetDraining(const std::string& name, bool draining, store::WriteBatch* out) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return false;
  it->second.rec.draining = draining;
  out->nodes.push_back(it->second.rec);
  return true;
}

const NodeRegistry::Node* NodeRegistry::Find(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : &it->second;
}

int NodeRegistry::UpCount() const {
  int up = 0;
  for (const auto& [name, n] : nodes_) up += n.up ? 1 : 0;
  return up;
}

std::map<std::string, double> NodeRegistry::TotalByType() const {
  std::map<std::string, double> out;
  for (const auto& [name, n] : nodes_) {
    if (!n.up) continue;
    for (const auto& d : n.rec.devices) out[d.type] += 1;
  }
  return out;
}

int32_t NodeRegistry::DevicePosition(const std::string& node, int32_t agent_index) const {
  const Node* n = Find(node);
  if (!n) return -1;
  const auto& devs = n->rec.devices;
  for (size_t i = 0; i < devs.size(); ++i) {
    if (devs[i].index == agent_index) return static_cast<int32_t>(i);
  }
  return -1;
}

// ---- The outbox ----

bool NodeRegistry::QueueLaunch(const std::string& node, proto::PreparedLaunch launch) {
  Node* n = Mutable(node);
  if (!n) return false;
  n->outbox.launch.push_back(std::move(launch));
  return true;
}

bool NodeRegistry::QueueKill(const std::string& node, const proto::Kill& kill) {
  Node* n = Mutable(node);
  if (!n) return false;
  n->outbox.kill.push_back(kill);
  return true;
}

void NodeRegistry::Signal(const std::string& node) {
  if (signals_) signals_->Notify(node);
}

std::string NodeRegistry::TakeOutbox(const std::string& name, TimeMs now) {
  Node* node = Mutable(name);
  if (!node) return "";
  for (const proto::PreparedLaunch& l : node->outbox.launch) {
    const proto::TaskRef& ref = l.launch.ref;
    node->unacked_launches[{ref.job_id, static_cast<int32_t>(ref.attempt), ref.task}] = now;
  }
  std::string body = proto::EncodePollReplyText(node->outbox.launch, node->outbox.kill);
  node->outbox = Outbox{};
  return body;
}

// ---- Launches handed out ----

std::vector<NodeRegistry::DueLaunch> NodeRegistry::TakeDueLaunches(
    const std::string& name, TimeMs now, int64_t after_ms,
    const std::function<bool(const TaskKey&)>& waiting) {
  std::vector<DueLaunch> due;
  Node* node = Mutable(name);
  if (!node) return due;
  for (auto it = node->unacked_launches.begin(); it != node->unacked_launches.end();) {
    if (!waiting(it->first)) {
      it = node->unacked_launches.erase(it);  // acknowledged or no longer current
    } else if (now - it->second > after_ms) {
      due.push_back({it->first, it->second});
      it = node->unacked_launches.erase(it);  // TakeOutbox records the new hand-out
    } else {
      ++it;
    }
  }
  return due;
}

// ---- What tasks held when their node went DOWN ----

void NodeRegistry::RememberHeld(const std::string& node, const TaskKey& task,
                                const store::TaskPlacement& held) {
  if (Node* n = Mutable(node)) n->held_when_down[task] = held;
}

std::optional<store::TaskPlacement> NodeRegistry::HeldWhenDown(const std::string& node,
                                                               const TaskKey& task) const {
  const Node* n = Find(node);
  if (!n) return std::nullopt;
  auto it = n->held_when_down.find(task);
  if (it == n->held_when_down.end()) return std::nullopt;
  return it->second;
}

void NodeRegistry::ForgetHeldExcept(const std::string& node,
                                    const std::vector<proto::TaskRef>& running) {
  Node* n = Mutable(node);
  if (!n) return;
  std::erase_if(n->held_when_down, [&](const auto& kv) {
    return std::none_of(running.begin(), running.end(), [&](const proto::TaskRef& r) {
      return std::tuple(r.job_id, r.attempt, r.task) == kv.first;
    });
  });
}

}  // namespace suanli::server
