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

void AgentSession::UploadLogs() {
  std::vector<LogWork> work;
  {
    std::lock_guard<std::mutex> lock(*mu_);
    work = supervisor_->NextLogChunks(256 << 10);
  }
  for (const auto& w : work) {
    Status st = client_->UploadLog(options_.node, w.ref, w.stream, w.chunk.offset, w.chunk.data);
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
  UploadLogs();
  std::vector<TaskEvent> events;
  nlohmann::json body;
  {
    std::lock_guard<std::mutex> lock(*mu_);
    events = supervisor_->PendingEvents();
    body = PollBody(heartbeat_ms_, supervisor_->Running(), events);
  }
  std::vector<std::string> errors;
  auto answer = client_->Poll(options_.node, body, heartbeat_ms_, &errors);
  if (!answer.ok()) {
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
  std::lock_guard<std::mutex> lock(*mu_);
  last_contact_ms_ = clock_->NowMs();
  fenced_ = false;
  supervisor_->AckEvents(events);
  for (const auto& k : answer->kill) supervisor_->Kill(k);
  for (const auto& l : answer->launch) supervisor_->Launch(l);
  return 0;
}

void AgentSession::MonitorOnce() {
  std::lock_guard<std::mutex> lock(*mu_);
  supervisor_->Tick();
  int64_t fence_ms = fence_ms_;
  if (fence_ms > 0 && !fenced_ && clock_->NowMs() - last_contact_ms_ > fence_ms &&
      supervisor_->active_tasks() > 0) {
    spdlog::error("no contact with the controller for {} ms: stopping local tasks (LOST)",
                  fence_ms);
    supervisor_->TerminateAll("LOST");
    fenced_ = true;
  }
}

}  // namespace suanli::agent
