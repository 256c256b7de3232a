#include "core/job_queue.h"

#include <algorithm>
#include <bit>

#include "core/job_util.h"

namespace suanli::core {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

uint64_t Bits(double d) { return std::bit_cast<uint64_t>(d); }

bool SameShape(const Shape& a, const Shape& b) {
  return a.tasks == b.tasks && a.per_task.cpu_milli == b.per_task.cpu_milli &&
         a.per_task.mem_mb == b.per_task.mem_mb &&
         a.per_task.accel_milli == b.per_task.accel_milli && a.accel_types == b.accel_types &&
         Bits(a.speed) == Bits(b.speed);
}

}  // namespace

bool RankLess(const QueueRank& a, const QueueRank& b) {
  if (a.prio != b.prio) return a.prio < b.prio;
  if (a.level != b.level) return a.level < b.level;
  if (a.secondary != b.secondary) return a.secondary < b.secondary;
  if (a.time != b.time) return a.time < b.time;
  return a.id < b.id;
}

JobQueue::JobQueue(Rules rules) : rules_(std::move(rules)) { class_cache_.fill({0, -1}); }

int32_t JobQueue::BucketOf(int32_t tenant) const {
  if (!rules_.bucket_per_tenant) return 0;
  return tenant >= 0 && tenant < num_tenants_ ? tenant : num_tenants_;
}

bool JobQueue::Sync(const ClusterState& state, Time now) {
  const JobFeed& feed = state.feed;
  const auto num_tenants = static_cast<int32_t>(state.tenants.size());
  num_jobs_ = state.jobs.size();
  if (feed.stream != 0 && feed.stream == stream_ && feed.seq == seq_ + 1 && !feed.nodes_changed &&
      num_tenants == num_tenants_ && ApplyFeed(state, now)) {
    seq_ = feed.seq;
    return false;
  }
  Rebuild(state, now);
  return true;
}

