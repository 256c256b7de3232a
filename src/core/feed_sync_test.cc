// Capacity::Sync and FairShare::Sync following a job feed (JobFeed), driven the way the Scheduler
// drives them: the JobQueue decides whether the feed can be followed (incremental) and the two
// then update from it or rebuild. Every result is compared with a fresh object's full rebuild:
// after a correct feed (incremental), and after broken ones, where nothing stale may survive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/capacity.h"
#include "core/fair_share.h"
#include "core/job_queue.h"
#include "core/test_support.h"

namespace suanli::core {
namespace {

using testing::MakeCluster;
using testing::MakeJob;
using testing::Running;
using testing::SubmitOrder;

// Every observable of two Capacity objects, node by node and type by type.
void ExpectSameCapacity(const Capacity& got, const Capacity& want, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_EQ(got.num_nodes(), want.num_nodes());
  ASSERT_EQ(got.num_types(), want.num_types());
  EXPECT_EQ(got.schedulable_nodes(), want.schedulable_nodes());
  EXPECT_EQ(got.totals(), want.totals());
  for (int32_t n = 0; n < want.num_nodes(); ++n) {
    SCOPED_TRACE("node " + std::to_string(n));
    EXPECT_EQ(got.schedulable(n), want.schedulable(n));
    EXPECT_EQ(got.cpu_free(n), want.cpu_free(n));
    EXPECT_EQ(got.mem_free(n), want.mem_free(n));
    EXPECT_EQ(got.cpu_total(n), want.cpu_total(n));
    EXPECT_EQ(got.mem_total(n), want.mem_total(n));
    ASSERT_EQ(got.num_devices(n), want.num_devices(n));
    for (int32_t d = 0; d < want.num_devices(n); ++d) {
      EXPECT_EQ(got.device_free(n, d), want.device_free(n, d)) << "device " << d;
      EXPECT_EQ(got.device_total(n, d), want.device_total(n, d)) << "device " << d;
      EXPECT_EQ(got.device_type(n, d), want.device_type(n, d)) << "device " << d;
    }
    for (AccelType t = 0; t < want.num_types(); ++t) {
      EXPECT_EQ(got.whole_free(n, t), want.whole_free(n, t)) << "type " << t;
    }
  }
  for (AccelType t = 0; t < want.num_types(); ++t) {
    SCOPED_TRACE("type " + std::to_string(t));
    EXPECT_EQ(got.total_devices(t), want.total_devices(t));
    EXPECT_EQ(got.free_whole_devices(t), want.free_whole_devices(t));
    EXPECT_EQ(got.free_milli(t), want.free_milli(t));
    ASSERT_EQ(got.max_devices_per_node(t), want.max_devices_per_node(t));
    EXPECT_EQ(got.nodes_with(t), want.nodes_with(t));
    for (int32_t c = 0; c <= want.max_devices_per_node(t); ++c) {
      EXPECT_EQ(got.bucket(t, c), want.bucket(t, c)) << c << " whole free";
    }
  }
}

void ExpectSameFairShare(const FairShare& got, const FairShare& want, int32_t tenants, int dims,
                         const std::string& where) {
  SCOPED_TRACE(where);
  for (int32_t t = 0; t < tenants; ++t) {
    SCOPED_TRACE("tenant " + std::to_string(t));
    ASSERT_EQ(got.valid(t), want.valid(t));
    for (int d = 0; d < dims; ++d) EXPECT_EQ(got.usage(t, d), want.usage(t, d)) << "dim " << d;
    EXPECT_EQ(got.DominantShare(t), want.DominantShare(t));
    EXPECT_EQ(got.Score(t), want.Score(t));
    EXPECT_EQ(got.path(t), want.path(t));
    for (int32_t u = 0; u < tenants; ++u) EXPECT_EQ(got.Before(t, u), want.Before(t, u));
  }
}

// One mutated ClusterState and the three kept objects, synced as Scheduler::Schedule does.
class FeedSyncTest : public ::testing::Test {
 protected:
  FeedSyncTest() {
    // Nodes 0 and 2 hold type 0, node 1 type 1; four devices each.
    state_ = MakeCluster(3, 4, {"nvidia-a100", "nvidia-h100"});
    state_.tenants[0].name = "root";
    state_.tenants.push_back(Tenant{.name = "physics", .parent = 0, .weight = 2.0});
    state_.tenants.push_back(Tenant{.name = "biology", .parent = 0, .weight = 1.0});
    state_.tenants[1].decayed_usage = 3e6;
    state_.tenants[2].decayed_usage = 1e6;
    state_.jobs.push_back(Running(MakeJob(1, 2000, 1, 0, 1), 0, {0, 1}, 0));
    state_.jobs.push_back(Running(MakeJob(2, 1000, 1, 1, 2), 1, {0}, 0, -1, 1));
    state_.jobs.push_back(MakeJob(3, 3000, 1, 2, 1));
    state_.jobs.push_back(MakeJob(4, 500, 1, 3, 2));
    state_.feed.stream = 42;
    state_.feed.seq = 1;
    Sync("initial");
    EXPECT_TRUE(rebuilt_);  // the first sight of a stream is always a rebuild
  }

