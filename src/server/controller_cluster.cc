// Builds the scheduling core's ClusterState from the controller's state and applies the
// CycleResult. No scheduling decisions here: the policy makes them all.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "adapter/decisions.h"
#include "adapter/ledger.h"
#include "server/controller.h"
#include "server/shape_choice.h"

namespace suanli::server {

namespace {

std::vector<std::string> SplitTypes(const std::string& gpu_type) {
  std::vector<std::string> out;
  if (gpu_type.empty() || gpu_type == "any") return out;
  size_t start = 0;
  while (true) {
    size_t bar = gpu_type.find('|', start);
    out.push_back(
        gpu_type.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

int64_t Milli(double v) { return static_cast<int64_t>(std::llround(v * 1000.0)); }

core::DimVector Dims(const std::map<std::string, double>& m,
                     const std::map<std::string, int32_t>& types) {
  if (m.empty()) return {};
  core::DimVector d(core::kDimAccelBase + types.size(), core::kUnlimited);
  for (const auto& [k, v] : m) {
    if (k == "cpus") {
      d[core::kDimCpu] = Milli(v);
    } else if (k == "mem_mb") {
      d[core::kDimMem] = static_cast<int64_t>(v);
    } else if (auto it = types.find(k); it != types.end()) {
      d[core::kDimAccelBase + it->second] = Milli(v);
    }
  }
  return d;
}

}  // namespace

int32_t Controller::TypeIndex(CoreView& view, const std::string& type) const {
  auto it = view.type_index.find(type);
  return it == view.type_index.end() ? core::kNoAccel : it->second;
}

std::set<std::string> Controller::AccelTypeNames(bool with_jobs) const {
  // Every name a node, quota or job mentions, in name order.
  std::set<std::string> types;
  for (const auto& [name, n] : nodes_.nodes()) {
    for (const auto& d : n.rec.devices) types.insert(d.type);
  }
  for (const auto& t : directory_.tenants()) {
    for (const auto* m : {&t.quota, &t.limit}) {
      for (const auto& [k, val] : *m) {
        if (k != "cpus" && k != "mem_mb") types.insert(k);
      }
    }
  }
  if (with_jobs) {
    for (const auto& [id, job] : jobs_.active()) {
      for (const auto& t : SplitTypes(job.spec.main.gpu_type)) types.insert(t);
      for (const auto& s : job.spec.shapes) {
        for (const auto& t : SplitTypes(s.gpu_type)) types.insert(t);
      }
    }
  }
  return types;
}

void Controller::FillNodes(CoreView& v) const {
  v.state.nodes.clear();
  v.node_index.clear();
  for (const auto& [name, n] : nodes_.nodes()) {
    core::Node node;
    node.name = name;
    node.schedulable = n.Schedulable();
    node.cpu_milli = Milli(n.rec.cpus);
    node.mem_mb = n.rec.mem_mb;
    for (const auto& d : n.rec.devices) {
      core::Device dev;
      dev.type = v.type_index.at(d.type);
      dev.island = d.island;
      node.devices.push_back(dev);
    }
    v.node_index[name] = static_cast<int32_t>(v.state.nodes.size());
    v.state.nodes.push_back(std::move(node));
  }
  // Tasks still being killed hold their resources: take them out of the capacity.
  for (const auto& d : draining_.tasks()) {
    if (d.handed_over) continue;  // the policy already counts it free (see DrainingTasks)
    auto it = v.node_index.find(d.held.node);
    if (it == v.node_index.end()) continue;
    core::Node& node = v.state.nodes[it->second];
    node.cpu_milli = std::max<int64_t>(0, node.cpu_milli - Milli(d.held.cpus));
    node.mem_mb = std::max<int64_t>(0, node.mem_mb - d.held.mem_mb);
    int64_t per_device =
        d.held.devices.empty() ? 0 : d.held.accel_milli / int64_t(d.held.devices.size());
    for (int32_t agent_index : d.held.devices) {
      if (int32_t i = nodes_.DevicePosition(d.held.node, agent_index); i >= 0) {
        node.devices[i].total_milli =
            std::max<int64_t>(0, node.devices[i].total_milli - per_device);
      }
    }
  }
}

void Controller::FillTenants(CoreView& v, TimeMs now, bool with_jobs) {
  v.state.tenants.clear();
  v.tenant_index.clear();
  const auto& tenants = directory_.tenants();
  std::vector<TimeMs> budget_from(tenants.size());  // each tenant's budget period start
  for (size_t i = 0; i < tenants.size(); ++i) {
    const auto& t = tenants[i];
    core::Tenant ct;
    ct.name = t.name;
    ct.parent = directory_.IndexOf(t.parent);
    ct.weight = t.weight;
    ct.guarantee = Dims(t.quota, v.type_index);
    ct.limit = Dims(t.limit, v.type_index);
    ct.accel_hour_budget = t.budget_accel_hours;
    // In the current period, over its subtree: finished attempts here, running ones added below.
    const BudgetLedger::Entry* used = accounting_.Budget(t.name, now);
    ct.accel_hours_used = used ? used->finished_hours : 0;
    budget_from[i] = used ? used->window.start : core::kBeginningOfTime;
    v.tenant_index[t.name] = static_cast<int32_t>(i);
    v.state.tenants.push_back(std::move(ct));
  }
  if (!with_jobs) return;
  for (const auto& cj : v.state.jobs) {
    if (cj.phase != core::JobPhase::kRunning) continue;
    auto it = jobs_.active().find(cj.id);
    if (it == jobs_.active().end()) continue;
    // Its tenant's budget and every ancestor's, each from its own period's start.
    for (int32_t t = cj.tenant, depth = 0; t >= 0 && depth <= static_cast<int32_t>(tenants.size());
         t = v.state.tenants[t].parent, ++depth) {
      v.state.tenants[t].accel_hours_used +=
          Accounting::AccelHoursSince(it->second, budget_from[t], now);
    }
  }
}

Controller::CoreView Controller::BuildCoreView(TimeMs now, bool with_jobs) {
  CoreView v;
  for (const auto& t : AccelTypeNames(with_jobs)) {
    v.type_index[t] = static_cast<int32_t>(v.state.accel_types.size());
    v.state.accel_types.push_back(t);
  }
  FillNodes(v);
  FillTenants(v, now, false);
  if (with_jobs) {
    for (const auto& [id, job] : jobs_.active()) {
      if (store::IsTerminal(job.state) || Blocked(id)) continue;
      v.state.jobs.push_back(ToCoreJob(job, v, now));
      v.job_ids.push_back(id);
    }
    FillTenants(v, now, true);
  }
  return v;
}

namespace {

// Each kept view is its own feed stream (see core::JobFeed), so a policy never mistakes a
// rebuilt view for the one it followed.
uint64_t NextViewStream() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1) | (uint64_t{1} << 62);
}

}  // namespace

Controller::CoreView& Controller::SyncCoreView(TimeMs now) {
  bool same = view_valid_ && view_.state.nodes.size() == nodes_.nodes().size();
  if (same) {  // the node list and every node's devices as the jobs' allocations index them
    size_t i = 0;
    for (const auto& [name, n] : nodes_.nodes()) {
      const core::Node& kept = view_.state.nodes[i++];
      same = same && kept.name == name && kept.devices.size() == n.rec.devices.size();
      for (size_t d = 0; same && d < n.rec.devices.size(); ++d) {
        auto t = view_.type_index.find(n.rec.devices[d].type);
        same = t != view_.type_index.end() && t->second == kept.devices[d].type;
      }
    }
  }
  for (const auto& t : directory_.tenants()) {  // a quota may name a type no node or job has yet
    for (const auto* m : {&t.quota, &t.limit}) {
      for (const auto& [k, val] : *m) {
        same = same && (k == "cpus" || k == "mem_mb" || view_.type_index.count(k));
      }
    }
  }
  for (JobId id : jobs_.changed_since_pass()) {  // a new job may ask for a type nobody has named
    auto it = jobs_.active().find(id);
    if (!same || it == jobs_.active().end()) continue;
    auto known = [&](const std::string& types) {
      for (const auto& t : SplitTypes(types)) {
        if (!view_.type_index.count(t)) return false;
      }
      return true;
    };
    same = known(it->second.spec.main.gpu_type);
    for (const auto& sh : it->second.spec.shapes) same = same && known(sh.gpu_type);
  }
  if (!same) {
    view_ = BuildCoreView(now, true);
    view_.state.feed.stream = NextViewStream();
    view_pos_.clear();
    for (size_t i = 0; i < view_.job_ids.size(); ++i) {
      view_pos_[view_.job_ids[i]] = static_cast<int32_t>(i);
    }
    jobs_.ClearChangedSincePass();
    view_valid_ = true;
    return view_;
  }
  CoreView& v = view_;
  // Capacity moves without a job changing (a node DOWN or back, a stale task draining): the
  // feed's promise that nodes are as before then no longer holds.
  std::vector<core::Node> before = std::move(v.state.nodes);
  FillNodes(v);
  v.state.feed.nodes_changed = v.state.nodes != before;
  const auto& tenants = directory_.tenants();
  for (size_t i = 0; i < tenants.size(); ++i) {  // for ToCoreJob; the rest is filled below
    v.tenant_index[tenants[i].name] = static_cast<int32_t>(i);
  }
  auto& jobs = v.state.jobs;
  auto& changes = v.state.feed.changes;
  auto remove = [&](JobId id) {
    auto at = view_pos_.find(id);
    if (at == view_pos_.end()) return;
    const int32_t pos = at->second, last = static_cast<int32_t>(jobs.size()) - 1;
    view_pos_.erase(at);
    if (pos != last) {
      jobs[pos] = std::move(jobs[last]);
      v.job_ids[pos] = v.job_ids[last];
      view_pos_[v.job_ids[pos]] = pos;
      changes.push_back({v.job_ids[pos], -1});
    }
    jobs.pop_back();
    v.job_ids.pop_back();
  };
  for (JobId id : jobs_.changed_since_pass()) {
    changes.push_back({id, -1});
    auto it = jobs_.active().find(id);
    if (it == jobs_.active().end() || store::IsTerminal(it->second.state) || Blocked(id)) {
      remove(id);
      continue;
    }
    auto at = view_pos_.find(id);
    if (at != view_pos_.end()) {
      jobs[at->second] = ToCoreJob(it->second, v, now);
    } else {
      view_pos_[id] = static_cast<int32_t>(jobs.size());
      jobs.push_back(ToCoreJob(it->second, v, now));
      v.job_ids.push_back(id);
    }
  }
  jobs_.ClearChangedSincePass();
  // Running jobs' service and run time grow with the clock; the core reads them from the job
  // without a feed entry, as the simulator updates them.
  for (auto& cj : jobs) {
    if (cj.phase != core::JobPhase::kRunning) continue;
    const JobRecord& rec = jobs_.active().at(cj.id);
    JobLifecycle::RunSoFar run = JobLifecycle::CurrentRun(rec, now);
    cj.attained_service_ms = rec.attained_service_ms + run.service_ms;
    cj.ran_ms = rec.ran_ms + run.ran_ms;
  }
  // The feed names each changed job once, at the index it holds now.
  std::sort(changes.begin(), changes.end(),
            [](const core::JobDelta& a, const core::JobDelta& b) { return a.id < b.id; });
  changes.erase(
      std::unique(changes.begin(), changes.end(),
                  [](const core::JobDelta& a, const core::JobDelta& b) { return a.id == b.id; }),
      changes.end());
  for (auto& d : changes) {
    auto at = view_pos_.find(d.id);
    d.index = at == view_pos_.end() ? -1 : at->second;
  }
  FillTenants(v, now, true);
  return v;
}

core::Job Controller::ToCoreJob(const JobRecord& job, CoreView& v, TimeMs now) const {
  core::Job j;
  j.id = job.id;
  auto t = v.tenant_index.find(job.tenant);
  j.tenant = t == v.tenant_index.end() ? 0 : t->second;
  j.user = job.user;
  j.priority = job.spec.priority;
  j.submit_time = job.submit_time;
  j.time_limit = job.spec.time_limit_s * 1000;
  j.estimated_duration = EstimatedRunTime(job.id);
  auto add_shape = [&](const store::ShapeSpec& s) {
    core::Shape shape;
    shape.tasks = s.tasks;
    shape.per_task.cpu_milli = Milli(s.cpus);
    shape.per_task.mem_mb = s.mem_mb;
    shape.per_task.accel_milli = Milli(s.gpus);
    if (s.gpus > 0) {
      for (const auto& name : SplitTypes(s.gpu_type)) {
        int32_t idx = TypeIndex(v, name);
        if (idx != core::kNoAccel) shape.accel_types.push_back(idx);
      }
    }
    shape.speed = s.speed;
    j.shapes.push_back(std::move(shape));
  };
  add_shape(job.spec.main);
  for (const auto& s : job.spec.shapes) add_shape(s);
  j.preemptible = job.spec.preemptible;
  j.checkpointable = job.spec.checkpointable;
  j.attained_service_ms = job.attained_service_ms;
  j.ran_ms = job.ran_ms;
  for (auto it = job.history.rbegin(); it != job.history.rend(); ++it) {
    if (it->state == JobState::kPending) {
      j.queued_since = it->time;
      break;
    }
  }
  for (const auto& h : job.history) j.preemptions += h.state == JobState::kPreempted ? 1 : 0;
  if (job.state == JobState::kStarting || job.state == JobState::kRunning) {
    j.phase = core::JobPhase::kRunning;
    j.start_time = job.start_time;
    j.shape_index = job.shape_index;
    // The record holds finished attempts only; the core ranks by service received so far.
    JobLifecycle::RunSoFar run = JobLifecycle::CurrentRun(job, now);
    j.attained_service_ms += run.service_ms;
    j.ran_ms += run.ran_ms;
    for (const auto& tp : job.placement) {
      core::TaskAllocation a;
      auto n = v.node_index.find(tp.node);
      a.node = n == v.node_index.end() ? -1 : n->second;
      if (a.node >= 0) {
        for (int32_t agent_index : tp.devices) {
          if (int32_t i = nodes_.DevicePosition(tp.node, agent_index); i >= 0) {
            a.devices.push_back(i);
          }
        }
      }
      a.res.cpu_milli = Milli(tp.cpus);
      a.res.mem_mb = tp.mem_mb;
      a.res.accel_milli = tp.accel_milli;
      a.type = tp.gpu_type.empty() ? core::kNoAccel : TypeIndex(v, tp.gpu_type);
      j.allocation.push_back(std::move(a));
    }
  }
  return j;
}

std::string Controller::NoNodesReason() const {
  if (nodes_.empty()) return "no nodes registered yet";
  for (const auto& [name, n] : nodes_.nodes()) {
    if (n.Schedulable()) return "";
  }
  return "no node is up (waiting for agents to report)";
}

void Controller::ApplyPreemptions(const std::vector<core::Preemption>& preemptions) {
  for (const auto& pre : preemptions) {
    JobRecord* found = jobs_.Find(pre.job);
    if (!found) continue;
    JobRecord& job = *found;
    if (job.state != JobState::kStarting && job.state != JobState::kRunning) continue;
    const size_t first = draining_.mark();
    EndAttempt(job, JobState::kPreempted, pre.reason, "PREEMPTED", true);
    draining_.HandOverSince(first);
  }
}

void Controller::ApplyPlacement(const core::Placement& p,
                                const std::vector<core::TaskAllocation>& tasks, const CoreView& v,
                                TimeMs now) {
  JobRecord* found = jobs_.Find(p.job);
  if (!found || found->state != JobState::kPending) return;
  JobRecord& job = *found;
  std::vector<store::TaskPlacement> placement;
  std::set<std::string> node_names;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const core::TaskAllocation& a = tasks[i];
    store::TaskPlacement tp;
    tp.task = static_cast<int32_t>(i);
    tp.node = v.state.nodes[a.node].name;
    const auto& devs = nodes_.Find(tp.node)->rec.devices;
    for (int32_t d : a.devices) tp.devices.push_back(devs[d].index);
    tp.cpus = a.res.cpu_milli / 1000.0;
    tp.mem_mb = a.res.mem_mb;
    tp.accel_milli = a.res.accel_milli;
    if (a.type != core::kNoAccel && size_t(a.type) < v.state.accel_types.size()) {
      tp.gpu_type = v.state.accel_types[a.type];
    }
    node_names.insert(tp.node);
    placement.push_back(std::move(tp));
  }
  std::string where;
  for (const auto& n : node_names) where += (where.empty() ? "" : ", ") + n;
  job.shape_reason = ShapeChoiceText(job.spec, p, now);
  jobs_.StartAttempt(job, p.shape_index, std::move(placement), now,
                     (p.backfilled ? "backfilled on " : "placed on ") + where +
                         (job.shape_reason.empty() ? "" : "; " + job.shape_reason));
  schedule_wanted_ = true;
  pending_view_.erase(job.id);
  if (job.attempt > 1) {
    // Logs hold the latest attempt only; the agent restarts its offsets at 0.
    std::error_code ec;
    std::filesystem::remove_all(
        std::filesystem::path(options_.data_dir) / "logs" / std::to_string(job.id), ec);
  }
  std::set<int32_t> wait = draining_.WaitingForHandedOver(job.placement);
  if (wait.empty()) {
    QueueLaunches(job);
    return;
  }
  std::set<int32_t> go;
  for (const auto& t : job.placement) {
    if (!wait.count(t.task)) go.insert(t.task);
  }
  if (!go.empty()) QueueLaunches(job, go);
  waiting_launches_[job.id] = std::move(wait);
}

void Controller::ReleaseWaitingLaunches() {
  for (auto it = waiting_launches_.begin(); it != waiting_launches_.end();) {
    auto job = jobs_.active().find(it->first);
    if (job == jobs_.active().end() || job->second.state != JobState::kStarting) {
      it = waiting_launches_.erase(it);  // ended (cancelled, lost) before it could start
      continue;
    }
    std::set<int32_t> still = draining_.WaitingForHandedOver(job->second.placement);
    std::set<int32_t> go;
    for (int32_t t : it->second) {
      if (!still.count(t)) go.insert(t);
    }
    if (!go.empty()) QueueLaunches(job->second, go);
    if (go.size() == it->second.size()) {
      it = waiting_launches_.erase(it);
    } else {
      for (int32_t t : go) it->second.erase(t);
      ++it;
    }
  }
}

void Controller::SchedulingPass(TimeMs now) {
  last_pass_ = now;
  schedule_wanted_ = false;
  EvaluateGates(now);  // held, begin time, dependencies, array throttles
  if (!policy_) return;
  auto t0 = std::chrono::steady_clock::now();
  std::string no_nodes = NoNodesReason();
  if (!no_nodes.empty() && draining_.empty()) {
    // Nothing can be placed or preempted without a schedulable node: skip the policy.
    bool any_running =
        std::any_of(jobs_.active().begin(), jobs_.active().end(), [](const auto& kv) {
          return kv.second.state == JobState::kStarting || kv.second.state == JobState::kRunning;
        });
    if (!any_running) {
      jobs_.ForEach([&](JobRecord& job) {
        if (job.state == JobState::kPending && !Blocked(job.id)) job.reason = no_nodes;
      });
      pending_view_.clear();
      last_pass_cost_ms_ = 0;
      return;
    }
  }
  CoreView rebuilt;
  if (!options_.incremental_view) {
    rebuilt = BuildCoreView(now, true);
    jobs_.ClearChangedSincePass();
  }
  CoreView& v = options_.incremental_view ? SyncCoreView(now) : rebuilt;
  accounting_.AdvanceUsage(now);
  accounting_.FillUsage(v.state);
  ++v.state.feed.seq;
  core::CycleResult result = policy_->Schedule(v.state, now);
  v.state.feed.changes.clear();
  v.state.feed.nodes_changed = false;

  // The same checks and order as the simulator (adapter/decisions.h).
  adapter::Ledger ledger(v.state);
  std::unordered_map<JobId, int32_t> rebuilt_pos;
  for (size_t i = 0; i < v.state.jobs.size(); ++i) {
    if (!options_.incremental_view) rebuilt_pos[v.job_ids[i]] = static_cast<int32_t>(i);
    if (v.state.jobs[i].phase == core::JobPhase::kRunning) ledger.Hold(v.state.jobs[i]);
  }
  const auto& pos = options_.incremental_view ? view_pos_ : rebuilt_pos;
  auto lookup = [&](core::JobId id) -> const core::Job* {
    auto it = pos.find(id);
    return it == pos.end() ? nullptr : &v.state.jobs[it->second];
  };
  auto checked =
      adapter::CheckCycle(result, lookup, ledger, policy_->name(), adapter::Checking::kLenient);
  for (const auto& r : checked->refused) {
    ++refused_decisions_;
    spdlog::error("scheduling pass: refused a decision: {}", r.why);
    if (options_.strict_decisions) {
      spdlog::critical("strict decision checking is on: stopping");
      std::abort();
    }
  }
  ApplyPreemptions(checked->preemptions);
  for (const auto& a : checked->placements) ApplyPlacement(a.placement, a.tasks, v, now);
  for (const auto& info : result.pending) {
    JobRecord* job = jobs_.Find(info.job);
    if (!job || job->state != JobState::kPending) continue;
    if (no_nodes.empty()) {
      pending_view_[info.job].info = info;  // words shared between jobs: no copy per job
    } else {
      job->reason = no_nodes;
      pending_view_.erase(info.job);
    }
  }
  if (!no_nodes.empty()) {
    jobs_.ForEach([&](JobRecord& job) {
      if (job.state == JobState::kPending && !Blocked(job.id)) job.reason = no_nodes;
    });
  }
  for (const auto& r : checked->refused) {
    JobRecord* job = jobs_.Find(r.job);
    if (!job || job->state != JobState::kPending) continue;
    job->reason = "the scheduler's decision for it was refused (" + r.why + ")";
    pending_view_.erase(r.job);
  }
  schedule_wanted_ = false;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (metrics_) metrics_->cycle_latency.Observe(secs);
  last_pass_cost_ms_ = static_cast<int64_t>(secs * 1000);
}

}  // namespace suanli::server
