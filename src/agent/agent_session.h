#pragma once
// The agent's conversation with the controller, one step at a time: register, ship logs, report
// events and take orders in one poll, retry while the controller is away, and stop local tasks
// (self-fence) when it has been away too long. No threads and no sleeping: the agent's poll and
// monitor threads call PollOnce / MonitorOnce and wait as told, so tests drive it with a fake
// client and a fake clock.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/controller_client.h"
#include "agent/supervisor.h"
#include "base/clock.h"

namespace suanli::agent {

struct SessionOptions {
  std::string node;
  std::string server_url;       // for messages
  int64_t fence_after_ms = -1;  // as AgentOptions::fence_after_ms
  // Wait before registering again after a failed try.
  int64_t register_retry_ms = 1000;
};

class AgentSession {
 public:
  // `mu` guards `supervisor` (shared with the monitor thread); `register_body` is called under it.
  // `clock` should be monotonic: it measures how long the controller has been away. None is owned.
  AgentSession(SessionOptions options, ControllerClient* client, Supervisor* supervisor,
               std::mutex* mu, const Clock* clock, std::function<nlohmann::json()> register_body);

  // One try at registering; on success the controller's heartbeat and fence period apply.
  Status Register();
  // The next PollOnce registers again first (e.g. the devices changed).
  void Reregister() { registered_ = false; }

  // One round of the poll loop: registers when needed, uploads logs, reports events, applies the
  // answer. Returns how long to wait before the next round (0 after a poll that answered: the
  // controller holds a poll until it has news or the heartbeat is due).
  int64_t PollOnce();
  // Notices task exits and deadlines; stops the tasks (LOST) once the controller has been away
  // longer than the fence period.
  void MonitorOnce();

  bool registered() const { return registered_; }
  int heartbeat_ms() const { return heartbeat_ms_; }
  int64_t fence_ms() const { return fence_ms_; }

 private:
  void UploadLogs();

  SessionOptions options_;
  ControllerClient* client_;
  Supervisor* supervisor_;
  std::mutex* mu_;
  const Clock* clock_;
  std::function<nlohmann::json()> register_body_;
  // Poll thread only.
  bool registered_ = true;  // Start() registers before the first round
  int failures_ = 0;        // in a row, to log the first of each ten
  int heartbeat_ms_ = 1000;
  std::atomic<int64_t> fence_ms_{kDefaultFenceMs};
  // Under *mu_ (the monitor thread reads them).
  TimeMs last_contact_ms_;
  bool fenced_ = false;
};

}  // namespace suanli::agent
