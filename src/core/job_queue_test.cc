#include "core/job_queue.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/test_support.h"

namespace suanli::core {
namespace {

using testing::MakeCluster;
using testing::MakeJob;
using testing::Running;
using testing::SubmitOrder;

// Walks the whole queue, failing the class of every job in `fail`; returns the ids consumed.
std::vector<JobId> Walk(JobQueue& q, const ClusterState& s, const std::vector<JobId>& fail = {}) {
  std::vector<JobId> order;
  q.BeginWalk();
  JobQueue::Item item;
  while (q.Front(0, &item)) {
    const JobId id = s.jobs[item.index].id;
    EXPECT_EQ(id, item.rank.id);
    order.push_back(id);
    q.Consume(item, std::find(fail.begin(), fail.end(), id) != fail.end()
                        ? JobQueue::Verdict::kFailed
                        : JobQueue::Verdict::kPlaced);
  }
  return order;
}

TEST(JobQueueTest, AFailedJobSkipsTheRestOfItsClassUntilRevived) {
  ClusterState s = MakeCluster(1, 8);
  // Jobs 1, 3, 5 ask 4 GPUs (one class); 2 and 4 ask 1 GPU (another).
  for (JobId id = 1; id <= 5; ++id) s.jobs.push_back(MakeJob(id, id % 2 ? 4000 : 1000, 1, id));
  JobQueue q(SubmitOrder());
  EXPECT_TRUE(q.Sync(s, 10));  // no feed: built from the whole state
  EXPECT_EQ(q.pending(), 5u);
  EXPECT_EQ(q.num_classes(), 2);

  // Job 1 fails: 3 and 5 are not looked at; the 1-GPU class still is.
  EXPECT_EQ(Walk(q, s, {1}), (std::vector<JobId>{1, 2, 4}));
  std::vector<JobId> rest;
  q.ForEachUnconsumed([&](const JobQueue::Item& it) { rest.push_back(it.rank.id); });
  EXPECT_EQ(rest, (std::vector<JobId>{3, 5}));

  // Room came back after job 2: the failed class resumes from job 3, in rank order.
  q.BeginWalk();
  std::vector<JobId> order;
  JobQueue::Item item;
  while (q.Front(0, &item)) {
    order.push_back(item.rank.id);
    q.Consume(item, item.rank.id == 1 ? JobQueue::Verdict::kFailed : JobQueue::Verdict::kPlaced);
    if (item.rank.id == 2) q.Revive([](int32_t) { return true; });
  }
  EXPECT_EQ(order, (std::vector<JobId>{1, 2, 3, 4, 5}));
}

TEST(JobQueueTest, AClassClosedToAllButShortJobsOffersOnlyThose) {
  ClusterState s = MakeCluster(1, 8);
  // One class: the same ask, and all declare a limit (50, 500, 20 and 40 ms).
  const Time limits[] = {50, 500, 20, 40};
  for (JobId id = 1; id <= 4; ++id) {
    Job j = MakeJob(id, 4000, 1, id);
    j.time_limit = limits[id - 1];
    s.jobs.push_back(j);
  }
  JobQueue::Rules rules = SubmitOrder();
  rules.class_limit = [](const ClusterState&, const Job& job) -> Time {
    return job.time_limit > 0 ? 1 : 0;
  };
  JobQueue q(rules);
  q.Sync(s, 0);
  ASSERT_EQ(q.num_classes(), 1);
  q.BeginWalk();
  JobQueue::Item item;
  ASSERT_TRUE(q.Front(0, &item));
  EXPECT_EQ(item.rank.id, 1);
  // Job 1 fails; from now on only members with a limit of at most 45 are offered: 3, then 4.
  EXPECT_TRUE(q.Consume(item, JobQueue::Verdict::kShortOnly, 45));
  ASSERT_TRUE(q.Front(0, &item));
  EXPECT_EQ(item.rank.id, 3);
  EXPECT_TRUE(q.Consume(item, JobQueue::Verdict::kPlaced));
  ASSERT_TRUE(q.Front(0, &item));
  EXPECT_EQ(item.rank.id, 4);
  EXPECT_FALSE(q.Consume(item, JobQueue::Verdict::kFailed));
  EXPECT_FALSE(q.Front(0, &item));
  EXPECT_TRUE(q.failed(0));
  std::vector<JobId> rest;
  q.ForEachUnconsumed([&](const JobQueue::Item& it) { rest.push_back(it.rank.id); });
  EXPECT_EQ(rest, (std::vector<JobId>{2}));
}

TEST(JobQueueTest, RunningJobsAreListedAscending) {
  ClusterState s = MakeCluster(2, 8);
  s.jobs = {MakeJob(7, 1000), Running(MakeJob(3, 1000), 0, {0}, 0), MakeJob(9, 1000),
            Running(MakeJob(4, 1000), 1, {0}, 0)};
  JobQueue q(SubmitOrder());
  q.Sync(s, 0);
  EXPECT_EQ(q.running(), (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(q.pending(), 2u);
}

TEST(JobQueueTest, FollowingAFeedMatchesRebuildingFromScratch) {
  ClusterState s = MakeCluster(1, 8);
  s.feed.stream = 42;
  for (JobId id = 1; id <= 6; ++id) s.jobs.push_back(MakeJob(id, 1000 * (1 + id % 3), 1, 10 - id));
  JobQueue followed(SubmitOrder());
  s.feed.seq = 1;
  EXPECT_TRUE(followed.Sync(s, 100));  // the first call always reads everything
  s.feed.changes.clear();

  // Job 2 starts; job 6 (the last) leaves; job 1 leaves and the last job, 5, moves into its
  // index (swap-remove, as the simulator does); job 7 arrives.
  s.jobs[1] = Running(s.jobs[1], 0, {0}, 100);
  s.jobs.pop_back();          // job 6
  s.jobs[0] = s.jobs.back();  // job 5 over job 1
  s.jobs.pop_back();
  s.jobs.push_back(MakeJob(7, 1000, 1, 0));
  s.feed.changes = {{2, 1}, {6, -1}, {1, -1}, {5, 0}, {7, 4}};
  s.feed.seq = 2;
  EXPECT_FALSE(followed.Sync(s, 200));  // followed the feed

  ClusterState fresh = s;
  fresh.feed = JobFeed{};
  JobQueue rebuilt(SubmitOrder());
  EXPECT_TRUE(rebuilt.Sync(fresh, 200));
  EXPECT_EQ(followed.pending(), rebuilt.pending());
  EXPECT_EQ(followed.running(), rebuilt.running());
  EXPECT_EQ(Walk(followed, s), Walk(rebuilt, fresh));
  EXPECT_EQ(Walk(followed, s), (std::vector<JobId>{7, 5, 4, 3}));  // submit 0, 5, 6, 7
}

TEST(JobQueueTest, ABrokenOrSkippedFeedIsNotTrusted) {
  ClusterState s = MakeCluster(1, 8);
  s.feed.stream = 7;
  s.feed.seq = 1;
  s.jobs = {MakeJob(1, 1000), MakeJob(2, 1000)};
  JobQueue q(SubmitOrder());
  q.Sync(s, 0);
  // A change that names the wrong index: rebuilt, and the queue is still right.
  s.jobs.push_back(MakeJob(3, 1000));
  s.feed.changes = {{3, 0}};
  s.feed.seq = 2;
  EXPECT_TRUE(q.Sync(s, 0));
  EXPECT_EQ(q.pending(), 3u);
  // A job added without being named: the count check catches it.
  s.jobs.push_back(MakeJob(4, 1000));
  s.feed.changes.clear();
  s.feed.seq = 3;
  EXPECT_TRUE(q.Sync(s, 0));
  EXPECT_EQ(q.pending(), 4u);
  // A skipped sequence number: rebuilt.
  s.feed.seq = 5;
  EXPECT_TRUE(q.Sync(s, 0));
  // Nodes changed: rebuilt.
  s.feed.seq = 6;
  s.feed.nodes_changed = true;
  EXPECT_TRUE(q.Sync(s, 0));
}

// A feed that names one job twice and contradicts itself is not followed: Capacity and FairShare
// read the last mention, so the queue must not settle for the first one.
TEST(JobQueueTest, AFeedThatContradictsItselfIsNotTrusted) {
  ClusterState s = MakeCluster(1, 8);
  s.feed.stream = 7;
  s.feed.seq = 1;
  s.jobs = {MakeJob(1, 1000), MakeJob(2, 1000)};
  JobQueue q(SubmitOrder());
  q.Sync(s, 0);
  // Job 2 starts: named right first, then at job 1's index.
  s.jobs[1] = Running(s.jobs[1], 0, {0}, 0);
  s.feed.changes = {{2, 1}, {2, 0}};
  s.feed.seq = 2;
  EXPECT_TRUE(q.Sync(s, 0));
  EXPECT_EQ(q.pending(), 1u);
  EXPECT_EQ(q.running(), std::vector<int32_t>{1});
  // Job 1 named at its index, then as removed while it is still there.
  s.feed.changes = {{1, 0}, {1, -1}};
  s.feed.seq = 3;
  EXPECT_TRUE(q.Sync(s, 0));
  EXPECT_EQ(q.pending(), 1u);
  // The same change named twice alike is fine.
  s.feed.changes = {{1, 0}, {1, 0}};
  s.feed.seq = 4;
  EXPECT_FALSE(q.Sync(s, 0));
  EXPECT_EQ(q.pending(), 1u);
}

TEST(JobQueueTest, RankChangesAtTheTimeThePolicyNamed) {
  // Rank by submission, but a job of tenant 1 jumps to the front from t = 50 on.
  JobQueue::Rules rules = SubmitOrder();
  rules.rank = [](const Job& job, Time now) {
    QueueRank r;
    r.level = job.tenant == 1 && now >= 50 ? -1 : 0;
    r.time = job.submit_time;
    r.id = job.id;
    return r;
  };
  rules.next_change = [](const Job& job, Time now) {
    return job.tenant == 1 && now < 50 ? Time{50} : kUnknownTime;
  };
  ClusterState s = MakeCluster(1, 8);
  s.feed.stream = 9;
  s.jobs = {MakeJob(1, 1000, 1, 0, 0), MakeJob(2, 1000, 1, 5, 1)};
  s.tenants.push_back(Tenant{.name = "b"});
  JobQueue q(rules);
  s.feed.seq = 1;
  q.Sync(s, 10);
  EXPECT_EQ(Walk(q, s), (std::vector<JobId>{1, 2}));
  s.feed.seq = 2;
  EXPECT_FALSE(q.Sync(s, 49));
  EXPECT_EQ(Walk(q, s), (std::vector<JobId>{1, 2}));
  s.feed.seq = 3;
  EXPECT_FALSE(q.Sync(s, 50));  // no change named job 2, the timer did
  EXPECT_EQ(Walk(q, s), (std::vector<JobId>{2, 1}));
}

}  // namespace
}  // namespace suanli::core
