#pragma once
// The services' stable endpoints and health checks (issue #16), in the controller's process but
// off its owner thread. Every `period_ms` the gateway asks the controller (through the executor)
// for each service's endpoint port, health path and replicas (Controller::ServiceTargets), keeps
// one listening HTTP server per service on that port, probes every replica's health path
// (GET http://ADDRESS/PATH, 2xx = healthy) and reports the probes and the requests each endpoint
// forwarded (Controller::ReportServiceProbes). An endpoint forwards each request to the next
// healthy replica in turn (round robin); a replica that refuses the connection is skipped for the
// next, so a client keeps one URL while replicas die and are replaced.
#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"

namespace suanli::server {

class Executor;

class ServiceGateway {
 public:
  ServiceGateway(Executor* executor, std::string host, int64_t period_ms = 500);
  ~ServiceGateway();
  void Start();
  void Stop();

  struct Endpoint;

 private:
  void Loop();
  void Round();

  Executor* executor_;
  std::string host_;
  int64_t period_ms_;
  std::map<std::string, std::shared_ptr<Endpoint>> endpoints_;  // by service name (loop thread)
  std::set<std::string> bind_failed_;  // services whose port could not be bound (loop thread)
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace suanli::server
