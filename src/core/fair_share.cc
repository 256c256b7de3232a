#include "core/fair_share.h"

#include <algorithm>
#include <iterator>

#include "core/job_util.h"

namespace suanli::core {

DimVector AskOf(const std::vector<TaskAllocation>& tasks, size_t dims) {
  DimVector ask(dims, 0);
  for (const auto& t : tasks) {
    ask[kDimCpu] += t.res.cpu_milli;
    ask[kDimMem] += t.res.mem_mb;
    const size_t d = kDimAccelBase + static_cast<size_t>(t.type);
    if (t.type != kNoAccel && d < dims) ask[d] += t.res.accel_milli;
  }
  return ask;
}

DimVector AskOf(const Shape& shape, AccelType type, size_t dims) {
  DimVector ask(dims, 0);
  const int64_t n = std::max(shape.tasks, 1);
  ask[kDimCpu] = shape.per_task.cpu_milli * n;
  ask[kDimMem] = shape.per_task.mem_mb * n;
  const size_t d = kDimAccelBase + static_cast<size_t>(type);
  if (type != kNoAccel && d < dims) ask[d] = shape.per_task.accel_milli * n;
  return ask;
}

void FairShare::Reset(const ClusterState& state, const Capacity& cap,
                      const std::vector<int32_t>* running) {
  BeginReset(state, cap);
  own_.assign(num_tenants_, DimVector(dims_, 0));
  held_.clear();
  synced_ = false;
  auto add = [&](const Job& job) {
    if (job.phase == JobPhase::kRunning && valid(job.tenant))
      AddOwn(job.tenant, job.allocation, +1);
  };
  if (running) {
    for (int32_t i : *running) add(state.jobs[i]);
  } else {
    for (const Job& job : state.jobs) add(job);
  }
  FinishReset(state);
}

void FairShare::Sync(const ClusterState& state, const Capacity& cap,
                     const std::vector<int32_t>& running, bool incremental) {
  const bool same_shape = static_cast<int32_t>(state.tenants.size()) == num_tenants_ &&
                          cap.totals().size() == dims_ && synced_;
  std::vector<JobDelta> changes;
  bool follow = incremental && same_shape;
  if (follow) {
    changes = UniqueChanges(state.feed);
    follow = FeedMatchesJobs(state, changes);
  }
  if (!follow) {
    Reset(state, cap, &running);
    held_.clear();
    for (int32_t i : running) {
      const Job& job = state.jobs[i];
      if (valid(job.tenant)) held_.push_back({job.id, job.tenant, AskOf(job.allocation, dims_)});
    }
    std::sort(held_.begin(), held_.end(),
              [](const Held& a, const Held& b) { return a.job < b.job; });
    synced_ = true;
    return;
  }
  BeginReset(state, cap);
  auto by_job = [](const Held& h, JobId id) { return h.job < id; };
  // A few changes are spliced into the sorted list one by one; many (thousands of jobs ending
  // at once) in one pass, since each splice moves the rest of the list.
  constexpr size_t kSpliceMax = 16;
  const bool one_pass = changes.size() > kSpliceMax;
  std::vector<Held> added;
  for (const JobDelta& d : changes) {  // ascending ids (UniqueChanges)
    auto it = std::lower_bound(held_.begin(), held_.end(), d.id, by_job);
    if (it != held_.end() && it->job == d.id) {
      for (size_t k = 0; k < dims_; ++k) own_[it->tenant][k] -= it->ask[k];
      if (one_pass) {
        it->tenant = -1;  // dropped below
      } else {
        held_.erase(it);
      }
    }
    if (d.index < 0) continue;
    const Job& job = state.jobs[d.index];
    if (job.phase != JobPhase::kRunning || !valid(job.tenant)) continue;
    Held h{job.id, job.tenant, AskOf(job.allocation, dims_)};
    for (size_t k = 0; k < dims_; ++k) own_[h.tenant][k] += h.ask[k];
    if (one_pass) {
      added.push_back(std::move(h));
    } else {
      held_.insert(std::lower_bound(held_.begin(), held_.end(), h.job, by_job), std::move(h));
    }
  }
  if (one_pass) {
    held_.erase(
        std::remove_if(held_.begin(), held_.end(), [](const Held& h) { return h.tenant < 0; }),
        held_.end());
    std::vector<Held> merged;
    merged.reserve(held_.size() + added.size());
    std::merge(std::make_move_iterator(held_.begin()), std::make_move_iterator(held_.end()),
               std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()),
               std::back_inserter(merged),
               [](const Held& a, const Held& b) { return a.job < b.job; });
    held_.swap(merged);
  }
  FinishReset(state);
}

