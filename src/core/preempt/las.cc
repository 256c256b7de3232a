// LAS (Tiresias): a job that received less service takes from one that received more. Only the
// service really received counts (promotion reorders the queue but grants no right to preempt).
#include <string>

#include "core/preempt/preempt_kind.h"

namespace suanli::core {

bool LasMayTake(int64_t job_prio, int64_t job_level, int64_t victim_prio, int64_t victim_level,
                bool victim_las_ok) {
  return victim_prio >= job_prio && victim_level > job_level && victim_las_ok;
}

std::string LasReason(const Job& job, int64_t job_rank_level, int64_t victim_level) {
  return "preempted for job " + std::to_string(job.id) +
         ", which has received less service (LAS queue " +
         std::to_string(job_rank_level < 0 ? 0 : job_rank_level) + " < " +
         std::to_string(victim_level) + ")";
}

}  // namespace suanli::core
