// One suite, run against both the SQLite store and the in-memory fake.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "pg_test_server.h"
#include "store/codec.h"
#include "store/copy_store.h"
#include "store/sqlite_store.h"

namespace suanli::store {
namespace {

namespace fs = std::filesystem;

std::string TempDbPath() {
  static int n = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("suanli-store-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return (dir / "suanli.db").string();
}

struct SqliteFactory {
  std::string path = TempDbPath();
  std::unique_ptr<Store> Open() {
    auto s = OpenSqliteStore(path, false);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  static constexpr bool kDurable = true;
};

// Each test gets its own database on one throw-away PostgreSQL server shared by the binary.
struct PostgresFactory {
  std::string uri = NewDatabase();
  static std::string NewDatabase() {
    auto uri = pgtest::NewSharedDatabase("store");
    EXPECT_TRUE(uri.ok()) << uri.status().ToString();
    return uri.ok() ? *uri : "postgresql://unavailable";
  }
  std::unique_ptr<Store> Open() {
    auto s = OpenPostgresStore(uri);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return NewMemoryStore();      // keeps the test running to report the failure
    auto lead = (*s)->TryLead("http://test");  // only the leader may commit
    EXPECT_TRUE(lead.ok() && lead->is_me) << lead.status().ToString();
    return std::move(s).value();
  }
  static constexpr bool kDurable = true;
};

struct MemoryFactory {
  std::unique_ptr<Store> Open() { return NewMemoryStore(); }
  static constexpr bool kDurable = false;
};

JobRecord MakeJob(JobId id, JobState state, const std::string& tenant, const std::string& user) {
  JobRecord j;
  j.id = id;
  j.tenant = tenant;
  j.user = user;
  j.state = state;
  j.submit_time = 1000 * id;
  j.spec.name = "job" + std::to_string(id);
  j.spec.command = {"python", "train.py"};
  j.spec.main.gpus = 2;
  j.spec.main.gpu_type = "nvidia-a100";
  j.history.push_back({JobState::kPending, j.submit_time, "submitted"});
  if (IsTerminal(state)) j.end_time = j.submit_time + 500;
  return j;
}

template <typename F>
class StoreTest : public ::testing::Test {
 protected:
  F factory;
};

using Factories = ::testing::Types<SqliteFactory, PostgresFactory, MemoryFactory>;
TYPED_TEST_SUITE(StoreTest, Factories);

TYPED_TEST(StoreTest, EmptyStoreLoadsNothing) {
  auto store = this->factory.Open();
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->active_jobs.empty());
  EXPECT_EQ(snap->max_job_id, 0);
  EXPECT_EQ(store->schema_version(), kLatestSchemaVersion);
}

TYPED_TEST(StoreTest, JobRoundTripsEveryField) {
  auto store = this->factory.Open();
  JobRecord j = MakeJob(7, JobState::kRunning, "physics", "alice");
  j.spec.script = "#!/bin/bash\necho hi";
  j.spec.env = {{"K", "V"}};
  j.spec.shapes.push_back(ShapeSpec{1, 8, 524288, 4, "ascend-910b", 0.55});
  j.spec.idempotency_key = "k1";
  j.spec.time_limit_s = 3600;
  j.spec.preemptible = false;
  j.spec.array = ArrayTask{9, 4, 10, 2, "0-9%2"};
  j.spec.dependency = "afterok:3?afternotok:4";
  j.spec.begin_time = 1'800'000'000'000;
  j.spec.held = true;
  j.spec.workdir = "/srv/data/run1";
  j.attempt = 2;
  j.start_time = 9000;
  j.exit_code = 3;
  j.failed_task = 1;
  j.cost = 1.25;
  j.attained_service_ms = 12500.5;
  j.ran_ms = 9000;
  TaskPlacement t;
  t.task = 0;
  t.node = "node-a";
  t.devices = {0, 1};
  t.cpus = 1;
  t.mem_mb = 1024;
  t.accel_milli = 2000;
  t.gpu_type = "nvidia-a100";
  t.started = true;
  j.placement.push_back(t);
  j.history.push_back({JobState::kStarting, 9000, "placed on node-a"});
  WriteBatch b;
  b.jobs.push_back(j);
  ASSERT_TRUE(store->Commit(b).ok());

  auto got = store->GetJob(7);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const JobRecord& g = **got;
  EXPECT_EQ(g.tenant, "physics");
  EXPECT_EQ(g.spec.script, "#!/bin/bash\necho hi");
  EXPECT_EQ(g.spec.env.at("K"), "V");
  ASSERT_EQ(g.spec.shapes.size(), 1u);
  EXPECT_EQ(g.spec.shapes[0].gpu_type, "ascend-910b");
  EXPECT_DOUBLE_EQ(g.spec.shapes[0].speed, 0.55);
  EXPECT_EQ(g.spec.main.gpus, 2);
  EXPECT_FALSE(g.spec.preemptible);
  EXPECT_EQ(g.spec.array, (ArrayTask{9, 4, 10, 2, "0-9%2"}));
  EXPECT_EQ(g.spec.dependency, "afterok:3?afternotok:4");
  EXPECT_EQ(g.spec.begin_time, 1'800'000'000'000);
  EXPECT_TRUE(g.spec.held);
  EXPECT_EQ(g.spec.workdir, "/srv/data/run1");
  EXPECT_EQ(g.attempt, 2);
  EXPECT_EQ(g.exit_code, 3);
  EXPECT_FALSE(g.signal.has_value());
  EXPECT_EQ(g.failed_task, 1);
  EXPECT_DOUBLE_EQ(g.cost, 1.25);
  EXPECT_DOUBLE_EQ(g.attained_service_ms, 12500.5);
  EXPECT_EQ(g.ran_ms, 9000);
  ASSERT_EQ(g.placement.size(), 1u);
  EXPECT_EQ(g.placement[0].devices, (std::vector<int32_t>{0, 1}));
  EXPECT_TRUE(g.placement[0].started);
  ASSERT_EQ(g.history.size(), 2u);
  EXPECT_EQ(g.history[1].state, JobState::kStarting);
  EXPECT_EQ(g.history[1].reason, "placed on node-a");

  auto missing = store->GetJob(8);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TYPED_TEST(StoreTest, LoadReturnsOnlyActiveJobsAndMaxId) {
  auto store = this->factory.Open();
  WriteBatch b;
  b.jobs.push_back(MakeJob(1, JobState::kCompleted, "t", "u"));
  b.jobs.push_back(MakeJob(2, JobState::kPending, "t", "u"));
  b.jobs.push_back(MakeJob(3, JobState::kRunning, "t", "u"));
  b.jobs.push_back(MakeJob(4, JobState::kCancelled, "t", "u"));
  ASSERT_TRUE(store->Commit(b).ok());
  // A later batch finishes job 2: it must leave the active set.
  WriteBatch b2;
  b2.jobs.push_back(MakeJob(2, JobState::kFailed, "t", "u"));
  ASSERT_TRUE(store->Commit(b2).ok());
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->active_jobs.size(), 1u);
  EXPECT_EQ(snap->active_jobs[0].id, 3);
  EXPECT_EQ(snap->max_job_id, 4);
}

TYPED_TEST(StoreTest, ListJobsFiltersAndOrdersNewestFirst) {
  auto store = this->factory.Open();
  WriteBatch b;
  b.jobs.push_back(MakeJob(1, JobState::kCompleted, "physics", "alice"));
  b.jobs.push_back(MakeJob(2, JobState::kPending, "physics", "bob"));
  b.jobs.push_back(MakeJob(3, JobState::kCompleted, "chem", "carol"));
  b.jobs.push_back(MakeJob(4, JobState::kFailed, "physics", "alice"));
  ASSERT_TRUE(store->Commit(b).ok());

  JobQuery q;
  q.states = {JobState::kCompleted, JobState::kFailed};
  q.tenants = {"physics"};
  auto r = store->ListJobs(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, 4);
  EXPECT_EQ((*r)[1].id, 1);

  JobQuery by_user;
  by_user.user = "alice";
  by_user.limit = 1;
  r = store->ListJobs(by_user);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].id, 4);

