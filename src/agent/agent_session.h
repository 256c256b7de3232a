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
  // longer than the fence period. True when a task ended (ReportEnds should run).
  bool MonitorOnce();

  // A task's end, told at once rather than with the next poll: the poll thread's long poll is held
  // by the controller until it has work or the heartbeat is due, so an exit noticed meanwhile would
  // keep its resources (and the next queued job) waiting up to a heartbeat. Uploads the ended
  // tasks' logs, then sends the pending events in a poll that does not wait, through `client`: a
  // second connection, since the first is busy with the long poll. The controller takes an event
  // twice harmlessly, so one also carried by the long poll does no harm. Called from a thread of
  // its own; a failure is left to the next regular poll. Returns whether a poll was answered.
  bool ReportEnds(ControllerClient* client);

  bool registered() const { return registered_; }
  int heartbeat_ms() const { return heartbeat_ms_; }
  int64_t fence_ms() const { return fence_ms_; }

 private:
  // Serialized (upload_mu_): two threads shipping at once would send the same chunk twice.
  void UploadLogs(ControllerClient* client);
  // Applies an answered poll: acknowledges `sent`, takes the kills and launches.
  void Apply(const PollAnswer& answer, const std::vector<TaskEvent>& sent);
  // Under *mu_: the pending events neither path is sending now, marked as being sent, so the
  // long poll and ReportEnds never both carry one (it is told once). Done() unmarks them.
  std::vector<TaskEvent> TakeUnsent();
  void Done(const std::vector<TaskEvent>& sent);    // takes *mu_
  void Unmark(const std::vector<TaskEvent>& sent);  // under *mu_

  SessionOptions options_;
  ControllerClient* client_;
  Supervisor* supervisor_;
  std::mutex* mu_;
  const Clock* clock_;
  std::function<nlohmann::json()> register_body_;
  std::mutex upload_mu_;
  // Written by the poll thread, read by ReportEnds.
  std::atomic<bool> registered_{true};  // Start() registers before the first round
  // Poll thread only.
  int failures_ = 0;  // in a row, to log the first of each ten
  int heartbeat_ms_ = 1000;
  std::atomic<int64_t> fence_ms_{kDefaultFenceMs};
  // Under *mu_ (the monitor thread reads them).
  TimeMs last_contact_ms_;
  bool fenced_ = false;
  std::vector<TaskEvent> in_flight_;
};

}  // namespace suanli::agent
