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

}  // namespace
}  // namespace suanli::server