  JobQuery paged;
  paged.before_id = 3;
  r = store->ListJobs(paged);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, 2);
}

TYPED_TEST(StoreTest, IdempotencyKeyIsPerUser) {
  auto store = this->factory.Open();
  WriteBatch b;
  JobRecord j = MakeJob(5, JobState::kCompleted, "t", "alice");
  j.spec.idempotency_key = "k1";
  b.jobs.push_back(j);
  ASSERT_TRUE(store->Commit(b).ok());
  auto found = store->FindByIdempotencyKey("alice", "k1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->value_or(-1), 5);
  auto other = store->FindByIdempotencyKey("bob", "k1");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TYPED_TEST(StoreTest, DeletedTenantsAndUsersAreGoneAndTheirJobsStay) {
  auto store = this->factory.Open();
  WriteBatch b;
  for (const char* name : {"physics", "chem", "bio"}) {
    TenantRecord t;
    t.name = name;
    t.parent = "root";
    b.tenants.push_back(t);
  }
  b.jobs.push_back(MakeJob(1, JobState::kCompleted, "chem", "carol"));
  b.users.push_back(UserRecord{"carol", "chem", "member", 1});
  b.users.push_back(UserRecord{"dave", "bio", "member", 1});
  ASSERT_TRUE(store->Commit(b).ok());
  WriteBatch del;
  del.deleted_users = {"carol"};
  TenantRecord late;
  late.name = "geo";
  del.tenants.push_back(late);  // created and deleted in one batch: deleted
  del.deleted_tenants = {"chem", "geo", "never-existed"};
  ASSERT_TRUE(store->Commit(del).ok());
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  std::vector<std::string> names;
  for (const auto& t : snap->tenants) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"bio", "physics"}));
  ASSERT_EQ(snap->users.size(), 1u);
  EXPECT_EQ(snap->users[0].name, "dave");
  auto job = store->GetJob(1);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->tenant, "chem");
}

