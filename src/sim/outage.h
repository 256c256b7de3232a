#pragma once
// Node outages for `suanli sim --node-outage`: "what if these nodes are down then?" (a failure,
// a maintenance window). Each spec names nodes and a time window in hours after the first
// submission; it becomes the engine's NodeEvents, so the runs on a node that leaves end and
// requeue exactly as the server ends them LOST when a node stops responding.
#include <string>
#include <vector>

#include "base/result.h"
#include "core/model.h"
#include "sim/engine.h"

namespace suanli::sim {

// One spec is NODES@START[-END]: NODES is a comma-separated list of node indices (0-based, in the
// cluster's order), index ranges I-J (inclusive) or node names; START and END are hours after
// `origin` (END omitted: the nodes never come back). Examples: "3@24-30", "0-9@100", "n5,n7@2-2.5".
// Specs may overlap: a node is out while any of its windows is open.
Result<std::vector<NodeEvent>> ParseNodeOutages(const std::vector<std::string>& specs,
                                                const core::ClusterState& cluster,
                                                core::Time origin);

}  // namespace suanli::sim
