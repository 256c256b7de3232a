#pragma once
// The pending queue a Scheduler walks every cycle, kept between cycles so that a cycle costs what
// changed rather than what waits.
//
// Pending jobs are grouped into classes: jobs in one fair-share bucket with the same rank band
// (priority and LAS level) and the same asks (shapes, type speeds, tenant and, where the policy
// says it matters, time limit). Within one cycle such jobs succeed or fail together: capacity and
// quota headroom only shrink as the walk places jobs. So once one member fails, the walk skips
// the rest of its class until something gives room back (a preemption), and a cycle over ten
// thousand waiting jobs touches a few dozen of them.
//
// The queue follows ClusterState::feed when the caller provides one (the simulator) and rebuilds
// itself from the whole state otherwise (the server builds a fresh state every cycle). Both give
// the same order: ranks are a pure function of the job and `now`, and a pending job's rank only
// changes at times the policy names in advance (LAS promotion, starvation), which the queue
// keeps in a timer heap.
#include <cstdint>
#include <functional>
#include <queue>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/model.h"

namespace suanli::core {

// Where a job stands in the queue; lower is better, field by field, ending with the id.
struct QueueRank {
  int64_t prio = 0;      // lower first
  int64_t level = 0;     // lower first (LAS queue, -1 when starving)
  double secondary = 0;  // lower first (duration keys)
  Time time = 0;         // lower first (submission / queued time)
  JobId id = 0;          // stable tie-break
};
bool RankLess(const QueueRank& a, const QueueRank& b);

class JobQueue {
 public:
  struct Rules {
    std::function<QueueRank(const Job&, Time)> rank;
    // The first time after `now` at which the rank of a pending job may differ, or kUnknownTime.
    std::function<Time(const Job&, Time)> next_change;
    // One bucket per tenant (the walk interleaves tenants by fair share) plus one for jobs of an
    // unknown tenant; otherwise one bucket for all.
    bool bucket_per_tenant = false;
    bool time_limit_in_class = false;  // the policy's decisions depend on a job's time limit
  };
  struct Item {
    int32_t index = -1;  // into ClusterState::jobs
    int32_t cls = -1;
    QueueRank rank;
  };

  explicit JobQueue(Rules rules);

  // Brings the queue up to `state` at `now`. Returns true when it rebuilt everything (class ids
  // are then new, so per-class caches must be dropped).
  bool Sync(const ClusterState& state, Time now);

  // Indices of running jobs, ascending.
  const std::vector<int32_t>& running() const { return running_; }
  size_t pending() const { return pending_; }
  int32_t num_buckets() const { return num_buckets_; }
  // The bucket of a job of `tenant`.
  int32_t BucketOf(int32_t tenant) const;
  int32_t num_classes() const { return static_cast<int32_t>(classes_.size()); }
  // Classes that have pending members, in no particular order.
  const std::vector<int32_t>& nonempty_classes() const { return nonempty_; }
  size_t class_size(int32_t cls) const { return classes_[cls].members.size(); }
  // A member of the class, for what all members share (shapes, tenant, time limit).
  int32_t class_sample(int32_t cls) const;

  // ---- One walk per cycle, in rank order within each bucket ----
  void BeginWalk();
  // The best job of `bucket` not yet consumed whose class is live.
  bool Front(int32_t bucket, Item* out) const;
  // Done with `item`, which Front() just returned: move its class on to the next member;
  // `fail_class` skips the rest of the class for this walk. Returns whether the class is still
  // live.
  bool Consume(const Item& item, bool fail_class);
  bool live(int32_t cls) const { return walk_[cls].live; }
  bool failed(int32_t cls) const { return walk_[cls].failed; }
  // Something gave room back: failed classes for which `revive(cls)` holds are live again, from
  // the member after the one that failed.
  void Revive(const std::function<bool(int32_t cls)>& revive);
  // Every pending job the walk did not consume, in rank order.
  void ForEachUnconsumed(const std::function<void(const Item&)>& visit) const;

 private:
  struct ClassKey {
    int32_t bucket = 0;
    int32_t tenant = -1;
    int64_t prio = 0;
    int64_t level = 0;
    Time time_limit = 0;
    std::vector<Shape> shapes;
    std::vector<std::pair<AccelType, double>> type_speed;
  };
  struct RankOrder {
    bool operator()(const QueueRank& a, const QueueRank& b) const { return RankLess(a, b); }
  };
  struct Class {
    ClassKey key;
    std::set<QueueRank, RankOrder> members;
    int32_t nonempty_at = -1;  // position in nonempty_, -1 when it has no members
  };
  struct Slot {
    int32_t index = -1;
    int32_t cls = -1;  // -1 while running
    QueueRank rank;
    Time next_change = kUnknownTime;
    uint64_t consumed = 0;  // walk number that consumed it
  };
  struct WalkState {
    std::set<QueueRank, RankOrder>::const_iterator cursor;
    bool live = false;
    bool failed = false;
  };

  void Rebuild(const ClusterState& state, Time now);
  bool ApplyFeed(const ClusterState& state, Time now);
  void Insert(const Job& job, int32_t index, Time now, bool timers);
  void Remove(JobId id);
  int32_t ClassOf(const Job& job, const QueueRank& rank);
  void MarkNonEmpty(int32_t cls, bool nonempty);
  uint64_t KeyHash(const Job& job, const QueueRank& rank, int32_t bucket) const;
  bool SameKey(const ClassKey& key, const Job& job, const QueueRank& rank, int32_t bucket) const;

  Rules rules_;
  uint64_t stream_ = 0, seq_ = 0;
  int32_t num_tenants_ = 0, num_buckets_ = 1;
  std::unordered_map<JobId, Slot> slots_;
  std::vector<Class> classes_;
  std::vector<int32_t> nonempty_;
  std::unordered_map<uint64_t, std::vector<int32_t>> class_index_;
  std::priority_queue<std::pair<Time, JobId>, std::vector<std::pair<Time, JobId>>, std::greater<>>
      timers_;
  std::vector<int32_t> running_;  // ascending
  size_t pending_ = 0;

  uint64_t walk_no_ = 0;
  std::vector<WalkState> walk_;
  // Per bucket, a min-heap of (front rank, class) over its live classes. The walk only ever
  // takes a bucket's best, so a heap is enough, and its buffers are reused cycle after cycle.
  using FrontEntry = std::pair<QueueRank, int32_t>;
  struct FrontAfter {
    bool operator()(const FrontEntry& a, const FrontEntry& b) const {
      return RankLess(b.first, a.first);
    }
  };
  std::vector<std::vector<FrontEntry>> fronts_;
};

}  // namespace suanli::core
