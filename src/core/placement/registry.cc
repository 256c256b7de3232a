// Every placement rule by the name `--placement` takes. Adding a rule: one file in this folder
// with its factory (declared in scorer.h) and one line here.
#include "core/placement/scorer.h"

namespace suanli::core {
namespace {

struct NamedScorer {
  const char* name;
  std::unique_ptr<PlacementScorer> (*make)();
};
constexpr NamedScorer kScorers[] = {
    {"auto", MakeAutoScorer},
    {"topology", MakeTopologyScorer},
    {"fgd", MakeFgdScorer},
    {"random", MakeRandomScorer},
    {"dot-product", MakeDotProductScorer},
    {"clustering", MakeClusteringScorer},
    {"packing", MakePackingScorer},
    {"best-fit", MakeBestFitScorer},
};

}  // namespace

std::unique_ptr<PlacementScorer> MakePlacementScorer(std::string_view name) {
  for (const auto& s : kScorers) {
    if (name == s.name) return s.make();
  }
  return nullptr;
}

std::vector<std::string> PlacementScorerNames() {
  std::vector<std::string> names;
  for (const auto& s : kScorers) names.emplace_back(s.name);
  return names;
}

}  // namespace suanli::core
