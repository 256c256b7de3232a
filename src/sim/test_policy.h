#pragma once
// Test doubles for the engine tests only: tiny, obviously-correct policies so engine arithmetic
// can be checked by hand independently of src/core's policies. Not used by the simulator.
#include <algorithm>
#include <vector>

#include "core/policy.h"

namespace suanli::sim::testing {

// Strict FIFO on whole devices: jobs in (submit_time, id) order, each on the first nodes with
// enough free devices (one task per node, schedulable nodes only), stopping at the first job that
// does not fit. With lifo_preempt, the newest pending job instead preempts every running job
// submitted before it (a deliberately aggressive rule that makes preemption easy to work out by
// hand). With last_shape, every job runs on its last shape (the flexible alternative when it has
// one).
class TestPolicy : public core::Policy {
 public:
  explicit TestPolicy(bool lifo_preempt = false, bool last_shape = false)
      : lifo_preempt_(lifo_preempt), last_shape_(last_shape) {}
  std::string_view name() const override { return lifo_preempt_ ? "test-lifo" : "test-fifo"; }

  core::CycleResult Schedule(const core::ClusterState& state, core::Time now) override {
    core::CycleResult out;
    std::vector<std::vector<bool>> busy(state.nodes.size());
    for (size_t n = 0; n < state.nodes.size(); ++n)
      busy[n].assign(state.nodes[n].devices.size(), false);
    std::vector<const core::Job*> pending, running;
    for (const auto& j : state.jobs) {
      if (j.phase == core::JobPhase::kRunning) {
        running.push_back(&j);
        for (const auto& t : j.allocation) {
          for (int32_t d : t.devices) busy[t.node][d] = true;
        }
      } else {
        pending.push_back(&j);
      }
    }
    auto by_submit = [](const core::Job* a, const core::Job* b) {
      return a->submit_time != b->submit_time ? a->submit_time < b->submit_time : a->id < b->id;
    };
    std::sort(pending.begin(), pending.end(), by_submit);
    if (lifo_preempt_ && !pending.empty()) {
      const core::Job* newest = pending.back();
      for (const core::Job* r : running) {
        if (r->submit_time < newest->submit_time) {
          out.preemptions.push_back({r->id, "test: newer job", newest->id});
          for (const auto& t : r->allocation) {
            for (int32_t d : t.devices) busy[t.node][d] = false;
          }
        }
      }
      std::reverse(pending.begin(), pending.end());
    }
    for (const core::Job* j : pending) {
      const int32_t shape_index = last_shape_ ? static_cast<int32_t>(j->shapes.size()) - 1 : 0;
      const core::Shape& s = j->shapes[shape_index];
      const int64_t want = s.per_task.accel_milli / 1000;
      core::Placement p;
      p.job = j->id;
      p.shape_index = shape_index;
      for (size_t n = 0; n < state.nodes.size() && static_cast<int32_t>(p.tasks.size()) < s.tasks;
           ++n) {
        if (!state.nodes[n].schedulable) continue;
        std::vector<int32_t> free;
        for (size_t d = 0; d < busy[n].size(); ++d) {
          if (!busy[n][d] && static_cast<int64_t>(free.size()) < want)
            free.push_back(static_cast<int32_t>(d));
        }
        if (static_cast<int64_t>(free.size()) < want) continue;
        core::TaskAllocation t;
        t.node = static_cast<int32_t>(n);
        t.devices = free;
        t.res = s.per_task;
        p.tasks.push_back(t);
      }
      if (static_cast<int32_t>(p.tasks.size()) < s.tasks) break;  // strict: head of line blocks
      for (const auto& t : p.tasks) {
        for (int32_t d : t.devices) busy[t.node][d] = true;
      }
      out.placements.push_back(std::move(p));
    }
    (void)now;
    return out;
  }

 private:
  bool lifo_preempt_;
  bool last_shape_;
};

}  // namespace suanli::sim::testing
