// *.cpp, not *.cc: the module glob must not pull test doubles into the agent library.
#include "agent/testing/fake_controller_client.h"

#include <fmt/format.h>

namespace suanli::agent {
namespace {

constexpr const char* kBase = "http://fake-controller:8080";

}  // namespace

Status FakeControllerClient::Reach(const std::string& path, int timeout_ms) {
  switch (reachability_) {
    case Reachability::kUp:
      return Status::Ok();
    case Reachability::kRefusing:
      ++calls_failed;
      // httplib's words for a refused connection and for a read that timed out.
      return Unavailable(fmt::format("POST {}{}: Connection", kBase, path));
    case Reachability::kTimingOut:
      ++calls_failed;
      if (clock_) clock_->Advance(timeout_ms);
      return Unavailable(fmt::format("POST {}{}: Read", kBase, path));
  }
  return Status::Ok();
}

Result<ControllerClient::Registered> FakeControllerClient::Register(const nlohmann::json& body) {
  SUANLI_RETURN_IF_ERROR(Reach("/agents/register", 10000));
  ++registrations;
  Registered r = reply;
  if (r.node.empty()) r.node = body.value("name", "");
  return r;
}

Result<PollAnswer> FakeControllerClient::Poll(const std::string& node, const nlohmann::json& body,
                                              int wait_ms, std::vector<std::string>*) {
  std::string path = "/agents/" + node + "/poll";
  SUANLI_RETURN_IF_ERROR(Reach(path, wait_ms + 10000));
  if (forgot_node_) {
    forgot_node_ = false;
    return NotFound(fmt::format("POST {}: unknown node {}", path, node));
  }
  for (const auto& e : body.value("events", nlohmann::json::array())) {
    TaskRef ref{e.value("job_id", int64_t{0}), e.value("attempt", int64_t{0}), e.value("task", 0)};
    Report r;
    r.event = e.value("event", "");
    if (e.contains("exit_code") && e["exit_code"].is_number()) r.exit_code = e["exit_code"];
    if (e.contains("signal") && e["signal"].is_number()) r.signal = e["signal"];
    if (e.contains("reason") && e["reason"].is_string()) r.reason = e["reason"];
    reports[ref].push_back(r);
  }
  ++polls_answered;
  if (answers.empty()) return PollAnswer{};
  PollAnswer a = std::move(answers.front());
  answers.pop_front();
  return a;
}

Status FakeControllerClient::UploadLog(const std::string& node, const TaskRef& ref,
                                       const std::string& stream, int64_t offset,
                                       const std::string& data) {
  SUANLI_RETURN_IF_ERROR(Reach("/agents/" + node + "/logs", 10000));
  std::string& stored = logs[{ref, stream}];
  // Idempotent by offset, as the controller stores uploads.
  if (offset > static_cast<int64_t>(stored.size()))
    return InvalidArgument(
        fmt::format("upload at {} leaves a gap after {}", offset, stored.size()));
  stored.resize(static_cast<size_t>(offset));
  stored += data;
  return Status::Ok();
}

}  // namespace suanli::agent
