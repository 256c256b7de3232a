// Explanation: why each pending job still waits, in words, and when it may start.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

namespace {

using Record = Scheduler::Record;
using Outcome = Scheduler::Outcome;

// A FIFO plan per accelerator type over the free pool and the limits of running jobs: it gives
// every waiting job an estimated start when the jobs ahead of it have known limits.
class StartPlan {
 public:
  StartPlan(const Capacity& cap, Time now) : now_(now), pools_(cap.num_types()) {
    for (AccelType t = 0; t < cap.num_types(); ++t) pools_[t].free = cap.free_milli(t);
    for (Pool& pool : pools_) pool.cursor = now;
  }

  // `tasks` of `job`, started at `start`, end by its limit.
  void AddRelease(const Job& job, const std::vector<TaskAllocation>& tasks, Time start) {
    if (job.time_limit <= 0) return;
    for (const auto& t : tasks) {
      if (t.type >= 0 && t.type < static_cast<AccelType>(pools_.size())) {
        pools_[t.type].releases.emplace(std::max(now_, start + job.time_limit), t.res.accel_milli);
      }
    }
  }

  // When `need` milli of `type` are free for a job that then runs `limit` (0: unknown), in line
  // after everyone asked before; kUnknownTime when the plan cannot tell.
  Time Take(AccelType type, int64_t need, Time limit) {
    if (type == kNoAccel || type >= static_cast<AccelType>(pools_.size())) return kUnknownTime;
    Pool& pool = pools_[type];
    while (!pool.blocked && pool.free < need && !pool.releases.empty()) {
      pool.cursor = std::max(pool.cursor, pool.releases.top().first);
      pool.free += pool.releases.top().second;
      pool.releases.pop();
    }
    // Nothing known frees enough: no later job of this type gets an estimate either.
    if (pool.free < need) pool.blocked = true;
    if (pool.blocked) return kUnknownTime;
    Time start = pool.cursor;
    if (start == now_) {  // it did not fit now (fragmentation): next release at best
      start = pool.releases.empty() ? kUnknownTime : std::max(now_, pool.releases.top().first);
    }
    if (start == kUnknownTime) return kUnknownTime;
    pool.free -= need;
    if (limit > 0) pool.releases.emplace(start + limit, need);
    return start;
  }

 private:
  struct Pool {
    int64_t free = 0;
    Time cursor = 0;
    bool blocked = false;
    std::priority_queue<std::pair<Time, int64_t>, std::vector<std::pair<Time, int64_t>>,
                        std::greater<>>
        releases;
  };
  Time now_;
  std::vector<Pool> pools_;
};

// What every job waiting like one record has in common: its words, and what it waits for in the
// plan. Worked out once per record of the walk, and once per class for the jobs it skipped.
struct Described {
  std::shared_ptr<const std::string> words;
  bool in_line = false;  // waits for resources: counted in line, given a place in the plan
  AccelType type = kNoAccel;
  int64_t need = 0;  // accelerator milli the whole job needs
};

// A job that waits for resources (or behind the strict head): the words, and its place in line.
Described DescribeWaitForRoom(const ClusterState& state, const Capacity& cap, const Record& rec,
                              const Job& job) {
  Described d;
  if (job.shapes.empty()) {
    d.words = std::make_shared<const std::string>("the job asks for no resource shape");
    return d;
  }
  Scheduler::Option opt = rec.option;
  if (opt.type == kNoAccel) {  // never tried (early stop): describe the first shape
    const std::vector<AccelType> types = CandidateTypes(state, job, job.shapes[0]);
    if (types.empty()) {
      d.words = std::make_shared<const std::string>(
          "asks for an accelerator type the cluster does not have");
      return d;
    }
    opt = Scheduler::Option{0, types[0], 1.0};
  }
  const Shape& shape = job.shapes[std::clamp<int32_t>(opt.shape, 0, job.shapes.size() - 1)];
  std::string text;
  if (rec.outcome == Outcome::kStrictBehind) {
    text = "behind job " + std::to_string(rec.blocker) +
           " at the head of the queue (strict FIFO: no job may pass it)";
  } else if (opt.type != kNoAccel) {
    text = "waiting for " + ShapeAskText(state, shape, opt.type) + " (" +
           MilliText(cap.free_milli(opt.type)) + " free of " +
           std::to_string(cap.total_devices(opt.type)) + ")";
  } else {
    text = "waiting for " + ShapeAskText(state, shape, kNoAccel) + " per task";
  }
  d.words = std::make_shared<const std::string>(std::move(text));
  d.in_line = true;
  d.type = opt.type;
  d.need = shape.per_task.accel_milli * std::max(shape.tasks, 1);
  return d;
}

Described Describe(const ClusterState& state, const Capacity& cap, const FairShare& fair,
                   const Record& rec, const Job& job) {
  std::string text;
  switch (rec.outcome) {
    case Outcome::kStrictBehind:
    case Outcome::kNoFit:
      return DescribeWaitForRoom(state, cap, rec, job);
    case Outcome::kNoShape:
      text = !rec.note.empty()    ? rec.note
             : job.shapes.empty() ? "the job asks for no resource shape"
                                  : "asks for an accelerator type the cluster does not have";
      break;
    case Outcome::kBudget: {
      const Tenant& t = state.tenants[rec.quota_tenant];
      text = "tenant " + t.name + " is over its accelerator-hour budget (" +
             OneDecimal(t.accel_hours_used) + " of " + OneDecimal(t.accel_hour_budget) +
             " h used this period)";
      break;
    }
    case Outcome::kQuota: {
      const int dim = rec.quota_dim;
      text = "tenant " + state.tenants[rec.quota_tenant].name + " is at its quota " +
             DimAmount(dim, fair.usage(rec.quota_tenant, dim)) + "/" +
             DimAmount(dim, fair.limit(rec.quota_tenant, dim)) + " " + DimName(state, dim);
      break;
    }
  }
  Described d;
  d.words = std::make_shared<const std::string>(std::move(text));
  return d;
}

// The pending list in rank order: each job's words, how many wait ahead of it, and its start
// from the plan (or, for the head job, its reservation).
struct PendingList {
  StartPlan& plan;
  Time reserved_start;  // the head job's reserved start, or kUnknownTime
  Time now;
  std::vector<PendingInfo>& out;
  int64_t ahead = 0;