  int32_t IndexOf(JobId id) const {
    for (size_t i = 0; i < state_.jobs.size(); ++i) {
      if (state_.jobs[i].id == id) return static_cast<int32_t>(i);
    }
    return -1;
  }
  Job& JobById(JobId id) { return state_.jobs.at(IndexOf(id)); }
  void Changed(JobId id) { state_.feed.changes.push_back({id, IndexOf(id)}); }

  // Starts job `id` on `node`, devices as given, and names it in the feed.
  void Start(JobId id, int32_t node, std::vector<int32_t> devices, int64_t milli = -1,
             AccelType type = 0) {
    Job& j = JobById(id);
    j = Running(j, node, std::move(devices), 100, milli, type);
    Changed(id);
  }
  // Removes job `id` the way the simulator does (the last job moves into its slot).
  void Remove(JobId id) {
    const int32_t i = IndexOf(id);
    state_.feed.changes.push_back({id, -1});
    if (i != static_cast<int32_t>(state_.jobs.size()) - 1) {
      state_.jobs[i] = std::move(state_.jobs.back());
      state_.jobs.pop_back();
      Changed(state_.jobs[i].id);
    } else {
      state_.jobs.pop_back();
    }
  }
  // Preempts job `id` back to pending.
  void Requeue(JobId id) {
    Job& j = JobById(id);
    j.phase = JobPhase::kPending;
    j.allocation.clear();
    j.start_time = kUnknownTime;
    Changed(id);
  }

  // One cycle: the queue decides, then Capacity and FairShare sync; the feed is then cleared.
  void Sync(const std::string& where) {
    rebuilt_ = queue_.Sync(state_, now_);
    cap_.Sync(state_, queue_.running(), !rebuilt_);
    fair_.Sync(state_, cap_, queue_.running(), !rebuilt_);
    ExpectFresh(where);
    state_.feed.changes.clear();
    state_.feed.nodes_changed = false;
    now_ += 1000;
  }
  // The kept objects equal what a fresh full rebuild of the same state gives.
  void ExpectFresh(const std::string& where) {
    Capacity fresh_cap;
    fresh_cap.Reset(state_);
    FairShare fresh_fair;
    fresh_fair.Reset(state_, fresh_cap);
    ExpectSameCapacity(cap_, fresh_cap, where);
    ExpectSameFairShare(fair_, fresh_fair, static_cast<int32_t>(state_.tenants.size()),
                        static_cast<int>(fresh_cap.totals().size()), where);
  }
  // A correct cycle after a broken one: followed incrementally, and still equal to a rebuild.
  void ExpectFollowsAgain() {
    ++state_.feed.seq;
    Start(4, 1, {3}, 500, 1);
    Sync("correct feed after the broken one");
    EXPECT_FALSE(rebuilt_);
  }

