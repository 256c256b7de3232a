#pragma once
// The broker process's parts, shared by broker.cc (start, store, threads), broker_http.cc (the
// REST routes) and broker_forward.cc (placing jobs on centers). Internal to src/federation.
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "federation/broker.h"
#include "federation/broker_state.h"
#include "store/store.h"

namespace suanli::federation {

// A reply built by a route: HTTP status and JSON (or raw, for logs) body.
struct BrokerReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};
BrokerReply JsonAnswer(int status, const nlohmann::json& j);
BrokerReply ErrorAnswer(const Status& st);

// The broker's own fields of a job (id, center, scores, states, moves), added to a view of it.
void AddBrokerFields(const BrokerJob& job, bool center_up, nlohmann::json* view);

class BrokerImpl final : public Broker {
 public:
  ~BrokerImpl() override { Stop(); }
  Status Init(const BrokerOptions& o);
  std::string url() const override { return url_; }
  std::string admin_token_path() const override { return admin_token_path_; }
  std::string join_token() const override { return join_token_; }
  void Stop() override;

  // --- broker_http.cc: the routes.
  void RegisterRoutes();
  BrokerReply Report(const std::string& body);
  BrokerReply ListCenters();
  BrokerReply UpdateCenter(const std::string& name, const std::string& body);
  BrokerReply ListJobs();
  BrokerReply ShowJob(int64_t id);
  BrokerReply CancelJob(int64_t id, const std::string& body);
  BrokerReply JobLogs(int64_t id, const httplib::Request& req);
  // A copy of a job and where its center is. With `action` ("cancel it"), a job no center holds
  // yet is FailedPrecondition naming the action.
  struct JobTarget {
    BrokerJob job;
    std::string url, token;
    bool center_up = false;
  };
  Result<JobTarget> Lookup(int64_t id, const char* action = nullptr);

  // --- broker_forward.cc: placing jobs.
  BrokerReply Submit(const std::string& body);
  // Sends the job to its chosen center with its key (routing it first when it has none). OK once
  // FORWARDED; Unavailable when the center cannot be reached (it stays FORWARDING and the tick
  // retries); another error when the center refused it (the job is then REFUSED).
  // With `view`: on success, the center's answer (its view of the new job) with the broker's
  // fields, so a submit needs no second call to the center.
  Status Forward(int64_t id, nlohmann::json* view = nullptr);
  // Moves a job whose center went DOWN before it started: remembers the copy to cancel there,
  // routes it again among the centers up and forwards it with the next attempt's key.
  void Move(int64_t id);
  // Cancels on a center that came back the copies of the jobs moved away from it.
  void CancelMovedCopies(const std::string& center);
  // One pass of the background thread: leases, moves, retries.
  void Tick();

  // Commits records (meta keys) under mu_; the caller holds mu_.
  Status CommitLocked(std::map<std::string, std::string> meta);
  Status CommitJobLocked(const BrokerJob& job);
  int64_t NowMs() const;

  BrokerOptions options_;
  std::unique_ptr<store::Store> store_;
  std::mutex mu_;  // guards state_, in_flight_ and the store's commits
  BrokerState state_{15000};
  std::set<int64_t> in_flight_;  // jobs a thread is forwarding now
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_, ticker_;
  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::string url_, admin_token_, join_token_, admin_token_path_;
  int lock_fd_ = -1;
};

}  // namespace suanli::federation
