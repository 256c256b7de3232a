#include "slurm/dependency_spec.h"

#include <gtest/gtest.h>

namespace suanli::slurm {
namespace {

using Combine = DependencySpec::Combine;
using Type = DependencyType;

DependencySpec Parse(std::string_view text) {
  auto r = ParseDependencySpec(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : DependencySpec{};
}

std::string ErrorOf(std::string_view text) {
  auto r = ParseDependencySpec(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(DependencySpecTest, SingleConditions) {
  EXPECT_EQ(Parse("afterok:1:2"),
            (DependencySpec{Combine::kAll, {{Type::kAfterOk, {{1, {}, 0}, {2, {}, 0}}}}}));
  EXPECT_EQ(Parse("afterany:42").conditions[0].type, Type::kAfterAny);
  EXPECT_EQ(Parse("afternotok:42").conditions[0].type, Type::kAfterNotOk);
  EXPECT_EQ(Parse("aftercorr:42").conditions[0].type, Type::kAfterCorr);
  EXPECT_EQ(Parse("afterburstbuffer:42").conditions[0].type, Type::kAfterBurstBuffer);
  EXPECT_EQ(Parse("AfterOK:7").conditions[0].type, Type::kAfterOk);
  const auto singleton = Parse("singleton");
  ASSERT_EQ(singleton.conditions.size(), 1u);
  EXPECT_EQ(singleton.conditions[0].type, Type::kSingleton);
  EXPECT_TRUE(singleton.conditions[0].jobs.empty());
}

TEST(DependencySpecTest, AfterWithDelays) {
  EXPECT_EQ(Parse("after:123+10").conditions[0].jobs, (std::vector<DependencyJob>{{123, {}, 10}}));
  EXPECT_EQ(Parse("after:5:6+2").conditions[0].jobs,
            (std::vector<DependencyJob>{{5, {}, 0}, {6, {}, 2}}));
}

TEST(DependencySpecTest, ArrayTasks) {
  EXPECT_EQ(Parse("afterok:123_4").conditions[0].jobs, (std::vector<DependencyJob>{{123, 4u, 0}}));
}

TEST(DependencySpecTest, AllOfAndAnyOf) {
  const auto all = Parse("afterok:1,afternotok:2,singleton");
  EXPECT_EQ(all.combine, Combine::kAll);
  ASSERT_EQ(all.conditions.size(), 3u);
  EXPECT_EQ(all.conditions[2].type, Type::kSingleton);
  const auto any = Parse("afterok:1?afternotok:2");
  EXPECT_EQ(any.combine, Combine::kAny);
  EXPECT_EQ(any.conditions.size(), 2u);
}

TEST(DependencySpecTest, Names) {
  EXPECT_EQ(DependencyTypeName(Type::kAfterNotOk), "afternotok");
  EXPECT_EQ(DependencyTypeName(Type::kSingleton), "singleton");
}

TEST(DependencySpecTest, RejectsMalformed) {
  EXPECT_NE(ErrorOf("afterok:1,afterany:2?singleton").find("cannot be mixed"), std::string::npos);
  EXPECT_NE(ErrorOf("afterok:1+5").find("only 'after' takes"), std::string::npos);
  EXPECT_NE(ErrorOf("afterwards:1").find("unknown dependency type 'afterwards'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("afterok").find("needs at least one job id"), std::string::npos);
  EXPECT_NE(ErrorOf("singleton:5").find("takes no job ids"), std::string::npos);
  EXPECT_NE(ErrorOf("expand:5").find("not supported"), std::string::npos);
  for (const char* t :
       {"", "afterok:", "afterok:x", "afterok:0", "afterok:1,,afterok:2", "afterok:1:", "after:1+",
        "after:1+x", "afterok:1_", "afterok:1_x", "afterok:-1"}) {
    EXPECT_NE(ErrorOf(t).find("invalid dependency"), std::string::npos) << t;
  }
}

TEST(DependencySpecTest, FormatRoundTrips) {
  for (const char* text : {"afterok:12:13_4", "after:7+10:8,afterany:9", "afterok:1?afternotok:1",
                           "singleton", "aftercorr:5,singleton"}) {
    auto once = ParseDependencySpec(text);
    ASSERT_TRUE(once.ok()) << text;
    EXPECT_EQ(FormatDependencySpec(*once), text);
    auto again = ParseDependencySpec(FormatDependencySpec(*once));
    ASSERT_TRUE(again.ok()) << text;
    EXPECT_EQ(*again, *once) << text;
  }
}

}  // namespace
}  // namespace suanli::slurm
