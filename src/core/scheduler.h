#pragma once
// The one scheduling engine every named policy configures. A policy is a PolicySpec: how pending
// jobs are ranked, whether the queue is strict (head-of-line blocking) or EASY-backfilled, and
// which kinds of preemption it may use. Keeping one engine means placement, quotas, reasons and
// estimated starts behave the same under every policy; only the ranking and the rules differ.
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/capacity.h"
#include "core/fair_share.h"
#include "core/job_queue.h"
#include "core/model.h"
#include "core/placement.h"
#include "core/policy.h"

namespace suanli::core {

struct PolicySpec {
  enum class Order {
    kSubmit,           // oldest submission first
    kTimeLimit,        // shortest declared time limit first (no limit = last)
    kRemainingLimit,   // shortest (time limit - time already run) first
    kOracleDuration,   // shortest true duration first (simulator only)
    kOracleRemaining,  // shortest true remaining time first (simulator only)
  };
  std::string name;
  Order order = Order::kSubmit;
  bool honor_priority = false;    // Job::priority ranks first (higher first)
  bool las = false;               // Tiresias discretized 2D-LAS queues on attained service
  bool fair = false;              // interleave tenants by hierarchical weighted DRF within a level
  bool strict = false;            // head-of-line blocking: nothing passes the first job that waits
  bool backfill = false;          // EASY: the first waiting job gets a reservation, others backfill
  bool preempt_priority = false;  // a higher-priority job preempts lower-priority preemptible jobs
  bool preempt_las = false;       // a job in a higher LAS queue preempts checkpointable lower ones
  bool preempt_remaining = false;  // SRTF: a much shorter remaining time preempts a longer one
  bool reclaim = false;            // a tenant within its guarantee reclaims from borrowing tenants
  Time starvation_ms = 0;          // > 0: jobs waiting this long rank first, oldest first
  std::vector<double> las_thresholds_device_ms;  // LAS queue boundaries on attained service
  double las_promote_knob = 0;  // > 0: a demoted job waiting knob × its run time returns to queue 0
  Time min_run_before_preempt_ms = 0;  // LAS/SRTF victims must have run at least this long
};

class Scheduler : public Policy {
 public:
  Scheduler(PolicySpec spec, PlacementKind placement, const PolicyConfig& config);
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

  Rank RankOf(const Job& job, Time now) const;
  Time NextRankChange(const Job& job, Time now) const;
  int64_t LasLevel(const Job& job) const;
  std::vector<Option> OptionsOf(const ClusterState& state, const Job& job) const;
  ClassInfo& Class(const ClusterState& state, int32_t cls);
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
  void ApplyHolds();
  void ReleaseHolds();
  bool Budgeted(const ClusterState& state, int32_t tenant, int32_t* over) const;
  void Explain(const ClusterState& state, Time now, CycleResult& result);
  bool CouldPreempt(const Job& job, const Rank& rank) const;
  bool OnReservedNode(const Job& job) const;

  PolicySpec spec_;
  PolicyConfig config_;
  Placer placer_;
  Capacity cap_;
  FairShare fair_;

  JobQueue queue_;                  // pending jobs by class, kept between cycles
  std::vector<ClassInfo> classes_;  // by queue class id

  // Per-cycle state, kept as members so buffers are reused.
  std::vector<Record> records_;
  std::vector<uint8_t> preempted_;  // by state.jobs index; only entries in preempted_list_ set
  std::vector<int32_t> preempted_list_;
  std::vector<Rank> running_rank_;  // parallel to queue_.running()
  struct Victim {           // what preemption asks of a running job, worked out once per cycle
    bool takeable = false;  // preemptible and holding something
    uint64_t types = 0;     // accelerator types it holds, one bit each
    bool holds_cpu = false;
    bool las_ok = false;        // LAS may take it: checkpointable, ran long enough, never starved
    bool remaining_ok = false;  // SRTF may take it: ran long enough, never starved
    double lost = 0;            // device-ms of work a preemption throws away
  };
  std::vector<Victim> victims_;  // parallel to queue_.running()
  // [type][LAS level]: accelerator milli held by jobs LAS may preempt, this cycle.
  std::vector<std::vector<int64_t>> las_held_;
  std::vector<int32_t> scratch_devices_;                // by node, for TryPreempt
  std::vector<int64_t> est_whole_, est_cpu_, est_mem_;  // by node, for EstimateFit
  std::vector<std::pair<Time, int32_t>> est_releases_;
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
  Rank worst_victim_;
  bool any_victim_ = false;
  bool reclaim_possible_ = false;
  int64_t cpu_only_live_ = 0;  // classes still in the walk whose jobs need no accelerator
  int64_t min_accel_ask_ = 0;  // smallest accelerator ask of any pending shape this cycle
  bool any_guarantee_ = false;
  bool any_budget_ = false;
  std::vector<int32_t> placed_index_;  // state.jobs index of each placement this cycle
};

}  // namespace suanli::core
