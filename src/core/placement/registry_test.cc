#include <gtest/gtest.h>

#include "core/placement/scorer.h"

namespace suanli::core {
namespace {

TEST(PlacementRegistry, EveryCliNameMakesTheScorerOfThatName) {
  const std::vector<std::string> names = PlacementScorerNames();
  EXPECT_EQ(names, (std::vector<std::string>{"auto", "topology", "fgd", "random", "dot-product",
                                             "clustering", "packing", "best-fit"}));
  for (const std::string& name : names) {
    auto scorer = MakePlacementScorer(name);
    ASSERT_NE(scorer, nullptr) << name;
    EXPECT_EQ(scorer->name(), name);
  }
}

TEST(PlacementRegistry, UnknownNameMakesNothing) {
  EXPECT_EQ(MakePlacementScorer("worst-fit"), nullptr);
  EXPECT_EQ(MakePlacementScorer(""), nullptr);
}

}  // namespace
}  // namespace suanli::core
