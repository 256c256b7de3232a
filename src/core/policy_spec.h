#pragma once
// A policy, as one declaration: the parts it names for the one Scheduler engine (scheduler.h).
// The named policies are in policies.cc; docs/scheduling.md says how to add one.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "core/order/ordering.h"
#include "core/preempt/preempt_kind.h"

namespace suanli::core {

// What happens behind the first pending job that does not fit.
enum class QueueDiscipline : int8_t {
  kGreedy,    // nothing special: every job that fits starts
  kStrict,    // head-of-line blocking: nothing passes the first job that waits
  kBackfill,  // EASY: the first job that waits gets a reservation; others may use what it does
              // not need before its reserved start
};

struct PolicySpec {
  std::string name;
  Ordering order;  // how pending jobs are ranked (core/order/)
  // The placement rule (core/placement/registry.cc) unless PolicyConfig::placement names one.
  std::string placement = "auto";
  QueueDiscipline queue = QueueDiscipline::kGreedy;
  PreemptKinds preempt;                // which running jobs a waiting job may take (core/preempt/)
  Time min_run_before_preempt_ms = 0;  // LAS/SRTF victims must have run at least this long
};

// The declaration of the named policy `name` (policies.cc), or nullopt.
std::optional<PolicySpec> PolicySpecByName(std::string_view name);

}  // namespace suanli::core
