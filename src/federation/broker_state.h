#pragma once
// The broker's state and its rules, without I/O, threads or a clock (the broker process in
// broker.cc owns the store, the HTTP server and the threads, and passes "now" in): which centers
// are up (a report renews a lease), what a report must hold to be believed, the life of a
// forwarded job (FORWARDING -> FORWARDED, moved elsewhere when its center goes DOWN before it
// started) and which copies a returning center must cancel.
//
// Every record is kept as JSON in the store's meta key/value table ("center/NAME", "job/ID"):
// one commit per state change, and the whole state is loaded on start.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "federation/routing.h"

namespace suanli::federation {

// A job of this center that the broker placed (its idempotency key starts with "broker:").
struct SeenJob {
  std::string key;
  int64_t id = 0;
  std::string state;  // the center's state name: PENDING, RUNNING, COMPLETED, ...
};

// What a center pushes every few seconds.
struct CenterReport {
  std::string name;
  std::string region;
  std::string url;    // where the broker forwards (the center's API)
  std::string token;  // the token the broker forwards with
  std::vector<AccelPool> pools;
  double pue = 1.0;
  double electricity_per_kwh = 0;
  double carbon_g_per_kwh = 0;
  std::vector<std::string> datasets;
  std::vector<SeenJob> jobs;
};

// InvalidArgument naming the field when a report is malformed or nonsense (a negative capacity or
// price, more allocated than total, a pool without a type, a PUE below 1).
Result<CenterReport> ParseReport(const nlohmann::json& j);
nlohmann::json ReportJson(const CenterReport& r);
// One pool as a report and `GET /centers` write it.
nlohmann::json PoolJson(const AccelPool& p);

// What an operator sets with `suanli center update`: it overrides the center's report.
struct CenterOverride {
  std::map<std::string, double> prices;  // per device-hour, by accelerator type
  std::optional<double> pue, electricity_per_kwh, carbon_g_per_kwh;
  bool empty() const { return prices.empty() && !pue && !electricity_per_kwh && !carbon_g_per_kwh; }
};
// {"prices": {"nvidia-a100": 2.1}, "pue": 1.15, "electricity": 0.32, "carbon": 520}; merged into
// `into` (fields not given are kept).
Status ParseOverride(const nlohmann::json& j, CenterOverride* into);
nlohmann::json OverrideJson(const CenterOverride& o);

struct Center {
  CenterReport report;
  CenterOverride override_;
  TimeMs last_report = 0;  // 0: not heard from since the broker started
  bool up = false;         // UP from its report until UpdateLeases finds the lease expired
  bool heard = false;      // a report came since this broker started (its job list is known)
};

// FORWARDING: stored, not yet acknowledged by its center (retried with the same key);
// FORWARDED: the center holds it; REFUSED: the center refused it (a body it finds invalid).
enum class ForwardState { kForwarding, kForwarded, kRefused };
std::string ForwardStateName(ForwardState s);

// A copy of a job left on a center that went DOWN before it started: cancelled there once the
// center is back, so the job never runs twice.
struct MovedCopy {
  std::string center;
  int attempt = 0;
  int64_t center_job_id = 0;  // 0: the forward's answer never came; cancel by key
  bool cancelled = false;
};

struct BrokerJob {
  int64_t id = 0;
  nlohmann::json body;     // the center's POST /jobs body (broker fields taken out)
  nlohmann::json routing;  // {"objective", "deadline", "max_price"} as submitted
  std::string user_key;    // the submitter's own idempotency key, if any
  ForwardState state = ForwardState::kForwarding;
  int attempt = 0;  // 0 first; each move to another center adds one
  std::string center;
  int64_t center_job_id = 0;
  std::string last_state;  // the center's state as last reported ("" not yet seen)
  nlohmann::json scores = nlohmann::json::array();
  std::string reason;
  std::vector<MovedCopy> moved;  // copies left on centers it was moved away from
  TimeMs submit_time = 0;

