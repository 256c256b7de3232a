#pragma once
// The pending queue a Scheduler walks every cycle, kept between cycles so that a cycle costs what
// changed rather than what waits.
//
// Pending jobs are grouped into classes: jobs in one fair-share bucket with the same rank band
// (priority and LAS level) and the same asks (shapes, type speeds, tenant, whether they declare a
// time limit, and the limit itself where the policy says so). Within one cycle such jobs succeed
// or fail together: capacity and quota headroom only shrink as the walk places jobs. So once one
// member fails, the walk skips the rest of its class until something gives room back (a
// preemption), and a cycle over ten thousand waiting jobs touches a few dozen of them. The one
// thing members may differ in is how short their time limit is, which decides whether a job may
// use room held for the head job's reservation (EASY backfill): a failed class can stay open to
// its members whose limit ends before the reserved start.
//
// The queue follows ClusterState::feed when the caller provides one (the simulator) and rebuilds
// itself from the whole state otherwise (the server builds a fresh state every cycle). Both give
// the same order: ranks are a pure function of the job and `now`, and a pending job's rank only
// changes at times the policy names in advance (LAS promotion, starvation), which the queue
// keeps in a timer heap.
#include <array>
#include <cstdint>
#include <functional>
#include <memory_resource>
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
    // What of a job's time limit goes into its class key (e.g. the limit itself where it decides
    // between shapes, only whether it has one otherwise). Absent: nothing.
    std::function<Time(const ClusterState&, const Job&)> class_limit;
  };
  struct Item {
    int32_t index = -1;  // into ClusterState::jobs
    int32_t cls = -1;
    QueueRank rank;
    Time limit = 0;  // the job's time limit
  };
  enum class Verdict {
    kPlaced,     // go on with the next member
    kFailed,     // skip the rest of the class
    kShortOnly,  // skip the rest of the class but for members with 0 < limit <= short_max
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
  size_t class_size(int32_t cls) const;
  // A member of the class, for what all members share (shapes, tenant, whether it has a limit).
  int32_t class_sample(int32_t cls) const;

  // ---- One walk per cycle, in rank order within each bucket ----
  void BeginWalk();
  // The best job of `bucket` not yet consumed whose class is live.
  bool Front(int32_t bucket, Item* out) const;
  // Done with `item`, which Front() just returned: move its class on as `verdict` says. Returns
  // whether the class is still live (has a member the walk will offer).
  bool Consume(const Item& item, Verdict verdict, Time short_max = 0);
  bool live(int32_t cls) const { return walk_[cls].live; }
  // A member of the class failed during this walk.
  bool failed(int32_t cls) const { return walk_[cls].failed; }
  // Something gave room back: classes for which `revive(cls)` holds and that a failure closed
  // (wholly or but for short members) are open again, from the member after the last one offered.
  void Revive(const std::function<bool(int32_t cls)>& revive);
  // A reservation now lets short jobs pass: classes that failed and for which `revive(cls)` holds
  // are open again to their members with 0 < limit <= short_max.
  void ReviveShort(Time short_max, const std::function<bool(int32_t cls)>& revive);
  // Every pending job the walk did not consume, in rank order.
  void ForEachUnconsumed(const std::function<void(const Item&)>& visit) const;

 private:
  struct ClassKey {
    int32_t bucket = 0;
    int32_t tenant = -1;
    int64_t prio = 0;
    int64_t level = 0;
    Time limit = 0;  // Rules::class_limit
    std::vector<Shape> shapes;
    std::vector<std::pair<AccelType, double>> type_speed;
  };
  struct Member {
    QueueRank rank;
    Time limit = 0;
    int32_t index = -1;  // into ClusterState::jobs
  };
  struct ByRank {
    bool operator()(const Member& a, const Member& b) const { return RankLess(a.rank, b.rank); }
  };
  // Set nodes come from a pool owned by the queue: a rebuild (every cycle in the server) then
  // costs no trip to the general allocator per job.
  using Members = std::pmr::set<Member, ByRank>;
  struct Class {
    explicit Class(std::pmr::memory_resource* pool) : members(pool) {}
    ClassKey key;
    Members members;
    int32_t nonempty_at = -1;  // position in nonempty_, -1 when it has no members
  };
  struct Slot {  // kept only while following a feed, to find what a change replaces
    int32_t index = -1;
    int32_t cls = -1;  // -1 while running
    QueueRank rank;
    Time next_change = kUnknownTime;
  };
  // A place in a class's members: in the rebuild's sorted array while that still holds them (a
  // state without a feed, rebuilt every cycle, never builds the sets), else in the set.
  struct Cursor {
    Members::const_iterator it;
    const Member* at = nullptr;  // array mode when not null
    const Member& operator*() const { return at != nullptr ? *at : *it; }
    const Member* operator->() const { return &**this; }
    Cursor& operator++() {
      if (at != nullptr) {
        ++at;
      } else {
        ++it;
      }
      return *this;
    }
    bool operator==(const Cursor& o) const { return at != nullptr ? at == o.at : it == o.it; }
  };
  Cursor Begin(int32_t cls) const;
  Cursor End(int32_t cls) const;
  struct WalkState {
    Cursor cursor;
    bool live = false;
    bool failed = false;
    bool short_only = false;
    Time short_max = 0;
  };

  void Rebuild(const ClusterState& state, Time now);
  bool ApplyFeed(const ClusterState& state, Time now);
  void Insert(const ClusterState& state, const Job& job, int32_t index, Time now);
  void Remove(JobId id);
  int32_t ClassOf(const ClusterState& state, const Job& job, const QueueRank& rank);
  // Moves a short-only class's cursor to its next member short enough; false when none is left.
  bool SkipToShort(int32_t cls);
  void PushFront(int32_t cls);
  void MarkNonEmpty(int32_t cls, bool nonempty);
  uint64_t KeyHash(const Job& job, const QueueRank& rank, int32_t bucket, Time limit) const;
  bool SameKey(const ClassKey& key, const Job& job, const QueueRank& rank, int32_t bucket,
               Time limit) const;

  Rules rules_;
  std::pmr::unsynchronized_pool_resource pool_;  // before classes_: outlives their sets
  uint64_t stream_ = 0, seq_ = 0;
  int32_t num_tenants_ = 0, num_buckets_ = 1;
  std::unordered_map<JobId, Slot> slots_;
  std::vector<Class> classes_;
  std::vector<int32_t> nonempty_;
  std::unordered_map<uint64_t, std::vector<int32_t>> class_index_;
  std::array<std::pair<uint64_t, int32_t>, 256> class_cache_;  // (key hash, class), see ClassOf
  std::vector<std::pair<int32_t, Member>> rebuild_members_;    // Rebuild's buffers
  std::vector<Member> rebuild_grouped_;
  std::vector<size_t> rebuild_start_, rebuild_next_;
  std::vector<size_t> rebuild_end_;  // per class: end of its members in rebuild_grouped_
  // Whether rebuild_grouped_ (from rebuild_start_ to rebuild_end_ per class) holds the members:
  // true from a Rebuild until the feed inserts or removes a job. The class sets are built only
  // when a feed will keep them (a state without one is rebuilt every cycle).
  bool rebuilt_arrays_valid_ = false;
  bool sets_built_ = false;
  std::priority_queue<std::pair<Time, JobId>, std::vector<std::pair<Time, JobId>>, std::greater<>>
      timers_;
  std::vector<int32_t> running_;  // ascending
  size_t pending_ = 0;
  size_t num_jobs_ = 0;

  uint64_t walk_no_ = 0;
  std::vector<WalkState> walk_;
  std::vector<uint64_t> consumed_;  // by job index: the walk number that consumed it
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
