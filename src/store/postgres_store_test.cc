// What only the PostgreSQL store has to show: migrations between controllers that start together,
// a database that goes away and comes back, and clear errors naming the host. The behaviour every
// store shares is in store_test.cc.
#include "store/postgres_store.h"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "pg_test_server.h"
#include "store/store.h"

namespace suanli::store {
namespace {

std::string FreshDatabase() {
  auto uri = pgtest::NewSharedDatabase("pg");
  EXPECT_TRUE(uri.ok()) << uri.status().ToString();
  return uri.ok() ? *uri : "postgresql://unavailable";
}

void Sql(const std::string& uri, const std::string& sql) {
  pqxx::connection c(uri);
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

JobRecord Job(JobId id, JobState state = JobState::kPending) {
  JobRecord j;
  j.id = id;
  j.tenant = "physics";
  j.user = "alice";
  j.state = state;
  j.submit_time = 1000 * id;
  j.spec.name = "job" + std::to_string(id);
  return j;
}

// Opened and leading, so it may commit.
std::unique_ptr<Store> Open(const std::string& uri, const std::string& url = "http://test") {
  auto opened = OpenPostgresStore(uri);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (!opened.ok()) return nullptr;
  auto lead = (*opened)->TryLead(url);
  EXPECT_TRUE(lead.ok() && lead->is_me) << lead.status().ToString();
  return std::move(opened).value();
}

TEST(PostgresStoreTest, SurvivesReopen) {
  std::string uri = FreshDatabase();
  {
    auto store = Open(uri);
    ASSERT_NE(store, nullptr);
    WriteBatch b;
    b.jobs = {Job(1), Job(2, JobState::kCompleted)};
    ASSERT_TRUE(store->Commit(b).ok());
  }
  auto store = Open(uri);
  ASSERT_NE(store, nullptr);
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  ASSERT_EQ(snap->active_jobs.size(), 1u);
  EXPECT_EQ(snap->active_jobs[0].spec.name, "job1");
  EXPECT_EQ(snap->max_job_id, 2);
}

TEST(PostgresStoreTest, MigratesFromVersionOne) {
  std::string uri = FreshDatabase();
  ASSERT_TRUE(MigratePostgresForTest(uri, 1).ok());
  // A v1 row whose idempotency key lives only in the JSON data, as an older binary wrote it.
  Sql(uri,
      "INSERT INTO jobs VALUES (9, 'PENDING', 'physics', 'alice', 1000, -1, TRUE, "
      "'{\"id\":9,\"tenant\":\"physics\",\"user\":\"alice\",\"state\":\"PENDING\","
      "\"spec\":{\"name\":\"old\",\"idem\":\"key-9\"}}')");
  Sql(uri,
      "INSERT INTO tenants VALUES ('physics', 'root', 1.0, '{\"q\":{},\"l\":{}}', 500.0, 1000)");
  auto store = Open(uri);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), kLatestSchemaVersion);
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  ASSERT_EQ(snap->active_jobs.size(), 1u);
  EXPECT_EQ(snap->active_jobs[0].spec.name, "old");
  // v4 kept the old tenant's meaning: a budget that never resets.
  ASSERT_EQ(snap->tenants.size(), 1u);
  EXPECT_EQ(snap->tenants[0].budget_period, core::BudgetPeriod::kTotal);
  // v3 backfilled the idempotency column from the JSON.
  auto found = store->FindByIdempotencyKey("alice", "key-9");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->value_or(-1), 9);
  WriteBatch b;
  b.usage.push_back(UsageRecord{9, 1, "physics", "alice", 0, 10, 1, 1, {{"nvidia-a100", 3}}, 0});
  EXPECT_TRUE(store->Commit(b).ok());
}

TEST(PostgresStoreTest, ControllersStartingTogetherMigrateOnce) {
  std::string uri = FreshDatabase();
  std::vector<Status> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = OpenPostgresStore(uri).status(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
  pqxx::connection c(uri);
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec("SELECT COUNT(*) FROM schema_version")[0][0].as<int>(), 1);
  EXPECT_EQ(tx.exec("SELECT version FROM schema_version")[0][0].as<int>(), kLatestSchemaVersion);
}

