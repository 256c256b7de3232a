#include "core/accounting.h"

#include <gtest/gtest.h>

#include <limits>

namespace suanli::core {
namespace {

TEST(AccountingTest, MeasuresEachResourceTypeOverTheRunTime) {
  // Two gang members for 90 minutes: 4 cpus, 8 GiB and 2 A100 each.
  std::vector<TaskHolding> tasks(2, TaskHolding{4, 8192, 2, "nvidia-a100"});
  ResourceSeconds r = Measure(tasks, 1'000, 1'000 + 90 * 60 * 1000);
  EXPECT_DOUBLE_EQ(r.cpu_s, 2 * 4 * 5400.0);
  EXPECT_DOUBLE_EQ(r.mem_mb_s, 2 * 8192 * 5400.0);
  ASSERT_EQ(r.accel_s.size(), 1u);
  EXPECT_DOUBLE_EQ(r.accel_s.at("nvidia-a100"), 2 * 2 * 5400.0);
  EXPECT_DOUBLE_EQ(r.AccelSeconds(), 21600.0);
}

TEST(AccountingTest, FractionalDevicesAndMixedTypes) {
  std::vector<TaskHolding> tasks = {
      {1, 1024, 0.5, "nvidia-h100"}, {1, 1024, 1, "ascend-910b"}, {2, 0, 0, ""}};
  ResourceSeconds r = Measure(tasks, 0, 10'000);
  EXPECT_DOUBLE_EQ(r.accel_s.at("nvidia-h100"), 5.0);
  EXPECT_DOUBLE_EQ(r.accel_s.at("ascend-910b"), 10.0);
  EXPECT_EQ(r.accel_s.count(""), 0u);
  EXPECT_DOUBLE_EQ(r.cpu_s, 40.0);
}

TEST(AccountingTest, NoTimeMeansNoUsage) {
  std::vector<TaskHolding> tasks = {{4, 1024, 1, "nvidia-a100"}};
  EXPECT_DOUBLE_EQ(Measure(tasks, 5000, 5000).cpu_s, 0);
  EXPECT_DOUBLE_EQ(Measure(tasks, 5000, 1000).cpu_s, 0);
}

TEST(AccountingTest, CostUsesDefaultPrices) {
  PriceTable p;
  ResourceSeconds r;
  r.cpu_s = 3600 * 10;                  // 10 cpu-hours * 0.02 = 0.2
  r.mem_mb_s = 1024.0 * 3600;           // 1 GiB-hour * 0.005 = 0.005
  r.accel_s["nvidia-a100"] = 2 * 3600;  // 2 device-hours * 2.5 = 5.0
  r.accel_s["mystery-x"] = 3600;        // 1 device-hour * default 2.0 = 2.0
  EXPECT_NEAR(Cost(r, p), 0.2 + 0.005 + 5.0 + 2.0, 1e-12);
}

TEST(AccountingTest, CustomPricesAndAddition) {
  PriceTable p;
  p.cpu_hour = 0;
  p.mem_gib_hour = 0;
  p.accel_hour = {{"nvidia-a100", 10}};
  ResourceSeconds a;
  a.accel_s["nvidia-a100"] = 1800;
  ResourceSeconds b;
  b.accel_s["nvidia-a100"] = 1800;
  b.cpu_s = 5;
  a.Add(b);
  EXPECT_DOUBLE_EQ(a.accel_s.at("nvidia-a100"), 3600);
  EXPECT_DOUBLE_EQ(a.cpu_s, 5);
  EXPECT_DOUBLE_EQ(Cost(a, p), 10.0);
}

TEST(AccountingTest, ValidateRejectsNegativeOrNonFinitePrices) {
  PriceTable p;
  EXPECT_TRUE(p.Validate().ok());
  p.accel_hour["nvidia-a100"] = -1;
  Status st = p.Validate();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("accel_hour.nvidia-a100"), std::string::npos);
  PriceTable q;
  q.cpu_hour = std::numeric_limits<double>::infinity();
  EXPECT_NE(q.Validate().message().find("cpu_hour"), std::string::npos);
}

}  // namespace
}  // namespace suanli::core
