#pragma once
// The agent's side of the controller's agent routes: the interface, its HTTP implementation, and
// helpers for the controller's URL and the fencing period.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/types.h"
#include "base/result.h"

namespace httplib {
class Client;
}

namespace suanli::agent {

// What the agent says to the controller. An interface so tests can cut the agent off and let it
// back (testing/fake_controller_client.h); HttpControllerClient is the real one. Errors:
// kUnavailable when the controller cannot be reached or answers 5xx, kUnauthenticated for a refused
// join token, kNotFound as noted below.
class ControllerClient {
 public:
  virtual ~ControllerClient() = default;

  struct Registered {
    std::string node;
    int heartbeat_ms = 1000;
    int64_t fence_ms = -1;         // the controller's self-fencing period, -1 = not sent
    int64_t node_timeout_ms = -1;  // when the controller declares a silent node lost, -1 = not sent
  };
  virtual Result<Registered> Register(const nlohmann::json& body) = 0;
  // kNotFound when the controller no longer knows this node (re-register).
  virtual Result<PollAnswer> Poll(const std::string& node, const nlohmann::json& body, int wait_ms,
                                  std::vector<std::string>* errors) = 0;
  // kNotFound when the controller has no logs route (older controller): uploading stops.
  virtual Status UploadLog(const std::string& node, const TaskRef& ref, const std::string& stream,
                           int64_t offset, const std::string& data) = 0;
};

// HTTP client for the controller's agent routes (docs/api.md, "Agents"). One keep-alive connection;
// all calls are made from the agent's poll thread.
class HttpControllerClient : public ControllerClient {
 public:
  // url: "http://host:port" (a trailing "/api/v1" is accepted too), or several controllers
  // separated by commas: the client talks to one, moves to the next when it cannot be reached,
  // and follows a standby's answer to the leader it names.
  HttpControllerClient(const std::string& url, std::string join_token);
  ~HttpControllerClient() override;

  Result<Registered> Register(const nlohmann::json& body) override;
  Result<PollAnswer> Poll(const std::string& node, const nlohmann::json& body, int wait_ms,
                          std::vector<std::string>* errors) override;
  Status UploadLog(const std::string& node, const TaskRef& ref, const std::string& stream,
                   int64_t offset, const std::string& data) override;

  const std::string& host() const { return host_; }

 private:
  Result<nlohmann::json> Post(const std::string& path, const nlohmann::json& body, int timeout_ms);
  // Talks to `base` from the next request on.
  void Use(const std::string& base);
  std::vector<std::string> bases_;  // every controller, "http://host:port"
  std::string base_;                // the one in use
  std::string prefix_ = "/api/v1";
  std::string host_;
  std::string token_;
  std::unique_ptr<httplib::Client> client_;
};

// The controllers of a "URL[,URL...]" list, in order.
std::vector<std::string> SplitUrls(const std::string& urls);

// Parses "http://host:port[/...]" into host and port.
Status ParseUrl(const std::string& url, std::string* scheme_host_port, std::string* host,
                int* port);

// The local address this machine uses to reach `host` (what peers should dial), "127.0.0.1" on
// failure.
std::string LocalAddressFor(const std::string& host, int port);

// How long the agent may be cut off before it stops its tasks, when not set by flag: the
// controller's `fence_ms` if sent, else 80% of its `node_timeout_ms`, else derived from the
// heartbeat (the controller's default heartbeat is node timeout / 5 clamped to 100..1000 ms, so 4
// heartbeats stay below its node timeout), at most kDefaultFenceMs (below the default 10 s node
// timeout).
inline constexpr int64_t kDefaultFenceMs = 8000;
int64_t FencePeriodMs(const ControllerClient::Registered& reply);

}  // namespace suanli::agent