  ClusterState state_;
  JobQueue queue_{SubmitOrder(/*bucket_per_tenant=*/true)};
  Capacity cap_;
  FairShare fair_;
  Time now_ = 10000;
  bool rebuilt_ = false;
};

TEST_F(FeedSyncTest, CorrectFeedIsFollowedIncrementallyAndEqualsARebuild) {
  ++state_.feed.seq;
  Start(3, 2, {0, 1, 2});
  Sync("job 3 started");
  EXPECT_FALSE(rebuilt_);
  EXPECT_EQ(cap_.whole_free(2, 0), 1);

  ++state_.feed.seq;
  Remove(1);  // job 4 moves into its slot
  Sync("job 1 finished");
  EXPECT_FALSE(rebuilt_);
  EXPECT_EQ(cap_.whole_free(0, 0), 4);

  ++state_.feed.seq;
  state_.jobs.push_back(Running(MakeJob(5, 500, 1, 5, 1), 1, {1}, 100, 500, 1));
  Changed(5);
  Sync("job 5 arrived running on a device share");
  EXPECT_FALSE(rebuilt_);

  ++state_.feed.seq;
  Requeue(2);
  Sync("job 2 preempted");
  EXPECT_FALSE(rebuilt_);
  EXPECT_EQ(fair_.usage(2, kDimAccelBase + 1), 0);

  ++state_.feed.seq;
  Start(2, 1, {2, 3}, -1, 1);
  JobById(3).tenant = 2;  // a field FairShare reads, on a running job
  Changed(3);
  Changed(3);  // named twice: counted once
  Sync("job 2 restarted wider, job 3 moved to another tenant");
  EXPECT_FALSE(rebuilt_);
  EXPECT_EQ(fair_.usage(1, kDimAccelBase + 0), 0);

  ++state_.feed.seq;
  Sync("nothing changed");
  EXPECT_FALSE(rebuilt_);
}

// Many changes in one cycle (a burst of jobs ending and starting) take the one-pass path in
// FairShare rather than splicing each into its list: the result must be the same.
TEST_F(FeedSyncTest, ManyChangesInOneCycleEqualARebuild) {
  // Forty quarter-GPU jobs arrive on the free devices of node 2, spread over both tenants.
  ++state_.feed.seq;
  for (JobId id = 10; id < 50; ++id) {
    const int32_t tenant = 1 + static_cast<int32_t>(id % 2);
    state_.jobs.push_back(
        Running(MakeJob(id, 100, 1, id, tenant), 2, {static_cast<int32_t>(id % 4)}, 100, 100));
    Changed(id);
  }
  Sync("forty jobs started");
  EXPECT_FALSE(rebuilt_);
  // Every other one ends, some are preempted, job 3 starts: over 16 changes at once.
  ++state_.feed.seq;
  for (JobId id = 10; id < 50; id += 2) Remove(id);
  for (JobId id = 11; id < 20; id += 2) Requeue(id);
  Start(3, 0, {2, 3});
  // Jobs moved more than once: name each where it is now, as the simulator does.
  for (JobDelta& d : state_.feed.changes) {
    if (d.index >= 0) d.index = IndexOf(d.id);
  }
  Sync("twenty ended, five preempted, one started");
  EXPECT_FALSE(rebuilt_);
}

TEST_F(FeedSyncTest, StaleSeqRebuilds) {
  // The same seq again: the caller did not count this cycle; job 3's start is not named.
  JobById(3) = Running(JobById(3), 2, {0, 1, 2}, 100);
  Sync("stale seq");
  EXPECT_TRUE(rebuilt_);
  EXPECT_EQ(cap_.whole_free(2, 0), 1);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, SkippedSeqRebuilds) {
  // A cycle's feed was lost (seq + 2): what it named (job 1 preempted) is not named again.
  state_.feed.seq += 2;
  JobById(1).phase = JobPhase::kPending;
  JobById(1).allocation.clear();
  Sync("skipped seq");
  EXPECT_TRUE(rebuilt_);
  EXPECT_EQ(fair_.usage(1, kDimAccelBase + 0), 0);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, OtherStreamRebuilds) {
  state_.feed.stream = 43;
  ++state_.feed.seq;
  JobById(3) = Running(JobById(3), 2, {0, 1, 2}, 100);
  Sync("another stream");
  EXPECT_TRUE(rebuilt_);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, ChangeNamingAnIndexThatDoesNotHoldItsJobRebuilds) {
  ++state_.feed.seq;
  JobById(3) = Running(JobById(3), 2, {0, 1, 2}, 100);
  state_.feed.changes.push_back({3, IndexOf(4)});  // job 4's index
  Sync("wrong index");
  EXPECT_TRUE(rebuilt_);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, ChangeNamingAnIndexPastTheEndRebuilds) {
  ++state_.feed.seq;
  JobById(3) = Running(JobById(3), 2, {0, 1, 2}, 100);
  state_.feed.changes.push_back({3, 17});
  Sync("index past the end");
  EXPECT_TRUE(rebuilt_);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, MissingChangeForAnAddedJobRebuilds) {
  ++state_.feed.seq;
  state_.jobs.push_back(Running(MakeJob(6, 2000, 1, 6, 2), 2, {2, 3}, 100));  // not named
  Sync("added job not named");
  EXPECT_TRUE(rebuilt_);
  EXPECT_EQ(cap_.whole_free(2, 0), 2);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, MissingChangeForARemovedJobRebuilds) {
  ++state_.feed.seq;
  state_.jobs.erase(state_.jobs.begin() + IndexOf(2));  // running job 2 gone, nothing named
  Sync("removed job not named");
  EXPECT_TRUE(rebuilt_);
  EXPECT_EQ(cap_.whole_free(1, 1), 4);
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, NodesChangedRebuilds) {
  ++state_.feed.seq;
  state_.feed.nodes_changed = true;
  state_.nodes[0].schedulable = false;
  state_.nodes[1].devices[3].total_milli = 500;  // a share held by a task being killed
  state_.nodes[2].cpu_milli = 8000;
  Sync("nodes changed");
  EXPECT_TRUE(rebuilt_);
  EXPECT_FALSE(cap_.schedulable(0));
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, TenantAddedRebuilds) {
  ++state_.feed.seq;
  state_.tenants.push_back(Tenant{.name = "chemistry", .parent = 0});
  state_.tenants.back().decayed_usage = 5e6;
  JobById(4).tenant = 3;
  Changed(4);
  Sync("tenant added");
  EXPECT_TRUE(rebuilt_);
  ExpectFollowsAgain();
}

// A feed naming one job twice, the first time right and the last time at an index holding
// another (running) job. The queue accepts it (it inserts the first mention that exists);
// Capacity and FairShare read the last mention, so they must check it too.
TEST_F(FeedSyncTest, JobNamedTwiceLastAtAnotherJobsIndexEqualsARebuild) {
  ++state_.feed.seq;
  Start(3, 2, {0, 1, 2});
  state_.feed.changes.push_back({3, IndexOf(1)});  // job 1 is running there
  Sync("named twice, last at job 1's index");
  ExpectFollowsAgain();
}

TEST_F(FeedSyncTest, JobNamedTwiceLastPastTheEndEqualsARebuild) {
  ++state_.feed.seq;
  Start(3, 2, {0, 1, 2});
  state_.feed.changes.push_back({3, static_cast<int32_t>(state_.jobs.size())});
  Sync("named twice, last past the end");
  ExpectFollowsAgain();
}

// A feed naming a job at its index, then as removed, while it is still there (running).
TEST_F(FeedSyncTest, JobNamedAtItsIndexThenAsRemovedEqualsARebuild) {
  ++state_.feed.seq;
  Start(3, 2, {0, 1, 2});
  state_.feed.changes.push_back({3, -1});
  Sync("named at its index, then as removed");
  ExpectFollowsAgain();
}

// Called directly with incremental = true (a caller that trusts the feed): a change whose index
// does not hold its job must not be applied as if it did.
TEST_F(FeedSyncTest, DirectIncrementalSyncChecksEveryChangedIndex) {
  ++state_.feed.seq;
  JobById(3) = Running(JobById(3), 2, {0, 1, 2}, 100);
  state_.feed.changes.push_back({3, IndexOf(2)});  // job 2 (running) sits there
  std::vector<int32_t> running;
  for (size_t i = 0; i < state_.jobs.size(); ++i) {
    if (state_.jobs[i].phase == JobPhase::kRunning) running.push_back(static_cast<int32_t>(i));
  }
  cap_.Sync(state_, running, true);
  fair_.Sync(state_, cap_, running, true);
  ExpectFresh("direct incremental sync, wrong index");
}

// Nodes changed with nodes_changed set, but a caller that still passes incremental: Capacity
// compares the nodes itself.
TEST_F(FeedSyncTest, DirectIncrementalSyncSeesNodesChanged) {
  ++state_.feed.seq;
  state_.feed.nodes_changed = true;
  state_.nodes[1].schedulable = false;
  state_.nodes[2].devices[0].total_milli = 0;
  cap_.Sync(state_, queue_.running(), true);
  fair_.Sync(state_, cap_, queue_.running(), true);
  ExpectFresh("direct incremental sync, nodes changed");
}

}  // namespace
}  // namespace suanli::core
