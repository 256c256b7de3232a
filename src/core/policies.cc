// The named policies: each is one PolicySpec declaration (policy_spec.h) for the one Scheduler
// engine, and one line in Registry(). See docs/scheduling.md, "Adding a policy".
#include <memory>
#include <optional>

#include "core/placement/scorer.h"
#include "core/policy.h"
#include "core/scheduler.h"

namespace suanli::core {
namespace {

constexpr Time kMinute = 60 * 1000;
constexpr Time kHour = 60 * kMinute;

std::shared_ptr<const PriorityBands> Bands() { return std::make_shared<const PriorityBands>(); }
std::shared_ptr<const FairShareInterleave> TenantsByFairShare() {
  return std::make_shared<const FairShareInterleave>();
}

PolicySpec Fifo() { return {.name = "fifo", .queue = QueueDiscipline::kStrict}; }

PolicySpec Backfill() { return {.name = "backfill", .queue = QueueDiscipline::kBackfill}; }

PolicySpec Priority() {
  return {.name = "priority",
          .order = {.bands = Bands()},
          .queue = QueueDiscipline::kBackfill,
          .preempt = {PreemptKind::kPriority}};
}

PolicySpec Fair() {
  return {.name = "fair",
          .order = {.bands = Bands(), .fair = TenantsByFairShare()},
          .queue = QueueDiscipline::kBackfill,
          .preempt = {PreemptKind::kReclaim}};
}

PolicySpec Las() {
  return {.name = "las",
          .order = {.las = LasQueues::Tiresias()},
          .queue = QueueDiscipline::kBackfill,
          .preempt = {PreemptKind::kLas},
          .min_run_before_preempt_ms = kMinute};
}

PolicySpec Sjf() {
  return {.name = "sjf",
          .order = {.duration = MakeTimeLimitOrder()},
          .queue = QueueDiscipline::kBackfill};
}

PolicySpec Srtf() {
  return {.name = "srtf",
          .order = {.duration = MakeRemainingOrder()},
          .queue = QueueDiscipline::kBackfill,
          .preempt = {PreemptKind::kRemaining},
          .min_run_before_preempt_ms = kMinute};
}

// The Helios artifact's SJF: sorted by true duration, head-of-line blocking.
PolicySpec SjfOracle() {
  return {.name = "sjf-oracle",
          .order = {.duration = MakeOracleDurationOrder()},
          .queue = QueueDiscipline::kStrict};
}

PolicySpec SrtfOracle() {
  return {.name = "srtf-oracle",
          .order = {.duration = MakeOracleRemainingOrder()},
          .queue = QueueDiscipline::kBackfill,
          .preempt = {PreemptKind::kRemaining},
          .min_run_before_preempt_ms = kMinute};
}

// The default: priority bands, then Tiresias LAS queues (durations unknown), tenants interleaved
// by hierarchical DRF within a queue, EASY backfill, preemption for priority, LAS and quota
// reclaim, and anti-starvation: a job waiting 20 hours goes to the front and gets the reservation.
PolicySpec Default() {
  return {.name = "default",
          .order = {.bands = Bands(),
                    .las = LasQueues::Tiresias(),
                    .starvation = std::make_shared<const Starvation>(20 * kHour),
                    .fair = TenantsByFairShare()},
          .queue = QueueDiscipline::kBackfill,
          .preempt = {PreemptKind::kReclaim, PreemptKind::kPriority, PreemptKind::kLas},
          .min_run_before_preempt_ms = kMinute};
}

// Every named policy, in the order PolicyNames() lists them.
using Declaration = PolicySpec (*)();
constexpr Declaration kPolicies[] = {
    Default, Fifo, Backfill, Priority, Fair, Las, Sjf, Srtf, SjfOracle, SrtfOracle,
};

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::optional<PolicySpec> PolicySpecByName(std::string_view name) {
  for (Declaration declare : kPolicies) {
    if (PolicySpec spec = declare(); spec.name == name) return spec;
  }
  return std::nullopt;
}

std::vector<std::string> PolicyNames() {
  std::vector<std::string> names;
  for (Declaration declare : kPolicies) names.push_back(declare().name);
  return names;
}

std::vector<std::string> PlacementNames() { return PlacementScorerNames(); }

Result<std::unique_ptr<Policy>> MakePolicy(const PolicyConfig& config) {
  std::optional<PolicySpec> spec = PolicySpecByName(config.name);
  const std::string placement = !config.placement.empty() ? config.placement
                                : spec                    ? spec->placement
                                                          : "auto";
  std::unique_ptr<PlacementScorer> scorer = MakePlacementScorer(placement);
  if (scorer == nullptr) {
    return InvalidArgument("unknown placement '" + placement +
                           "'; known: " + Joined(PlacementNames()));
  }
  if (!spec) {
    return InvalidArgument("unknown policy '" + config.name + "'; known: " + Joined(PolicyNames()));
  }
  return std::unique_ptr<Policy>(
      std::make_unique<Scheduler>(std::move(*spec), std::move(scorer), config));
}

}  // namespace suanli::core
