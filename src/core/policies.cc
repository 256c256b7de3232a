// The named policies: each is a PolicySpec for the one Scheduler engine. See docs/scheduling.md.
#include <algorithm>
#include <functional>
#include <map>

#include "core/placement.h"
#include "core/policy.h"
#include "core/scheduler.h"

namespace suanli::core {
namespace {

constexpr Time kMinute = 60 * 1000;
constexpr Time kHour = 60 * kMinute;

PolicySpec Fifo() {
  PolicySpec s;
  s.name = "fifo";
  s.strict = true;
  return s;
}

PolicySpec Backfill() {
  PolicySpec s;
  s.name = "backfill";
  s.backfill = true;
  return s;
}

PolicySpec Priority() {
  PolicySpec s;
  s.name = "priority";
  s.order.bands = std::make_shared<const PriorityBands>();
  s.backfill = true;
  s.preempt_priority = true;
  return s;
}

PolicySpec Fair() {
  PolicySpec s;
  s.name = "fair";
  s.order.bands = std::make_shared<const PriorityBands>();
  s.order.fair = std::make_shared<const FairShareInterleave>();
  s.backfill = true;
  s.reclaim = true;
  return s;
}

PolicySpec Las() {
  PolicySpec s;
  s.name = "las";
  s.order.las = LasQueues::Tiresias();
  s.backfill = true;
  s.preempt_las = true;
  s.min_run_before_preempt_ms = kMinute;
  return s;
}

PolicySpec Sjf() {
  PolicySpec s;
  s.name = "sjf";
  s.order.duration = MakeTimeLimitOrder();
  s.backfill = true;
  return s;
}

PolicySpec Srtf() {
  PolicySpec s;
  s.name = "srtf";
  s.order.duration = MakeRemainingOrder();
  s.backfill = true;
  s.preempt_remaining = true;
  s.min_run_before_preempt_ms = kMinute;
  return s;
}

PolicySpec SjfOracle() {
  PolicySpec s;
  s.name = "sjf-oracle";
  s.order.duration = MakeOracleDurationOrder();
  s.strict = true;  // the Helios artifact's SJF: sorted by true duration, head-of-line blocking
  return s;
}

PolicySpec SrtfOracle() {
  PolicySpec s;
  s.name = "srtf-oracle";
  s.order.duration = MakeOracleRemainingOrder();
  s.backfill = true;
  s.preempt_remaining = true;
  s.min_run_before_preempt_ms = kMinute;
  return s;
}

// The default: priority bands, then Tiresias LAS queues (durations unknown), tenants interleaved
// by hierarchical DRF within a queue, EASY backfill, preemption for priority, LAS and quota
// reclaim, and anti-starvation: a job waiting a day goes to the front and gets the reservation.
PolicySpec Default() {
  PolicySpec s = Las();
  s.name = "default";
  s.order.bands = std::make_shared<const PriorityBands>();
  s.order.fair = std::make_shared<const FairShareInterleave>();
  s.preempt_priority = true;
  s.reclaim = true;
  s.order.starvation = std::make_shared<const Starvation>(20 * kHour);
  return s;
}

const std::vector<std::pair<std::string, std::function<PolicySpec()>>>& Registry() {
  static const std::vector<std::pair<std::string, std::function<PolicySpec()>>> kPolicies = {
      {"default", Default},
      {"fifo", Fifo},
      {"backfill", Backfill},
      {"priority", Priority},
      {"fair", Fair},
      {"las", Las},
      {"sjf", Sjf},
      {"srtf", Srtf},
      {"sjf-oracle", SjfOracle},
      {"srtf-oracle", SrtfOracle},
  };
  return kPolicies;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (const auto& [name, make] : Registry()) names.push_back(name);
  return names;
}

std::vector<std::string> PlacementNames() { return PlacementScorerNames(); }

Result<std::unique_ptr<Policy>> MakePolicy(const PolicyConfig& config) {
  std::unique_ptr<PlacementScorer> placement = MakePlacementScorer(config.placement);
  if (placement == nullptr) {
    return InvalidArgument("unknown placement '" + config.placement +
                           "'; known: " + Joined(PlacementNames()));
  }
  for (const auto& [name, make] : Registry()) {
    if (name == config.name) {
      return std::unique_ptr<Policy>(
          std::make_unique<Scheduler>(make(), std::move(placement), config));
    }
  }
  return InvalidArgument("unknown policy '" + config.name + "'; known: " + Joined(PolicyNames()));
}

}  // namespace suanli::core
