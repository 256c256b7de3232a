#include "sim/engine.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <queue>
#include <tuple>

#include "adapter/decisions.h"
#include "adapter/ledger.h"
#include "core/duration_predictor.h"
#include "core/usage_tracker.h"

namespace suanli::sim {
namespace {

using core::Time;

struct Completion {
  Time t;
  core::JobId id;
  uint32_t epoch;
  bool operator>(const Completion& o) const {
    if (t != o.t) return t > o.t;
    return id > o.id;  // stable tie-break
  }
};

// Per-job bookkeeping the core does not need to see.
struct Runtime {
  int32_t pos = -1;         // index in state.jobs while active, else -1
  uint32_t epoch = 0;       // bumps on every stop, so stale completions are ignored
  double remaining_ms = 0;  // work left, in ms at speed 1.0
  Time run_start = 0;
  double rate = 1.0;  // speed of the current run
  Time pending_since = 0;
  Time service_at = 0;      // attained service counted up to here
  int64_t accel_milli = 0;  // held now
  int64_t cpu_milli = 0;    // held now (service for accelerator-less jobs)
  int32_t run_pos = -1;     // index in Engine::running_ while running
};

// Each engine's ClusterState is its own feed stream (see core::JobFeed).
uint64_t NextFeedStream() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

class Engine {
 public:
  Engine(const Workload& w, const core::ClusterState& cluster, core::Policy& policy,
         const EngineOptions& options)
      : w_(w),
        policy_(policy),
        options_(options),
        usage_(options.usage_half_life_ms),
        state_(InitialState(cluster, w)),
        ledger_(state_) {
    if (options.job_feed) state_.feed.stream = NextFeedStream();
    tenant_rate_milli_.assign(w.tenants.size(), 0);
    out_.capacity_milli = ledger_.capacity_milli();
    rt_.resize(w.jobs.size());
    out_.jobs.resize(w.jobs.size());
    out_.tenants.resize(w.tenants.size());
    tenant_alloc_.assign(w.tenants.size(), 0);
    tenant_pending_.assign(w.tenants.size(), 0);
    initial_jobs_ = w.jobs.size();
    node_held_milli_.assign(state_.nodes.size(), 0);
    node_events_ = options.node_events;
    std::stable_sort(node_events_.begin(), node_events_.end(),
                     [](const NodeEvent& a, const NodeEvent& b) {
                       return std::tie(a.time, a.node) < std::tie(b.time, b.node);
                     });
  }

  // The cluster's nodes with the workload's tenants, no jobs yet.
  static core::ClusterState InitialState(const core::ClusterState& cluster, const Workload& w) {
    core::ClusterState state;
    state.accel_types = cluster.accel_types;
    state.nodes = cluster.nodes;
    state.tenants = w.tenants;
    for (auto& t : state.tenants) t.decayed_usage = 0;
    return state;
  }

  Result<RunOutcome> Run() {
    SUANLI_RETURN_IF_ERROR(RunBefore(kNever));
    return Conclude();
  }

  // Processes every event before `limit` (all of them for kNever), cycles included.
  Status RunBefore(Time limit) {
    if (!started_) {
      Time first = NextArrival();
      if (first == kNever) return Status::Ok();
      started_ = true;
      now_ = first;
      out_.start = first;
      last_account_ = first;
      last_cycle_ = first;
      out_.allocation_steps.emplace_back(first, 0);
    }
    while (true) {
      Time t = NextArrival();
      if (!completions_.empty()) t = std::min(t, completions_.top().t);
      // Skip node events that are in the past (before the first job) or after the last job.
      while (next_node_event_ < node_events_.size() &&
             (node_events_[next_node_event_].time < now_ || finished_ == w_.jobs.size())) {
        ++next_node_event_;
      }
      if (next_node_event_ < node_events_.size()) {
        t = std::min(t, node_events_[next_node_event_].time);
      }
      const bool events_left = t != kNever;
      if (options_.tick_ms > 0 && pending_count_ > 0 && (events_left || last_cycle_changed_)) {
        t = std::min(t, last_cycle_ + options_.tick_ms);
      }
      if (t == kNever || t >= limit) break;
      Account(t);
      now_ = t;
      const Time now = t;
      // Only a real event (or a due tick) runs a cycle: the completion of a run that was
      // preempted is no event, and the server would not run a pass for it either.
      bool happened = options_.tick_ms > 0 && now >= last_cycle_ + options_.tick_ms;
      while (!completions_.empty() && completions_.top().t == now) {
        Completion c = completions_.top();
        completions_.pop();
        size_t idx = static_cast<size_t>(c.id - 1);
        if (rt_[idx].epoch != c.epoch || rt_[idx].pos < 0) continue;  // stale
        Finish(idx, now);
        happened = true;
      }
      while (next_node_event_ < node_events_.size() && node_events_[next_node_event_].time == now) {
        ApplyNodeEvent(node_events_[next_node_event_++], now);
        happened = true;
      }
      while (next_arrival_ < initial_jobs_ && w_.jobs[next_arrival_].job.submit_time == now) {
        Arrive(next_arrival_++, now);
        happened = true;
      }
      while (!late_.empty() && late_.top().first == now) {
        size_t idx = late_.top().second;
        late_.pop();
        late_milli_ -= w_.jobs[idx].accel_milli;
        Arrive(idx, now);
        happened = true;
      }
      if (pending_count_ > 0 && happened) {
        SUANLI_ASSIGN_OR_RETURN(last_cycle_changed_, Cycle(now));
        last_cycle_ = now;
      }
      RecordAllocation(now);
    }
    return Status::Ok();
  }

