#include "agent/agent_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/protocol.h"

namespace suanli::agent {

AgentSession::AgentSession(SessionOptions options, ControllerClient* client, Supervisor* supervisor,
                           std::mutex* mu, const Clock* clock,
                           std::function<nlohmann::json()> register_body)
    : options_(std::move(options)),
      client_(client),
      supervisor_(supervisor),
      mu_(mu),
      clock_(clock),
      register_body_(std::move(register_body)),
      last_contact_ms_(clock->NowMs()) {}

Status AgentSession::Register() {
  nlohmann::json body;
  {
    std::lock_guard<std::mutex> lock(*mu_);
    body = register_body_();
  }
  auto r = client_->Register(body);
  if (!r.ok()) return r.status();
  heartbeat_ms_ = r->heartbeat_ms;
  fence_ms_ = options_.fence_after_ms >= 0 ? options_.fence_after_ms : FencePeriodMs(*r);
  {
    std::lock_guard<std::mutex> lock(*mu_);  // the monitor thread reads it
    last_contact_ms_ = clock_->NowMs();
  }
  spdlog::info("registered with {} as {} (heartbeat {} ms, {})", options_.server_url, options_.node,
               heartbeat_ms_,
               fence_ms_ > 0 ? fmt::format("tasks stop after {} ms without it", fence_ms_.load())
                             : std::string("tasks never self-fenced"));
  return Status::Ok();
}

void AgentSession::UploadLogs(ControllerClient* client) {
  std::lock_guard<std::mutex> one_at_a_time(upload_mu_);
  std::vector<LogWork> work;
  {
    std::lock_guard<std::mutex> lock(*mu_);
    work = supervisor_->NextLogChunks(256 << 10);
  }
  for (const auto& w : work) {
    Status st = client->UploadLog(options_.node, w.ref, w.stream, w.chunk.offset, w.chunk.data);
    std::lock_guard<std::mutex> lock(*mu_);
    if (st.code() == StatusCode::kNotFound && st.message().find("/logs") != std::string::npos &&
        st.message().find("job") == std::string::npos) {
      spdlog::warn("the controller has no log upload route; logs stay on this node: {}",
                   st.message());
      supervisor_->SetLogsUploadable(false);
      return;
    }
    if (!st.ok()) spdlog::warn("log upload for job {}: {}", w.ref.job_id, st.ToString());
    supervisor_->AckLog(w, st.ok());
  }
}

int64_t AgentSession::PollOnce() {
  if (!registered_) {
    Status st = Register();
    if (!st.ok()) {
      if (failures_++ % 10 == 0) spdlog::warn("cannot register: {}", st.ToString());
      return options_.register_retry_ms;
    }
    registered_ = true;
    failures_ = 0;
  }
  UploadLogs(client_);
  std::vector<TaskEvent> events;
  nlohmann::json body;
  {
    std::lock_guard<std::mutex> lock(*mu_);
    events = TakeUnsent();
    body = PollBody(heartbeat_ms_, supervisor_->Running(), events);
  }
  std::vector<std::string> errors;
  auto answer = client_->Poll(options_.node, body, heartbeat_ms_, &errors);
  if (!answer.ok()) {
    Done(events);
    // The events stay pending (unacknowledged) and go with the next poll that is answered.
    if (answer.status().code() == StatusCode::kNotFound) {
      spdlog::warn("the controller does not know this node any more; registering again");
      registered_ = false;
    } else if (failures_++ % 10 == 0) {
      spdlog::warn("poll failed: {}", answer.status().ToString());
    }
    return std::min(1000, heartbeat_ms_);
  }
  failures_ = 0;
  for (const auto& e : errors) spdlog::error("controller sent a bad entry: {}", e);
  Apply(*answer, events);
  return 0;
}

bool AgentSession::ReportEnds(ControllerClient* client) {
  if (!registered_) return false;  // the poll thread registers first; its poll reports them
  UploadLogs(client);
  std::vector<TaskEvent> events;
  nlohmann::json body;
  {
    std::lock_guard<std::mutex> lock(*mu_);
    events = TakeUnsent();
    if (std::none_of(events.begin(), events.end(),
                     [](const TaskEvent& e) { return e.event == "exited"; })) {
      // Its logs are not all shipped yet, or the long poll carries it: that poll tells it.
      Unmark(events);
      return false;
    }
    body = PollBody(0, supervisor_->Running(), events);
  }
  std::vector<std::string> errors;
  auto answer = client->Poll(options_.node, body, 0, &errors);
  if (!answer.ok()) {
    Done(events);
    spdlog::debug("reporting an ended task at once failed (the next poll reports it): {}",
                  answer.status().ToString());
    return false;
  }
  for (const auto& e : errors) spdlog::error("controller sent a bad entry: {}", e);
  Apply(*answer, events);
  return true;
}

std::vector<TaskEvent> AgentSession::TakeUnsent() {
  std::vector<TaskEvent> out;
  for (auto& e : supervisor_->PendingEvents()) {
    if (std::find(in_flight_.begin(), in_flight_.end(), e) == in_flight_.end()) out.push_back(e);
  }
  in_flight_.insert(in_flight_.end(), out.begin(), out.end());
  return out;
}

void AgentSession::Done(const std::vector<TaskEvent>& sent) {
  std::lock_guard<std::mutex> lock(*mu_);
  Unmark(sent);
}

void AgentSession::Unmark(const std::vector<TaskEvent>& sent) {
  for (const auto& e : sent) {
    auto it = std::find(in_flight_.begin(), in_flight_.end(), e);
    if (it != in_flight_.end()) in_flight_.erase(it);
  }
}

void AgentSession::Apply(const PollAnswer& answer, const std::vector<TaskEvent>& sent) {
  Done(sent);
  std::lock_guard<std::mutex> lock(*mu_);
  last_contact_ms_ = clock_->NowMs();
  fenced_ = false;
  supervisor_->AckEvents(sent);
  for (const auto& k : answer.kill) supervisor_->Kill(k);
  for (const auto& l : answer.launch) supervisor_->Launch(l);
}

bool AgentSession::MonitorOnce() {
  std::lock_guard<std::mutex> lock(*mu_);
  const bool ended = supervisor_->Tick() > 0;
  int64_t fence_ms = fence_ms_;
  if (fence_ms > 0 && !fenced_ && clock_->NowMs() - last_contact_ms_ > fence_ms &&
      supervisor_->active_tasks() > 0) {
    spdlog::error("no contact with the controller for {} ms: stopping local tasks (LOST)",
                  fence_ms);
    supervisor_->TerminateAll("LOST");
    fenced_ = true;
  }
  return ended;
}

}  // namespace suanli::agent
