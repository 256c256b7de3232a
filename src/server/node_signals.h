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
  uint64_t Sequence(const std::string& node) {
    std::lock_guard lock(mu_);
    return seq_[node];
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
    cv_.wait_until(lock, deadline, [&] { return shutdown_ || seq_[node] != seen; });
  }
  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, uint64_t> seq_;
  bool shutdown_ = false;
};

}  // namespace suanli::server