  Result<RunOutcome> Conclude() {
    out_.end = now_;
    for (size_t i = 0; i < rt_.size(); ++i) {
      if (rt_[i].pos >= 0) out_.jobs[i].pending_ms += now_ - rt_[i].pending_since;
    }
    return std::move(out_);
  }

  // A job appended to the workload after construction; it arrives at its submit_time, which is
  // not before the last limit given to RunBefore.
  std::vector<size_t> TakeFinished() {
    std::vector<size_t> out;
    out.swap(finished_log_);
    return out;
  }
  void SetLive() { live_ = true; }

  void Admit(size_t idx) {
    rt_.resize(w_.jobs.size());
    out_.jobs.resize(w_.jobs.size());
    late_.push({w_.jobs[idx].job.submit_time, idx});
    late_milli_ += w_.jobs[idx].accel_milli;
  }

  LiveView View(Time now, const core::Shape& shape) const {
    LiveView v;
    v.allocated_devices = allocated_milli_ / core::kMilliPerDevice;
    int64_t pending = late_milli_;
    for (int64_t p : tenant_pending_) pending += p;
    v.queued_devices = (pending + core::kMilliPerDevice - 1) / core::kMilliPerDevice;
    v.running = static_cast<int64_t>(running_.size());
    // What this shape could use now: whole tasks on each node's free devices (free devices split
    // over nodes may hold none of its tasks).
    const int64_t per_task = std::max<int64_t>(1, shape.per_task.accel_milli);
    int64_t usable_milli = 0;
    for (size_t n = 0; n < state_.nodes.size(); ++n) {
      if (!state_.nodes[n].schedulable) continue;
      const auto cap = static_cast<int64_t>(state_.nodes[n].devices.size()) * core::kMilliPerDevice;
      usable_milli += (cap - node_held_milli_[n]) / per_task * per_task;
    }
    v.usable_devices = usable_milli / core::kMilliPerDevice;
    const int64_t asked = shape.tasks * per_task / core::kMilliPerDevice;
    if (v.usable_devices >= v.queued_devices + asked) return v;
    // Running jobs' expected ends, from the run-time estimate they were given at submission (the
    // only knowledge a real center has without time limits; kLiveDefaultRunMs without one). Run
    // times are heavy-tailed, so a job already past its estimate is expected to run as long again
    // as it has so far, not to end at once: reporting it as ending now makes every busy center
    // look about to be free.
    for (size_t idx : running_) {
      const Runtime& r = rt_[idx];
      const core::Job& job = state_.jobs[static_cast<size_t>(r.pos)];
      const double estimate = static_cast<double>(job.estimated_duration == core::kUnknownTime
                                                      ? kLiveDefaultRunMs
                                                      : job.estimated_duration);
      const double done = static_cast<double>(w_.jobs[idx].work_ms) - r.remaining_ms +
                          static_cast<double>(now - r.run_start) * r.rate;
      const double left = done < estimate ? estimate - done : done;
      v.releases.emplace_back(now + static_cast<Time>(left / r.rate),
                              r.accel_milli / core::kMilliPerDevice);
    }
    std::sort(v.releases.begin(), v.releases.end());
    return v;
  }

