// SQLite (WAL) implementation of Store. One connection guarded by a mutex; every Commit is one
// transaction, so a group of requests becomes durable together.
#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>

#include "store/codec.h"
#include "store/store.h"

namespace suanli::store {
namespace {

// Ordered migrations: entry i upgrades the schema from version i to i + 1. Never edit a shipped
// entry; append a new one.
const char* const kMigrations[] = {
    // v1: the original tables.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tenants (name TEXT PRIMARY KEY, parent TEXT NOT NULL, weight REAL NOT NULL,
  quotas TEXT NOT NULL, budget REAL NOT NULL, created INTEGER NOT NULL);
CREATE TABLE users (name TEXT PRIMARY KEY, tenant TEXT NOT NULL, role TEXT NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE tokens (id INTEGER PRIMARY KEY, user TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL, revoked INTEGER NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, tenant TEXT NOT NULL,
  user TEXT NOT NULL, submit_time INTEGER NOT NULL, end_time INTEGER NOT NULL,
  active INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX jobs_active ON jobs(active);
CREATE INDEX jobs_tenant ON jobs(tenant, id);
)sql",
    // v2: nodes, accounting and utilization history.
    R"sql(
CREATE TABLE nodes (name TEXT PRIMARY KEY, cpus REAL NOT NULL, mem_mb INTEGER NOT NULL,
  address TEXT NOT NULL, devices TEXT NOT NULL, draining INTEGER NOT NULL,
  registered INTEGER NOT NULL);
CREATE TABLE usage (job_id INTEGER NOT NULL, attempt INTEGER NOT NULL, tenant TEXT NOT NULL,
  user TEXT NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER NOT NULL,
  cpu_s REAL NOT NULL, mem_mb_s REAL NOT NULL, accel_s TEXT NOT NULL, cost REAL NOT NULL,
  PRIMARY KEY (job_id, attempt));
CREATE INDEX usage_end ON usage(end_time);
CREATE TABLE samples (time INTEGER PRIMARY KEY, allocated TEXT NOT NULL, total TEXT NOT NULL);
)sql",
    // v3: idempotency keys get their own indexed column (backfilled from the job data).
    R"sql(
ALTER TABLE jobs ADD COLUMN idem_key TEXT;
UPDATE jobs SET idem_key = json_extract(data, '$.spec.idem');
CREATE INDEX jobs_idem ON jobs(user, idem_key) WHERE idem_key IS NOT NULL;
)sql",
    // v4: budgets get a period. Tenants stored before keep their old meaning: usage never resets.
    R"sql(
ALTER TABLE tenants ADD COLUMN budget_period TEXT NOT NULL DEFAULT 'total';
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kLatestSchemaVersion);

}  // namespace

Status MakePrivateSqliteFile(const std::string& path) {
  // ":memory:", "" (a temporary database) and URIs are not files of ours.
  if (path.empty() || path[0] == ':' || path.rfind("file:", 0) == 0) return Status::Ok();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Internal("cannot open database " + path + ": " + std::strerror(errno));
  const bool ok = ::fchmod(fd, 0600) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return Internal("cannot make " + path + " private (chmod 0600): " + std::strerror(err));
  // A database older binaries made 0644 may have its -wal and -shm already; SQLite gives new ones
  // the database's mode.
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    if (::chmod(side.c_str(), 0600) != 0 && errno != ENOENT) {
      return Internal("cannot make " + side + " private (chmod 0600): " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

namespace {

class Db {
 public:
  ~Db() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close(db_);
  }
  Status Open(const std::string& path) {
    SUANLI_RETURN_IF_ERROR(MakePrivateSqliteFile(path));
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      return Internal("cannot open database " + path + ": " +
                      (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    }
    sqlite3_busy_timeout(db_, 5000);
    return Status::Ok();
  }
  bool InTransaction() const { return db_ && sqlite3_get_autocommit(db_) == 0; }
  Status Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return Internal("sqlite: " + msg);
    }
    return Status::Ok();
  }
  // A cached prepared statement, reset and with bindings cleared.
  Result<sqlite3_stmt*> Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return Internal(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
    }
    cache_[sql] = stmt;
    return stmt;
  }
  Status Step(sqlite3_stmt* stmt) {
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
      return Internal(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    return Status::Ok();
  }
  // Runs a query and calls `row` for each result row.
  Status Query(sqlite3_stmt* stmt, const std::function<Status(sqlite3_stmt*)>& row) {
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Internal(std::string("sqlite: ") + sqlite3_errmsg(db_));
      SUANLI_RETURN_IF_ERROR(row(stmt));
    }
  }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> cache_;
};

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}
void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

