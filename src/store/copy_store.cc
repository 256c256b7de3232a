#include "store/copy_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <limits>

#include "store/codec.h"

namespace suanli::store {
namespace {

// FNV-1a over the stored forms, in a fixed order, so two stores holding the same records give the
// same sum whatever their backend.
class Checksum {
 public:
  void Add(const std::string& s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 1099511628211ull;
    h_ = (h_ ^ 0xff) * 1099511628211ull;  // a separator: "ab","c" differs from "a","bc"
  }
  void Add(double v) { Add(std::to_string(v)); }
  void Add(int64_t v) { Add(std::to_string(v)); }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 1469598103934665603ull;
};

// Every record of the store, in a fixed order, handed to the visitors. Finished jobs are read
// newest first in pages, as the store serves them.
struct Visitor {
  std::function<Status(const Snapshot&)> snapshot;
  std::function<Status(const std::vector<JobRecord>&)> jobs;
  std::function<Status(const std::vector<UsageRecord>&)> usage;
  std::function<Status(const std::vector<UtilizationSample>&)> samples;
};

Status Walk(Store& s, const Visitor& v) {
  SUANLI_ASSIGN_OR_RETURN(Snapshot snap, s.Load());
  SUANLI_RETURN_IF_ERROR(v.snapshot(snap));
  JobQuery q;
  q.limit = 5000;
  while (true) {
    SUANLI_ASSIGN_OR_RETURN(std::vector<JobRecord> page, s.ListJobs(q));
    if (page.empty()) break;
    SUANLI_RETURN_IF_ERROR(v.jobs(page));
    q.before_id = page.back().id;
  }
  SUANLI_ASSIGN_OR_RETURN(std::vector<UsageRecord> usage, s.QueryUsage(UsageQuery{}));
  SUANLI_RETURN_IF_ERROR(v.usage(usage));
  SUANLI_ASSIGN_OR_RETURN(std::vector<UtilizationSample> samples,
                          s.LoadSamples(0, std::numeric_limits<int64_t>::max()));
  return v.samples(samples);
}

// Commits `all` into one field of successive batches, a bounded number of records at a time.
template <typename T>
Status CommitInChunks(Store& to, const std::vector<T>& all, std::vector<T> WriteBatch::*field) {
  constexpr size_t kChunk = 2000;
  for (size_t i = 0; i < all.size(); i += kChunk) {
    WriteBatch b;
    (b.*field).assign(all.begin() + i, all.begin() + std::min(all.size(), i + kChunk));
    SUANLI_RETURN_IF_ERROR(to.Commit(b));
  }
  return Status::Ok();
}

}  // namespace

Result<CopyReport> Inventory(Store& store) {
  CopyReport r;
  Checksum sum;
  Visitor v;
  v.snapshot = [&](const Snapshot& snap) {
    for (const auto& t : snap.tenants) {
      sum.Add(t.name), sum.Add(t.parent), sum.Add(t.weight), sum.Add(EncodeTenantQuotas(t));
      sum.Add(t.budget_accel_hours), sum.Add(t.created);
      sum.Add(std::string(core::BudgetPeriodName(t.budget_period)));
    }
    for (const auto& u : snap.users) sum.Add(u.name), sum.Add(u.tenant), sum.Add(u.role);
    for (const auto& t : snap.tokens) {
      sum.Add(t.id), sum.Add(t.user), sum.Add(t.sha256_hex), sum.Add(t.created);
      sum.Add(int64_t{t.revoked});
    }
    for (const auto& n : snap.nodes) {
      sum.Add(n.name), sum.Add(n.cpus), sum.Add(n.mem_mb), sum.Add(n.address);
      sum.Add(EncodeNodeDevices(n)), sum.Add(int64_t{n.draining}), sum.Add(n.registered);
    }
    for (const auto& [k, val] : snap.meta) sum.Add(k), sum.Add(val);
    r.tenants = static_cast<int64_t>(snap.tenants.size());
    r.users = static_cast<int64_t>(snap.users.size());
    r.tokens = static_cast<int64_t>(snap.tokens.size());
    r.nodes = static_cast<int64_t>(snap.nodes.size());
    r.meta = static_cast<int64_t>(snap.meta.size());
    return Status::Ok();
  };
  v.jobs = [&](const std::vector<JobRecord>& page) {
    for (const auto& j : page) sum.Add(EncodeJob(j));
    r.jobs += static_cast<int64_t>(page.size());
    return Status::Ok();
  };
  v.usage = [&](const std::vector<UsageRecord>& all) {
    for (const auto& u : all) {
      sum.Add(u.job_id), sum.Add(int64_t{u.attempt}), sum.Add(u.tenant), sum.Add(u.user);
      sum.Add(u.start_time), sum.Add(u.end_time), sum.Add(u.cpu_s), sum.Add(u.mem_mb_s);
      sum.Add(EncodeDoubleMap(u.accel_s)), sum.Add(u.cost);
    }
    r.usage = static_cast<int64_t>(all.size());
    return Status::Ok();
  };
  v.samples = [&](const std::vector<UtilizationSample>& all) {
    for (const auto& s : all) {
      sum.Add(s.time), sum.Add(EncodeDoubleMap(s.allocated)), sum.Add(EncodeDoubleMap(s.total));
    }
    r.samples = static_cast<int64_t>(all.size());
    return Status::Ok();
  };
  SUANLI_RETURN_IF_ERROR(Walk(store, v));
  r.source_checksum = r.destination_checksum = sum.value();
  return r;
}

Result<CopyReport> CopyStore(Store& from, Store& to) {
  SUANLI_ASSIGN_OR_RETURN(Snapshot existing, to.Load());
  if (existing.max_job_id > 0 || !existing.tenants.empty() || !existing.users.empty()) {
    return FailedPrecondition(
        "the destination store is not empty (" + std::to_string(existing.tenants.size()) +
        " tenants, " + std::to_string(existing.users.size()) + " users, jobs up to id " +
        std::to_string(existing.max_job_id) + "): migrate into a fresh database");
  }
  SUANLI_ASSIGN_OR_RETURN(CopyReport before, Inventory(from));
  Visitor v;
  v.snapshot = [&](const Snapshot& snap) {
    WriteBatch b;
    b.tenants = snap.tenants;
    b.users = snap.users;
    b.tokens = snap.tokens;
    b.nodes = snap.nodes;
    b.meta = snap.meta;
    return to.Commit(b);  // active jobs come with every job below
  };
  v.jobs = [&](const std::vector<JobRecord>& page) {
    return CommitInChunks(to, page, &WriteBatch::jobs);
  };
  v.usage = [&](const std::vector<UsageRecord>& all) {
    return CommitInChunks(to, all, &WriteBatch::usage);
  };
  v.samples = [&](const std::vector<UtilizationSample>& all) {
    return CommitInChunks(to, all, &WriteBatch::samples);
  };
  SUANLI_RETURN_IF_ERROR(Walk(from, v));
  SUANLI_ASSIGN_OR_RETURN(CopyReport after, Inventory(to));
  after.source_checksum = before.source_checksum;
  return after;
}

Status BackupSqlite(const std::string& db_path, const std::string& backup_path) {
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close = [&] {
    if (dst) sqlite3_close(dst);
    if (src) sqlite3_close(src);
  };
  if (sqlite3_open_v2(db_path.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Status st = Internal("cannot open " + db_path + ": " + sqlite3_errmsg(src));
    close();
    return st;
  }
  if (Status st = MakePrivateSqliteFile(backup_path); !st.ok()) {
    close();
    return st;
  }
  if (sqlite3_open(backup_path.c_str(), &dst) != SQLITE_OK) {
    Status st = Internal("cannot create " + backup_path + ": " + sqlite3_errmsg(dst));
    close();
    return st;
  }
  sqlite3_busy_timeout(src, 5000);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) {
    Status st = Internal("cannot back up " + db_path + ": " + sqlite3_errmsg(dst));
    close();
    return st;
  }
  // Small steps, so the live server's writers are blocked only briefly; a write in between
  // restarts the copy of what changed, as the backup API does.
  int rc;
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  Status st = rc == SQLITE_DONE
                  ? Status::Ok()
                  : Internal("backup of " + db_path + " failed: " + sqlite3_errmsg(dst));
  close();
  return st;
}

}  // namespace suanli::store