TYPED_TEST(StoreTest, ManyIdempotencyKeysInOneLookup) {
  auto store = this->factory.Open();
  WriteBatch b;
  for (JobId id : {11, 12, 13}) {
    JobRecord j = MakeJob(id, id == 12 ? JobState::kCompleted : JobState::kPending, "t",
                          id == 13 ? "bob" : "alice");
    j.spec.idempotency_key = "k" + std::to_string(id);
    b.jobs.push_back(j);
  }
  // A second job with an existing key (possible before keys were checked): the lowest id wins,
  // as FindByIdempotencyKey answers.
  JobRecord again = MakeJob(14, JobState::kPending, "t", "alice");
  again.spec.idempotency_key = "k11";
  b.jobs.push_back(again);
  ASSERT_TRUE(store->Commit(b).ok());
  auto found = store->FindByIdempotencyKeys(
      {{"alice", "k11"}, {"alice", "k12"}, {"alice", "k13"}, {"bob", "k13"}, {"carol", "zz"}});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  std::map<Store::UserKey, JobId> want = {
      {{"alice", "k11"}, 11}, {{"alice", "k12"}, 12}, {{"bob", "k13"}, 13}};
  EXPECT_EQ(*found, want);
  auto none = store->FindByIdempotencyKeys({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(StoreTest, TenantsUsersTokensNodesMetaRoundTrip) {
  auto store = this->factory.Open();
  WriteBatch b;
  TenantRecord t{"physics",       "uni", 2.0, {{"nvidia-a100", 8}, {"cpus", 64}},
                 {{"cpus", 128}}, 1000,  5};
  t.budget_period = core::BudgetPeriod::kWeek;
  b.tenants.push_back(t);
  TenantRecord daily{"chem", "", 1.0, {}, {}, 24, 8};
  daily.budget_period = core::BudgetPeriod::kDay;
  b.tenants.push_back(daily);
  b.users.push_back(UserRecord{"alice", "physics", "member", 6});
  b.tokens.push_back(TokenRecord{3, "alice", "abc123", 7, false});
  NodeRecord n;
  n.name = "node-a";
  n.cpus = 16;
  n.mem_mb = 64000;
  n.address = "127.0.0.1";
  n.devices.push_back(DeviceRecord{0, "nvidia-a100", "GPU-1", 81920, 0});
  b.nodes.push_back(n);
  b.meta["join_token_sha256"] = "ff";
  ASSERT_TRUE(store->Commit(b).ok());
  WriteBatch revoke;
  revoke.tokens.push_back(TokenRecord{3, "alice", "abc123", 7, true});
  ASSERT_TRUE(store->Commit(revoke).ok());

  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->tenants.size(), 2u);  // by name
  EXPECT_EQ(snap->tenants[0].name, "chem");
  EXPECT_EQ(snap->tenants[0].budget_period, core::BudgetPeriod::kDay);
  EXPECT_DOUBLE_EQ(snap->tenants[0].budget_accel_hours, 24);
  EXPECT_EQ(snap->tenants[1].parent, "uni");
  EXPECT_DOUBLE_EQ(snap->tenants[1].weight, 2.0);
  EXPECT_DOUBLE_EQ(snap->tenants[1].quota.at("nvidia-a100"), 8);
  EXPECT_DOUBLE_EQ(snap->tenants[1].limit.at("cpus"), 128);
  EXPECT_DOUBLE_EQ(snap->tenants[1].budget_accel_hours, 1000);
  EXPECT_EQ(snap->tenants[1].budget_period, core::BudgetPeriod::kWeek);
  ASSERT_EQ(snap->users.size(), 1u);
  EXPECT_EQ(snap->users[0].role, "member");
  ASSERT_EQ(snap->tokens.size(), 1u);
  EXPECT_TRUE(snap->tokens[0].revoked);
  ASSERT_EQ(snap->nodes.size(), 1u);
  ASSERT_EQ(snap->nodes[0].devices.size(), 1u);
  EXPECT_EQ(snap->nodes[0].devices[0].uuid, "GPU-1");
  EXPECT_EQ(snap->meta.at("join_token_sha256"), "ff");
}

TYPED_TEST(StoreTest, UsageQueriesByTimeTenantAndUser) {
  auto store = this->factory.Open();
  WriteBatch b;
  b.usage.push_back(
      UsageRecord{1, 1, "physics", "alice", 0, 1000, 10, 100, {{"nvidia-a100", 5}}, 1.5});
  b.usage.push_back(UsageRecord{2, 1, "chem", "carol", 0, 2000, 20, 200, {}, 0.5});
  b.usage.push_back(
      UsageRecord{1, 2, "physics", "alice", 1500, 3000, 30, 300, {{"nvidia-a100", 7}}, 2.5});
  ASSERT_TRUE(store->Commit(b).ok());
  auto all = store->QueryUsage({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].attempt, 2);
  EXPECT_DOUBLE_EQ((*all)[2].accel_s.at("nvidia-a100"), 7);

  UsageQuery q;
  q.tenants = {"physics"};
  q.since = 1000;
  q.until = 3000;
  auto some = store->QueryUsage(q);
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->size(), 1u);
  EXPECT_EQ((*some)[0].end_time, 1000);

  UsageQuery by_user;
  by_user.user = "carol";
  auto carol = store->QueryUsage(by_user);
  ASSERT_TRUE(carol.ok());
  ASSERT_EQ(carol->size(), 1u);
  EXPECT_DOUBLE_EQ((*carol)[0].cost, 0.5);
}

TYPED_TEST(StoreTest, SamplesReturnNewestWithinLimitInTimeOrder) {
  auto store = this->factory.Open();
  WriteBatch b;
  for (int i = 1; i <= 5; ++i) {
    b.samples.push_back(
        UtilizationSample{i * 100, {{"nvidia-a100", double(i)}}, {{"nvidia-a100", 8}}});
  }
  ASSERT_TRUE(store->Commit(b).ok());
  auto s = store->LoadSamples(200, 3);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].time, 300);
  EXPECT_EQ((*s)[2].time, 500);
  EXPECT_DOUBLE_EQ((*s)[2].allocated.at("nvidia-a100"), 5);
}

