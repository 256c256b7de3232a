// Priority: a job in a better priority band takes from preemptible jobs in a worse one.
#include <string>

#include "core/preempt/preempt_kind.h"

namespace suanli::core {

bool PriorityMayTake(int64_t job_prio, int64_t victim_prio) { return victim_prio > job_prio; }

std::string PriorityReason(const Job& job, const Job& victim) {
  return "preempted for job " + std::to_string(job.id) + " (priority " +
         std::to_string(job.priority) + " > " + std::to_string(victim.priority) + ")";
}

}  // namespace suanli::core
