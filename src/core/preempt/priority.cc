// Priority: a job in a better priority band takes from preemptible jobs in a worse one.
#include <string>

#include "core/preempt/preemptor.h"

namespace suanli::core {

bool PriorityMayTake(int64_t job_prio, int64_t victim_prio) { return victim_prio > job_prio; }

std::string PriorityReason(const Job& job, const Job& victim) {
  return "preempted for job " + std::to_string(job.id) + " (priority " +
         std::to_string(job.priority) + " > " + std::to_string(victim.priority) + ")";
}

namespace {

class Priority : public Preemptor {
 public:
  PreemptKind kind() const override { return PreemptKind::kPriority; }
  std::string_view name() const override { return "priority"; }
  bool MayTake(const FairShare&, const PreemptAsker& a, const PreemptVictim& v) const override {
    return PriorityMayTake(a.prio, v.prio);
  }
  std::string Reason(const ClusterState&, const FairShare&, const PreemptAsker& a,
                     const Job& victim, int64_t) const override {
    return PriorityReason(*a.job, victim);
  }
};

}  // namespace

const Preemptor& PriorityPreemptor() {
  static const Priority kPriority;
  return kPriority;
}

}  // namespace suanli::core