TEST(CodecTest, JobRecordWrittenBeforeRanMsWasKeptLoadsWithZero) {
  // A record as written before "ran" existed: service received but no run time.
  auto old = DecodeJob(
      "{\"id\":4,\"tenant\":\"t\",\"user\":\"u\",\"state\":\"PENDING\",\"served\":7000.0,"
      "\"spec\":{\"name\":\"old\"}}");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_DOUBLE_EQ(old->attained_service_ms, 7000.0);
  EXPECT_EQ(old->ran_ms, 0);
  // And what is written now carries it.
  JobRecord j = MakeJob(5, JobState::kPending, "t", "u");
  j.ran_ms = 123456789012;
  auto back = DecodeJob(EncodeJob(j));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ran_ms, 123456789012);
}

TEST(CodecTest, AdvanceSignalRoundTripsAndIsAbsentFromOlderRecords) {
  JobRecord j = MakeJob(6, JobState::kPending, "t", "u");
  j.spec.advance_signal = {10, 120, true};
  auto back = DecodeJob(EncodeJob(j));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->spec.advance_signal, (AdvanceSignal{10, 120, true}));
  auto none = DecodeJob(EncodeJob(MakeJob(7, JobState::kPending, "t", "u")));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->spec.advance_signal.number, 0) << "no signal unless asked";
}

