#pragma once
// For the placement rules' unit tests: a cluster's capacity and one option scored by name.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/placement/scorer.h"
#include "core/test_support.h"

namespace suanli::core::testing {

struct ScoringFixture {
  ClusterState state;
  Capacity cap;
  std::unique_ptr<PlacementScorer> scorer;
  PlacementRng rng{1};

  ScoringFixture(const std::string& rule, ClusterState s) : state(std::move(s)) {
    cap.Reset(state);
    scorer = MakePlacementScorer(rule);
    EXPECT_NE(scorer, nullptr) << rule;
    scorer->BeginCycle(state, cap);
  }
  // Score of one task asking `accel_milli` (1000 CPU milli, 1024 MB) on `devices` of node n.
  double Score(int32_t n, std::vector<int32_t> devices, int64_t accel_milli) {
    Resources r;
    r.accel_milli = accel_milli;
    r.cpu_milli = 1000;
    r.mem_mb = 1024;
    const AccelType type = devices.empty() ? kNoAccel : cap.device_type(n, devices[0]);
    return scorer->Score(cap, PlacementOption{n, type, &devices, &r}, rng);
  }
};

}  // namespace suanli::core::testing
