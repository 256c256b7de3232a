// Placing jobs on centers: submit (route, store, forward), forwards retried with the same key,
// jobs moved off a DOWN center and their copies cancelled when it returns.
#include <spdlog/spdlog.h>

#include "federation/broker_impl.h"
#include "federation/center_client.h"

namespace suanli::federation {

using nlohmann::json;

namespace {

json ScoresJson(const Decision& d) {
  json out = json::array();
  for (const auto& s : d.scores) {
    json j{{"center", s.center}, {"eligible", s.eligible}};
    if (!s.eligible) {
      j["why_not"] = s.why_not;
    } else {
      j.update({{"pool", s.pool},
                {"wait_s", s.wait_s},
                {"staging_s", s.staging_s},
                {"finish_s", s.finish_s},
                {"cost", s.cost},
                {"energy_kwh", s.energy_kwh},
                {"carbon_kg", s.carbon_kg}});
    }
    out.push_back(std::move(j));
  }
  return out;
}

// A center's answer worth trying again later (it may take the job then); any other error is the
// center refusing this job for good.
bool Transient(const Status& st) {
  return st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kResourceExhausted;
}

}  // namespace

BrokerReply BrokerImpl::Submit(const std::string& body) {
  json request = json::parse(body, nullptr, false);
  if (request.is_discarded()) return ErrorAnswer(InvalidArgument("the request body is not JSON"));
  auto sub = ParseSubmission(request);
  if (!sub.ok()) return ErrorAnswer(sub.status());
  int64_t id = 0;
  {
    std::lock_guard lock(mu_);
    if (!sub->user_key.empty()) {
      if (auto existing = state_.FindUserKey(sub->user_key)) {
        id = *existing;
      }
    }
    if (id == 0) {
      const int64_t now = NowMs();
      auto decision = Route(sub->ask, state_.RoutingCenters(), {}, Network{}, now);
      if (!decision.ok()) {
        // Right after a restart the centers are known but their capacity is not: ask the client
        // to come back rather than refuse a job a center will take once it has reported.
        std::string silent;
        for (const auto& [name, c] : state_.centers()) {
          if (c.up && !c.heard) silent += (silent.empty() ? "" : ", ") + name;
        }
        if (!silent.empty()) {
          return ErrorAnswer(Unavailable("the broker has not heard from " + silent +
                                         " since it started; try again in a few seconds"));
        }
        return ErrorAnswer(decision.status());
      }
      BrokerJob job;
      job.id = state_.NextJobId();
      job.body = std::move(sub->body);
      job.routing = std::move(sub->routing);
      job.user_key = sub->user_key;
      job.center = decision->winner().center;
      job.scores = ScoresJson(*decision);
      job.reason = decision->reason;
      job.submit_time = now;
      // Stored before it is forwarded: a crash from here on forwards it again with the same key.
      if (Status st = CommitJobLocked(job); !st.ok()) return ErrorAnswer(st);
      id = job.id;
      state_.PutJob(std::move(job));
      in_flight_.insert(id);
    } else {
      in_flight_.insert(id);  // a retried submission: finish its forward if it is not done
    }
  }
  json forwarded;
  Status st = Forward(id, &forwarded);
  if (!st.ok() && !Transient(st)) return ErrorAnswer(st);
  if (st.ok() && forwarded.is_object()) return JsonAnswer(201, forwarded);
  BrokerReply shown = ShowJob(id);  // a retried submission, or one the center has yet to take
  if (!st.ok())
    shown.status = 202;  // accepted and stored; forwarded once the center answers
  else if (shown.status == 200)
    shown.status = 201;
  return shown;
}

Status BrokerImpl::Forward(int64_t id, json* view) {
  std::string url, token, center;
  json body;
  {
    std::lock_guard lock(mu_);
    auto it = state_.jobs().find(id);
    if (it == state_.jobs().end() || it->second.state != ForwardState::kForwarding) {
      in_flight_.erase(id);
      return Status::Ok();
    }
    const BrokerJob& job = it->second;
    auto c = state_.centers().find(job.center);
    if (c == state_.centers().end()) {
      in_flight_.erase(id);
      return Unavailable("center '" + job.center + "' is not known to this broker");
    }
    url = c->second.report.url;
    token = c->second.report.token;
    center = job.center;
    body = job.body;
    body["idempotency_key"] = job.ForwardKey();
  }
  auto answer = CenterClient(url, token, static_cast<int>(options_.forward_timeout_ms))
                    .PostJson("/api/v1/jobs", body);
  std::lock_guard lock(mu_);
  in_flight_.erase(id);
  BrokerJob& job = state_.jobs().at(id);
  if (job.state != ForwardState::kForwarding || job.center != center) return Status::Ok();
  if (!answer.ok()) {
    if (Transient(answer.status())) return answer.status();
    job.state = ForwardState::kRefused;
    job.reason = "center " + center + " refused the job: " + answer.status().message();
    if (Status st = CommitJobLocked(job); !st.ok()) return st;
    return Status(answer.status().code(), job.reason);
  }
  job.state = ForwardState::kForwarded;
  job.center_job_id = answer->value("id", int64_t{0});
  job.last_state = answer->value("state", "");
  SUANLI_RETURN_IF_ERROR(CommitJobLocked(job));
  if (view) {
    *view = std::move(answer).value();
    AddBrokerFields(job, true, view);
  }
  return Status::Ok();
}

void BrokerImpl::Move(int64_t id) {
  {
    std::lock_guard lock(mu_);
    auto it = state_.jobs().find(id);
    if (it == state_.jobs().end()) return;
    BrokerJob& job = it->second;
    // A job still FORWARDING to a DOWN center moves too: its copy there, if the forward did
    // arrive, is found by its key and cancelled when the center returns.
    if (job.state == ForwardState::kRefused || state_.CenterUp(job.center)) return;
    if (in_flight_.count(id)) return;
    auto ask = AskOf(job);
    if (!ask.ok()) return;
    auto decision = Route(*ask, state_.RoutingCenters(), {}, Network{}, NowMs());
    if (!decision.ok()) {
      std::string why = "waiting on " + job.center + " (DOWN): no other center can take it (" +
                        decision.status().message() + ")";
      if (why != job.reason) spdlog::warn("broker job {}: {}", id, why);
      job.reason = why;
      return;
    }
    BrokerJob moved = job;
    moved.moved.push_back({job.center, job.attempt, job.center_job_id, false});
    moved.attempt += 1;
    moved.center = decision->winner().center;
    moved.center_job_id = 0;
    moved.last_state.clear();
    moved.state = ForwardState::kForwarding;
    moved.scores = ScoresJson(*decision);
    moved.reason =
        (Started(job.last_state) ? "requeued from " + job.center + " (DOWN while it was " +
                                       job.last_state + " there, longer than --requeue-after): "
                                 : "moved from " + job.center + " (DOWN before it started): ") +
        decision->reason;
    if (Status st = CommitJobLocked(moved); !st.ok()) {
      spdlog::error("broker job {}: cannot store its move: {}", id, st.ToString());
      return;
    }
    spdlog::info("broker job {}: {} is DOWN, moved to {}", id, job.center, moved.center);
    job = std::move(moved);
    in_flight_.insert(id);
  }
  (void)Forward(id);
}

void BrokerImpl::CancelMovedCopies(const std::string& center) {
  std::string url, token;
  std::vector<std::pair<int64_t, MovedCopy>> copies;
  std::map<std::string, int64_t> by_key;
  {
    std::lock_guard lock(mu_);
    const Center& c = state_.centers().at(center);
    url = c.report.url;
    token = c.report.token;
    for (const auto& s : c.report.jobs) by_key[s.key] = s.id;
    copies = state_.ToCancel(center);
  }
  CenterClient client(url, token, static_cast<int>(options_.forward_timeout_ms));
  for (auto& [id, copy] : copies) {
    int64_t cid = copy.center_job_id;
    if (cid == 0) {
      auto k = by_key.find(CopyKey(id, copy));
      cid = k == by_key.end() ? 0 : k->second;
    }
    bool done = cid == 0;  // never arrived there: nothing to cancel
    if (cid != 0) {
      auto a = client.Send("POST", "/api/v1/jobs/" + std::to_string(cid) + "/cancel", "{}");
      if (!a.ok()) continue;  // unreachable again: next tick
      done = (a->status >= 200 && a->status < 300) || a->status == 404 || a->status == 409;
      if (a->status == 409) {
        spdlog::warn("broker job {}: its copy {} on {} had already ended", id, cid, center);
      }
    }
    if (!done) continue;
    std::lock_guard lock(mu_);
    BrokerJob& job = state_.jobs().at(id);
    for (auto& m : job.moved) {
      if (m.center == center && m.attempt == copy.attempt) m.cancelled = true;
    }
    if (Status st = CommitJobLocked(job); !st.ok()) {
      spdlog::error("broker job {}: cannot store the cancelled copy: {}", id, st.ToString());
    } else {
      spdlog::info("broker job {}: cancelled its moved copy {} on {}", id, cid, center);
    }
  }
}

void BrokerImpl::Tick() {
  std::vector<int64_t> to_move, to_retry;
  std::vector<std::string> to_reconcile;
  {
    std::lock_guard lock(mu_);
    for (const auto& change : state_.UpdateLeases(NowMs())) {
      spdlog::info("center {} is {}", change.substr(1), change[0] == '+' ? "UP" : "DOWN");
    }
    to_move = state_.ToMove(NowMs());
    for (int64_t id : state_.Forwarding()) {
      if (!state_.CenterUp(state_.jobs().at(id).center)) {
        to_move.push_back(id);
      } else if (in_flight_.insert(id).second) {
        to_retry.push_back(id);
      }
    }
    for (const auto& [name, c] : state_.centers()) {
      if (c.up && c.heard && !state_.ToCancel(name).empty()) to_reconcile.push_back(name);
    }
  }
  for (const auto& c : to_reconcile) CancelMovedCopies(c);
  for (int64_t id : to_move) Move(id);
  for (int64_t id : to_retry) (void)Forward(id);
}

}  // namespace suanli::federation
