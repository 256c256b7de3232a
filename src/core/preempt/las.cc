// LAS (Tiresias): a job that received less service takes from one that received more. Only the
// service really received counts (promotion reorders the queue but grants no right to preempt).
#include <string>

#include "core/preempt/preemptor.h"

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

namespace {

class Las : public Preemptor {
 public:
  PreemptKind kind() const override { return PreemptKind::kLas; }
  std::string_view name() const override { return "las"; }
  bool MayTake(const FairShare&, const PreemptAsker& a, const PreemptVictim& v) const override {
    return LasMayTake(a.prio, a.las_level, v.prio, v.level, v.las_ok);
  }
  std::string Reason(const ClusterState&, const FairShare&, const PreemptAsker& a, const Job&,
                     int64_t victim_level) const override {
    return LasReason(*a.job, a.rank_level, victim_level);
  }
};

}  // namespace

const Preemptor& LasPreemptor() {
  static const Las kLas;
  return kLas;
}

}  // namespace suanli::core
