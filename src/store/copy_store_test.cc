#include "store/copy_store.h"

#include <gtest/gtest.h>

namespace suanli::store {
namespace {

WriteBatch SomeState() {
  WriteBatch b;
  TenantRecord t;
  t.name = "physics";
  t.quota = {{"nvidia-a100", 8}};
  b.tenants.push_back(t);
  b.users.push_back(UserRecord{"alice", "physics", "member", 5});
  b.tokens.push_back(TokenRecord{1, "alice", "ab12", 5, false});
  for (JobId id = 1; id <= 7001; ++id) {  // more than one page of finished jobs
    JobRecord j;
    j.id = id;
    j.tenant = "physics";
    j.user = "alice";
    j.state = id % 3 ? JobState::kCompleted : JobState::kPending;
    j.spec.name = "j" + std::to_string(id);
    b.jobs.push_back(j);
  }
  b.usage.push_back(UsageRecord{1, 1, "physics", "alice", 0, 10, 1, 2, {{"nvidia-a100", 3}}, 0.5});
  b.samples.push_back(UtilizationSample{100, {{"cpus", 1}}, {{"cpus", 4}}});
  b.meta["join_token_sha256"] = "cafe";
  return b;
}

TEST(CopyStoreTest, EverythingArrivesAndTheChecksumsAgree) {
  auto from = NewMemoryStore();
  ASSERT_TRUE(from->Commit(SomeState()).ok());
  auto to = NewMemoryStore();
  auto r = CopyStore(*from, *to);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->verified());
  EXPECT_EQ(r->jobs, 7001);
  EXPECT_EQ(r->tenants, 1);
  EXPECT_EQ(r->users, 1);
  EXPECT_EQ(r->tokens, 1);
  EXPECT_EQ(r->usage, 1);
  EXPECT_EQ(r->samples, 1);
  EXPECT_EQ(r->meta, 1);
  // The checksum sees a change in any field.
  WriteBatch change;
  JobRecord j = *to->GetJob(5).value();
  j.spec.name = "renamed";
  change.jobs.push_back(j);
  ASSERT_TRUE(to->Commit(change).ok());
  EXPECT_NE(Inventory(*to)->source_checksum, r->source_checksum);
}

TEST(CopyStoreTest, ANonEmptyDestinationIsRefused) {
  auto from = NewMemoryStore();
  ASSERT_TRUE(from->Commit(SomeState()).ok());
  auto to = NewMemoryStore();
  WriteBatch one;
  one.users.push_back(UserRecord{"bob", "root", "member", 1});
  ASSERT_TRUE(to->Commit(one).ok());
  auto r = CopyStore(*from, *to);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("not empty"), std::string::npos);
}

}  // namespace
}  // namespace suanli::store
