#include "sim/metrics.h"

#include <gtest/gtest.h>

namespace suanli::sim {
namespace {

TEST(MetricsTest, PercentileInterpolatesBetweenRanks) {
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 50), 2.5);
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile({4, 1, 3, 2}, 100), 4);
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_NEAR(Percentile(hundred, 99), 99.01, 1e-9);  // rank 98.01
  EXPECT_NEAR(Percentile(hundred, 95), 95.05, 1e-9);
  EXPECT_DOUBLE_EQ(Percentile({7}, 99), 7);
  EXPECT_DOUBLE_EQ(Percentile({}, 50), 0);
}

TEST(MetricsTest, JainIndexByHand) {
  EXPECT_DOUBLE_EQ(JainIndex({1, 1, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(JainIndex({1, 0, 0, 0}), 0.25);
  EXPECT_DOUBLE_EQ(JainIndex({1, 2}), 0.9);  // 9 / (2 × 5)
  EXPECT_DOUBLE_EQ(JainIndex({2, 0.5}), 6.25 / 8.5);
  EXPECT_DOUBLE_EQ(JainIndex({}), 1.0);
}

}  // namespace
}  // namespace suanli::sim
