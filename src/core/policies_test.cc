// The named policies' declarations (policies.cc, policy_spec.h).
#include <gtest/gtest.h>

#include "core/policy.h"
#include "core/policy_spec.h"

namespace suanli::core {
namespace {

TEST(PolicySpec, EveryNamedPolicyHasADeclarationOfThatName) {
  for (const std::string& name : PolicyNames()) {
    const auto spec = PolicySpecByName(name);
    ASSERT_TRUE(spec.has_value()) << name;
    EXPECT_EQ(spec->name, name);
    EXPECT_NE(spec->order.duration, nullptr) << name;
    EXPECT_EQ(spec->placement, "auto") << name;
  }
  EXPECT_FALSE(PolicySpecByName("nope").has_value());
}

TEST(PolicySpec, TheDefaultNamesItsParts) {
  const PolicySpec spec = *PolicySpecByName("default");
  EXPECT_NE(spec.order.bands, nullptr);
  EXPECT_NE(spec.order.las, nullptr);
  EXPECT_NE(spec.order.starvation, nullptr);
  EXPECT_NE(spec.order.fair, nullptr);
  EXPECT_EQ(spec.order.duration->name(), "submit");
  EXPECT_EQ(spec.queue, QueueDiscipline::kBackfill);
  EXPECT_TRUE(spec.preempt.has(PreemptKind::kReclaim));
  EXPECT_TRUE(spec.preempt.has(PreemptKind::kPriority));
  EXPECT_TRUE(spec.preempt.has(PreemptKind::kLas));
  EXPECT_FALSE(spec.preempt.has(PreemptKind::kRemaining));
}

TEST(PolicySpec, FifoIsStrictSubmitOrderWithoutPreemption) {
  const PolicySpec spec = *PolicySpecByName("fifo");
  EXPECT_EQ(spec.queue, QueueDiscipline::kStrict);
  EXPECT_EQ(spec.order.duration->name(), "submit");
  EXPECT_EQ(spec.order.bands, nullptr);
  EXPECT_FALSE(spec.preempt.any());
}

TEST(PolicySpec, SrtfRanksAndPreemptsByRemainingTime) {
  const PolicySpec spec = *PolicySpecByName("srtf");
  EXPECT_EQ(spec.order.duration->name(), "remaining");
  EXPECT_TRUE(spec.preempt.has(PreemptKind::kRemaining));
  EXPECT_GT(spec.min_run_before_preempt_ms, 0);
}

TEST(PreemptKinds, ASetByName) {
  const PreemptKinds none;
  EXPECT_FALSE(none.any());
  const PreemptKinds some = {PreemptKind::kLas, PreemptKind::kReclaim};
  EXPECT_TRUE(some.any());
  EXPECT_TRUE(some.has(PreemptKind::kLas));
  EXPECT_TRUE(some.has(PreemptKind::kReclaim));
  EXPECT_FALSE(some.has(PreemptKind::kPriority));
}

TEST(MakePolicy, EmptyPlacementIsThePolicysOwnAndUnknownOnesAreNamed) {
  PolicyConfig config;
  config.name = "las";
  config.placement = "";
  EXPECT_TRUE(MakePolicy(config).ok());
  config.placement = "worst-fit";
  const auto bad = MakePolicy(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown placement 'worst-fit'; known: auto, topology"),
            std::string::npos);
}

}  // namespace
}  // namespace suanli::core
