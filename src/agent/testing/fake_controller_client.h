#pragma once
// A ControllerClient with an in-memory controller behind it, for tests: it answers polls with the
// launches and kills a test queues, records every event the agent delivered and the logs it
// uploaded, and can be cut off — refusing connections at once, or timing out
// after the request's timeout (moving a fake clock by it) — and let back.
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/controller_client.h"
#include "base/clock.h"

namespace suanli::agent {

class FakeControllerClient : public ControllerClient {
 public:
  // `clock` (optional) is moved by the time a timed-out call would have waited.
  explicit FakeControllerClient(FakeClock* clock = nullptr) : clock_(clock) {}

  Result<Registered> Register(const nlohmann::json& body) override;
  Result<PollAnswer> Poll(const std::string& node, const nlohmann::json& body, int wait_ms,
                          std::vector<std::string>* errors) override;
  Status UploadLog(const std::string& node, const TaskRef& ref, const std::string& stream,
                   int64_t offset, const std::string& data) override;

  enum class Reachability { kUp, kRefusing, kTimingOut };
  void Set(Reachability r) { reachability_ = r; }
  // The next poll answers 404 (the controller forgot this node and wants it to register again).
  void ForgetNode() { forgot_node_ = true; }

  Registered reply;                // what Register answers
  std::deque<PollAnswer> answers;  // one per answered poll; an empty answer when none is queued

  struct Report {
    std::string event;
    std::optional<int> exit_code, signal;
    std::string reason;
  };
  std::map<TaskRef, std::vector<Report>> reports;  // every event the agent delivered, in order
  std::map<std::pair<TaskRef, std::string>, std::string> logs;  // (task, stream) -> bytes stored
  int registrations = 0, polls_answered = 0, calls_failed = 0;

 private:
  // The error of a call to `path` the controller cannot take now, OK when it can.
  Status Reach(const std::string& path, int timeout_ms);

  FakeClock* clock_;
  Reachability reachability_ = Reachability::kUp;
  bool forgot_node_ = false;
};

}  // namespace suanli::agent
