#include "agent/cpu_allocator.h"

#include <gtest/gtest.h>

namespace suanli::agent {
namespace {

TEST(CpuAllocator, FillsOneNumaNodeBeforeSpanningAndPrefersIdleCpus) {
  CpuAllocator a({{0, 1, 2, 3}, {4, 5, 6, 7}});
  EXPECT_EQ(a.Allocate(2), (std::vector<int>{0, 1}));
  // 3 CPUs do not fit the 2 idle ones left on node 0: node 1 holds them whole.
  EXPECT_EQ(a.Allocate(2.5), (std::vector<int>{4, 5, 6}));
  EXPECT_EQ(a.Allocate(1), (std::vector<int>{2}));
  EXPECT_EQ(a.Allocate(0.1), (std::vector<int>{3})) << "fractions round up to a whole CPU";
}

TEST(CpuAllocator, SharesWhenOversubscribedAndReleases) {
  CpuAllocator a({{0, 1}});
  EXPECT_EQ(a.Allocate(2), (std::vector<int>{0, 1}));
  EXPECT_EQ(a.Allocate(1), (std::vector<int>{0}));  // shared, lowest id on ties
  EXPECT_EQ(a.InUse(0), 2);
  EXPECT_EQ(a.Allocate(8), (std::vector<int>{0, 1})) << "never more CPUs than exist";
  a.Release({0, 1});
  a.Release({0});
  EXPECT_EQ(a.InUse(0), 1);
  EXPECT_EQ(a.InUse(1), 1);
  EXPECT_EQ(a.Allocate(1), (std::vector<int>{0})) << "equally used: lowest id";
  EXPECT_EQ(a.Allocate(1), (std::vector<int>{1})) << "the less used CPU";
}

}  // namespace
}  // namespace suanli::agent
