// PostgreSQL implementation of Store (libpqxx), for centers whose controllers share one database.
// Passes the same suite as SQLite and the in-memory fake (store_test.cc).
//
// Two sessions: one for commits, one for reads, so a dashboard listing jobs never waits behind a
// group commit. Each is guarded by its own mutex and reconnected on the next call after the
// server went away; a call that finds the database unreachable returns Unavailable naming the
// host, and a commit whose outcome is unknown is never reported as done.
#include "store/postgres_store.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "store/codec.h"
#include "store/store.h"

namespace suanli::store {
namespace {

// Ordered migrations, the same versions as the SQLite store's (so schema_version() means the same
// thing on both): entry i upgrades from version i to i + 1. Never edit a shipped entry.
// `user` is reserved in PostgreSQL, hence `user_name`.
const char* const kMigrations[] = {
    // v1: the original tables.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tenants (name TEXT PRIMARY KEY, parent TEXT NOT NULL, weight DOUBLE PRECISION NOT NULL,
  quotas TEXT NOT NULL, budget DOUBLE PRECISION NOT NULL, created BIGINT NOT NULL);
CREATE TABLE users (name TEXT PRIMARY KEY, tenant TEXT NOT NULL, role TEXT NOT NULL,
  created BIGINT NOT NULL);
CREATE TABLE tokens (id BIGINT PRIMARY KEY, user_name TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
  created BIGINT NOT NULL, revoked BOOLEAN NOT NULL);
CREATE TABLE jobs (id BIGINT PRIMARY KEY, state TEXT NOT NULL, tenant TEXT NOT NULL,
  user_name TEXT NOT NULL, submit_time BIGINT NOT NULL, end_time BIGINT NOT NULL,
  active BOOLEAN NOT NULL, data TEXT NOT NULL);
CREATE INDEX jobs_active ON jobs(id) WHERE active;
CREATE INDEX jobs_tenant ON jobs(tenant, id);
)sql",
    // v2: nodes, accounting and utilization history.
    R"sql(
CREATE TABLE nodes (name TEXT PRIMARY KEY, cpus DOUBLE PRECISION NOT NULL, mem_mb BIGINT NOT NULL,
  address TEXT NOT NULL, devices TEXT NOT NULL, draining BOOLEAN NOT NULL,
  registered BIGINT NOT NULL);
CREATE TABLE usage (job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, tenant TEXT NOT NULL,
  user_name TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT NOT NULL,
  cpu_s DOUBLE PRECISION NOT NULL, mem_mb_s DOUBLE PRECISION NOT NULL, accel_s TEXT NOT NULL,
  cost DOUBLE PRECISION NOT NULL, PRIMARY KEY (job_id, attempt));
CREATE INDEX usage_end ON usage(end_time);
CREATE TABLE samples (time BIGINT PRIMARY KEY, allocated TEXT NOT NULL, total TEXT NOT NULL);
)sql",
    // v3: idempotency keys get their own indexed column (backfilled from the job data).
    R"sql(
ALTER TABLE jobs ADD COLUMN idem_key TEXT;
UPDATE jobs SET idem_key = NULLIF(data::jsonb #>> '{spec,idem}', '');
CREATE INDEX jobs_idem ON jobs(user_name, idem_key) WHERE idem_key IS NOT NULL;
)sql",
    // v4: budgets get a period. Tenants stored before keep their old meaning: usage never resets.
    R"sql(
ALTER TABLE tenants ADD COLUMN budget_period TEXT NOT NULL DEFAULT 'total';
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kLatestSchemaVersion);

// Serializes migrations between controllers that start at the same time against one database.
constexpr int64_t kMigrationLockKey = 0x5375616e6c69;  // "Suanli"
// Held by the leader's writer session for as long as it leads (a session-level advisory lock:
// PostgreSQL releases it when the session ends, so a leader that dies or is cut off frees it).
constexpr int64_t kLeaderLockKey = 0x5375616e6c6a;

