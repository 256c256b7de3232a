// Remaining time (SRTF): a job with much less time remaining takes from a longer one. "Much" is
// more than twice, so two jobs of similar length do not take turns preempting each other.
#include <string>

#include "core/preempt/preemptor.h"

namespace suanli::core {

bool RemainingMayTake(int64_t job_prio, double job_remaining, int64_t victim_prio,
                      double victim_remaining, bool victim_ok) {
  return victim_prio >= job_prio && victim_ok && victim_remaining > 2 * job_remaining;
}

std::string RemainingReason(const Job& job) {
  return "preempted for job " + std::to_string(job.id) + ", which has much less time remaining";
}

namespace {

class Remaining : public Preemptor {
 public:
  PreemptKind kind() const override { return PreemptKind::kRemaining; }
  std::string_view name() const override { return "remaining"; }
  bool MayTake(const FairShare&, const PreemptAsker& a, const PreemptVictim& v) const override {
    return RemainingMayTake(a.prio, a.remaining, v.prio, v.remaining, v.remaining_ok);
  }
  std::string Reason(const ClusterState&, const FairShare&, const PreemptAsker& a, const Job&,
                     int64_t) const override {
    return RemainingReason(*a.job);
  }
};

}  // namespace

const Preemptor& RemainingPreemptor() {
  static const Remaining kRemaining;
  return kRemaining;
}

}  // namespace suanli::core
