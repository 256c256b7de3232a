#include "core/placement/fgd.h"

#include <gtest/gtest.h>

namespace suanli::core {
namespace {

// ---- The fragment measure, worked out by hand ----
// Fragment = FGD's one-step view (all free milli when one task cannot start, else the free milli
// on devices too small for its share) + the look-ahead (free milli left after as many tasks as
// devices, CPU and memory allow).

constexpr int64_t kLots = int64_t{1} << 40;

TEST(FragmentTest, FractionalTaskCountsTooSmallDevicesAndRemainders) {
  // Devices 1000 and 190 free; 0.5-GPU tasks. One-step: 190 (the 190 device). Look-ahead: two
  // tasks fit (both on the 1000 device), 1190 - 1000 = 190. Total 380.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 190}, 20000, kLots, {500, 1, 4000, 0}), 380);
  // 0.81-GPU tasks on an idle 2-device node: one-step 0; look-ahead 2000 - 2 x 810 = 380.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 1000}, 20000, kLots, {810, 1, 3152, 0}), 380);
}

TEST(FragmentTest, CpuStrandedDevicesAreFragmentForTheLookAheadOnly) {
  // 4 idle devices but CPU for one 11.3-CPU task: one-step sees no fragment; the look-ahead sees
  // three devices nobody of this kind can use.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 1000, 1000, 1000}, 12000, kLots, {1000, 1, 11300, 0}),
            3000);
  // Memory strands devices the same way: 64 GiB for two 24 GiB tasks.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 1000, 1000, 1000}, kLots, 65536, {1000, 1, 0, 24576}),
            2000);
}

TEST(FragmentTest, TaskThatCannotStartMakesEverythingFragment) {
  // Too little CPU: one-step 4000, look-ahead 4000.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 1000, 1000, 1000}, 10000, kLots, {1000, 1, 11300, 0}),
            8000);
  // Wrong accelerator type: the same, whatever the resources.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 500}, kLots, kLots, {500, 1, 0, 0}, false), 3000);
}

TEST(FragmentTest, MultiDeviceTaskNeedsWholeDevices) {
  // 2 x 1000 per task on devices 1000, 1000, 1000, 600: one task fits, one-step counts the 600
  // device; the look-ahead fits one task (three whole devices make one pair): 3600 - 2000.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 1000, 1000, 600}, kLots, kLots, {1000, 2, 0, 0}),
            600 + 1600);
  // Only one whole device: it cannot start; everything counts twice.
  EXPECT_EQ(FgdScorer::NodeFragment({1000, 600}, kLots, kLots, {1000, 2, 0, 0}), 3200);
}

}  // namespace
}  // namespace suanli::core