 private:
  static constexpr Time kNever = std::numeric_limits<Time>::max();

  Time NextArrival() const {
    Time t = kNever;
    if (next_arrival_ < initial_jobs_) t = w_.jobs[next_arrival_].job.submit_time;
    if (!late_.empty()) t = std::min(t, late_.top().first);
    return t;
  }

  // Integrates utilization and fair-share accounting over [last_account_, t).
  void Account(Time t) {
    const double dt = static_cast<double>(t - last_account_);
    if (dt <= 0) return;
    const size_t k = state_.tenants.size();
    std::vector<double> demand(k), weight(k);
    for (size_t i = 0; i < k; ++i) {
      demand[i] = static_cast<double>(tenant_alloc_[i] + tenant_pending_[i]);
      weight[i] = state_.tenants[i].weight;
    }
    // Fair shares divide what is up now: a node that left is nobody's share.
    const auto up_milli = static_cast<double>(ledger_.capacity_milli());
    std::vector<double> fair = WaterFill(up_milli, demand, weight);
    out_.outage_accel_ms += (static_cast<double>(out_.capacity_milli) - up_milli) / 1000.0 * dt;
    for (size_t i = 0; i < k; ++i) {
      out_.tenants[i].received_accel_ms += tenant_alloc_[i] / 1000.0 * dt;
      out_.tenants[i].fair_accel_ms += fair[i] / 1000.0 * dt;
      out_.tenants[i].demand_accel_ms += demand[i] / 1000.0 * dt;
    }
    last_account_ = t;
  }

  void RecordAllocation(Time now) {
    if (out_.allocation_steps.back().second == allocated_milli_) return;
    if (out_.allocation_steps.back().first == now) {
      out_.allocation_steps.back().second = allocated_milli_;
    } else {
      out_.allocation_steps.emplace_back(now, allocated_milli_);
    }
  }

  void Arrive(size_t idx, Time now) {
    AdvanceUsage(now);
    const SimJob& sj = w_.jobs[idx];
    Runtime& r = rt_[idx];
    r.remaining_ms = static_cast<double>(sj.work_ms);
    r.pending_since = now;
    r.pos = static_cast<int32_t>(state_.jobs.size());
    state_.jobs.push_back(sj.job);
    state_.jobs.back().queued_since = now;
    if (options_.learn_durations) {
      state_.jobs.back().estimated_duration = predictor_.Predict(Facts(sj));
    }
    Changed(sj.job.id);
    out_.jobs[idx].submit = sj.job.submit_time;
    tenant_pending_[sj.job.tenant] += sj.accel_milli;
    ++pending_count_;
  }

  void UpdateService(size_t idx, Time now) {
    Runtime& r = rt_[idx];
    core::Job& job = state_.jobs[r.pos];
    const double units = RateMilli(r) / 1000.0;
    job.attained_service_ms += units * static_cast<double>(now - r.service_at);
    job.ran_ms += now - r.service_at;
    r.service_at = now;
  }

  // Ends a run. A finished job's resources go back to the ledger here; a preempted one's were
  // given back when its preemption was checked (adapter::CheckCycle).
  void Release(size_t idx, bool in_ledger) {
    Runtime& r = rt_[idx];
    core::Job& job = state_.jobs[r.pos];
    if (in_ledger) ledger_.Release(job);
    allocated_milli_ -= r.accel_milli;
    tenant_alloc_[job.tenant] -= r.accel_milli;
    tenant_rate_milli_[job.tenant] -= RateMilli(r);
    if (r.run_pos >= 0) {  // swap-remove from the running list
      const size_t last = running_.back();
      running_[static_cast<size_t>(r.run_pos)] = last;
      rt_[last].run_pos = r.run_pos;
      running_.pop_back();
      r.run_pos = -1;
    }
    for (const auto& t : job.allocation)
      node_held_milli_[static_cast<size_t>(t.node)] -= t.res.accel_milli;
    job.allocation.clear();
    Changed(job.id);
    r.accel_milli = 0;
    r.cpu_milli = 0;
    ++r.epoch;
  }

  void RemoveActive(size_t idx) {
    int32_t pos = rt_[idx].pos;
    int32_t last = static_cast<int32_t>(state_.jobs.size()) - 1;
    Changed(static_cast<core::JobId>(idx + 1));
    if (pos != last) {
      state_.jobs[pos] = std::move(state_.jobs[last]);
      rt_[static_cast<size_t>(state_.jobs[pos].id - 1)].pos = pos;
      Changed(state_.jobs[pos].id);
    }
    state_.jobs.pop_back();
    rt_[idx].pos = -1;
  }