TEST(CodecTest, OutputFilesRoundTripAndAreAbsentFromOlderRecords) {
  JobRecord j = MakeJob(8, JobState::kPending, "t", "u");
  j.spec.output_files = {"/home/u/logs/%x-%j.out", "/home/u/logs/%x-%j.err", true};
  auto back = DecodeJob(EncodeJob(j));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->spec.output_files, j.spec.output_files);
  auto none = DecodeJob(EncodeJob(MakeJob(9, JobState::kPending, "t", "u")));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->spec.output_files.empty()) << "no files unless asked";
}

TEST(SqliteStoreTest, SurvivesReopen) {
  SqliteFactory f;
  {
    auto store = f.Open();
    WriteBatch b;
    b.jobs.push_back(MakeJob(1, JobState::kPending, "t", "u"));
    b.jobs.push_back(MakeJob(2, JobState::kCompleted, "t", "u"));
    ASSERT_TRUE(store->Commit(b).ok());
  }
  auto store = f.Open();
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->active_jobs.size(), 1u);
  EXPECT_EQ(snap->active_jobs[0].spec.name, "job1");
  EXPECT_EQ(snap->max_job_id, 2);
}

int ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

// The database holds token hashes and every job's env: the file and its -wal and -shm are 0600,
// whatever the umask, for new databases, for those older binaries left 0644, and for backups.
TEST(SqliteStoreTest, DatabaseWalShmAndBackupsArePrivate) {
  const mode_t old_umask = ::umask(022);
  const std::string path = TempDbPath();
  {
    auto store = OpenSqliteStore(path, false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteBatch b;
    b.jobs.push_back(MakeJob(1, JobState::kPending, "t", "u"));
    ASSERT_TRUE((*store)->Commit(b).ok());
    // While it is open the WAL and the shared memory exist.
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);

    const std::string backup = fs::path(path).parent_path() / "backup.db";
    ASSERT_TRUE(BackupSqlite(path, backup).ok());
    EXPECT_EQ(ModeOf(backup), 0600);
    auto copy = OpenSqliteStore(backup, false);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    EXPECT_EQ((*copy)->Load()->active_jobs.size(), 1u);
  }
  // As an older binary left it: world-readable files, made private on the next open.
  for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
    if (ModeOf(f) >= 0) ::chmod(f.c_str(), 0644);  // SQLite removed -wal and -shm on close
  }
  {
    auto store = OpenSqliteStore(path, false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);
    EXPECT_EQ((*store)->Load()->active_jobs.size(), 1u);
  }
  ::umask(old_umask);
}

// A database at schema `version` with `sql` run on it, as an older binary left it.
std::string OldDatabase(int version, const std::string& sql) {
  std::string path = TempDbPath();
  EXPECT_TRUE(MigrateSqliteForTest(path, version).ok());
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
  return path;
}

// Opens `path` with this binary, which migrates it to the latest schema.
std::unique_ptr<Store> OpenMigrated(const std::string& path) {
  auto opened = OpenSqliteStore(path, false);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return nullptr;
  EXPECT_EQ((*opened)->schema_version(), kLatestSchemaVersion);
  return std::move(opened).value();
}

TEST(SqliteStoreTest, MigratesFromVersionOne) {
  // A v1 database with one job row whose idempotency key lives only in the JSON data.
  auto store = OpenMigrated(
      OldDatabase(1,
                  "INSERT INTO jobs VALUES (9, 'PENDING', 'physics', 'alice', 1000, -1, 1, "
                  "'{\"id\":9,\"tenant\":\"physics\",\"user\":\"alice\",\"state\":\"PENDING\","
                  "\"spec\":{\"name\":\"old\",\"idem\":\"key-9\"}}')"));
  ASSERT_NE(store, nullptr);
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->active_jobs.size(), 1u);
  EXPECT_EQ(snap->active_jobs[0].spec.name, "old");
  // v3 backfilled the idempotency column from the JSON.
  auto found = store->FindByIdempotencyKey("alice", "key-9");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->value_or(-1), 9);
  // Tables from v2 exist and work.
  WriteBatch b;
  b.usage.push_back(UsageRecord{9, 1, "physics", "alice", 0, 10, 1, 1, {}, 0});
  EXPECT_TRUE(store->Commit(b).ok());
}