  void Add(const Described& d, Outcome outcome, JobId id, Time limit, bool head) {
    PendingInfo info;
    info.job = id;
    info.words = d.words;
    if (d.in_line) {
      if (outcome == Outcome::kNoFit) info.ahead = ahead;
      if (const Time start = plan.Take(d.type, d.need, limit); start != kUnknownTime) {
        info.est_start = start;
      }
      if (head) {
        if (reserved_start != kUnknownTime) {
          info.est_start = std::max(reserved_start, now);
          info.start = PendingInfo::Start::kReserved;
        } else {
          info.start = PendingInfo::Start::kReservedUnknown;
        }
      }
      ++ahead;
    }
    out.push_back(std::move(info));
  }
};

}  // namespace

void Scheduler::Explain(const ClusterState& state, Time now, CycleResult& result) {
  StartPlan plan(cap_, now);
  for (const Running& r : run_) {
    if (preempted_[r.index] || r.limit <= 0) continue;
    const Job& job = state.jobs[r.index];
    plan.AddRelease(job, job.allocation, job.start_time);
  }
  for (size_t k = 0; k < placed_this_cycle_.size(); ++k) {
    plan.AddRelease(state.jobs[placed_index_[k]], placed_this_cycle_[k].tasks, now);
  }
  result.pending.reserve(records_.size() + waiting_.size() + result.preemptions.size());
  PendingList pending{plan, reservation_.start, now, result.pending};
  for (const Record& rec : records_) {
    const Job& job = state.jobs[rec.index];
    pending.Add(Describe(state, cap_, fair_, rec, job), rec.outcome, job.id, job.time_limit,
                rec.head && reservation_.index == rec.index);
  }
  // The jobs the walk skipped wait like their class: described once per class.
  Record strict_behind, never_tried;
  strict_behind.outcome = Outcome::kStrictBehind;
  strict_behind.blocker = strict_head_;
  described_slot_.assign(static_cast<size_t>(queue_.num_classes()), -1);
  std::vector<Described> described;
  for (const Waiting& w : waiting_) {
    const Record* rec = &never_tried;
    if (strict_head_ != 0) {
      rec = &strict_behind;
    } else if (queue_.failed(w.cls) && static_cast<size_t>(w.cls) < classes_.size()) {
      rec = &classes_[w.cls].failure;
    }
    int32_t& slot = described_slot_[w.cls];
    if (slot < 0) {
      slot = static_cast<int32_t>(described.size());
      described.push_back(
          Describe(state, cap_, fair_, *rec, state.jobs[queue_.class_sample(w.cls)]));
    }
    pending.Add(described[slot], rec->outcome, w.id, w.limit, false);
  }
  // Victims of this cycle are pending once the caller applies the preemption.
  for (const Preemption& p : result.preemptions) {
    PendingInfo info;
    info.job = p.job;
    info.words = std::make_shared<const std::string>(p.reason + "; waiting to run again");
    result.pending.push_back(std::move(info));
  }
}

}  // namespace suanli::core