  void Finish(size_t idx, Time now) {
    AdvanceUsage(now);
    UpdateService(idx, now);
    Release(idx, true);
    out_.jobs[idx].end = now;
    ++finished_;
    if (live_) finished_log_.push_back(idx);
    RemoveActive(idx);
    // What it needed at full speed, however it ran (a slower shape, restarts): its work.
    if (options_.learn_durations) predictor_.Observe(Facts(w_.jobs[idx]), w_.jobs[idx].work_ms);
  }

  // Which finished jobs a job is like: its tenant, its user and the accelerators it asked for.
  core::DurationFacts Facts(const SimJob& sj) const {
    return {.tenant = state_.tenants[sj.job.tenant].name,
            .user = sj.job.user,
            .name = {},  // traces name no kinds of job: their ids are unique
            .accel_milli = sj.accel_milli};
  }

  // Starts a placement adapter::CheckCycle accepted (and took in the ledger).
  void Place(adapter::AcceptedPlacement& a, Time now) {
    const core::Placement& p = a.placement;
    const size_t idx = static_cast<size_t>(p.job - 1);
    Runtime& r = rt_[idx];
    core::Job& job = state_.jobs[r.pos];
    const core::Shape& shape = job.shapes[p.shape_index];
    const int64_t accel = a.accel_milli, cpu = a.cpu_milli;
    tenant_pending_[job.tenant] -= w_.jobs[idx].accel_milli;
    tenant_alloc_[job.tenant] += accel;
    allocated_milli_ += accel;
    --pending_count_;
    job.phase = core::JobPhase::kRunning;
    job.start_time = now;
    job.shape_index = p.shape_index;
    job.allocation = std::move(a.tasks);
    for (const auto& t : job.allocation)
      node_held_milli_[static_cast<size_t>(t.node)] += t.res.accel_milli;
    r.accel_milli = accel;
    r.cpu_milli = cpu;
    tenant_rate_milli_[job.tenant] += RateMilli(r);
    r.run_pos = static_cast<int32_t>(running_.size());
    running_.push_back(idx);
    Changed(job.id);
    r.service_at = now;
    r.run_start = now;
    double type_speed = 1.0;
    if (!job.allocation.empty() && !job.allocation[0].devices.empty()) {
      core::AccelType t =
          state_.nodes[job.allocation[0].node].devices[job.allocation[0].devices[0]].type;
      for (const auto& [ty, f] : job.type_speed) {
        if (ty == t) type_speed = f;
      }
    }
    r.rate = std::max(shape.speed * type_speed, 1e-9);
    JobOutcome& o = out_.jobs[idx];
    o.pending_ms += now - r.pending_since;
    if (o.first_start == core::kUnknownTime) o.first_start = now;
    o.shape_index = p.shape_index;
    const Time run = static_cast<Time>(std::ceil(r.remaining_ms / r.rate - 1e-9));
    completions_.push({now + std::max<Time>(run, 0), job.id, r.epoch});
  }

  // Stops a job adapter::CheckCycle accepted as a victim and requeues it.
  void Preempt(const core::Preemption& p, Time now) {
    const size_t idx = static_cast<size_t>(p.job - 1);
    Requeue(idx, now, /*in_ledger=*/false);
    ++state_.jobs[rt_[idx].pos].preemptions;
    ++out_.jobs[idx].preemptions;
    ++out_.preemptions;
  }

  // Ends a job's run and puts it back in the queue: a checkpointable job keeps the work it did,
  // any other loses it. `in_ledger`: its resources are still held in the ledger (a preemption's
  // were given back when it was checked).
  void Requeue(size_t idx, Time now, bool in_ledger) {
    Runtime& r = rt_[idx];
    core::Job& job = state_.jobs[r.pos];
    UpdateService(idx, now);
    const double ran_ms = static_cast<double>(now - r.run_start);
    const int64_t held = r.accel_milli;
    if (job.checkpointable) {
      r.remaining_ms = std::max(0.0, r.remaining_ms - ran_ms * r.rate);
    } else {
      out_.jobs[idx].lost_accel_ms += held / 1000.0 * ran_ms;
      out_.lost_accel_ms += held / 1000.0 * ran_ms;
    }
    Release(idx, in_ledger);
    job.phase = core::JobPhase::kPending;
    job.start_time = core::kUnknownTime;
    job.queued_since = now;
    r.pending_since = now;
    tenant_pending_[job.tenant] += w_.jobs[idx].accel_milli;
    ++pending_count_;
  }

