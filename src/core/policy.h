#pragma once
// Every scheduling policy sits behind this one interface and is chosen by configuration.
// A policy is deterministic: the same ClusterState and `now` give the same CycleResult
// (every ordering ends with a stable tie-break on JobId / node index).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/model.h"

namespace suanli::core {

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  // One pass. `now` is read once by the caller. The policy may keep state between
  // cycles, but only state derived from its inputs, so a replay is identical.
  virtual CycleResult Schedule(const ClusterState& state, Time now) = 0;
};

struct PolicyConfig {
  std::string name = "default";  // see PolicyNames()
  // How tasks are put on nodes/devices; see PlacementNames(). Empty: the policy's own (every
  // named policy's is "auto": topology-aware packing for whole devices (a gang on the fewest
  // islands, nodes and switches; a job of <= one node's devices on one node),
  // fragmentation-gradient descent (FGD) for fractional devices).
  std::string placement;
  uint64_t seed = 1;  // for "random" placement; same seed, same schedule
  // When false, CycleResult::pending is left empty (a simulator that never shows reasons saves the
  // cost of writing them); decisions are identical either way.
  bool explain_pending = true;
};

// Builds a policy by name; an unknown name (policy or placement) is an InvalidArgument naming the
// known ones.
Result<std::unique_ptr<Policy>> MakePolicy(const PolicyConfig& config);
std::vector<std::string> PolicyNames();
std::vector<std::string> PlacementNames();

// Admission: OK if some shape of `job` could ever fit the cluster when empty, otherwise
// InvalidArgument naming the resource and the largest node's size, e.g.
// "asks 16 × nvidia-a100 per task but the largest node has 8 × nvidia-a100".
Status CheckFeasible(const ClusterState& state, const Job& job);

// Stricter, for a submitter who lists shapes: the index of the first shape of `job` that could
// never fit the empty cluster, with why in `*problem` (as CheckFeasible words it); -1 when every
// shape could.
int32_t FirstImpossibleShape(const ClusterState& state, const Job& job, std::string* problem);

}  // namespace suanli::core
