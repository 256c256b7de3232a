#pragma once
// The controller: HTTP API, auth, admission, the store, and the scheduling loop that calls the
// core. One thread owns the controller's state; HTTP handlers and agents talk to it through this
// class. Contract used by `suanli up` (src/cli) — keep these signatures stable.
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"

namespace suanli::store {
class Store;
}

namespace suanli::server {

struct ServerOptions {
  std::string data_dir = "data";  // SQLite file, logs, admin.token, join.token, url
  // Where the state lives: empty = the SQLite file DATA_DIR/suanli.db; else `sqlite:PATH` or
  // `postgresql://USER@HOST:PORT/DB` (store::OpenStore). Logs and tokens stay in the data dir.
  std::string store_uri;
  std::string listen = "127.0.0.1:8080";  // port 0 picks a free port
  std::string web_dir;  // dashboard assets; empty = look beside the binary / source tree
  int64_t node_timeout_ms = 10000;  // silent agent -> node DOWN, its jobs LOST
  std::string policy = "default";   // core::MakePolicy name
  std::string prices_file;          // price table JSON; empty = DATA_DIR/prices.json if present
  int http_threads = 128;           // each agent's long poll holds one while it waits
  // API limits against hostile or runaway clients (http_guard.h, rate_limit.h; README "API
  // limits"). More HTTP threads are made on demand, one per open connection, up to
  // max_connections; past it a new connection gets 503, past max_connections_per_source from one
  // address 429 (0 = no cap).
  int max_connections = 4096;
  int max_connections_per_source = 256;
  int64_t http_request_timeout_ms = 10000;  // a request's header and body must arrive in this
  double rate_limit_per_s = 0;              // requests per user token; 0 = no limit
  double rate_limit_burst = 0;              // 0 = one second's worth
  int64_t max_pending_per_user = 0;         // PENDING jobs a user may have; 0 = no cap
  int64_t max_pending_per_tenant = 0;       // PENDING jobs in one tenant; 0 = no cap
  int64_t starting_timeout_ms = 120000;  // a job STARTING longer ends LOST (requeued if allowed)
  int64_t lead_poll_ms = 500;            // a standby asks for the lease this often
  bool strict_decisions = false;  // abort on a decision the ledger refuses (tests); else refuse it
  uint32_t max_array_tasks = 10001;  // Slurm's MaxArraySize: tasks per array, highest index + 1
};

class Server {
 public:
  // Opens (or migrates) the store, writes DATA_DIR/admin.token, DATA_DIR/join.token and
  // DATA_DIR/url, and starts serving. Returns once the listening socket is bound.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  virtual ~Server() = default;
  virtual std::string url() const = 0;         // e.g. "http://127.0.0.1:43121"
  virtual std::string join_token() const = 0;  // for local agents
  virtual std::string admin_token_path() const = 0;
  // False on a standby (another controller holds the store's lease); it then serves /healthz,
  // answers /readyz with 503 and the leader's URL, redirects the rest there, and takes over when
  // the lease frees. join_token() is empty until it leads.
  virtual bool leading() const = 0;
  virtual void Stop() = 0;  // stops serving and closes the store cleanly
};

// `suanli admin reset-token`, for whoever holds the data dir when no admin token works any more:
// issues a new token for the built-in admin in `store`, revoking the admin's other tokens when
// `revoke_old`, commits it and writes it to DATA_DIR/admin.token (0600), where a server started
// later keeps it. The caller makes sure no controller runs on the store meanwhile (it would not
// see the token, and might overwrite admin.token).
struct AdminTokenReset {
  std::string path;  // DATA_DIR/admin.token
  int64_t token_id = 0;
  int revoked = 0;  // the admin's tokens revoked with it
};
Result<AdminTokenReset> ResetAdminToken(store::Store& store, const std::string& data_dir,
                                        bool revoke_old);

}  // namespace suanli::server