void FairShare::AddOwn(int32_t tenant, const std::vector<TaskAllocation>& tasks, int sign) {
  DimVector& own = own_[tenant];
  for (const auto& task : tasks) {
    own[kDimCpu] += sign * task.res.cpu_milli;
    own[kDimMem] += sign * task.res.mem_mb;
    const size_t d = kDimAccelBase + static_cast<size_t>(task.type);
    if (task.type != kNoAccel && d < dims_) own[d] += sign * task.res.accel_milli;
  }
}

void FairShare::BeginReset(const ClusterState& state, const Capacity& cap) {
  state_ = &state;
  num_tenants_ = static_cast<int32_t>(state.tenants.size());
  totals_ = cap.totals();
  dims_ = totals_.size();
  // Paths only change with the tree; re-walked when a parent link differs from last time.
  bool same_tree = static_cast<int32_t>(parents_.size()) == num_tenants_;
  for (int32_t t = 0; same_tree && t < num_tenants_; ++t) {
    same_tree = parents_[t] == state.tenants[t].parent;
  }
  if (!same_tree) {
    parents_.resize(num_tenants_);
    for (int32_t t = 0; t < num_tenants_; ++t) parents_[t] = state.tenants[t].parent;
    paths_.assign(num_tenants_, {});
    for (int32_t t = 0; t < num_tenants_; ++t) {
      // Walk up to the root; a broken parent link (out of range or a cycle) ends the walk.
      std::vector<int32_t>& p = paths_[t];
      for (int32_t cur = t; cur >= 0 && cur < num_tenants_ && p.size() <= state.tenants.size();
           cur = state.tenants[cur].parent) {
        if (std::find(p.begin(), p.end(), cur) != p.end()) break;
        p.push_back(cur);
      }
      std::reverse(p.begin(), p.end());
    }
  }
}

// Usage of a tenant includes its descendants': each tenant's own running jobs, summed up its
// path. Then the decayed history and the cached scores.
void FairShare::FinishReset(const ClusterState& state) {
  usage_.resize(num_tenants_);  // buffers are reused: this runs every cycle
  for (auto& u : usage_) u.assign(dims_, 0);
  for (int32_t owner = 0; owner < num_tenants_; ++owner) {
    const DimVector& own = own_[owner];
    for (int32_t t : paths_[owner]) {
      for (size_t d = 0; d < dims_; ++d) usage_[t][d] += own[d];
    }
  }
  // Historical usage as a share among siblings.
  history_.assign(num_tenants_, 0);
  std::vector<double> sibling_sum(num_tenants_ + 1, 0);  // by parent (+1 so roots use index 0)
  auto parent_slot = [&](int32_t t) {
    const int32_t parent = paths_[t].size() >= 2 ? paths_[t][paths_[t].size() - 2] : -1;
    return static_cast<size_t>(parent + 1);
  };
  for (int32_t t = 0; t < num_tenants_; ++t) {
    sibling_sum[parent_slot(t)] += std::max(0.0, state.tenants[t].decayed_usage);
  }
  for (int32_t t = 0; t < num_tenants_; ++t) {
    const double sum = sibling_sum[parent_slot(t)];
    history_[t] = sum > 0 ? std::max(0.0, state.tenants[t].decayed_usage) / sum : 0;
  }
  score_.assign(num_tenants_, 0);
  for (int32_t t = 0; t < num_tenants_; ++t) score_[t] = ComputeScore(t);
}

