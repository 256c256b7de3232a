#pragma once
// How one cycle's decisions reach the world, the same in the server and the simulator:
// preemptions first, then placements, each checked against the Ledger. A victim's resources are
// given back in the ledger before the placements are checked, because the policy planned with
// them free; the world must still not start a placement on them before the victim has stopped
// (the simulator stops it at once, the server waits for the agent to confirm the kill).
//
// A decision that fails a check is a policy bug. Strict checking (tests, the simulator) turns it
// into an Internal error for the whole cycle; lenient checking (the production server) refuses
// that decision alone and says why, so one bad decision cannot double-book a device.
#include <functional>
#include <string>
#include <vector>

#include "adapter/ledger.h"
#include "base/result.h"
#include "core/model.h"

namespace suanli::adapter {

struct AcceptedPlacement {
  core::Placement placement;
  std::vector<core::TaskAllocation> tasks;  // as the ledger took them (res filled from the shape)
  int64_t accel_milli = 0;
  int64_t cpu_milli = 0;
};

struct Refusal {
  core::JobId job = 0;
  std::string why;
};

struct CheckedCycle {
  std::vector<core::Preemption> preemptions;  // apply these first
  std::vector<AcceptedPlacement> placements;  // then these, in this order
  std::vector<Refusal> refused;               // decisions not to apply, each with its reason
};

// The job with this id in the state the policy saw, or null.
using JobLookup = std::function<const core::Job*(core::JobId)>;

enum class Checking { kStrict, kLenient };

// Checks `result` against `ledger` and takes what the accepted decisions change in it (victims
// released, placements reserved). `policy` names the policy in messages.
Result<CheckedCycle> CheckCycle(const core::CycleResult& result, const JobLookup& lookup,
                                Ledger& ledger, std::string_view policy, Checking checking);

}  // namespace suanli::adapter
