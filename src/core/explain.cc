// Explanation: why each pending job still waits, in words, and when it may start.
#include "core/scheduler.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
using namespace scheduler_internal;  // NOLINT: the cycle's shared helpers

void Scheduler::Explain(const ClusterState& state, Time now, CycleResult& result) {
  // A FIFO plan per accelerator type over the free pool and the limits of running jobs gives
  // every waiting job an estimated start when the jobs ahead of it have known limits.
  const int32_t num_types = cap_.num_types();
  struct Pool {
    int64_t free = 0;
    Time cursor = 0;
    bool blocked = false;
    std::priority_queue<std::pair<Time, int64_t>, std::vector<std::pair<Time, int64_t>>,
                        std::greater<>>
        releases;
  };
  std::vector<Pool> pools(num_types);
  for (AccelType t = 0; t < num_types; ++t) {
    pools[t].free = cap_.free_milli(t);
    pools[t].cursor = now;
  }
  auto add_release = [&](const Job& job, const std::vector<TaskAllocation>& tasks, Time start) {
    if (job.time_limit <= 0) return;
    for (const auto& t : tasks) {
      if (t.type >= 0 && t.type < num_types) {
        pools[t.type].releases.emplace(std::max(now, start + job.time_limit), t.res.accel_milli);
      }
    }
  };
  for (const Running& r : run_) {
    if (preempted_[r.index] || r.limit <= 0) continue;
    const Job& job = state.jobs[r.index];
    add_release(job, job.allocation, job.start_time);
  }
  for (size_t k = 0; k < placed_this_cycle_.size(); ++k) {
    add_release(state.jobs[placed_index_[k]], placed_this_cycle_[k].tasks, now);
  }
  // What every job waiting like one record has in common: its words, and what it waits for in
  // the plan. Worked out once per record of the walk, and once per class for the jobs it skipped.
  struct Described {
    std::shared_ptr<const std::string> words;
    bool in_line = false;  // waits for resources: counted in line, given a place in the plan
    AccelType type = kNoAccel;
    int64_t need = 0;  // accelerator milli the whole job needs
  };
  auto describe = [&](const Record& rec, const Job& job) {
    Described d;
    std::string text;
    switch (rec.outcome) {
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
               DimAmount(dim, fair_.usage(rec.quota_tenant, dim)) + "/" +
               DimAmount(dim, fair_.limit(rec.quota_tenant, dim)) + " " + DimName(state, dim);
        break;
      }
      case Outcome::kStrictBehind:
      case Outcome::kNoFit: {
        if (job.shapes.empty()) {
          text = "the job asks for no resource shape";
          break;
        }
        Option opt = rec.option;
        if (opt.type == kNoAccel) {  // never tried (early stop): describe the first shape
          const std::vector<AccelType> types = CandidateTypes(state, job, job.shapes[0]);
          if (types.empty()) {
            text = "asks for an accelerator type the cluster does not have";
            break;
          }
          opt = Option{0, types[0], 1.0};
        }
        const Shape& shape = job.shapes[std::clamp<int32_t>(opt.shape, 0, job.shapes.size() - 1)];
        if (rec.outcome == Outcome::kStrictBehind) {
          text = "behind job " + std::to_string(rec.blocker) +
                 " at the head of the queue (strict FIFO: no job may pass it)";
        } else if (opt.type != kNoAccel) {
          text = "waiting for " + ShapeAskText(state, shape, opt.type) + " (" +
                 MilliText(cap_.free_milli(opt.type)) + " free of " +
                 std::to_string(cap_.total_devices(opt.type)) + ")";
        } else {
          text = "waiting for " + ShapeAskText(state, shape, kNoAccel) + " per task";
        }
        d.in_line = true;
        d.type = opt.type;
        d.need = shape.per_task.accel_milli * std::max(shape.tasks, 1);
        break;
      }
    }
    d.words = std::make_shared<const std::string>(std::move(text));
    return d;
  };
  int64_t ahead = 0;
  result.pending.reserve(records_.size() + waiting_.size() + result.preemptions.size());
  auto add = [&](const Described& d, const Record& rec, JobId id, Time limit, bool head) {
    PendingInfo info;
    info.job = id;
    info.words = d.words;
    if (d.in_line) {
      if (rec.outcome == Outcome::kNoFit) info.ahead = ahead;
      // Estimated start from the plan.
      if (d.type != kNoAccel && d.type < num_types) {
        Pool& pool = pools[d.type];
        while (!pool.blocked && pool.free < d.need && !pool.releases.empty()) {
          pool.cursor = std::max(pool.cursor, pool.releases.top().first);
          pool.free += pool.releases.top().second;
          pool.releases.pop();
        }
        if (pool.free < d.need) pool.blocked = true;
        if (!pool.blocked) {
          Time start = pool.cursor;
          if (start == now) {  // it did not fit now (fragmentation): next release at best
            start = pool.releases.empty() ? kUnknownTime : std::max(now, pool.releases.top().first);
          }
          if (start != kUnknownTime) {
            info.est_start = start;
            pool.free -= d.need;
            if (limit > 0) pool.releases.emplace(start + limit, d.need);
          }
        }
      }
      if (head) {
        if (reservation_.start != kUnknownTime) {
          info.est_start = std::max(reservation_.start, now);
          info.start = PendingInfo::Start::kReserved;
        } else {
          info.start = PendingInfo::Start::kReservedUnknown;
        }
      }
      ++ahead;
    }
    result.pending.push_back(std::move(info));
  };
  for (const Record& rec : records_) {
    const Job& job = state.jobs[rec.index];
    add(describe(rec, job), rec, job.id, job.time_limit,
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
      described.push_back(describe(*rec, state.jobs[queue_.class_sample(w.cls)]));
    }
    add(described[slot], *rec, w.id, w.limit, false);
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
