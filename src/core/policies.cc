// The named policies: each is a PolicySpec for the one Scheduler engine. See docs/scheduling.md.
#include <algorithm>
#include <functional>
#include <map>

#include "core/placement.h"
#include "core/policy.h"
#include "core/scheduler.h"

namespace suanli::core {
namespace {

constexpr double kDeviceHourMs = 3600.0 * 1000.0;
constexpr Time kMinute = 60 * 1000;
constexpr Time kHour = 60 * kMinute;

// Tiresias-style queues: a job moves down a queue each time its attained service (devices × time)
// crosses a boundary. Geometric boundaries, so the queue says "order of magnitude of work done".
std::vector<double> LasThresholds() {
  return {1 * kDeviceHourMs, 10 * kDeviceHourMs, 100 * kDeviceHourMs};
}

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
  s.honor_priority = true;
  s.backfill = true;
  s.preempt_priority = true;
  return s;
}

PolicySpec Fair() {
  PolicySpec s;
  s.name = "fair";
  s.honor_priority = true;
  s.fair = true;
  s.backfill = true;
  s.reclaim = true;
  return s;
}

PolicySpec Las() {
  PolicySpec s;
  s.name = "las";
  s.las = true;
  s.las_thresholds_device_ms = LasThresholds();
  s.las_promote_knob = 2.0;
  s.backfill = true;
  s.preempt_las = true;
  s.min_run_before_preempt_ms = kMinute;
  return s;
}

PolicySpec Sjf() {
  PolicySpec s;
  s.name = "sjf";
  s.order = PolicySpec::Order::kTimeLimit;
  s.backfill = true;
  return s;
}

PolicySpec Srtf() {
  PolicySpec s;
  s.name = "srtf";
  s.order = PolicySpec::Order::kRemainingLimit;
  s.backfill = true;
  s.preempt_remaining = true;
  s.min_run_before_preempt_ms = kMinute;
  return s;
}

PolicySpec SjfOracle() {
  PolicySpec s;
  s.name = "sjf-oracle";
  s.order = PolicySpec::Order::kOracleDuration;
  s.strict = true;  // the Helios artifact's SJF: sorted by true duration, head-of-line blocking
  return s;
}

PolicySpec SrtfOracle() {
  PolicySpec s;
  s.name = "srtf-oracle";
  s.order = PolicySpec::Order::kOracleRemaining;
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
  s.honor_priority = true;
  s.fair = true;
  s.preempt_priority = true;
  s.reclaim = true;
  s.starvation_ms = 20 * kHour;
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