  // "broker:ID" for the first forward, "broker:ID:ATTEMPT" after a move: the center's
  // idempotency key, so a forward retried (after a broker crash) never makes a second copy.
  std::string ForwardKey() const;
  // What the user sees: the center's state once forwarded, LOST while the center is DOWN and the
  // job had started there.
  std::string VisibleState(bool center_up) const;
};
// A center's job state past PENDING ("" = never reported: not known to have started).
bool Started(const std::string& center_state);
nlohmann::json JobRecordJson(const BrokerJob& j);
Result<BrokerJob> ParseJobRecord(const nlohmann::json& j);

// The routing ask of a submission: accelerator type, devices per task (rounded up), tasks,
// expected run (the time limit, else an hour), and the broker's fields "objective", "deadline"
// (unix seconds) and "max_price". `body` keeps everything else, for the center.
struct Submission {
  JobAsk ask;
  nlohmann::json body;
  nlohmann::json routing;
  std::string user_key;
};
Result<Submission> ParseSubmission(const nlohmann::json& request);
// The routing ask of a stored job (to route it again when its center went DOWN).
Result<JobAsk> AskOf(const BrokerJob& job);
// The key a moved copy was forwarded with.
std::string CopyKey(int64_t job_id, const MovedCopy& m);

// The centers, their leases and the jobs.
class BrokerState {
 public:
  explicit BrokerState(int64_t lease_timeout_ms, int64_t requeue_running_after_ms = 0)
      : lease_timeout_ms_(lease_timeout_ms), requeue_running_after_ms_(requeue_running_after_ms) {}

  // Loads "center/NAME" and "job/ID" records.
  Status Load(const std::map<std::string, std::string>& meta);

  // A center's report renews its lease and makes it UP at once (a job submitted right after it
  // joined may go there). Returns true when what the store keeps of the center (region, url,
  // token) changed, so the caller commits CenterKey's record.
  bool ApplyReport(CenterReport report, TimeMs now);
  // Marks centers whose lease expired DOWN; returns the names whose state changed since the last
  // call, "+NAME" back UP (by a report) and "-NAME" gone DOWN.
  std::vector<std::string> UpdateLeases(TimeMs now);
  // The routing view: every known center with the operator's overrides applied.
  std::vector<CenterState> RoutingCenters() const;

  // Jobs forwarded to a DOWN center that had not started there: to be placed elsewhere.
  // Also those that had started there (not ended) once the center has been DOWN for the requeue
  // delay past its lease, unless their body says "requeue": false. Their copy there is cancelled
  // when it returns, as a queued one's.
  std::vector<int64_t> ToMove(TimeMs now) const;
  // Copies left on `center` by moves, not yet cancelled.
  std::vector<std::pair<int64_t, MovedCopy>> ToCancel(const std::string& center) const;
  std::vector<int64_t> Forwarding() const;

  std::map<std::string, Center>& centers() { return centers_; }
  const std::map<std::string, Center>& centers() const { return centers_; }
  std::map<int64_t, BrokerJob>& jobs() { return jobs_; }
  const std::map<int64_t, BrokerJob>& jobs() const { return jobs_; }
  int64_t NextJobId() { return ++max_job_id_; }
  // Adds or replaces a job (and indexes the submitter's idempotency key).
  void PutJob(BrokerJob job);
  std::optional<int64_t> FindUserKey(const std::string& key) const;
  bool CenterUp(const std::string& name) const;
  int64_t lease_timeout_ms() const { return lease_timeout_ms_; }

  static std::string CenterKey(const std::string& name) { return "center/" + name; }
  static std::string JobKey(int64_t id) { return "job/" + std::to_string(id); }
  // The records the store keeps (a center's registration and override; a job).
  nlohmann::json CenterRecord(const Center& c) const;

 private:
  int64_t lease_timeout_ms_;
  int64_t requeue_running_after_ms_;  // 0: a started job stays LOST on its DOWN center
  std::map<std::string, Center> centers_;
  std::vector<std::string> came_up_;  // "+NAME" of centers a report brought UP, told by UpdateLeases
  std::map<int64_t, BrokerJob> jobs_;
  std::map<std::string, int64_t> user_keys_;
  int64_t max_job_id_ = 0;
};

}  // namespace suanli::federation
