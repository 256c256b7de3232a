#pragma once
// A throw-away PostgreSQL server for tests, from Debian's `postgresql` package: initdb in a
// temporary directory, pg_ctl on a free loopback port, as the unprivileged `postgres` account when
// the test runs as root (PostgreSQL refuses to run as root). Nothing needs to be running before
// the test; the server and its files are gone when the object is destroyed.
//
// Each test takes a fresh database (CreateDatabase), so tests sharing one server never see each
// other's rows.
#include <memory>
#include <string>

#include "base/result.h"

namespace suanli::pgtest {

struct PgTestServerOptions {
  // fsync off makes a test cluster fast on a shared disk; the server still acknowledges a commit
  // only after it is written (synchronous_commit stays on). Benchmarks that report durable rates
  // turn it back on.
  bool fsync = false;
};

class PgTestServer {
 public:
  static Result<std::unique_ptr<PgTestServer>> Start(const PgTestServerOptions& options = {});
  ~PgTestServer();
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  int port() const { return port_; }
  // postgresql://postgres@127.0.0.1:PORT/DATABASE
  std::string Uri(const std::string& database) const;
  // Creates a new empty database and returns its URI. Names are made unique per server.
  Result<std::string> CreateDatabase(const std::string& prefix = "t");

  // Stops the server at once (pg_ctl -m immediate, like a crash) and starts it again on the same
  // port and files: committed rows survive, sessions are cut.
  Status Restart();
  // Stops it (immediate) without starting again; Start() brings it back.
  Status Stop();
  Status StartAgain();

 private:
  PgTestServer() = default;
  Status RunPgCtl(const std::string& action);

  std::string dir_;      // owned by the server's account
  std::string bin_dir_;  // /usr/lib/postgresql/N/bin
  std::string run_as_;   // "postgres" when we are root, else empty
  int port_ = 0;
  int next_db_ = 0;
  bool running_ = false;
};

// One server shared by every test of a binary, started on first use, stopped at exit. Tests that
// cut the server (Restart/Stop) start their own instead.
Result<PgTestServer*> SharedPgTestServer();
// A fresh database on the shared server: its URI.
Result<std::string> NewSharedDatabase(const std::string& prefix);

}  // namespace suanli::pgtest
