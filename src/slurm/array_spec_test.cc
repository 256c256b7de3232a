#include "slurm/array_spec.h"

#include <gtest/gtest.h>

#include <numeric>

namespace suanli::slurm {
namespace {

std::vector<uint32_t> Range(uint32_t lo, uint32_t hi) {
  std::vector<uint32_t> v(hi - lo + 1);
  std::iota(v.begin(), v.end(), lo);
  return v;
}

ArraySpec Parse(std::string_view text, const ArrayLimits& limits = {}) {
  auto r = ParseArraySpec(text, limits);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : ArraySpec{};
}

std::string ErrorOf(std::string_view text, const ArrayLimits& limits = {}) {
  auto r = ParseArraySpec(text, limits);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(ArraySpecTest, DocumentedForms) {
  EXPECT_EQ(Parse("1-16").task_ids, Range(1, 16));
  EXPECT_EQ(Parse("0-497").task_ids, Range(0, 497));
  EXPECT_EQ(Parse("1,6-7,12").task_ids, (std::vector<uint32_t>{1, 6, 7, 12}));
  EXPECT_EQ(Parse("1-9:2").task_ids, (std::vector<uint32_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(Parse("0-10:5").task_ids, (std::vector<uint32_t>{0, 5, 10}));
  EXPECT_EQ(Parse("0-9:4").task_ids, (std::vector<uint32_t>{0, 4, 8}));
  EXPECT_EQ(Parse("7").task_ids, (std::vector<uint32_t>{7}));
  EXPECT_EQ(Parse("3-3").task_ids, (std::vector<uint32_t>{3}));
}

TEST(ArraySpecTest, Throttle) {
  const auto one = Parse("1-10%1");
  EXPECT_EQ(one.task_ids, Range(1, 10));
  EXPECT_EQ(one.max_running, 1u);
  EXPECT_EQ(Parse("0-15%4").max_running, 4u);
  EXPECT_EQ(Parse("1-9:2%2").task_ids, (std::vector<uint32_t>{1, 3, 5, 7, 9}));
  EXPECT_FALSE(Parse("1-16").max_running.has_value());
}

TEST(ArraySpecTest, SortsAndMergesDuplicates) {
  EXPECT_EQ(Parse("12,1-3,2,12").task_ids, (std::vector<uint32_t>{1, 2, 3, 12}));
}

TEST(ArraySpecTest, Limits) {
  EXPECT_EQ(Parse("0-1000").task_ids.size(), 1001u);
  EXPECT_NE(ErrorOf("0-1001").find("above the maximum 1000 (MaxArraySize=1001)"),
            std::string::npos);
  const ArrayLimits small{.max_index = 100000, .max_tasks = 10};
  EXPECT_EQ(Parse("0-90000:10000", small).task_ids.size(), 10u);
  EXPECT_NE(ErrorOf("0-10", small).find("more than 10 tasks"), std::string::npos);
  EXPECT_NE(ErrorOf("0-4000000000", small).find("above the maximum"), std::string::npos);
}

TEST(ArraySpecTest, RejectsMalformed) {
  EXPECT_NE(ErrorOf("5-1").find("range 5-1 runs backwards"), std::string::npos);
  for (const char* t : {"", "a", "1-", "-3", "1,,2", "1-9:0", "1-9:", "1:2", "1-10%0", "1-10%",
                        "1-10%x", "1-2-3", "1,2,", "%4"}) {
    EXPECT_NE(ErrorOf(t).find("invalid job array specification"), std::string::npos) << t;
  }
}

TEST(ArraySpecTest, FormatRoundTrips) {
  EXPECT_EQ(FormatArraySpec(Parse("1-9:2%3")), "1,3,5,7,9%3");
  EXPECT_EQ(FormatArraySpec(Parse("0-497")), "0-497");
  for (const char* text : {"1,6-7,12", "1-10%1", "0", "5-9,2,3"}) {
    ArraySpec once = Parse(text);
    EXPECT_EQ(Parse(FormatArraySpec(once)), once) << text;
  }
}

}  // namespace
}  // namespace suanli::slurm