// How soon the database notices a leader that vanished without closing its connection (a cut
// network, a frozen machine) and frees its lock: 5 s idle, then 3 probes 1 s apart.
constexpr const char* kKeepalives =
    "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 1; "
    "SET tcp_keepalives_count = 3";

// The tables a commit upserts into. A batch sends each table's rows as one JSON array in one
// statement (json_to_recordset), so a group commit of hundreds of jobs is a handful of round trips
// rather than one per row.
struct Column {
  const char* name;
  const char* type;
};
struct Table {
  const char* name;
  int key_columns;  // the first ones: the record's identity
  std::vector<Column> columns;
};
const Table kTables[] = {
    {"tenants",
     1,
     {{"name", "text"},
      {"parent", "text"},
      {"weight", "double precision"},
      {"quotas", "text"},
      {"budget", "double precision"},
      {"created", "bigint"},
      {"budget_period", "text"}}},
    {"users", 1, {{"name", "text"}, {"tenant", "text"}, {"role", "text"}, {"created", "bigint"}}},
    {"tokens",
     1,
     {{"id", "bigint"},
      {"user_name", "text"},
      {"sha256", "text"},
      {"created", "bigint"},
      {"revoked", "boolean"}}},
    {"nodes",
     1,
     {{"name", "text"},
      {"cpus", "double precision"},
      {"mem_mb", "bigint"},
      {"address", "text"},
      {"devices", "text"},
      {"draining", "boolean"},
      {"registered", "bigint"}}},
    {"jobs",
     1,
     {{"id", "bigint"},
      {"state", "text"},
      {"tenant", "text"},
      {"user_name", "text"},
      {"submit_time", "bigint"},
      {"end_time", "bigint"},
      {"active", "boolean"},
      {"data", "text"},
      {"idem_key", "text"}}},
    {"usage",
     2,
     {{"job_id", "bigint"},
      {"attempt", "integer"},
      {"tenant", "text"},
      {"user_name", "text"},
      {"start_time", "bigint"},
      {"end_time", "bigint"},
      {"cpu_s", "double precision"},
      {"mem_mb_s", "double precision"},
      {"accel_s", "text"},
      {"cost", "double precision"}}},
    {"samples", 1, {{"time", "bigint"}, {"allocated", "text"}, {"total", "text"}}},
    {"meta", 1, {{"key", "text"}, {"value", "text"}}},
};

std::string UpsertSql(const Table& t) {
  std::string cols, typed, keys, updates;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    cols += (i ? ", " : "") + std::string(c.name);
    typed += (i ? ", " : "") + std::string(c.name) + " " + c.type;
    if (static_cast<int>(i) < t.key_columns) {
      keys += (i ? ", " : "") + std::string(c.name);
    } else {
      updates += (updates.empty() ? "" : ", ") + std::string(c.name) + " = EXCLUDED." + c.name;
    }
  }
  return "INSERT INTO " + std::string(t.name) + " (" + cols + ") SELECT " + cols +
         " FROM json_to_recordset($1::json) AS x(" + typed + ") ON CONFLICT (" + keys +
         ") DO UPDATE SET " + updates;
}

// One table's rows of a batch. A record written twice in one batch keeps its last version
// (PostgreSQL refuses to upsert one row twice in a statement; SQLite's last write wins too).
class Rows {
 public:
  void Put(const std::string& key, nlohmann::json row) {
    auto [it, inserted] = index_.emplace(key, rows_.size());
    if (inserted) {
      rows_.push_back(std::move(row));
    } else {
      rows_[it->second] = std::move(row);
    }
  }
  bool empty() const { return rows_.empty(); }
  // Non-finite numbers have no JSON form; none of the stored fields may hold one.
  std::string Dump() const { return nlohmann::json(rows_).dump(); }

 private:
  std::map<std::string, size_t> index_;
  std::vector<nlohmann::json> rows_;
};

std::string Where(const std::string& uri) { return "postgresql at " + RedactPostgresUri(uri); }

