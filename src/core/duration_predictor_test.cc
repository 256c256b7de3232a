// Learned run-time estimates, worked out by hand.
#include "core/duration_predictor.h"

#include <gtest/gtest.h>

namespace suanli::core {
namespace {

DurationFacts Facts(std::string_view tenant, std::string_view user, std::string_view name,
                    int64_t accel_milli) {
  return {.tenant = tenant, .user = user, .name = name, .accel_milli = accel_milli};
}

TEST(DurationPredictorTest, NothingKnownUntilEnoughHistory) {
  DurationPredictor p;  // min_samples 3
  const auto f = Facts("lab", "alice", "train", 8000);
  EXPECT_EQ(p.Predict(f), kUnknownTime);
  p.Observe(f, 100);
  p.Observe(f, 300);
  EXPECT_EQ(p.Predict(f), kUnknownTime);
  p.Observe(f, 200);
  EXPECT_EQ(p.Predict(f), 200);  // median of 100, 200, 300
}

TEST(DurationPredictorTest, MedianIsNotPulledByOneHugeRun) {
  DurationPredictor p;
  const auto f = Facts("lab", "alice", "train", 1000);
  for (Time t : {60, 70, 80, 90}) p.Observe(f, t * 1000);
  p.Observe(f, 30LL * 24 * 3600 * 1000);  // one month-long run
  EXPECT_EQ(p.Predict(f), 80 * 1000);
  // With an even count the lower of the two middle runs answers.
  p.Observe(f, 65 * 1000);  // 60 65 70 80 90 month
  EXPECT_EQ(p.Predict(f), 70 * 1000);
}

TEST(DurationPredictorTest, MostSpecificKeyWithEnoughHistoryAnswers) {
  DurationPredictor p;
  // Alice's "eval" jobs on 1 GPU are short; her "train" jobs are long.
  for (int i = 0; i < 3; ++i) p.Observe(Facts("lab", "alice", "eval", 1000), 10);
  for (int i = 0; i < 3; ++i) p.Observe(Facts("lab", "alice", "train", 1000), 1000);
  EXPECT_EQ(p.Predict(Facts("lab", "alice", "eval", 1000)), 10);
  EXPECT_EQ(p.Predict(Facts("lab", "alice", "train", 1000)), 1000);
  // A name she never used falls back to all her 1-GPU jobs (lower median of 10,10,10,1000,...).
  EXPECT_EQ(p.Predict(Facts("lab", "alice", "new", 1000)), 10);
  // Another width of hers: her jobs of any width.
  EXPECT_EQ(p.Predict(Facts("lab", "alice", "train", 8000)), 10);
  // Bob, never seen: the tenant's jobs of that width.
  EXPECT_EQ(p.Predict(Facts("lab", "bob", "x", 1000)), 10);
  // Another tenant: jobs of that width anywhere.
  EXPECT_EQ(p.Predict(Facts("other", "carol", "x", 1000)), 10);
  // A width nobody ran, in another tenant: nothing to go on.
  EXPECT_EQ(p.Predict(Facts("other", "carol", "x", 4000)), kUnknownTime);
}

TEST(DurationPredictorTest, UnknownFieldsSkipTheirLevels) {
  DurationPredictor p;
  // A trace without users or names (Philly) learns by tenant and width.
  for (Time t : {5, 6, 7}) p.Observe(Facts("vc1", "", "", 8000), t);
  for (Time t : {50, 60, 70}) p.Observe(Facts("vc1", "", "", 1000), t);
  EXPECT_EQ(p.Predict(Facts("vc1", "", "", 8000)), 6);
  EXPECT_EQ(p.Predict(Facts("vc1", "", "", 1000)), 60);
  // Fields are kept apart: tenant "a" with user "bc" is not tenant "ab" with user "c".
  for (int i = 0; i < 3; ++i) p.Observe(Facts("a", "bc", "", 2000), 1);
  EXPECT_EQ(p.Predict(Facts("a", "bc", "", 3000)), 1);
  EXPECT_EQ(p.Predict(Facts("ab", "c", "", 3000)), kUnknownTime);
}

TEST(DurationPredictorTest, OnlyTheRecentWindowCounts) {
  DurationPredictor p({.window = 3, .min_samples = 3});
  const auto f = Facts("lab", "alice", "train", 1000);
  for (Time t : {1000, 1000, 1000}) p.Observe(f, t);
  EXPECT_EQ(p.Predict(f), 1000);
  for (Time t : {10, 20}) p.Observe(f, t);  // the two oldest replaced: 10, 20, 1000
  EXPECT_EQ(p.Predict(f), 20);
  p.Observe(f, 30);
  EXPECT_EQ(p.Predict(f), 20);  // 10, 20, 30
  EXPECT_EQ(p.observed(), 6);
}

TEST(DurationPredictorTest, BoundedKeysAndBadInputIgnored) {
  DurationPredictor p({.window = 5, .min_samples = 1, .max_keys = 6});
  p.Observe(Facts("lab", "alice", "train", 1000), -5);  // negative: not a run time
  EXPECT_EQ(p.observed(), 0);
  EXPECT_EQ(p.keys(), 0u);
  p.Observe(Facts("lab", "alice", "train", 1000), 7);  // six levels, six keys
  EXPECT_EQ(p.keys(), 6u);
  p.Observe(Facts("lab", "bob", "x", 1000), 9);  // no room for bob's keys; shared ones learn
  EXPECT_EQ(p.keys(), 6u);
  EXPECT_EQ(p.Predict(Facts("lab", "bob", "x", 1000)), 7);  // lower median of 7, 9
}

}  // namespace
}  // namespace suanli::core
