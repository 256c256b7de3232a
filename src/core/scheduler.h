#pragma once
// The one scheduling engine every named policy configures. A policy is a PolicySpec: how pending
// jobs are ranked, whether the queue is strict (head-of-line blocking) or EASY-backfilled, and
// which kinds of preemption it may use. Keeping one engine means placement, quotas, reasons and
// estimated starts behave the same under every policy; only the ranking and the rules differ.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/capacity.h"
#include "core/fair_share.h"
#include "core/job_queue.h"
#include "core/model.h"
#include "core/order/ordering.h"
#include "core/placement.h"
#include "core/policy.h"
#include "core/policy_spec.h"
#include "core/preempt/preemptor.h"

namespace suanli::core {

class Scheduler : public Policy {
 public:
  Scheduler(PolicySpec spec, std::unique_ptr<PlacementScorer> placement,
            const PolicyConfig& config);
  std::string_view name() const override { return spec_.name; }
  CycleResult Schedule(const ClusterState& state, Time now) override;

  // Implementation types, public so the .cc's helpers can name them.
  using Rank = QueueRank;
  struct Option {
    int32_t shape = 0;
    AccelType type = kNoAccel;
    double speed = 1.0;
  };
  enum class Outcome { kNoFit, kQuota, kBudget, kStrictBehind, kNoShape };
  struct Record {  // why one job stays pending, turned into words at the end of the cycle
    int32_t index = 0;
    int32_t cls = -1;  // queue class
    Outcome outcome = Outcome::kNoFit;
    Option option;
    int32_t quota_tenant = -1;
    int quota_dim = 0;
    JobId blocker = 0;
    bool head = false;
    std::string note;  // the admission error of a job that can never fit
  };

 private:
  // What every job of one queue class shares, worked out once per class.
  struct ClassInfo {
    bool ready = false;
    std::vector<Option> options;  // fastest first
    bool cpu_only = false;        // its first shape needs no accelerator
    int64_t min_accel_ask = 0;    // smallest per-task accelerator ask over its shapes
    bool has_limit = false;       // its jobs declare time limits
    bool feasible_known = false;
    Status feasible;  // CheckFeasible of its jobs, once asked
    Record failure;   // why the member that failed this cycle stays pending
  };

  int64_t LasLevel(const Job& job) const { return spec_.order.LasLevel(job); }
  std::vector<Option> OptionsOf(const ClusterState& state, const Job& job) const;
  ClassInfo& Class(const ClusterState& state, int32_t cls);
  // The cycle's steps, in the order Schedule runs them.
  bool SyncWithState(const ClusterState& state, Time now);
  void BeginCycle(const ClusterState& state);
  void BoundVictims(const ClusterState& state, Time now);  // preempt/victim_bounds.cc
  void Walk(const ClusterState& state, Time now, CycleResult& result);
  void ListWaiting();
  // The walk's, for each pending job in rank order.
  bool NothingMoreCanStart(const ClusterState& state, const JobQueue::Item& item);
  void Visit(const ClusterState& state, const JobQueue::Item& item, Time now, CycleResult& result);
  bool Admit(const ClusterState& state, const Job& job, Record* rec) const;  // admission.cc
  void Commit(const Job& job, const JobQueue::Item& item, Placement placement, bool preempted,
              CycleResult& result);
  void StayPending(const ClusterState& state, const JobQueue::Item& item, Record& rec,
                   bool short_enough, Time now);

  bool Pick(JobQueue::Item* out);
  // `item` stays pending; its class is skipped from now on (but for members short enough to
  // backfill, unless this one just tried).
  void Fail(const JobQueue::Item& item, const Record& rec, bool tried_backfill, Time now);
  void CountLiveCpuOnly();
  bool TryPlace(const ClusterState& state, const Job& job, const std::vector<Option>& options,
                Time now, bool may_bypass_holds, Record* why, Placement* placement);
  bool TryPreempt(const ClusterState& state, const Job& job, const JobQueue::Item& item,
                  const std::vector<Option>& options, Time now, Placement* placement,
                  CycleResult& result);
  void MakeReservation(const ClusterState& state, const Job& job, const Option& option, Time now);
  Time EstimateFit(const ClusterState& state, const Shape& shape, AccelType type, Time now,
                   std::vector<int64_t>* slots_at_fit);
  int64_t EstimatedSlots(int32_t n, const Resources& r, int32_t g) const;
  void EstimateRelease(const TaskAllocation& task, AccelType type);
  void ApplyHolds();
  void ReleaseHolds();
  bool Budgeted(const ClusterState& state, int32_t tenant, int32_t* over) const;
  void Explain(const ClusterState& state, Time now, CycleResult& result);
  bool CouldPreempt(const Job& job, const Rank& rank) const;