// Turns what libpqxx throws into a Status that says where and what.
Status FromException(const std::string& uri, const std::exception& e) {
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Unavailable(Where(uri) +
                       ": commit outcome unknown (connection lost while committing): " + what);
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return Unavailable(Where(uri) + " is unreachable: " + what);
  }
  return Internal(Where(uri) + ": " + what);
}

// A session that was open but whose server went away: the statement never ran.
bool IsStaleSession(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr &&
         dynamic_cast<const pqxx::in_doubt_error*>(&e) == nullptr;
}

Result<int> ReadVersion(pqxx::work& tx) {
  tx.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  auto r = tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_version");
  return r[0][0].as<int>();
}

// Applies migrations up to `target`, one transaction each, under an advisory lock so that two
// controllers starting together never run the same step twice.
Status Migrate(pqxx::connection& c, const std::string& uri, int target) {
  try {
    while (true) {
      pqxx::work tx(c);
      tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
      SUANLI_ASSIGN_OR_RETURN(int version, ReadVersion(tx));
      if (version > kLatestSchemaVersion) {
        return FailedPrecondition("database schema version " + std::to_string(version) +
                                  " is newer than this binary supports (" +
                                  std::to_string(kLatestSchemaVersion) + ")");
      }
      if (version >= target) {
        tx.commit();
        return Status::Ok();
      }
      try {
        tx.exec(kMigrations[version]);
      } catch (const std::exception& e) {
        return Internal("migration to schema version " + std::to_string(version + 1) +
                        " failed: " + e.what());
      }
      tx.exec("DELETE FROM schema_version");
      tx.exec("INSERT INTO schema_version VALUES (" + std::to_string(version + 1) + ")");
      tx.commit();
    }
  } catch (const std::exception& e) {
    return FromException(uri, e);
  }
}

// One session, reconnected on demand after the server went away.
class Session {
 public:
  explicit Session(std::string uri) : uri_(std::move(uri)) {}

  // `on_connect` runs on every new connection before it is used; an error keeps it unused.
  void set_on_connect(std::function<Status(pqxx::connection&)> f) { on_connect_ = std::move(f); }

  Result<pqxx::connection*> Get() {
    if (conn_ && conn_->is_open()) return conn_.get();
    conn_.reset();
    std::unique_ptr<pqxx::connection> c;
    try {
      c = std::make_unique<pqxx::connection>(uri_);
      for (const Table& t : kTables) c->prepare(std::string("put_") + t.name, UpsertSql(t));
      pqxx::nontransaction(*c).exec(kKeepalives);
    } catch (const std::exception& e) {
      return Unavailable("cannot connect to " + Where(uri_) + ": " + e.what());
    }
    if (on_connect_) SUANLI_RETURN_IF_ERROR(on_connect_(*c));
    conn_ = std::move(c);
    return conn_.get();
  }
  // After an error the session may be half-broken: start the next call on a fresh one.
  void Drop() { conn_.reset(); }
  std::mutex& mu() { return mu_; }

 private:
  std::string uri_;
  std::mutex mu_;
  std::unique_ptr<pqxx::connection> conn_;
  std::function<Status(pqxx::connection&)> on_connect_;
};

// A WHERE clause built from optional filters. Every value is a bound parameter; the SQL text
// holds placeholders only.
class Filter {
 public:
  explicit Filter(std::string select) : sql_(std::move(select) + " WHERE TRUE") {}
  void Compare(const std::string& column, const char* op, int64_t value) {
    sql_ += " AND " + column + " " + op + " " + Bind(std::to_string(value)) + "::bigint";
  }
  void Equal(const std::string& column, const std::string& value) {
    sql_ += " AND " + column + " = " + Bind(value);
  }
  void In(const std::string& column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql_ += " AND " + column + " IN (";
    for (size_t i = 0; i < values.size(); ++i) sql_ += (i ? "," : "") + Bind(values[i]);
    sql_ += ")";
  }
  void Tail(const std::string& text) { sql_ += " " + text; }
  void Limit(int64_t n) { sql_ += " LIMIT " + Bind(std::to_string(n)) + "::bigint"; }
  pqxx::result Run(pqxx::transaction_base& tx) const {
    return tx.exec_params(sql_, pqxx::prepare::make_dynamic_params(params_));
  }