  // A node leaves or comes back. Its running jobs (in id order, so a replay is byte-identical)
  // lose their run, as the server ends their attempt LOST; the policy is told the nodes changed.
  void ApplyNodeEvent(const NodeEvent& e, Time now) {
    if (e.node < 0 || static_cast<size_t>(e.node) >= state_.nodes.size()) return;
    core::Node& node = state_.nodes[e.node];
    if (node.schedulable == e.up) return;
    AdvanceUsage(now);
    if (!e.up) {
      std::vector<size_t> lost;
      for (size_t idx : running_) {
        const core::Job& job = state_.jobs[rt_[idx].pos];
        if (std::any_of(job.allocation.begin(), job.allocation.end(),
                        [&](const core::TaskAllocation& a) { return a.node == e.node; })) {
          lost.push_back(idx);
        }
      }
      std::sort(lost.begin(), lost.end());
      for (size_t idx : lost) {
        Requeue(idx, now, /*in_ledger=*/true);
        ++out_.jobs[idx].node_losses;
        ++out_.node_losses;
      }
    }
    node.schedulable = e.up;
    ledger_.SetSchedulable(e.node, e.up);
    state_.feed.nodes_changed = true;
  }

  const core::Job* Active(core::JobId id) const {
    if (id < 1 || id > static_cast<core::JobId>(rt_.size()) || rt_[id - 1].pos < 0) return nullptr;
    return &state_.jobs[rt_[id - 1].pos];
  }

  // One scheduling pass; returns whether it changed anything.
  Result<bool> Cycle(Time now) {
    for (size_t idx : running_) UpdateService(idx, now);
    AdvanceUsage(now);
    usage_.Fill(state_);
    ++out_.cycles;
    // The feed names each changed job once, at the index it holds now.
    auto& changes = state_.feed.changes;
    std::sort(changes.begin(), changes.end(),
              [](const core::JobDelta& a, const core::JobDelta& b) { return a.id < b.id; });
    changes.erase(
        std::unique(changes.begin(), changes.end(),
                    [](const core::JobDelta& a, const core::JobDelta& b) { return a.id == b.id; }),
        changes.end());
    for (auto& d : changes) d.index = rt_[static_cast<size_t>(d.id - 1)].pos;
    ++state_.feed.seq;
    core::CycleResult result = policy_.Schedule(state_, now);
    changes.clear();
    state_.feed.nodes_changed = false;
    SUANLI_ASSIGN_OR_RETURN(adapter::CheckedCycle checked,
                            adapter::CheckCycle(
                                result, [this](core::JobId id) { return Active(id); }, ledger_,
                                policy_.name(), adapter::Checking::kStrict));
    for (const auto& p : checked.preemptions) Preempt(p, now);
    for (auto& a : checked.placements) Place(a, now);
    return !checked.preemptions.empty() || !checked.placements.empty();
  }

  // Decayed usage is charged exactly, as the server charges it: up to `now` at the rates that held
  // since the previous change, before any job changes state.
  void AdvanceUsage(Time now) {
    std::vector<double>& rate = rate_scratch_;
    rate.resize(tenant_rate_milli_.size());
    for (size_t t = 0; t < rate.size(); ++t) rate[t] = tenant_rate_milli_[t] / 1000.0;
    usage_.Advance(state_.tenants, rate, now);
  }

  // What a job adds to its tenant's usage rate: accelerator milli, or cpu milli without one.
  static int64_t RateMilli(const Runtime& r) {
    return r.accel_milli > 0 ? r.accel_milli : r.cpu_milli;
  }
  void Changed(core::JobId id) { state_.feed.changes.push_back({id, -1}); }