// A database written before budgets had periods (schema v3): its tenants keep their old meaning,
// a budget that never resets; tenants written afterwards keep the period they were given.
TEST(SqliteStoreTest, TenantsFromBeforeBudgetPeriodsLoadWithTotal) {
  // The v3 tenants table (shipped migrations 1-3) and a row of its shape: six columns, no period
  // (this insert would fail against a v4 table).
  auto store = OpenMigrated(OldDatabase(3,
                                        "INSERT INTO tenants VALUES ('physics', 'root', 1.0, "
                                        "'{\"q\":{},\"l\":{}}', 500.0, 1000)"));
  ASSERT_NE(store, nullptr);
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  ASSERT_EQ(snap->tenants.size(), 1u);
  EXPECT_EQ(snap->tenants[0].name, "physics");
  EXPECT_DOUBLE_EQ(snap->tenants[0].budget_accel_hours, 500);
  EXPECT_EQ(snap->tenants[0].budget_period, core::BudgetPeriod::kTotal);

  WriteBatch b;
  TenantRecord chem;
  chem.name = "chem";
  chem.budget_period = core::BudgetPeriod::kDay;
  b.tenants.push_back(chem);
  ASSERT_TRUE(store->Commit(b).ok());
  snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->tenants.size(), 2u);
  EXPECT_EQ(snap->tenants[0].budget_period, core::BudgetPeriod::kDay);
  EXPECT_EQ(snap->tenants[1].budget_period, core::BudgetPeriod::kTotal);
}

// A period this binary does not know is reported, not silently read as some other period.
TEST(SqliteStoreTest, UnknownStoredBudgetPeriodIsAnError) {
  SqliteFactory f;
  {
    auto store = f.Open();
    WriteBatch b;
    TenantRecord t;
    t.name = "physics";
    b.tenants.push_back(t);
    ASSERT_TRUE(store->Commit(b).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(f.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db, "UPDATE tenants SET budget_period = 'fortnight'", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto snap = f.Open()->Load();
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("unknown budget period 'fortnight'"), std::string::npos)
      << snap.status().ToString();
}

TEST(SqliteStoreTest, RejectsNewerSchema) {
  std::string path = TempDbPath();
  ASSERT_TRUE(MigrateSqliteForTest(path, kLatestSchemaVersion).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto opened = OpenSqliteStore(path, false);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("newer"), std::string::npos);
}

}  // namespace
}  // namespace suanli::store

namespace suanli::store {
namespace {

// A batch that fails part-way is rolled back as a whole, and the store stays usable: the next
// Commit (a fresh BEGIN) succeeds. A trigger added through a second connection makes one insert
// violate a constraint, as a full disk or a corrupt row would.
TEST(SqliteStoreTest, FailedCommitRollsBackAndLaterCommitsWork) {
  SqliteFactory f;
  auto store = f.Open();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(f.path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db,
                          "CREATE TRIGGER reject_bad BEFORE INSERT ON jobs WHEN NEW.id = 2 "
                          "BEGIN SELECT RAISE(ABORT, 'job 2 is rejected'); END;",
                          nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  WriteBatch bad;
  bad.jobs.push_back(MakeJob(1, JobState::kPending, "t", "u"));
  bad.jobs.push_back(MakeJob(2, JobState::kPending, "t", "u"));
  Status st = store->Commit(bad);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("job 2 is rejected"), std::string::npos) << st.ToString();

  WriteBatch good;
  good.jobs.push_back(MakeJob(3, JobState::kPending, "t", "u"));
  ASSERT_TRUE(store->Commit(good).ok());
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->active_jobs.size(), 1u);  // job 1 was rolled back with job 2
  EXPECT_EQ(snap->active_jobs[0].id, 3);
  // And the same holds after a reopen (nothing half-written reached the file).
  store.reset();
  auto again = f.Open()->Load();
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->active_jobs.size(), 1u);
  EXPECT_EQ(again->active_jobs[0].id, 3);
}

}  // namespace
}  // namespace suanli::store
