#pragma once
// The kinds of preemption a policy may allow, each with its own rule (which running job it may
// take) and the words a victim is told. TryPreempt asks them in this order and a victim takes the
// first kind that applies, so the order is part of every decision: do not reorder.
#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/fair_share.h"
#include "core/model.h"

namespace suanli::core {

enum class PreemptKind : int8_t {
  kReclaim,    // a tenant within its guarantee takes back from a borrowing tenant (reclaim.cc)
  kPriority,   // a higher-priority job takes from a lower-priority one (priority.cc)
  kLas,        // a job with less attained service takes from a checkpointable one (las.cc)
  kRemaining,  // SRTF: a much shorter remaining time takes from a longer one (remaining.cc)
};

// The preemption kinds a policy allows, by name. TryPreempt asks them in PreemptKind's order
// whatever the order they are listed in.
class PreemptKinds {
 public:
  PreemptKinds() = default;
  PreemptKinds(std::initializer_list<PreemptKind> kinds) {
    for (PreemptKind k : kinds) bits_ |= Bit(k);
  }
  bool has(PreemptKind k) const { return (bits_ & Bit(k)) != 0; }
  bool any() const { return bits_ != 0; }

 private:
  static uint8_t Bit(PreemptKind k) { return static_cast<uint8_t>(1u << static_cast<int>(k)); }
  uint8_t bits_ = 0;
};

// reclaim.cc: `victim_tenant` borrows on `accel_dim` and is not the asking job's tenant.
bool ReclaimMayTake(const FairShare& fair, int32_t job_tenant, int32_t victim_tenant,
                    int accel_dim);
std::string ReclaimReason(const ClusterState& state, const FairShare& fair, const Job& job,
                          int accel_dim);

// priority.cc: bands rank lower-first, so a victim's band must be strictly worse.
bool PriorityMayTake(int64_t job_prio, int64_t victim_prio);
std::string PriorityReason(const Job& job, const Job& victim);

// las.cc: same or worse band, a strictly later LAS queue than the job's own (unpromoted) one, and
// `victim_las_ok` (checkpointable, ran long enough, never starved).
bool LasMayTake(int64_t job_prio, int64_t job_level, int64_t victim_prio, int64_t victim_level,
                bool victim_las_ok);
std::string LasReason(const Job& job, int64_t job_rank_level, int64_t victim_level);

// remaining.cc: same or worse band, `victim_ok` (ran long enough, never starved), and more than
// twice the job's remaining time left.
bool RemainingMayTake(int64_t job_prio, double job_remaining, int64_t victim_prio,
                      double victim_remaining, bool victim_ok);
std::string RemainingReason(const Job& job);

}  // namespace suanli::core
