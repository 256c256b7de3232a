#pragma once
// The controller's durable state behind one interface. The SQLite implementation (sqlite_store.h)
// and an in-memory fake (memory_store.h) pass the same test suite, so another backend (PostgreSQL)
// can follow without touching the server.
//
// Writes arrive as a WriteBatch that is committed atomically: the server groups the changes of
// many requests into one batch (group commit) and acknowledges them only after Commit returns OK.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/status.h"
#include "store/records.h"

namespace suanli::store {

// Everything written by one group commit. Upserts are keyed by the record's identity
// (tenant/user/node name, token id, job id, usage (job id, attempt), sample time, meta key).
struct WriteBatch {
  std::vector<TenantRecord> tenants;
  std::vector<UserRecord> users;
  std::vector<TokenRecord> tokens;
  std::vector<NodeRecord> nodes;
  std::vector<JobRecord> jobs;
  std::vector<UsageRecord> usage;
  std::vector<UtilizationSample> samples;
  std::map<std::string, std::string> meta;
  // Tenants and users removed (after the upserts above); their finished jobs and usage records
  // stay.
  std::vector<std::string> deleted_tenants;
  std::vector<std::string> deleted_users;

  bool empty() const {
    return tenants.empty() && users.empty() && tokens.empty() && nodes.empty() && jobs.empty() &&
           usage.empty() && samples.empty() && meta.empty() && deleted_tenants.empty() &&
           deleted_users.empty();
  }
  size_t size() const {
    return tenants.size() + users.size() + tokens.size() + nodes.size() + jobs.size() +
           usage.size() + samples.size() + meta.size() + deleted_tenants.size() +
           deleted_users.size();
  }
};

// What the server loads on start: everything except finished jobs, which stay in the store and
// are read on demand (so a million finished jobs cost no controller memory).
struct Snapshot {
  std::vector<TenantRecord> tenants;
  std::vector<UserRecord> users;
  std::vector<TokenRecord> tokens;
  std::vector<NodeRecord> nodes;
  std::vector<JobRecord> active_jobs;  // state not terminal, ordered by id
  std::map<std::string, std::string> meta;
  JobId max_job_id = 0;  // highest id ever stored (ids are never reused)
};

struct JobQuery {
  std::vector<JobState> states;      // empty = any
  std::vector<std::string> tenants;  // empty = any
  std::string user;                  // empty = any
  JobId before_id = 0;               // > 0: only ids below this (paging); 0 = no bound
  int64_t limit = 1000;
};

struct UsageQuery {
  std::vector<std::string> tenants;  // empty = any
  std::string user;                  // empty = any
  TimeMs since = 0;                  // attempt end time >= since
  TimeMs until = 0;                  // attempt end time < until; 0 = no bound
};

// Who leads the controllers sharing a store. `epoch` grows by one with every change of leader;
// `url` is where the leader serves.
struct LeaderInfo {
  bool is_me = false;
  int64_t epoch = 0;
  std::string url;
};

class Store {
 public:
  virtual ~Store() = default;
  // Makes this controller the leader if no other one is: only the leader may Commit. A store that
  // one controller alone can open (SQLite behind the data dir's lock, the in-memory fake) always
  // answers is_me. On PostgreSQL the lease is a lock held by the session every commit runs on, so
  // a leader whose session is lost can never commit again once another controller took over.
  virtual Result<LeaderInfo> TryLead(const std::string& my_url) {
    return LeaderInfo{true, 1, my_url};
  }
  virtual Status Commit(const WriteBatch& batch) = 0;
  virtual Result<Snapshot> Load() = 0;
  virtual Result<std::optional<JobRecord>> GetJob(JobId id) = 0;
  // Newest first (id descending).
  virtual Result<std::vector<JobRecord>> ListJobs(const JobQuery& query) = 0;
  // The job a user already submitted with this idempotency key, if any.
  virtual Result<std::optional<JobId>> FindByIdempotencyKey(const std::string& user,
                                                            const std::string& key) = 0;
  // The same for many (user, key) pairs at once: what a batch of submissions needs, in one round
  // trip where the store is remote. Pairs without a job are absent from the result.
  using UserKey = std::pair<std::string, std::string>;
  virtual Result<std::map<UserKey, JobId>> FindByIdempotencyKeys(const std::vector<UserKey>& keys) {
    std::map<UserKey, JobId> out;
    for (const auto& k : keys) {
      SUANLI_ASSIGN_OR_RETURN(std::optional<JobId> id, FindByIdempotencyKey(k.first, k.second));
      if (id) out[k] = *id;
    }
    return out;
  }
  // Ordered by (end_time, job_id, attempt).
  virtual Result<std::vector<UsageRecord>> QueryUsage(const UsageQuery& query) = 0;
  // Ordered by time; at most `limit` newest samples at or after `since`.
  virtual Result<std::vector<UtilizationSample>> LoadSamples(TimeMs since, int64_t limit) = 0;
  virtual int schema_version() const = 0;
};

// The latest schema version the SQLite store migrates to.
inline constexpr int kLatestSchemaVersion = 4;

// Opens DATA_DIR/suanli.db (creating and migrating it). `synchronous_full`: fsync every commit.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               bool synchronous_full = true);
// Creates the SQLite file `path` if it is missing and makes it, and its -wal and -shm, 0600 (the
// database holds token hashes and every job's env; SQLite gives new -wal and -shm files the
// database's mode). OpenSqliteStore and BackupSqlite call it; ":memory:" and "" are left alone.
Status MakePrivateSqliteFile(const std::string& path);
std::unique_ptr<Store> NewMemoryStore();
// Connects to a PostgreSQL database (creating and migrating the schema). Several controllers may
// open the same database; migrations are serialized between them.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& uri);

// Opens the store a URI names: `sqlite:PATH`, or `postgresql://USER@HOST:PORT/DB` (also
// `postgres://`, and any libpq URI parameters). An empty URI, or `sqlite:` with no path, is the
// SQLite file `default_sqlite_path`.
Result<std::unique_ptr<Store>> OpenStore(const std::string& uri,
                                         const std::string& default_sqlite_path);
// Whether `uri` names a store OpenStore knows (checks the form only, connects to nothing).
Status ValidateStoreUri(const std::string& uri);

}  // namespace suanli::store