Result<int> CurrentVersion(Db& db) {
  SUANLI_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  SUANLI_ASSIGN_OR_RETURN(sqlite3_stmt * s, db.Prepare("SELECT MAX(version) FROM schema_version"));
  int version = 0;
  SUANLI_RETURN_IF_ERROR(db.Query(s, [&](sqlite3_stmt* r) {
    version = sqlite3_column_int(r, 0);
    return Status::Ok();
  }));
  sqlite3_reset(s);
  return version;
}

// Applies migrations from the database's version up to `target`, each in its own transaction.
Status Migrate(Db& db, int target) {
  SUANLI_ASSIGN_OR_RETURN(int version, CurrentVersion(db));
  if (version > kLatestSchemaVersion) {
    return FailedPrecondition("database schema version " + std::to_string(version) +
                              " is newer than this binary supports (" +
                              std::to_string(kLatestSchemaVersion) + ")");
  }
  for (int v = version; v < target; ++v) {
    SUANLI_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status st = db.Exec(kMigrations[v]);
    if (st.ok()) {
      st = db.Exec("DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                   std::to_string(v + 1) + ")");
    }
    if (!st.ok()) {
      (void)db.Exec("ROLLBACK");
      return Internal("migration to schema version " + std::to_string(v + 1) +
                      " failed: " + st.message());
    }
    SUANLI_RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return Status::Ok();
}

Status OpenAndMigrate(Db& db, const std::string& path, int target, bool synchronous_full) {
  SUANLI_RETURN_IF_ERROR(db.Open(path));
  SUANLI_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  SUANLI_RETURN_IF_ERROR(
      db.Exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  SUANLI_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=OFF"));
  return Migrate(db, target);
}

class SqliteStore final : public Store {
 public:
  Status Init(const std::string& path, bool synchronous_full) {
    SUANLI_RETURN_IF_ERROR(OpenAndMigrate(db_, path, kLatestSchemaVersion, synchronous_full));
    SUANLI_ASSIGN_OR_RETURN(version_, CurrentVersion(db_));
    return Status::Ok();
  }

  Status Commit(const WriteBatch& b) override {
    if (b.empty()) return Status::Ok();
    std::lock_guard lock(mu_);
    SUANLI_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE"));
    Status st = WriteAll(b);
    if (!st.ok()) {
      (void)db_.Exec("ROLLBACK");
      return st;
    }
    st = db_.Exec("COMMIT");
    // A failed COMMIT (busy, I/O error, full disk) can leave the transaction open, and then every
    // later BEGIN fails too: roll it back so the store stays usable for the next batch.
    if (!st.ok() && db_.InTransaction()) (void)db_.Exec("ROLLBACK");
    return st;
  }

  Result<Snapshot> Load() override {
    std::lock_guard lock(mu_);
    Snapshot snap;
    SUANLI_ASSIGN_OR_RETURN(
        sqlite3_stmt * s,
        db_.Prepare("SELECT name, parent, weight, quotas, budget, created, budget_period FROM "
                    "tenants ORDER BY name"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      TenantRecord t;
      t.name = Text(r, 0);
      t.parent = Text(r, 1);
      t.weight = sqlite3_column_double(r, 2);
      SUANLI_RETURN_IF_ERROR(DecodeTenantQuotas(Text(r, 3), &t));
      t.budget_accel_hours = sqlite3_column_double(r, 4);
      t.created = sqlite3_column_int64(r, 5);
      std::string period = Text(r, 6);
      auto parsed = core::ParseBudgetPeriod(period);
      if (!parsed) {
        return Internal("stored tenant '" + t.name + "' has an unknown budget period '" + period +
                        "'");
      }
      t.budget_period = *parsed;
      snap.tenants.push_back(std::move(t));
      return Status::Ok();
    }));
    SUANLI_ASSIGN_OR_RETURN(
        s, db_.Prepare("SELECT name, tenant, role, created FROM users ORDER BY name"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      snap.users.push_back(
          UserRecord{Text(r, 0), Text(r, 1), Text(r, 2), sqlite3_column_int64(r, 3)});
      return Status::Ok();
    }));
    SUANLI_ASSIGN_OR_RETURN(
        s, db_.Prepare("SELECT id, user, sha256, created, revoked FROM tokens ORDER BY id"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      snap.tokens.push_back(TokenRecord{sqlite3_column_int64(r, 0), Text(r, 1), Text(r, 2),
                                        sqlite3_column_int64(r, 3), sqlite3_column_int(r, 4) != 0});
      return Status::Ok();
    }));
    SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("SELECT name, cpus, mem_mb, address, devices, draining, "
                                           "registered FROM nodes ORDER BY name"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      NodeRecord n;
      n.name = Text(r, 0);
      n.cpus = sqlite3_column_double(r, 1);
      n.mem_mb = sqlite3_column_int64(r, 2);
      n.address = Text(r, 3);
      SUANLI_ASSIGN_OR_RETURN(n.devices, DecodeNodeDevices(Text(r, 4)));
      n.draining = sqlite3_column_int(r, 5) != 0;
      n.registered = sqlite3_column_int64(r, 6);
      snap.nodes.push_back(std::move(n));
      return Status::Ok();
    }));
    SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("SELECT data FROM jobs WHERE active = 1 ORDER BY id"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      SUANLI_ASSIGN_OR_RETURN(JobRecord j, DecodeJob(Text(r, 0)));
      snap.active_jobs.push_back(std::move(j));
      return Status::Ok();
    }));
    SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("SELECT key, value FROM meta"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      snap.meta[Text(r, 0)] = Text(r, 1);
      return Status::Ok();
    }));
    SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("SELECT COALESCE(MAX(id), 0) FROM jobs"));
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      snap.max_job_id = sqlite3_column_int64(r, 0);
      return Status::Ok();
    }));
    return snap;
  }

  Result<std::optional<JobRecord>> GetJob(JobId id) override {
    std::lock_guard lock(mu_);
    SUANLI_ASSIGN_OR_RETURN(sqlite3_stmt * s, db_.Prepare("SELECT data FROM jobs WHERE id = ?"));
    sqlite3_bind_int64(s, 1, id);
    std::optional<JobRecord> out;
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      SUANLI_ASSIGN_OR_RETURN(JobRecord j, DecodeJob(Text(r, 0)));
      out = std::move(j);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<JobRecord>> ListJobs(const JobQuery& q) override {
    std::lock_guard lock(mu_);
    // Filters are bound as parameters; the IN lists are built from placeholders only.
    std::string sql = "SELECT data FROM jobs WHERE 1=1";
    if (q.before_id > 0) sql += " AND id < ?";
    if (!q.states.empty()) sql += " AND state IN (" + Placeholders(q.states.size()) + ")";
    if (!q.tenants.empty()) sql += " AND tenant IN (" + Placeholders(q.tenants.size()) + ")";
    if (!q.user.empty()) sql += " AND user = ?";
    sql += " ORDER BY id DESC LIMIT ?";
    SUANLI_ASSIGN_OR_RETURN(sqlite3_stmt * s, db_.Prepare(sql));
    int i = 1;
    if (q.before_id > 0) sqlite3_bind_int64(s, i++, q.before_id);
    for (JobState st : q.states) BindText(s, i++, std::string(JobStateName(st)));
    for (const auto& t : q.tenants) BindText(s, i++, t);
    if (!q.user.empty()) BindText(s, i++, q.user);
    sqlite3_bind_int64(s, i++, q.limit);
    std::vector<JobRecord> out;
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      SUANLI_ASSIGN_OR_RETURN(JobRecord j, DecodeJob(Text(r, 0)));
      out.push_back(std::move(j));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::optional<JobId>> FindByIdempotencyKey(const std::string& user,
                                                    const std::string& key) override {
    std::lock_guard lock(mu_);
    SUANLI_ASSIGN_OR_RETURN(
        sqlite3_stmt * s,
        db_.Prepare("SELECT id FROM jobs WHERE user = ? AND idem_key = ? ORDER BY id LIMIT 1"));
    BindText(s, 1, user);
    BindText(s, 2, key);
    std::optional<JobId> out;
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      out = sqlite3_column_int64(r, 0);
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<UsageRecord>> QueryUsage(const UsageQuery& q) override {
    std::lock_guard lock(mu_);
    std::string sql =
        "SELECT job_id, attempt, tenant, user, start_time, end_time, cpu_s, mem_mb_s, accel_s, "
        "cost FROM usage WHERE end_time >= ?";
    if (q.until > 0) sql += " AND end_time < ?";
    if (!q.tenants.empty()) sql += " AND tenant IN (" + Placeholders(q.tenants.size()) + ")";
    if (!q.user.empty()) sql += " AND user = ?";
    sql += " ORDER BY end_time, job_id, attempt";
    SUANLI_ASSIGN_OR_RETURN(sqlite3_stmt * s, db_.Prepare(sql));
    int i = 1;
    sqlite3_bind_int64(s, i++, q.since);
    if (q.until > 0) sqlite3_bind_int64(s, i++, q.until);
    for (const auto& t : q.tenants) BindText(s, i++, t);
    if (!q.user.empty()) BindText(s, i++, q.user);
    std::vector<UsageRecord> out;
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      UsageRecord u;
      u.job_id = sqlite3_column_int64(r, 0);
      u.attempt = sqlite3_column_int(r, 1);
      u.tenant = Text(r, 2);
      u.user = Text(r, 3);
      u.start_time = sqlite3_column_int64(r, 4);
      u.end_time = sqlite3_column_int64(r, 5);
      u.cpu_s = sqlite3_column_double(r, 6);
      u.mem_mb_s = sqlite3_column_double(r, 7);
      SUANLI_ASSIGN_OR_RETURN(u.accel_s, DecodeDoubleMap(Text(r, 8)));
      u.cost = sqlite3_column_double(r, 9);
      out.push_back(std::move(u));
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<UtilizationSample>> LoadSamples(TimeMs since, int64_t limit) override {
    std::lock_guard lock(mu_);
    SUANLI_ASSIGN_OR_RETURN(
        sqlite3_stmt * s, db_.Prepare("SELECT time, allocated, total FROM samples WHERE time >= ? "
                                      "ORDER BY time DESC LIMIT ?"));
    sqlite3_bind_int64(s, 1, since);
    sqlite3_bind_int64(s, 2, limit);
    std::vector<UtilizationSample> out;
    SUANLI_RETURN_IF_ERROR(db_.Query(s, [&](sqlite3_stmt* r) {
      UtilizationSample u;
      u.time = sqlite3_column_int64(r, 0);
      SUANLI_ASSIGN_OR_RETURN(u.allocated, DecodeDoubleMap(Text(r, 1)));
      SUANLI_ASSIGN_OR_RETURN(u.total, DecodeDoubleMap(Text(r, 2)));
      out.push_back(std::move(u));
      return Status::Ok();
    }));
    std::reverse(out.begin(), out.end());
    return out;
  }

  int schema_version() const override { return version_; }

 private:
  static std::string Placeholders(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
    return s;
  }

  Status WriteAll(const WriteBatch& b) {
    sqlite3_stmt* s = nullptr;
    for (const auto& t : b.tenants) {
      SUANLI_ASSIGN_OR_RETURN(
          s, db_.Prepare("INSERT OR REPLACE INTO tenants (name, parent, weight, quotas, budget, "
                         "created, budget_period) VALUES (?,?,?,?,?,?,?)"));
      BindText(s, 1, t.name);
      BindText(s, 2, t.parent);
      sqlite3_bind_double(s, 3, t.weight);
      BindText(s, 4, EncodeTenantQuotas(t));
      sqlite3_bind_double(s, 5, t.budget_accel_hours);
      sqlite3_bind_int64(s, 6, t.created);
      BindText(s, 7, std::string(core::BudgetPeriodName(t.budget_period)));
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& u : b.users) {
      SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("INSERT OR REPLACE INTO users VALUES (?,?,?,?)"));
      BindText(s, 1, u.name);
      BindText(s, 2, u.tenant);
      BindText(s, 3, u.role);
      sqlite3_bind_int64(s, 4, u.created);
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& t : b.tokens) {
      SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("INSERT OR REPLACE INTO tokens VALUES (?,?,?,?,?)"));
      sqlite3_bind_int64(s, 1, t.id);
      BindText(s, 2, t.user);
      BindText(s, 3, t.sha256_hex);
      sqlite3_bind_int64(s, 4, t.created);
      sqlite3_bind_int(s, 5, t.revoked ? 1 : 0);
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& n : b.nodes) {
      SUANLI_ASSIGN_OR_RETURN(s,
                              db_.Prepare("INSERT OR REPLACE INTO nodes VALUES (?,?,?,?,?,?,?)"));
      BindText(s, 1, n.name);
      sqlite3_bind_double(s, 2, n.cpus);
      sqlite3_bind_int64(s, 3, n.mem_mb);
      BindText(s, 4, n.address);
      BindText(s, 5, EncodeNodeDevices(n));
      sqlite3_bind_int(s, 6, n.draining ? 1 : 0);
      sqlite3_bind_int64(s, 7, n.registered);
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& j : b.jobs) {
      SUANLI_ASSIGN_OR_RETURN(
          s, db_.Prepare("INSERT OR REPLACE INTO jobs (id, state, tenant, user, submit_time, "
                         "end_time, active, data, idem_key) VALUES (?,?,?,?,?,?,?,?,?)"));
      sqlite3_bind_int64(s, 1, j.id);
      BindText(s, 2, std::string(JobStateName(j.state)));
      BindText(s, 3, j.tenant);
      BindText(s, 4, j.user);
      sqlite3_bind_int64(s, 5, j.submit_time);
      sqlite3_bind_int64(s, 6, j.end_time);
      sqlite3_bind_int(s, 7, IsTerminal(j.state) ? 0 : 1);
      BindText(s, 8, EncodeJob(j));
      if (j.spec.idempotency_key.empty()) {
        sqlite3_bind_null(s, 9);
      } else {
        BindText(s, 9, j.spec.idempotency_key);
      }
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& u : b.usage) {
      SUANLI_ASSIGN_OR_RETURN(
          s, db_.Prepare("INSERT OR REPLACE INTO usage VALUES (?,?,?,?,?,?,?,?,?,?)"));
      sqlite3_bind_int64(s, 1, u.job_id);
      sqlite3_bind_int(s, 2, u.attempt);
      BindText(s, 3, u.tenant);
      BindText(s, 4, u.user);
      sqlite3_bind_int64(s, 5, u.start_time);
      sqlite3_bind_int64(s, 6, u.end_time);
      sqlite3_bind_double(s, 7, u.cpu_s);
      sqlite3_bind_double(s, 8, u.mem_mb_s);
      BindText(s, 9, EncodeDoubleMap(u.accel_s));
      sqlite3_bind_double(s, 10, u.cost);
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& u : b.samples) {
      SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("INSERT OR REPLACE INTO samples VALUES (?,?,?)"));
      sqlite3_bind_int64(s, 1, u.time);
      BindText(s, 2, EncodeDoubleMap(u.allocated));
      BindText(s, 3, EncodeDoubleMap(u.total));
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& [k, v] : b.meta) {
      SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare("INSERT OR REPLACE INTO meta VALUES (?,?)"));
      BindText(s, 1, k);
      BindText(s, 2, v);
      SUANLI_RETURN_IF_ERROR(db_.Step(s));
    }
    for (const auto& [names, sql] :
         {std::pair{&b.deleted_tenants, "DELETE FROM tenants WHERE name = ?"},
          std::pair{&b.deleted_users, "DELETE FROM users WHERE name = ?"}}) {
      for (const auto& name : *names) {
        SUANLI_ASSIGN_OR_RETURN(s, db_.Prepare(sql));
        BindText(s, 1, name);
        SUANLI_RETURN_IF_ERROR(db_.Step(s));
      }
    }
    if (s) sqlite3_reset(s);
    return Status::Ok();
  }

  std::mutex mu_;
  Db db_;
  int version_ = 0;
};

}  // namespace

Status MigrateSqliteForTest(const std::string& path, int version) {
  Db db;
  return OpenAndMigrate(db, path, version, false);
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool synchronous_full) {
  auto store = std::make_unique<SqliteStore>();
  SUANLI_RETURN_IF_ERROR(store->Init(path, synchronous_full));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace suanli::store
