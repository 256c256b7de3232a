#pragma once
// One placement rule: how good it is to put one task on one node (and which of its devices). The
// Placer (core/placement.h) walks the feasible options and keeps the one its scorer likes best;
// each rule lives in its own file here and is named in registry.cc, the names `--placement`
// accepts. Models: Ray raylet's one scheduling policy per file; a Kubernetes score plugin.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/capacity.h"
#include "core/model.h"

namespace suanli::core {

// splitmix64: tiny, seeded, identical on every platform. One per Placer: random choices and
// tie-breaks draw from it in the order the scan meets them, so a seed replays exactly.
class PlacementRng {
 public:
  explicit PlacementRng(uint64_t seed) : state_(seed ? seed : 0x9E3779B97F4A7C15ULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// One option the Placer asks a scorer about: one task of `r` on node `node`, on `devices` of
// accelerator `type` (empty for a task without an accelerator).
struct PlacementOption {
  int32_t node = -1;
  AccelType type = kNoAccel;
  const std::vector<int32_t>* devices = nullptr;
  const Resources* r = nullptr;
};

class PlacementScorer {
 public:
  // How the Placer picks among the options it scored.
  enum class Choice {
    kLowest,           // the lowest score; the first met among equals
    kLowestDrawTies,   // the lowest score; a seeded draw among equals
    kUniformUnscored,  // a seeded uniform draw over every feasible option; Score is not asked
  };

  virtual ~PlacementScorer() = default;
  virtual std::string_view name() const = 0;
  virtual Choice choice() const { return Choice::kLowest; }
  // True: asks for whole devices skip scoring and go to topology packing (placement/gang.cc).
  virtual bool TopologyForWholeDevices() const { return false; }

  // Once per cycle, before any Place: what the scorer learns from the cluster (`state` stays
  // valid for the whole cycle).
  virtual void BeginCycle(const ClusterState& state, const Capacity& cap) {}
  // Every Place call, before anything can turn it away (FGD counts asks it rejects too).
  virtual void BeforePlace(const Shape& shape) {}
  // Lower is better. `rng` is the Placer's, for rules that break ties at random themselves.
  virtual double Score(const Capacity& cap, const PlacementOption& option, PlacementRng& rng) = 0;
  // After a job's tasks were all placed and taken from the capacity.
  virtual void Placed(const std::vector<TaskAllocation>& tasks) {}
};

// What a task would leave on a node, as shares of the node's totals: the numbers the simple
// rules (best-fit, clustering, packing) weigh.
struct Leftover {
  int64_t accel_free = 0, accel_total = 0;  // on devices of the option's type (all, for none)
  bool node_idle = true;                    // none of those devices is in use
  int64_t take = 0;                         // accelerator milli the task takes
  double cpu = 0, mem = 0, accel = 0;       // shares left after the task
  double device = 0;  // a fractional task's device: its share left, to prefer the tightest
};
Leftover LeftoverOf(const Capacity& cap, const PlacementOption& option);

// part / whole, 0 where the whole is empty.
double Ratio(int64_t part, int64_t whole);

// The registry (registry.cc): every rule by the name `--placement` takes, in the order help lists
// them. Null for an unknown name.
std::unique_ptr<PlacementScorer> MakePlacementScorer(std::string_view name);
std::vector<std::string> PlacementScorerNames();

// One factory per rule file.
std::unique_ptr<PlacementScorer> MakeAutoScorer();
std::unique_ptr<PlacementScorer> MakeTopologyScorer();
std::unique_ptr<PlacementScorer> MakeFgdScorer();
std::unique_ptr<PlacementScorer> MakeRandomScorer();
std::unique_ptr<PlacementScorer> MakeDotProductScorer();
std::unique_ptr<PlacementScorer> MakeClusteringScorer();
std::unique_ptr<PlacementScorer> MakePackingScorer();
std::unique_ptr<PlacementScorer> MakeBestFitScorer();

}  // namespace suanli::core