void JobQueue::Rebuild(const ClusterState& state, Time now) {
  slots_.clear();
  classes_.clear();
  // Fresh chunks: nodes then lie in the order they are inserted (class by class, by rank), which
  // is the order the walk and ForEachUnconsumed read them in. Reusing freed nodes would scatter
  // them.
  pool_.release();
  nonempty_.clear();
  class_index_.clear();
  class_cache_.fill({0, -1});
  timers_ = {};
  running_.clear();
  pending_ = 0;
  num_tenants_ = static_cast<int32_t>(state.tenants.size());
  num_buckets_ = rules_.bucket_per_tenant ? num_tenants_ + 1 : 1;
  // Slots and timers only serve the next cycle's feed; a state without one is rebuilt anyway.
  const bool feed = state.feed.stream != 0;
  // Buffers are members: the server rebuilds every cycle, and fresh vectors of 100k members
  // would cost allocation and page faults each time.
  auto& members = rebuild_members_;
  members.clear();
  if (feed) slots_.reserve(state.jobs.size());
  for (int32_t i = 0; i < static_cast<int32_t>(state.jobs.size()); ++i) {
    const Job& job = state.jobs[i];
    Slot slot;
    slot.index = i;
    if (job.phase == JobPhase::kPending) {
      slot.rank = rules_.rank(job, now);
      slot.cls = ClassOf(state, job, slot.rank);
      if (feed) slot.next_change = rules_.next_change(job, now);
    }
    if (feed && !slots_.emplace(job.id, slot).second) continue;  // a duplicate id: the first counts
    if (job.phase != JobPhase::kPending) {
      running_.push_back(i);
      continue;
    }
    if (slot.next_change != kUnknownTime) timers_.emplace(slot.next_change, job.id);
    members.emplace_back(slot.cls, Member{slot.rank, job.time_limit, i});
    ++pending_;
  }
  // Grouped by class (counting sort), then each class sorted by rank, so every class set is built
  // by appending (linear rather than n log n).
  std::vector<size_t>& start = rebuild_start_;
  start.assign(classes_.size() + 1, 0);
  for (const auto& [cls, member] : members) ++start[cls + 1];
  for (size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
  std::vector<Member>& grouped = rebuild_grouped_;
  grouped.resize(members.size());
  {
    std::vector<size_t>& next = rebuild_next_;
    next.assign(start.begin(), start.end() - 1);
    for (const auto& [cls, member] : members) grouped[next[cls]++] = member;
  }
  rebuild_end_.assign(classes_.size(), 0);
  for (int32_t c = 0; c < static_cast<int32_t>(classes_.size()); ++c) {
    auto first = grouped.begin() + static_cast<std::ptrdiff_t>(start[c]);
    auto last = grouped.begin() + static_cast<std::ptrdiff_t>(start[c + 1]);
    std::sort(first, last, ByRank{});
    // Two jobs with one id (a malformed state) share a rank: one is kept, as a set would.
    last = std::unique(first, last, [](const Member& a, const Member& b) {
      return !RankLess(a.rank, b.rank) && !RankLess(b.rank, a.rank);
    });
    rebuild_end_[c] = static_cast<size_t>(last - grouped.begin());
    if (first == last) continue;
    MarkNonEmpty(c, true);
    if (!feed) continue;  // rebuilt again next cycle: the array is enough
    Members& set = classes_[c].members;
    for (auto it = first; it != last; ++it) set.emplace_hint(set.end(), *it);
  }
  sets_built_ = feed;
  rebuilt_arrays_valid_ = true;
  stream_ = state.feed.stream;
  seq_ = state.feed.seq;
}

bool JobQueue::ApplyFeed(const ClusterState& state, Time now) {
  const auto& changes = state.feed.changes;
  // Capacity and FairShare follow the last mention of a job: a feed whose mentions disagree with
  // each other or with the jobs is rebuilt from, by all alike.
  if (!FeedMatchesJobs(state, UniqueChanges(state.feed))) return false;
  // Drop every changed job first, then add back what exists: an index a removed job left may
  // already hold a job that moved there.
  for (const JobDelta& d : changes) Remove(d.id);
  const auto num_jobs = static_cast<int32_t>(state.jobs.size());
  for (const JobDelta& d : changes) {
    if (d.index < 0 || slots_.count(d.id)) continue;
    if (d.index >= num_jobs || state.jobs[d.index].id != d.id) return false;  // a broken feed
    Insert(state, state.jobs[d.index], d.index, now);
  }
  while (!timers_.empty() && timers_.top().first <= now) {
    const auto [t, id] = timers_.top();
    timers_.pop();
    auto it = slots_.find(id);
    if (it == slots_.end() || it->second.cls < 0 || it->second.next_change != t) continue;  // stale
    const int32_t index = it->second.index;
    if (index >= num_jobs || state.jobs[index].id != id) return false;
    Remove(id);
    Insert(state, state.jobs[index], index, now);
  }
  return slots_.size() == state.jobs.size();  // else the feed missed something
}

void JobQueue::Insert(const ClusterState& state, const Job& job, int32_t index, Time now) {
  rebuilt_arrays_valid_ = false;
  Slot slot;
  slot.index = index;
  if (job.phase != JobPhase::kPending) {
    running_.insert(std::lower_bound(running_.begin(), running_.end(), index), index);
    slots_.emplace(job.id, slot);
    return;
  }
  slot.rank = rules_.rank(job, now);
  slot.cls = ClassOf(state, job, slot.rank);
  slot.next_change = rules_.next_change(job, now);
  if (slot.next_change != kUnknownTime) timers_.emplace(slot.next_change, job.id);
  if (classes_[slot.cls].members.empty()) MarkNonEmpty(slot.cls, true);
  classes_[slot.cls].members.insert(Member{slot.rank, job.time_limit, index});
  ++pending_;
  slots_.emplace(job.id, slot);
}

void JobQueue::Remove(JobId id) {
  rebuilt_arrays_valid_ = false;
  auto it = slots_.find(id);
  if (it == slots_.end()) return;
  const Slot& slot = it->second;
  if (slot.cls >= 0) {
    classes_[slot.cls].members.erase(Member{slot.rank, 0, -1});
    if (classes_[slot.cls].members.empty()) MarkNonEmpty(slot.cls, false);
    --pending_;
  } else {
    auto at = std::lower_bound(running_.begin(), running_.end(), slot.index);
    if (at != running_.end() && *at == slot.index) running_.erase(at);
  }
  slots_.erase(it);
}

uint64_t JobQueue::KeyHash(const Job& job, const QueueRank& rank, int32_t bucket,
                           Time limit) const {
  uint64_t h = Mix(0, static_cast<uint64_t>(bucket));
  h = Mix(h, static_cast<uint64_t>(job.tenant));
  h = Mix(h, static_cast<uint64_t>(rank.prio));
  h = Mix(h, static_cast<uint64_t>(rank.level));
  h = Mix(h, static_cast<uint64_t>(limit));
  for (const Shape& s : job.shapes) {
    h = Mix(h, static_cast<uint64_t>(s.tasks));
    h = Mix(h, static_cast<uint64_t>(s.per_task.cpu_milli));
    h = Mix(h, static_cast<uint64_t>(s.per_task.mem_mb));
    h = Mix(h, static_cast<uint64_t>(s.per_task.accel_milli));
    for (AccelType t : s.accel_types) h = Mix(h, static_cast<uint64_t>(t));
    h = Mix(h, Bits(s.speed));
  }
  for (const auto& [t, f] : job.type_speed) h = Mix(Mix(h, static_cast<uint64_t>(t)), Bits(f));
  return h;
}

bool JobQueue::SameKey(const ClassKey& key, const Job& job, const QueueRank& rank, int32_t bucket,
                       Time limit) const {
  if (key.bucket != bucket || key.tenant != job.tenant || key.prio != rank.prio ||
      key.level != rank.level || key.limit != limit || key.shapes.size() != job.shapes.size() ||
      key.type_speed.size() != job.type_speed.size()) {
    return false;
  }
  for (size_t i = 0; i < key.shapes.size(); ++i) {
    if (!SameShape(key.shapes[i], job.shapes[i])) return false;
  }
  for (size_t i = 0; i < key.type_speed.size(); ++i) {
    if (key.type_speed[i].first != job.type_speed[i].first ||
        Bits(key.type_speed[i].second) != Bits(job.type_speed[i].second)) {
      return false;
    }
  }
  return true;
}

int32_t JobQueue::ClassOf(const ClusterState& state, const Job& job, const QueueRank& rank) {
  const int32_t bucket = BucketOf(job.tenant);
  const Time limit = rules_.class_limit ? rules_.class_limit(state, job) : 0;
  const uint64_t hash = KeyHash(job, rank, bucket, limit);
  // Most jobs fall in a class seen just before: a small direct-mapped cache spares the map.
  auto& [cached_hash, cached_cls] = class_cache_[hash % class_cache_.size()];
  if (cached_cls >= 0 && cached_hash == hash &&
      SameKey(classes_[cached_cls].key, job, rank, bucket, limit)) {
    return cached_cls;
  }
  auto& candidates = class_index_[hash];
  for (int32_t c : candidates) {
    if (SameKey(classes_[c].key, job, rank, bucket, limit)) {
      cached_hash = hash;
      cached_cls = c;
      return c;
    }
  }
  Class cls(&pool_);
  cls.key.bucket = bucket;
  cls.key.tenant = job.tenant;
  cls.key.prio = rank.prio;
  cls.key.level = rank.level;
  cls.key.limit = limit;
  cls.key.shapes = job.shapes;
  cls.key.type_speed = job.type_speed;
  classes_.push_back(std::move(cls));
  candidates.push_back(static_cast<int32_t>(classes_.size()) - 1);
  cached_hash = hash;
  cached_cls = candidates.back();
  return candidates.back();
}

void JobQueue::MarkNonEmpty(int32_t cls, bool nonempty) {
  int32_t& at = classes_[cls].nonempty_at;
  if (nonempty) {
    if (at >= 0) return;
    at = static_cast<int32_t>(nonempty_.size());
    nonempty_.push_back(cls);
    return;
  }
  if (at < 0) return;
  const int32_t last = nonempty_.back();
  nonempty_[at] = last;
  classes_[last].nonempty_at = at;
  nonempty_.pop_back();
  at = -1;
}

JobQueue::Cursor JobQueue::Begin(int32_t cls) const {
  if (rebuilt_arrays_valid_) return Cursor{{}, rebuild_grouped_.data() + rebuild_start_[cls]};
  return Cursor{classes_[cls].members.begin(), nullptr};
}

JobQueue::Cursor JobQueue::End(int32_t cls) const {
  if (rebuilt_arrays_valid_) return Cursor{{}, rebuild_grouped_.data() + rebuild_end_[cls]};
  return Cursor{classes_[cls].members.end(), nullptr};
}

size_t JobQueue::class_size(int32_t cls) const {
  if (rebuilt_arrays_valid_) return rebuild_end_[cls] - rebuild_start_[cls];
  return classes_[cls].members.size();
}

int32_t JobQueue::class_sample(int32_t cls) const {
  if (class_size(cls) == 0) return -1;
  return Begin(cls)->index;
}

void JobQueue::BeginWalk() {
  ++walk_no_;
  consumed_.resize(num_jobs_, 0);
  // Only classes with members are walked; the others' walk state is never read.
  walk_.resize(classes_.size());
  fronts_.resize(static_cast<size_t>(num_buckets_));
  for (auto& heap : fronts_) heap.clear();
  for (int32_t c : nonempty_) {
    const Class& cls = classes_[c];
    walk_[c] = WalkState{Begin(c), true, false, false, 0};
    fronts_[cls.key.bucket].emplace_back(walk_[c].cursor->rank, c);
  }
  for (auto& heap : fronts_) std::make_heap(heap.begin(), heap.end(), FrontAfter{});
}

bool JobQueue::Front(int32_t bucket, Item* out) const {
  const auto& fronts = fronts_[bucket];
  if (fronts.empty()) return false;
  const int32_t cls = fronts.front().second;
  const Member& m = *walk_[cls].cursor;
  *out = Item{m.index, cls, m.rank, m.limit};
  return true;
}

void JobQueue::PushFront(int32_t cls) {
  WalkState& w = walk_[cls];
  w.live = true;
  auto& heap = fronts_[classes_[cls].key.bucket];
  heap.emplace_back(w.cursor->rank, cls);
  std::push_heap(heap.begin(), heap.end(), FrontAfter{});
}

bool JobQueue::SkipToShort(int32_t cls) {
  WalkState& w = walk_[cls];
  const Cursor end = End(cls);
  while (!(w.cursor == end) && !(w.cursor->limit > 0 && w.cursor->limit <= w.short_max)) {
    ++w.cursor;
  }
  return !(w.cursor == end);
}

bool JobQueue::Consume(const Item& item, Verdict verdict, Time short_max) {
  WalkState& w = walk_[item.cls];
  const Class& cls = classes_[item.cls];
  if (!w.live || w.cursor == End(item.cls) || w.cursor->rank.id != item.rank.id) return w.live;
  auto& heap = fronts_[cls.key.bucket];
  if (!heap.empty() && heap.front().second == item.cls) {
    std::pop_heap(heap.begin(), heap.end(), FrontAfter{});
    heap.pop_back();
  } else {  // the heap changed since Front() (a revival): take the class out wherever it is
    auto it = std::find_if(heap.begin(), heap.end(),
                           [&](const FrontEntry& f) { return f.second == item.cls; });
    if (it == heap.end()) return w.live;
    heap.erase(it);
    std::make_heap(heap.begin(), heap.end(), FrontAfter{});
  }
  w.live = false;
  if (item.index >= 0 && static_cast<size_t>(item.index) < consumed_.size()) {
    consumed_[item.index] = walk_no_;
  }
  ++w.cursor;
  if (verdict == Verdict::kFailed) {
    w.failed = true;
    w.short_only = false;
    return false;
  }
  if (verdict == Verdict::kShortOnly) {
    w.failed = true;
    w.short_only = true;
    w.short_max = short_max;
  }
  if (w.short_only ? !SkipToShort(item.cls) : w.cursor == End(item.cls)) return false;
  PushFront(item.cls);
  return true;
}

void JobQueue::Revive(const std::function<bool(int32_t cls)>& revive) {
  for (int32_t c : nonempty_) {
    WalkState& w = walk_[c];
    if (!(w.failed && (!w.live || w.short_only)) || !revive(c)) continue;
    w.short_only = false;
    if (w.live || w.cursor == End(c)) continue;
    PushFront(c);
  }
}

void JobQueue::ReviveShort(Time short_max, const std::function<bool(int32_t cls)>& revive) {
  for (int32_t c : nonempty_) {
    WalkState& w = walk_[c];
    if (w.live || !w.failed || !revive(c)) continue;
    w.short_only = true;
    w.short_max = short_max;
    if (SkipToShort(c)) PushFront(c);
  }
}

namespace {

// A k-way merge of rank-sorted ranges [first[j], last[j]) in rank order, as a tournament: leaf j
// holds range j's next member, each inner node the better of its children, so taking the next
// member costs one comparison per level (about ten for a thousand classes) and moves no data.
template <typename It, typename Visit>
void MergeByRank(std::vector<It>& first, const std::vector<It>& last, Visit&& visit) {
  const auto k = static_cast<int32_t>(first.size());
  if (k == 0) return;
  int32_t leaves = 1;
  while (leaves < k) leaves *= 2;
  std::vector<QueueRank> head(static_cast<size_t>(k));
  std::vector<int32_t> tree(static_cast<size_t>(2 * leaves), -1);  // range index, -1 = none
  for (int32_t j = 0; j < k; ++j) {
    if (first[j] == last[j]) continue;
    head[j] = first[j]->rank;
    tree[leaves + j] = j;
  }
  auto better = [&](int32_t a, int32_t b) {
    if (a < 0) return b;
    if (b < 0) return a;
    return RankLess(head[b], head[a]) ? b : a;
  };
  for (int32_t i = leaves - 1; i >= 1; --i) tree[i] = better(tree[2 * i], tree[2 * i + 1]);
  while (tree[1] >= 0) {
    const int32_t j = tree[1];
    visit(j, *first[j]);
    if (++first[j] == last[j]) {
      tree[leaves + j] = -1;
    } else {
      head[j] = first[j]->rank;
    }
    for (int32_t i = (leaves + j) / 2; i >= 1; i /= 2) {
      tree[i] = better(tree[2 * i], tree[2 * i + 1]);
    }
  }
}

}  // namespace

void JobQueue::ForEachUnconsumed(const std::function<void(const Item&)>& visit) const {
  auto each = [&](int32_t j, const Member& m) {
    const bool consumed = m.index >= 0 && static_cast<size_t>(m.index) < consumed_.size() &&
                          consumed_[m.index] == walk_no_;
    if (!consumed) visit(Item{m.index, nonempty_[j], m.rank, m.limit});
  };
  if (rebuilt_arrays_valid_) {
    // Nothing changed since the rebuild: its rank-sorted arrays hold the same members as the
    // class sets, contiguously (a set is walked node by node).
    std::vector<const Member*> first, last;
    for (int32_t c : nonempty_) {
      first.push_back(rebuild_grouped_.data() + rebuild_start_[c]);
      last.push_back(rebuild_grouped_.data() + rebuild_end_[c]);
    }
    MergeByRank(first, last, each);
    return;
  }
  std::vector<Members::const_iterator> first, last;
  for (int32_t c : nonempty_) {
    first.push_back(classes_[c].members.begin());
    last.push_back(classes_[c].members.end());
  }
  MergeByRank(first, last, each);
}

}  // namespace suanli::core