TEST(PostgresStoreTest, RejectsNewerSchema) {
  std::string uri = FreshDatabase();
  ASSERT_TRUE(MigratePostgresForTest(uri, kLatestSchemaVersion).ok());
  Sql(uri, "UPDATE schema_version SET version = 99");
  auto opened = OpenPostgresStore(uri);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("newer"), std::string::npos)
      << opened.status().ToString();
}

TEST(PostgresStoreTest, FailedCommitRollsBackAndLaterCommitsWork) {
  std::string uri = FreshDatabase();
  auto store = Open(uri);
  ASSERT_NE(store, nullptr);
  Sql(uri,
      "CREATE FUNCTION reject_two() RETURNS trigger AS $$ BEGIN IF NEW.id = 2 THEN RAISE "
      "EXCEPTION 'job 2 is rejected'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;"
      "CREATE TRIGGER reject_bad BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION reject_two()");
  WriteBatch bad;
  bad.jobs = {Job(1), Job(2)};
  Status st = store->Commit(bad);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("job 2 is rejected"), std::string::npos) << st.ToString();
  WriteBatch good;
  good.jobs = {Job(3)};
  ASSERT_TRUE(store->Commit(good).ok());
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok());
  ASSERT_EQ(snap->active_jobs.size(), 1u);  // job 1 was rolled back with job 2
  EXPECT_EQ(snap->active_jobs[0].id, 3);
}

TEST(PostgresStoreTest, UnreachableDatabaseIsReportedWithItsHost) {
  // Port 1 on loopback: nothing listens there.
  auto opened = OpenPostgresStore("postgresql://suanli:secret@127.0.0.1:1/suanli");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  const std::string& msg = opened.status().message();
  EXPECT_NE(msg.find("127.0.0.1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("postgresql://suanli@127.0.0.1:1/suanli"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("secret"), std::string::npos) << "the password must not be printed: " << msg;
}

TEST(PostgresStoreTest, UnknownDatabaseIsReported) {
  auto server = pgtest::SharedPgTestServer();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto opened = OpenPostgresStore((*server)->Uri("no_such_database"));
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("no_such_database"), std::string::npos)
      << opened.status().ToString();
}

// The database crashes and comes back: while it is down every call fails Unavailable (a commit is
// never reported done), and afterwards the same store object works again without a restart.
TEST(PostgresStoreTest, DatabaseRestartIsSurvived) {
  auto own = pgtest::PgTestServer::Start();
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  auto& server = **own;
  auto uri = server.CreateDatabase("restart");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  auto store = Open(*uri);
  ASSERT_NE(store, nullptr);
  WriteBatch first;
  first.jobs = {Job(1)};
  ASSERT_TRUE(store->Commit(first).ok());

  ASSERT_TRUE(server.Stop().ok());
  WriteBatch during;
  during.jobs = {Job(2)};
  Status st = store->Commit(during);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("127.0.0.1"), std::string::npos) << st.ToString();
  EXPECT_FALSE(store->GetJob(1).ok());

  ASSERT_TRUE(server.StartAgain().ok());
  WriteBatch after;
  after.jobs = {Job(3)};
  st = store->Commit(after);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto snap = store->Load();
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  std::vector<JobId> ids;
  for (const auto& j : snap->active_jobs) ids.push_back(j.id);
  EXPECT_EQ(ids, (std::vector<JobId>{1, 3}));  // job 2 was refused, not half-written
}

