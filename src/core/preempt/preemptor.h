#pragma once
// A preemption kind as one object: its rule (which running job a waiting job may take) and the
// words its victim is told. One per PreemptKind, each in its own file here (reclaim.cc,
// priority.cc, las.cc, remaining.cc); TryPreempt asks a policy's preemptors in PreemptKind order
// and a victim takes the first that applies.
#include <string>
#include <string_view>
#include <vector>

#include "core/fair_share.h"
#include "core/model.h"
#include "core/preempt/preempt_kind.h"

namespace suanli::core {

// The waiting job, as the rules see it.
struct PreemptAsker {
  const Job* job = nullptr;
  int64_t prio = 0;         // its rank's priority band
  int64_t las_level = 0;    // its own (unpromoted) LAS queue: what decides whom it may take
  int64_t rank_level = 0;   // its rank's queue (-1 when starving), for the words
  double remaining = 0;     // its rank's duration key
  int accel_dim = 0;        // the dimension it asks for
  bool reclaiming = false;  // the policy reclaims and the ask is within the tenant's guarantee
};

// A running job, as the rules see it.
struct PreemptVictim {
  int32_t tenant = -1;
  int64_t prio = 0;
  int64_t level = 0;          // its LAS queue
  double remaining = 0;       // its duration key now
  bool las_ok = false;        // checkpointable, ran long enough, never starved
  bool remaining_ok = false;  // ran long enough, never starved
};

class Preemptor {
 public:
  virtual ~Preemptor() = default;
  virtual PreemptKind kind() const = 0;
  virtual std::string_view name() const = 0;
  virtual bool MayTake(const FairShare& fair, const PreemptAsker& asker,
                       const PreemptVictim& victim) const = 0;
  virtual std::string Reason(const ClusterState& state, const FairShare& fair,
                             const PreemptAsker& asker, const Job& victim,
                             int64_t victim_level) const = 0;
};

// One per kind, in the kind's own file.
const Preemptor& ReclaimPreemptor();
const Preemptor& PriorityPreemptor();
const Preemptor& LasPreemptor();
const Preemptor& RemainingPreemptor();

// The preemptors of `kinds`, in PreemptKind order (the order TryPreempt asks them in).
std::vector<const Preemptor*> PreemptorsOf(const PreemptKinds& kinds);

}  // namespace suanli::core