 private:
  std::string Bind(std::string value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  std::string sql_;
  std::vector<std::string> params_;
};

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string uri) : uri_(uri), writer_(uri), reader_(uri) {
    // A leader's writer session that was lost held the lease: a new one must win it back, and
    // only if nobody led in between (same epoch), or this controller has been deposed.
    writer_.set_on_connect([this](pqxx::connection& c) { return Reclaim(c); });
  }

  Result<LeaderInfo> TryLead(const std::string& my_url) override {
    std::lock_guard lock(writer_.mu());
    if (epoch_ > 0) {
      // Still leading if the writer session (which holds the lock) is alive, or a new one takes
      // the lock back with no other leader in between (Reclaim).
      SUANLI_RETURN_IF_ERROR(CheckWriter());
      if (epoch_ > 0) return LeaderInfo{true, epoch_, my_url};
    }
    SUANLI_ASSIGN_OR_RETURN(pqxx::connection * c, writer_.Get());
    try {
      pqxx::nontransaction probe(*c);
      bool got =
          probe.exec("SELECT pg_try_advisory_lock(" + std::to_string(kLeaderLockKey) + ")")[0][0]
              .as<bool>();
      if (!got) return ReadLeader(probe);
    } catch (const std::exception& e) {
      writer_.Drop();
      return FromException(uri_, e);
    }
    try {
      pqxx::work tx(*c);
      tx.exec(
          "CREATE TABLE IF NOT EXISTS suanli_leader (id INTEGER PRIMARY KEY, epoch BIGINT NOT "
          "NULL, url TEXT NOT NULL, since TIMESTAMPTZ NOT NULL)");
      int64_t epoch = tx.exec_params(
                            "INSERT INTO suanli_leader VALUES (1, 1, $1, now()) ON CONFLICT (id) "
                            "DO UPDATE SET epoch = suanli_leader.epoch + 1, url = EXCLUDED.url, "
                            "since = EXCLUDED.since RETURNING epoch",
                            my_url)[0][0]
                          .as<int64_t>();
      tx.commit();
      epoch_ = epoch;
      return LeaderInfo{true, epoch, my_url};
    } catch (const std::exception& e) {
      writer_.Drop();  // ends the session, and with it the lock
      return FromException(uri_, e);
    }
  }

  Status Init() {
    std::lock_guard lock(writer_.mu());
    SUANLI_ASSIGN_OR_RETURN(pqxx::connection * c, writer_.Get());
    SUANLI_RETURN_IF_ERROR(Migrate(*c, uri_, kLatestSchemaVersion));
    try {
      pqxx::work tx(*c);
      SUANLI_ASSIGN_OR_RETURN(version_, ReadVersion(tx));
      tx.commit();
    } catch (const std::exception& e) {
      return FromException(uri_, e);
    }
    return Status::Ok();
  }

  Status Commit(const WriteBatch& b) override {
    if (b.empty()) return Status::Ok();
    std::lock_guard lock(writer_.mu());
    if (epoch_ == 0) {
      return FailedPrecondition("this controller does not lead " + Where(uri_) +
                                " and may not write to it");
    }
    // A session the server dropped (restart, failover of the database) is only found out when
    // used; the transaction then never reached COMMIT, so one retry on a fresh session is safe.
    // A connection lost during COMMIT itself is in doubt and is not retried.
    for (int attempt = 0;; ++attempt) {
      SUANLI_ASSIGN_OR_RETURN(pqxx::connection * c, writer_.Get());
      try {
        pqxx::work tx(*c);
        WriteAll(tx, b);
        tx.commit();
        return Status::Ok();
      } catch (const std::exception& e) {
        writer_.Drop();
        if (attempt == 0 && IsStaleSession(e)) continue;
        return FromException(uri_, e);
      }
    }
  }

  Result<Snapshot> Load() override {
    return Read<Snapshot>(
        [&](pqxx::transaction_base& tx) -> Result<Snapshot> {
          Snapshot snap;
          for (const auto& r : tx.exec("SELECT name, parent, weight, quotas, budget, created, "
                                       "budget_period FROM tenants ORDER BY name")) {
            TenantRecord t;
            t.name = r[0].c_str();
            t.parent = r[1].c_str();
            t.weight = r[2].as<double>();
            SUANLI_RETURN_IF_ERROR(DecodeTenantQuotas(r[3].c_str(), &t));
            t.budget_accel_hours = r[4].as<double>();
            t.created = r[5].as<int64_t>();
            std::string period = r[6].c_str();
            auto parsed = core::ParseBudgetPeriod(period);
            if (!parsed) {
              return Internal("stored tenant '" + t.name + "' has an unknown budget period '" +
                              period + "'");
            }
            t.budget_period = *parsed;
            snap.tenants.push_back(std::move(t));
          }
          for (const auto& r :
               tx.exec("SELECT name, tenant, role, created FROM users ORDER BY name")) {
            snap.users.push_back(
                UserRecord{r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].as<int64_t>()});
          }
          for (const auto& r :
               tx.exec("SELECT id, user_name, sha256, created, revoked FROM tokens ORDER BY id")) {
            snap.tokens.push_back(TokenRecord{r[0].as<int64_t>(), r[1].c_str(), r[2].c_str(),
                                              r[3].as<int64_t>(), r[4].as<bool>()});
          }
          for (const auto& r : tx.exec("SELECT name, cpus, mem_mb, address, devices, draining, "
                                       "registered FROM nodes ORDER BY name")) {
            NodeRecord n;
            n.name = r[0].c_str();
            n.cpus = r[1].as<double>();
            n.mem_mb = r[2].as<int64_t>();
            n.address = r[3].c_str();
            SUANLI_ASSIGN_OR_RETURN(n.devices, DecodeNodeDevices(r[4].c_str()));
            n.draining = r[5].as<bool>();
            n.registered = r[6].as<int64_t>();
            snap.nodes.push_back(std::move(n));
          }
          for (const auto& r : tx.exec("SELECT data FROM jobs WHERE active ORDER BY id")) {
            SUANLI_ASSIGN_OR_RETURN(JobRecord j, DecodeJob(r[0].c_str()));
            snap.active_jobs.push_back(std::move(j));
          }
          for (const auto& r : tx.exec("SELECT key, value FROM meta")) {
            snap.meta[r[0].c_str()] = r[1].c_str();
          }
          snap.max_job_id = tx.exec("SELECT COALESCE(MAX(id), 0) FROM jobs")[0][0].as<int64_t>();
          return snap;
        },
        /*consistent=*/true);
  }

  Result<std::optional<JobRecord>> GetJob(JobId id) override {
    return Read<std::optional<JobRecord>>(
        [&](pqxx::transaction_base& tx) -> Result<std::optional<JobRecord>> {
          auto r = tx.exec_params("SELECT data FROM jobs WHERE id = $1", id);
          if (r.empty()) return std::optional<JobRecord>();
          SUANLI_ASSIGN_OR_RETURN(JobRecord j, DecodeJob(r[0][0].c_str()));
          return std::optional<JobRecord>(std::move(j));
        });
  }

  Result<std::vector<JobRecord>> ListJobs(const JobQuery& q) override {
    Filter f("SELECT data FROM jobs");
    if (q.before_id > 0) f.Compare("id", "<", q.before_id);
    std::vector<std::string> states;
    for (JobState st : q.states) states.emplace_back(JobStateName(st));
    f.In("state", states);
    f.In("tenant", q.tenants);
    if (!q.user.empty()) f.Equal("user_name", q.user);
    f.Tail("ORDER BY id DESC");
    f.Limit(q.limit);
    return Read<std::vector<JobRecord>>(
        [&](pqxx::transaction_base& tx) -> Result<std::vector<JobRecord>> {
          std::vector<JobRecord> out;
          for (const auto& r : f.Run(tx)) {
            SUANLI_ASSIGN_OR_RETURN(JobRecord j, DecodeJob(r[0].c_str()));
            out.push_back(std::move(j));
          }
          return out;
        });
  }

  Result<std::optional<JobId>> FindByIdempotencyKey(const std::string& user,
                                                    const std::string& key) override {
    return Read<std::optional<JobId>>(
        [&](pqxx::transaction_base& tx) -> Result<std::optional<JobId>> {
          auto r = tx.exec_params(
              "SELECT id FROM jobs WHERE user_name = $1 AND idem_key = $2 ORDER BY id LIMIT 1",
              user, key);
          if (r.empty()) return std::optional<JobId>();
          return std::optional<JobId>(r[0][0].as<int64_t>());
        });
  }

  Result<std::map<UserKey, JobId>> FindByIdempotencyKeys(
      const std::vector<UserKey>& keys) override {
    std::map<UserKey, JobId> out;
    if (keys.empty()) return out;
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& [user, key] : keys) pairs.push_back({{"u", user}, {"k", key}});
    return Read<std::map<UserKey, JobId>>(
        [&](pqxx::transaction_base& tx) -> Result<std::map<UserKey, JobId>> {
          // The lowest id per pair, as FindByIdempotencyKey answers.
          for (const auto& r : tx.exec_params(
                   "SELECT j.user_name, j.idem_key, MIN(j.id) FROM jobs j JOIN "
                   "json_to_recordset($1::json) AS x(u text, k text) ON j.user_name = x.u AND "
                   "j.idem_key = x.k GROUP BY j.user_name, j.idem_key",
                   pairs.dump())) {
            out[{r[0].c_str(), r[1].c_str()}] = r[2].as<int64_t>();
          }
          return out;
        });
  }

  Result<std::vector<UsageRecord>> QueryUsage(const UsageQuery& q) override {
    Filter f(
        "SELECT job_id, attempt, tenant, user_name, start_time, end_time, cpu_s, mem_mb_s, "
        "accel_s, cost FROM usage");
    f.Compare("end_time", ">=", q.since);
    if (q.until > 0) f.Compare("end_time", "<", q.until);
    f.In("tenant", q.tenants);
    if (!q.user.empty()) f.Equal("user_name", q.user);
    f.Tail("ORDER BY end_time, job_id, attempt");
    return Read<std::vector<UsageRecord>>(
        [&](pqxx::transaction_base& tx) -> Result<std::vector<UsageRecord>> {
          std::vector<UsageRecord> out;
          for (const auto& r : f.Run(tx)) {
            UsageRecord u;
            u.job_id = r[0].as<int64_t>();
            u.attempt = r[1].as<int>();
            u.tenant = r[2].c_str();
            u.user = r[3].c_str();
            u.start_time = r[4].as<int64_t>();
            u.end_time = r[5].as<int64_t>();
            u.cpu_s = r[6].as<double>();
            u.mem_mb_s = r[7].as<double>();
            SUANLI_ASSIGN_OR_RETURN(u.accel_s, DecodeDoubleMap(r[8].c_str()));
            u.cost = r[9].as<double>();
            out.push_back(std::move(u));
          }
          return out;
        });
  }

  Result<std::vector<UtilizationSample>> LoadSamples(TimeMs since, int64_t limit) override {
    return Read<std::vector<UtilizationSample>>(
        [&](pqxx::transaction_base& tx) -> Result<std::vector<UtilizationSample>> {
          std::vector<UtilizationSample> out;
          for (const auto& r : tx.exec_params("SELECT time, allocated, total FROM samples WHERE "
                                              "time >= $1 ORDER BY time DESC LIMIT $2",
                                              since, limit)) {
            UtilizationSample u;
            u.time = r[0].as<int64_t>();
            SUANLI_ASSIGN_OR_RETURN(u.allocated, DecodeDoubleMap(r[1].c_str()));
            SUANLI_ASSIGN_OR_RETURN(u.total, DecodeDoubleMap(r[2].c_str()));
            out.push_back(std::move(u));
          }
          std::reverse(out.begin(), out.end());
          return out;
        });
  }

  int schema_version() const override { return version_; }

 private:
  // Runs `fn` in a read transaction on the reader session, once more on a fresh session when the
  // old one turns out to be dead.
  // `consistent`: several statements that must see one snapshot (Load) run in a transaction;
  // a single statement runs without BEGIN/COMMIT, one round trip instead of three.
  template <typename T>
  Result<T> Read(const std::function<Result<T>(pqxx::transaction_base&)>& fn,
                 bool consistent = false) {
    std::lock_guard lock(reader_.mu());
    for (int attempt = 0;; ++attempt) {
      SUANLI_ASSIGN_OR_RETURN(pqxx::connection * c, reader_.Get());
      try {
        if (!consistent) {
          pqxx::nontransaction tx(*c);
          return fn(tx);
        }
        // One snapshot for every statement (read committed would give each its own).
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*c);
        Result<T> out = fn(tx);
        tx.commit();
        return out;
      } catch (const std::exception& e) {
        reader_.Drop();
        if (attempt == 0 && IsStaleSession(e)) continue;
        return FromException(uri_, e);
      }
    }
  }

  // While leading (epoch_ > 0): a round trip on the writer session, reconnecting (and reclaiming
  // the lease) once if it died. A controller found deposed stops leading (epoch_ = 0) and the
  // answer is OK: the caller then asks for the lease like any standby.
  Status CheckWriter() {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto c = writer_.Get();
      if (!c.ok()) {
        if (c.status().code() != StatusCode::kFailedPrecondition) return c.status();
        epoch_ = 0;  // deposed (Reclaim said so): no longer leading
        return Status::Ok();
      }
      try {
        pqxx::nontransaction(**c).exec("SELECT 1");
        return Status::Ok();
      } catch (const std::exception& e) {
        writer_.Drop();
        if (attempt == 1) return FromException(uri_, e);
      }
    }
    return Status::Ok();
  }

  // The leader, as the table records it; none before the first controller led.
  static Result<LeaderInfo> ReadLeader(pqxx::transaction_base& tx) {
    if (tx.exec("SELECT to_regclass('suanli_leader') IS NULL")[0][0].as<bool>()) {
      return LeaderInfo{};
    }
    auto r = tx.exec("SELECT epoch, url FROM suanli_leader WHERE id = 1");
    if (r.empty()) return LeaderInfo{};
    return LeaderInfo{false, r[0][0].as<int64_t>(), r[0][1].c_str()};
  }

  // A fresh writer session of a leader: takes the lease back if no other controller has led
  // since, else reports this controller deposed (its in-memory state is no longer the truth).
  Status Reclaim(pqxx::connection& c) {
    if (epoch_ == 0) return Status::Ok();
    try {
      pqxx::nontransaction tx(c);
      bool got =
          tx.exec("SELECT pg_try_advisory_lock(" + std::to_string(kLeaderLockKey) + ")")[0][0]
              .as<bool>();
      SUANLI_ASSIGN_OR_RETURN(LeaderInfo now, ReadLeader(tx));
      if (got && now.epoch == epoch_) return Status::Ok();
      return FailedPrecondition("this controller was deposed: it led " + Where(uri_) +
                                " at epoch " + std::to_string(epoch_) + ", the leader now is " +
                                (now.url.empty() ? "unknown" : now.url) + " at epoch " +
                                std::to_string(now.epoch));
    } catch (const std::exception& e) {
      return FromException(uri_, e);
    }
  }

  static void WriteAll(pqxx::work& tx, const WriteBatch& b) {
    using nlohmann::json;
    std::map<std::string, Rows> rows;
    for (const auto& t : b.tenants) {
      rows["tenants"].Put(t.name, json{{"name", t.name},
                                       {"parent", t.parent},
                                       {"weight", t.weight},
                                       {"quotas", EncodeTenantQuotas(t)},
                                       {"budget", t.budget_accel_hours},
                                       {"created", t.created},
                                       {"budget_period", core::BudgetPeriodName(t.budget_period)}});
    }
    for (const auto& u : b.users) {
      rows["users"].Put(
          u.name,
          json{{"name", u.name}, {"tenant", u.tenant}, {"role", u.role}, {"created", u.created}});
    }
    for (const auto& t : b.tokens) {
      rows["tokens"].Put(std::to_string(t.id), json{{"id", t.id},
                                                    {"user_name", t.user},
                                                    {"sha256", t.sha256_hex},
                                                    {"created", t.created},
                                                    {"revoked", t.revoked}});
    }
    for (const auto& n : b.nodes) {
      rows["nodes"].Put(n.name, json{{"name", n.name},
                                     {"cpus", n.cpus},
                                     {"mem_mb", n.mem_mb},
                                     {"address", n.address},
                                     {"devices", EncodeNodeDevices(n)},
                                     {"draining", n.draining},
                                     {"registered", n.registered}});
    }
    for (const auto& j : b.jobs) {
      json idem = j.spec.idempotency_key.empty() ? json(nullptr) : json(j.spec.idempotency_key);
      rows["jobs"].Put(std::to_string(j.id), json{{"id", j.id},
                                                  {"state", JobStateName(j.state)},
                                                  {"tenant", j.tenant},
                                                  {"user_name", j.user},
                                                  {"submit_time", j.submit_time},
                                                  {"end_time", j.end_time},
                                                  {"active", !IsTerminal(j.state)},
                                                  {"data", EncodeJob(j)},
                                                  {"idem_key", idem}});
    }
    for (const auto& u : b.usage) {
      rows["usage"].Put(std::to_string(u.job_id) + "/" + std::to_string(u.attempt),
                        json{{"job_id", u.job_id},
                             {"attempt", u.attempt},
                             {"tenant", u.tenant},
                             {"user_name", u.user},
                             {"start_time", u.start_time},
                             {"end_time", u.end_time},
                             {"cpu_s", u.cpu_s},
                             {"mem_mb_s", u.mem_mb_s},
                             {"accel_s", EncodeDoubleMap(u.accel_s)},
                             {"cost", u.cost}});
    }
    for (const auto& s : b.samples) {
      rows["samples"].Put(std::to_string(s.time), json{{"time", s.time},
                                                       {"allocated", EncodeDoubleMap(s.allocated)},
                                                       {"total", EncodeDoubleMap(s.total)}});
    }
    for (const auto& [k, v] : b.meta) rows["meta"].Put(k, json{{"key", k}, {"value", v}});
    // Parents before children is not needed (no foreign keys), but a fixed table order keeps
    // the lock order the same for every controller.
    for (const Table& t : kTables) {
      auto it = rows.find(t.name);
      if (it != rows.end() && !it->second.empty()) {
        tx.exec_prepared(std::string("put_") + t.name, it->second.Dump());
      }
    }
    for (const auto& [names, table] :
         {std::pair{&b.deleted_tenants, "tenants"}, std::pair{&b.deleted_users, "users"}}) {
      if (names->empty()) continue;
      tx.exec_params(std::string("DELETE FROM ") + table +
                         " WHERE name IN (SELECT value FROM json_array_elements_text($1::json))",
                     nlohmann::json(*names).dump());
    }
  }

  std::string uri_;
  Session writer_;
  Session reader_;
  int version_ = 0;
  int64_t epoch_ = 0;  // > 0 while leading (guarded by the writer's mutex)
};

}  // namespace

std::string RedactPostgresUri(const std::string& uri) {
  // postgresql://user:password@host... -> postgresql://user@host...
  auto scheme = uri.find("://");
  if (scheme == std::string::npos) return uri;
  auto at = uri.find('@', scheme + 3);
  if (at == std::string::npos) return uri;
  auto colon = uri.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon) + uri.substr(at);
}

Status MigratePostgresForTest(const std::string& uri, int version) {
  try {
    pqxx::connection c(uri);
    return Migrate(c, uri, version);
  } catch (const std::exception& e) {
    return Unavailable("cannot connect to " + Where(uri) + ": " + e.what());
  }
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri) {
  auto store = std::make_unique<PostgresStore>(uri);
  SUANLI_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace suanli::store