// One leader at a time; a standby learns who leads; the leader's death hands the lease over with
// a new epoch; and the deposed leader, once its session is gone, can never commit again.
TEST(PostgresLeadershipTest, OneLeaderAtATimeAndTheDeposedNeverCommits) {
  std::string uri = FreshDatabase();
  auto a = Open(uri, "http://a:8080");
  ASSERT_NE(a, nullptr);
  auto b_opened = OpenPostgresStore(uri);
  ASSERT_TRUE(b_opened.ok());
  auto& b = *b_opened;
  auto standby = b->TryLead("http://b:8080");
  ASSERT_TRUE(standby.ok()) << standby.status().ToString();
  EXPECT_FALSE(standby->is_me);
  EXPECT_EQ(standby->url, "http://a:8080");
  EXPECT_EQ(standby->epoch, 1);
  WriteBatch refused;
  refused.jobs = {Job(1)};
  Status st = b->Commit(refused);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();

  // The leader's sessions end (its process died): the standby takes over at epoch 2.
  WriteBatch by_a;
  by_a.jobs = {Job(2)};
  ASSERT_TRUE(a->Commit(by_a).ok());
  const std::string holders =
      " FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM "
      "pg_database WHERE datname = current_database()) AND objid = " +
      std::to_string(0x5375616e6c6a & 0xffffffff);
  Sql(uri, "SELECT pg_terminate_backend(pid)" + holders);
  // pg_terminate_backend only signals the backend: wait until the lock is really gone.
  for (int i = 0; i < 500; ++i) {
    pqxx::connection c(uri);
    pqxx::nontransaction tx(c);
    if (tx.exec("SELECT COUNT(*)" + holders)[0][0].as<int>() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto lead = b->TryLead("http://b:8080");
  ASSERT_TRUE(lead.ok()) << lead.status().ToString();
  EXPECT_TRUE(lead->is_me);
  EXPECT_EQ(lead->epoch, 2);
  WriteBatch by_b;
  by_b.jobs = {Job(3)};
  EXPECT_TRUE(b->Commit(by_b).ok());

  // The old leader reconnects: it may not commit, and says who leads now.
  WriteBatch late;
  late.jobs = {Job(4)};
  st = a->Commit(late);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("deposed"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("http://b:8080"), std::string::npos) << st.ToString();
  auto snap = b->Load();
  ASSERT_TRUE(snap.ok());
  std::vector<JobId> ids;
  for (const auto& j : snap->active_jobs) ids.push_back(j.id);
  EXPECT_EQ(ids, (std::vector<JobId>{2, 3}));
}

TEST(OpenStoreTest, UriPicksTheBackend) {
  EXPECT_TRUE(ValidateStoreUri("").ok());
  EXPECT_TRUE(ValidateStoreUri("sqlite:/var/lib/suanli/suanli.db").ok());
  EXPECT_TRUE(ValidateStoreUri("postgresql://suanli@db:5432/suanli").ok());
  EXPECT_TRUE(ValidateStoreUri("postgres://suanli@db/suanli").ok());
  Status bad = ValidateStoreUri("mysql://db/suanli");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("mysql://db/suanli"), std::string::npos) << bad.ToString();
  EXPECT_NE(bad.message().find("postgresql://"), std::string::npos) << bad.ToString();
}

TEST(OpenStoreTest, PostgresUriOpensPostgres) {
  std::string uri = FreshDatabase();
  auto store = OpenStore(uri, "/nonexistent/never-used.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->TryLead("http://test").ok());
  WriteBatch b;
  b.jobs = {Job(5)};
  ASSERT_TRUE((*store)->Commit(b).ok());
  pqxx::connection c(uri);
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec("SELECT COUNT(*) FROM jobs")[0][0].as<int>(), 1);
}

TEST(RedactTest, PasswordIsRemoved) {
  EXPECT_EQ(RedactPostgresUri("postgresql://u:p@h:5/d"), "postgresql://u@h:5/d");
  EXPECT_EQ(RedactPostgresUri("postgresql://u@h:5/d"), "postgresql://u@h:5/d");
  EXPECT_EQ(RedactPostgresUri("postgresql://h:5/d"), "postgresql://h:5/d");
}

}  // namespace
}  // namespace suanli::store
