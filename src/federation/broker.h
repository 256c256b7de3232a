#pragma once
// The federation's broker as a process: `suanli broker --data-dir DIR --listen HOST:PORT`.
// Centers push reports with a lease (reporter.h); users submit here with the usual CLI, and each
// job is routed (routing.h), stored, then forwarded to exactly one center; show/logs/cancel/wait
// are proxied to it. State: the project's SQLite `Store` in DIR/broker.db (broker_state.h).
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

namespace suanli::federation {

struct BrokerOptions {
  std::string data_dir = "broker";        // broker.db, url, admin.token, join.token
  std::string listen = "127.0.0.1:8090";  // port 0 picks a free port
  int64_t lease_timeout_ms = 15000;       // a center silent this long is DOWN
  // A job that had started on a center DOWN this long (past its lease) is requeued elsewhere, as
  // Slurm requeues on a node failure, unless submitted with "requeue": false; 0 = never.
  int64_t requeue_running_after_ms = 300000;
  int64_t forward_timeout_ms = 5000;      // one HTTP call to a center
  int64_t tick_ms = 200;                  // leases, retries and moves are checked this often
  int http_threads = 32;
};

class Broker {
 public:
  // Opens the store, loads the state, writes DIR/url, DIR/admin.token and DIR/join.token, starts
  // serving and forwards again every job a crash left FORWARDING (with its same key).
  static Result<std::unique_ptr<Broker>> Start(const BrokerOptions& options);
  virtual ~Broker() = default;
  virtual std::string url() const = 0;
  virtual std::string admin_token_path() const = 0;
  virtual std::string join_token() const = 0;
  virtual void Stop() = 0;
};

}  // namespace suanli::federation
