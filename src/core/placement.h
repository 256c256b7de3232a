#pragma once
// Where the tasks of a job go. One Placer per policy, driving one PlacementScorer (the rule,
// chosen by PolicyConfig::placement; one file per rule under core/placement/, named in
// placement/registry.cc). The Placer does what every rule shares: the quick rejection from the
// per-type totals, topology packing of whole devices for the rules that want it
// (placement/gang.cc), the scan over feasible nodes and devices, and the choice among accelerator
// types that run the job equally fast.
//
// Every scored placement (all but topology, and auto's whole-device asks) compares the nodes of
// all accelerator types the job accepts and runs on equally fast, not just the type the
// scheduler asks for: it declines that type while another holds the better option.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/capacity.h"
#include "core/model.h"
#include "core/placement/scorer.h"

namespace suanli::core {

class Placer {
 public:
  Placer(std::unique_ptr<PlacementScorer> scorer, uint64_t seed)
      : scorer_(std::move(scorer)), rng_(seed) {}

  const PlacementScorer& scorer() const { return *scorer_; }

  // Lets the scorer learn from `state` (FGD's task mix, clustering's asks per node).
  void BeginCycle(const ClusterState& state, const Capacity& cap);

  // Places every task of `shape` on accelerator `type` (kNoAccel when it needs none), taking the
  // resources from `cap`. All or nothing: on false `cap` and `out` are unchanged.
  bool Place(const Shape& shape, AccelType type, Capacity& cap, std::vector<TaskAllocation>& out);

 private:
  struct Option {
    int32_t node = -1;
    AccelType type = kNoAccel;
    std::vector<int32_t> devices;
  };
  // The scan's running choice: the best option so far, its score, and how many options tied
  // (or, for a uniform draw, were seen) for reservoir sampling.
  struct Best {
    Option option;
    double score = 0;
    uint64_t seen = 0;
    Best();
  };

  bool PlaceScored(const Shape& shape, AccelType type, Capacity& cap,
                   std::vector<TaskAllocation>& out);
  // Updates `best` with the best option for one task of `r` on nodes of `type`.
  void ScanType(const Resources& r, AccelType type, Capacity& cap, Best* best);
  void Consider(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                const Resources& r, AccelType type, Best* best);
  // The type, among those the job accepts and runs on as fast as `type`, that holds the best
  // option for its first task; `type` itself when the job is unknown or nothing fits anywhere.
  AccelType BestType(const Shape& shape, AccelType type, Capacity& cap);
  // The types that run `job` as fast as `type` and have nodes; `type` among them.
  std::vector<AccelType> EquallyFastTypes(const Shape& shape, const Job& job, AccelType type,
                                          const Capacity& cap) const;
  const Job* OwnerOf(const Shape& shape);

  std::unique_ptr<PlacementScorer> scorer_;
  PlacementRng rng_;
  const ClusterState* state_ = nullptr;  // this cycle's, for what is gathered on first use
  bool owners_built_ = false;
  // Cross-type choice: which job each pending shape belongs to (for its per-type speeds), the
  // last decision (reused while the job is asked type after type over unchanged capacity), the
  // jobs told to wait for a type the scheduler has not asked yet, and jobs for which that did
  // not happen (a quota skipped the type): those keep the scheduler's type order.
  std::unordered_map<const Shape*, const Job*> shape_owner_;
  struct TypeDecision {
    const Shape* shape = nullptr;
    std::vector<int64_t> fingerprint;
    AccelType type = kNoAccel;
    Option option;  // the best option found, on `type`
  };
  TypeDecision decision_;
  bool decision_fresh_ = false;  // decision_ matches the capacity of the current Place call
  std::unordered_map<JobId, AccelType> awaiting_;
  std::unordered_set<JobId> keep_order_;
};

}  // namespace suanli::core
