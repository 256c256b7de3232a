#pragma once
// Wakes agents' long polls when the controller has work for their node. Thread-safe: the owner
// thread notifies, HTTP threads wait.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace suanli::server {

class NodeSignals {
 public:
  // Reading never creates an entry: polls call this before they are authenticated, so a
  // request for a made-up node name must not grow the map. Only Notify (for nodes the controller
  // knows) adds one; an absent node reads as 0.
  uint64_t Sequence(const std::string& node) {
    std::lock_guard lock(mu_);
    return SequenceLocked(node);
  }
  void Notify(const std::string& node) {
    {
      std::lock_guard lock(mu_);
      ++seq_[node];
    }
    cv_.notify_all();
  }
  // Waits until the node's sequence moves past `seen`, the deadline passes, or Shutdown.
  void WaitPast(const std::string& node, uint64_t seen,
                std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return shutdown_ || SequenceLocked(node) != seen; });
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return seq_.size();
  }
  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
  }

 private:
  uint64_t SequenceLocked(const std::string& node) const {
    auto it = seq_.find(node);
    return it == seq_.end() ? 0 : it->second;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, uint64_t> seq_;
  bool shutdown_ = false;
};

}  // namespace suanli::server
