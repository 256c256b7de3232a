#pragma once
// A TCP proxy on loopback that a test can cut, to put a network partition between two processes
// (a controller and its database) without touching the machine's network.
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.h"

namespace suanli::it {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 (a free port) and forwards every connection to 127.0.0.1:target_port.
  static Result<std::unique_ptr<TcpProxy>> Start(int target_port);
  ~TcpProxy();
  int port() const { return port_; }
  // The partition: every open connection is closed at once and new ones are refused.
  void Cut();
  // Heals it: connections are accepted and forwarded again (on the same port).
  Status Restore();

 private:
  TcpProxy() = default;
  Status Listen();
  void AcceptLoop();
  void Pump(int from, int to);

  int target_port_ = 0;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> cut_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> pumps_;
};

}  // namespace suanli::it