  PolicySpec spec_;
  PolicyConfig config_;
  Placer placer_;
  Capacity cap_;
  FairShare fair_;

  JobQueue queue_;                  // pending jobs by class, kept between cycles
  std::vector<ClassInfo> classes_;  // by queue class id

  // Per-cycle state, kept as members so buffers are reused.
  std::vector<Record> records_;  // jobs the walk looked at and left pending
  struct Waiting {               // a job the walk skipped: it waits like its class
    int32_t cls = -1;
    JobId id = 0;
    Time limit = 0;
  };
  std::vector<Waiting> waiting_;         // in rank order
  JobId strict_head_ = 0;                // the job nothing may pass (strict policies), this cycle
  std::vector<int32_t> described_slot_;  // by class, for Explain
  std::vector<uint8_t> preempted_;       // by state.jobs index; only entries in preempted_list_ set
  std::vector<int32_t> preempted_list_;
  // What the scheduler asks of a running job, kept between cycles: refreshed only when the feed
  // names the job, so a cycle does not read every running job. What moves with time is derived
  // from `now` (model.h: while a job runs its run time grows with the clock and its service at
  // the rate of what it holds); its LAS queue is re-read from the job once its service could
  // have reached the next threshold.
  struct Running {
    JobId id = 0;
    int32_t index = -1;  // into ClusterState::jobs
    int32_t tenant = -1;
    int64_t prio = 0;   // its rank's priority band
    int64_t level = 0;  // its LAS queue, valid until level_check_at
    Time level_check_at = 0;
    Time start = 0;             // start of the current run
    Time limit = 0;             // declared time limit, 0 = none
    DurationKey secondary;      // its rank's duration key
    double held = 0;            // devices held (cpus without an accelerator)
    AccelType type = kNoAccel;  // the one accelerator type it holds, if one
    int64_t type_milli = 0;     // accelerator milli of that type
    int32_t devices = 0;        // devices of that type it holds
    bool mixed = false;         // holds several types: read its allocation
    int32_t node = -1;          // the node of its first task
    bool multi_node = false;    // tasks on several nodes: read its allocation
    uint64_t types = 0;         // accelerator types it holds, one bit each
    bool holds_cpu = false;
    bool preemptible = false;
    bool takeable = false;  // preemptible and holding something
    bool checkpointable = false;
    bool starved_before = false;  // waited past the starvation bound before this run
  };
  Running MakeRunning(const Job& job, int32_t index, Time now) const;
  void RefreshLevel(Running& r, const Job& job, Time now) const;
  void SyncRunning(const ClusterState& state, Time now, bool rebuilt);
  bool RanEnough(const Running& r, Time now) const {
    return now - r.start >= spec_.min_run_before_preempt_ms;
  }
  // LAS may take it: checkpointable, ran long enough, never starved.
  bool LasOk(const Running& r, Time now) const {
    return r.checkpointable && RanEnough(r, now) && !r.starved_before;
  }
  // SRTF may take it: ran long enough, never starved.
  bool RemainingOk(const Running& r, Time now) const {
    return RanEnough(r, now) && !r.starved_before;
  }
  // Device-ms of work a preemption throws away.
  double LostWork(const Running& r, Time now) const {
    return r.checkpointable ? 0.0 : r.held * static_cast<double>(std::max<Time>(now - r.start, 0));
  }
  bool OnReservedNode(const ClusterState& state, const Running& r) const;
  void CountLasHeld(const ClusterState& state, const Running& r);
  struct Candidate {                // a running job TryPreempt may take
    int32_t index = -1;             // into ClusterState::jobs
    int32_t run = -1;               // into run_
    const Preemptor* by = nullptr;  // the first of the policy's kinds that may take it
    double lost = 0;
    int64_t prio = 0, level = 0;
    Time start = 0;
    JobId id = 0;
    int64_t node_room = 0;  // when grouping by node: free devices there plus what victims hold
    int32_t node = 0;       // when grouping by node: its first task's node
  };
  // TryPreempt's steps (preempt/victims.cc, preempt/try_preempt.cc).
  struct VictimAsk {  // the option victims make room for
    const Shape* shape = nullptr;
    AccelType type = kNoAccel;
    bool whole = false;  // whole devices per task
    int64_t need = 0;    // accelerator milli in all
    int32_t per_task_devices = 0;
  };
  PreemptAsker AskerOf(const Job& job, const JobQueue::Item& entry, AccelType type,
                       bool reclaiming) const;
  bool LasCannotFreeEnough(const Job& job, const JobQueue::Item& entry, const Shape& shape,
                           AccelType type, bool reclaiming) const;
  void GatherCandidates(const ClusterState& state, const PreemptAsker& asker, AccelType type,
                        Time now);
  int64_t CountCandidatesHeld(const ClusterState& state, AccelType type);
  static bool VictimBefore(const Candidate& a, const Candidate& b);
  size_t OrderCandidates(const ClusterState& state, const Shape& shape, AccelType type,
                         int64_t* held_milli);
  VictimAsk VictimAskOf(const Shape& shape, AccelType type) const;
  int64_t Room(const VictimAsk& a) const;
  bool CouldFreeEnough(const VictimAsk& a, int64_t held_milli) const;
  void FreeVictim(const Job& v, bool freed);
  bool TakeUntilFits(const ClusterState& state, const VictimAsk& a, size_t sorted,
                     Placement* placement, std::vector<size_t>* taken);
  std::vector<size_t> GiveBackUnneeded(const ClusterState& state, const std::vector<size_t>& taken);
  void RecordPreemptions(const ClusterState& state, const PreemptAsker& asker,
                         const std::vector<size_t>& kept, CycleResult& result);
  std::vector<const Preemptor*> preemptors_;  // the policy's kinds, in the order they are asked
  std::vector<Candidate> candidates_;
  std::vector<int32_t> scratch_nodes_;
  std::vector<uint8_t> reserved_node_;           // by node: held for this cycle's reservation
  std::vector<Running> run_;                     // running jobs, in no particular order
  std::unordered_map<JobId, int32_t> run_slot_;  // id -> index in run_ (with a feed only)
  // [type][LAS level]: accelerator milli held by jobs LAS may preempt, this cycle.
  std::vector<std::vector<int64_t>> las_held_;
  std::vector<int32_t> scratch_devices_;                // by node, for TryPreempt
  std::vector<int64_t> est_whole_, est_cpu_, est_mem_;  // by node, for EstimateFit
  std::vector<std::pair<Time, int32_t>> est_releases_;
  std::vector<std::pair<int64_t, int32_t>> ranked_nodes_;  // for MakeReservation
  std::vector<int64_t> reserve_slots_;
  std::vector<std::vector<int64_t>> est_dev_;  // by node, for EstimateFit
  std::vector<int32_t> est_dev_touched_;
  int64_t las_victim_level_ = 0;     // highest LAS queue among jobs LAS may preempt
  double remaining_victim_max_ = 0;  // longest remaining time among jobs SRTF may preempt
  std::vector<std::tuple<int64_t, int64_t, int64_t, int32_t, AccelType, int64_t, int64_t, int32_t>>
      failed_preemptions_;
  std::vector<std::tuple<int64_t, int64_t, int64_t, int32_t, AccelType>> failed_shapes_;
  struct Reservation {
    bool active = false;
    JobId job = 0;
    int32_t index = -1;
    Time start = kUnknownTime;
    AccelType type = kNoAccel;
    std::vector<std::pair<int32_t, int32_t>> nodes;  // (node, tasks reserved there)
    Resources per_task;
    int32_t per_task_devices = 0;
  } reservation_;
  std::vector<TaskAllocation> holds_;
  std::vector<Placement> placed_this_cycle_;
  int64_t worst_victim_prio_ = 0;  // highest (worst) priority band of a preemptible running job
  bool any_victim_ = false;
  bool reclaim_possible_ = false;
  int64_t cpu_only_live_ = 0;  // classes still in the walk whose jobs need no accelerator
  int64_t min_accel_ask_ = 0;  // smallest accelerator ask of any pending shape this cycle
  bool any_guarantee_ = false;
  bool any_budget_ = false;
  std::vector<int32_t> placed_index_;  // state.jobs index of each placement this cycle
};

}  // namespace suanli::core
