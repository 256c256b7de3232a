// Submission through the Controller itself, without HTTP: what holds within one commit group.
#include <gtest/gtest.h>

#include "server/controller.h"
#include "store/store.h"

namespace suanli::server {
namespace {

TEST(ControllerSubmitTest, ARetryWithTheSameKeyInOneCommitGroupGetsTheSameJob) {
  auto db = store::NewMemoryStore();
  FakeClock clock(1'000'000);
  Controller c(ControllerOptions{}, db.get(), &clock, nullptr, nullptr, nullptr);
  ASSERT_TRUE(c.Load().ok());
  const Principal alice{"alice", "root", Role::kAdmin};
  auto submit = [&] {
    SubmitRequest sub;
    sub.spec.name = "train";
    sub.spec.command = {"/bin/true"};
    sub.spec.idempotency_key = "retry-1";
    return c.SubmitJob(alice, sub);
  };
  ApiReply first = submit();
  ASSERT_EQ(first.status, 201) << first.body;
  // Not yet committed: the store does not know the key, the active jobs do.
  ApiReply again = submit();
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["id"], json::parse(first.body)["id"]);
  EXPECT_EQ(c.active_job_count(), 1u);
  ASSERT_TRUE(db->Commit(c.TakeBatch()).ok());
  EXPECT_EQ(submit().status, 200);
}

// Counts the single-key lookups a submission makes, delegating everything to the fake.
class CountingStore final : public store::Store {
 public:
  explicit CountingStore(store::Store* inner) : inner_(inner) {}
  Status Commit(const store::WriteBatch& b) override { return inner_->Commit(b); }
  Result<store::Snapshot> Load() override { return inner_->Load(); }
  Result<std::optional<store::JobRecord>> GetJob(store::JobId id) override {
    return inner_->GetJob(id);
  }
  Result<std::vector<store::JobRecord>> ListJobs(const store::JobQuery& q) override {
    return inner_->ListJobs(q);
  }
  Result<std::optional<store::JobId>> FindByIdempotencyKey(const std::string& user,
                                                           const std::string& key) override {
    ++single_lookups;
    return inner_->FindByIdempotencyKey(user, key);
  }
  Result<std::map<UserKey, store::JobId>> FindByIdempotencyKeys(
      const std::vector<UserKey>& keys) override {
    ++batch_lookups;
    return inner_->FindByIdempotencyKeys(keys);
  }
  Result<std::vector<store::UsageRecord>> QueryUsage(const store::UsageQuery& q) override {
    return inner_->QueryUsage(q);
  }
  Result<std::vector<store::UtilizationSample>> LoadSamples(TimeMs since, int64_t n) override {
    return inner_->LoadSamples(since, n);
  }
  int schema_version() const override { return inner_->schema_version(); }
  int single_lookups = 0;
  int batch_lookups = 0;

 private:
  store::Store* inner_;
};

// A batch's keys are looked up together: a retry of a job that already finished (so only the
// store knows its key) gets that job back, and a new key is admitted, with no lookup per key.
TEST(ControllerSubmitTest, ABatchLooksUpItsKeysInOneQuery) {
  auto db = store::NewMemoryStore();
  FakeClock clock(1'000'000);
  std::string token;
  store::JobId finished_id = 0;
  {
    Controller c(ControllerOptions{}, db.get(), &clock, nullptr, nullptr, nullptr);
    ASSERT_TRUE(c.Load().ok());
    auto t = c.EnsureAdminToken("");
    ASSERT_TRUE(t.ok());
    token = *t;
    SubmitRequest sub;
    sub.spec.command = {"/bin/true"};
    sub.spec.idempotency_key = "old";
    ApiReply r = c.SubmitJob(*c.Authenticate(token), sub);
    ASSERT_EQ(r.status, 201) << r.body;
    finished_id = json::parse(r.body)["id"];
    ASSERT_EQ(c.CancelJob(*c.Authenticate(token), finished_id).status, 200);
    ASSERT_TRUE(db->Commit(c.TakeBatch()).ok());
  }
  CountingStore counting(db.get());
  Controller c(ControllerOptions{}, &counting, &clock, nullptr, nullptr, nullptr);
  ASSERT_TRUE(c.Load().ok());
  ASSERT_EQ(c.active_job_count(), 0u);  // the cancelled job lives in the store only
  c.PrefetchIdempotencyKeys({{token, "old"}, {token, "new"}});
  auto submit = [&](const std::string& key) {
    SubmitRequest sub;
    sub.spec.command = {"/bin/true"};
    sub.spec.idempotency_key = key;
    return c.SubmitJob(*c.Authenticate(token), sub);
  };
  ApiReply old_again = submit("old");
  EXPECT_EQ(old_again.status, 200) << old_again.body;
  EXPECT_EQ(json::parse(old_again.body)["id"], finished_id);
  EXPECT_EQ(submit("new").status, 201);
  EXPECT_EQ(counting.batch_lookups, 1);
  EXPECT_EQ(counting.single_lookups, 0);
  c.ClearIdempotencyPrefetch();
  // Outside a prefetched batch a key is looked up on its own.
  EXPECT_EQ(submit("other").status, 201);
  EXPECT_EQ(counting.single_lookups, 1);
}

}  // namespace
}  // namespace suanli::server