  const Workload& w_;
  core::Policy& policy_;
  EngineOptions options_;
  core::UsageTracker usage_;
  core::DurationPredictor predictor_;
  core::ClusterState state_;
  adapter::Ledger ledger_;
  std::vector<int64_t> cpu_free_, mem_free_;
  std::vector<std::vector<int64_t>> dev_free_;
  std::vector<Runtime> rt_;
  std::priority_queue<Completion, std::vector<Completion>, std::greater<Completion>> completions_;
  std::vector<int64_t> tenant_alloc_, tenant_pending_;
  std::vector<int64_t> tenant_rate_milli_;  // usage rate by tenant, see RateMilli
  std::vector<double> rate_scratch_;
  std::vector<size_t> running_;  // workload indices of running jobs
  int64_t allocated_milli_ = 0;
  int64_t pending_count_ = 0;
  size_t finished_ = 0;
  std::vector<NodeEvent> node_events_;  // by time, then node
  Time last_account_ = 0;
  RunOutcome out_;
  // Where the replay stands between RunBefore calls.
  size_t initial_jobs_ = 0;  // jobs given at construction, arriving in workload order
  size_t next_arrival_ = 0;
  size_t next_node_event_ = 0;
  bool started_ = false;
  Time now_ = 0;
  Time last_cycle_ = 0;
  bool last_cycle_changed_ = true;
  // Jobs admitted later (by time, then index) and the accelerators they will ask for.
  std::priority_queue<std::pair<Time, size_t>, std::vector<std::pair<Time, size_t>>, std::greater<>>
      late_;
  int64_t late_milli_ = 0;
  std::vector<int64_t> node_held_milli_;  // accelerator milli held on each node
  bool live_ = false;                     // fed by LiveEngine: keep finished_log_
  std::vector<size_t> finished_log_;      // jobs finished since the last TakeFinished
};

}  // namespace

std::vector<double> WaterFill(double capacity, const std::vector<double>& demand,
                              const std::vector<double>& weight) {
  std::vector<double> give(demand.size(), 0.0);
  std::vector<size_t> active;
  for (size_t i = 0; i < demand.size(); ++i) {
    if (demand[i] > 0 && weight[i] > 0) active.push_back(i);
  }
  double left = capacity;
  while (!active.empty() && left > 1e-9) {
    double wsum = 0;
    for (size_t i : active) wsum += weight[i];
    // Satisfy every tenant whose remaining demand is below its weighted share; repeat.
    std::vector<size_t> still;
    double used = 0;
    for (size_t i : active) {
      double share = left * weight[i] / wsum;
      if (demand[i] - give[i] <= share) {
        used += demand[i] - give[i];
        give[i] = demand[i];
      } else {
        still.push_back(i);
      }
    }
    if (still.size() == active.size()) {
      for (size_t i : active) give[i] += left * weight[i] / wsum;
      break;
    }
    left -= used;
    active.swap(still);
  }
  return give;
}

Result<RunOutcome> RunEngine(const Workload& workload, const core::ClusterState& cluster,
                             core::Policy& policy, const EngineOptions& options) {
  Engine engine(workload, cluster, policy, options);
  return engine.Run();
}

struct LiveEngine::Impl {
  Impl(std::vector<core::Tenant> tenants, const core::ClusterState& cluster, core::Policy& policy,
       const EngineOptions& options)
      : workload{std::move(tenants), {}, {}, 0}, engine(workload, cluster, policy, options) {}
  Workload workload;  // grows as jobs are submitted; the engine reads it by index
  Engine engine;
};

LiveEngine::LiveEngine(std::vector<core::Tenant> tenants, const core::ClusterState& cluster,
                       core::Policy& policy, const EngineOptions& options)
    : impl_(std::make_unique<Impl>(std::move(tenants), cluster, policy, options)) {
  impl_->engine.SetLive();
}
LiveEngine::~LiveEngine() = default;

Status LiveEngine::RunBefore(core::Time t) { return impl_->engine.RunBefore(t); }

size_t LiveEngine::Submit(SimJob job) {
  const size_t idx = impl_->workload.jobs.size();
  job.job.id = static_cast<core::JobId>(idx) + 1;
  impl_->workload.jobs.push_back(std::move(job));
  impl_->engine.Admit(idx);
  return idx;
}

LiveView LiveEngine::View(core::Time now, const core::Shape& shape) const {
  return impl_->engine.View(now, shape);
}

Result<RunOutcome> LiveEngine::Finish() {
  SUANLI_RETURN_IF_ERROR(impl_->engine.RunBefore(std::numeric_limits<core::Time>::max()));
  return impl_->engine.Conclude();
}

std::vector<size_t> LiveEngine::TakeFinished() { return impl_->engine.TakeFinished(); }

const Workload& LiveEngine::workload() const { return impl_->workload; }

}  // namespace suanli::sim