void FairShare::Charge(int32_t tenant, const DimVector& amount, int sign) {
  if (!valid(tenant)) return;
  for (int32_t t : paths_[tenant]) {
    for (size_t d = 0; d < dims_ && d < amount.size(); ++d) usage_[t][d] += sign * amount[d];
    score_[t] = ComputeScore(t);
  }
}

int64_t FairShare::usage(int32_t tenant, int dim) const {
  return valid(tenant) && static_cast<size_t>(dim) < dims_ ? usage_[tenant][dim] : 0;
}

double FairShare::DominantShare(int32_t tenant) const {
  if (!valid(tenant)) return 0;
  double dominant = 0;
  for (size_t d = 0; d < dims_; ++d) {
    if (totals_[d] > 0) {
      dominant = std::max(dominant, static_cast<double>(usage_[tenant][d]) / totals_[d]);
    }
  }
  return dominant;
}

double FairShare::Score(int32_t tenant) const { return valid(tenant) ? score_[tenant] : 0; }

double FairShare::ComputeScore(int32_t tenant) const {
  if (!valid(tenant)) return 0;
  const double weight = std::max(state_->tenants[tenant].weight, 1e-9);
  return (DominantShare(tenant) + history_[tenant]) / weight;
}

bool FairShare::Before(int32_t a, int32_t b) const {
  if (a == b) return false;
  if (!valid(a) || !valid(b)) return a < b;
  const auto& pa = paths_[a];
  const auto& pb = paths_[b];
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    if (pa[i] == pb[i]) continue;
    const double sa = Score(pa[i]), sb = Score(pb[i]);
    if (sa != sb) return sa < sb;
    return pa[i] < pb[i];
  }
  return pa.size() < pb.size();  // an ancestor's own jobs before its children's
}

int64_t FairShare::limit(int32_t tenant, int dim) const {
  const auto& l = state_->tenants[tenant].limit;
  return static_cast<size_t>(dim) < l.size() ? l[dim] : kUnlimited;
}

int64_t FairShare::guarantee(int32_t tenant, int dim) const {
  const auto& g = state_->tenants[tenant].guarantee;
  return static_cast<size_t>(dim) < g.size() ? g[dim] : kUnlimited;
}

int32_t FairShare::LimitBlocker(int32_t tenant, const DimVector& ask, int* dim) const {
  if (!valid(tenant)) return -1;
  const auto& p = paths_[tenant];
  for (auto it = p.rbegin(); it != p.rend(); ++it) {
    for (size_t d = 0; d < dims_ && d < ask.size(); ++d) {
      if (ask[d] <= 0) continue;
      const int64_t cap = limit(*it, static_cast<int>(d));
      if (cap >= 0 && usage_[*it][d] + ask[d] > cap) {
        *dim = static_cast<int>(d);
        return *it;
      }
    }
  }
  return -1;
}

bool FairShare::Borrowing(int32_t tenant, int dim) const {
  if (!valid(tenant)) return false;
  const int64_t g = guarantee(tenant, dim);
  return usage(tenant, dim) > std::max<int64_t>(g, 0);
}

bool FairShare::WithinGuarantee(int32_t tenant, const DimVector& ask) const {
  if (!valid(tenant)) return false;
  bool touched = false;
  for (size_t d = 0; d < dims_ && d < ask.size(); ++d) {
    if (ask[d] <= 0 || d < kDimAccelBase) continue;  // reclaim is about accelerators
    touched = true;
    const int64_t g = guarantee(tenant, static_cast<int>(d));
    if (g < 0 || usage_[tenant][d] + ask[d] > g) return false;
  }
  return touched;
}

}  // namespace suanli::core
