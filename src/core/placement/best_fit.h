#pragma once
#include "core/placement/scorer.h"

namespace suanli::core {

// Best fit's score (lower is tighter), shared with "topology", which scores fractional asks so.
double BestFitScore(const Capacity& cap, const PlacementOption& option);

}  // namespace suanli::core
