// Reclaim: a tenant within its guarantee takes back what borrowing tenants hold.
#include "core/preempt/preemptor.h"
#include "core/scheduler_internal.h"

namespace suanli::core {

bool ReclaimMayTake(const FairShare& fair, int32_t job_tenant, int32_t victim_tenant,
                    int accel_dim) {
  return victim_tenant != job_tenant && fair.valid(victim_tenant) &&
         fair.Borrowing(victim_tenant, accel_dim);
}

std::string ReclaimReason(const ClusterState& state, const FairShare& fair, const Job& job,
                          int accel_dim) {
  using scheduler_internal::DimAmount;
  using scheduler_internal::DimName;
  return "reclaimed by tenant " + state.tenants[job.tenant].name + " (guarantee " +
         DimAmount(accel_dim, fair.guarantee(job.tenant, accel_dim)) + " × " +
         DimName(state, accel_dim) + ")";
}

namespace {

class Reclaim : public Preemptor {
 public:
  PreemptKind kind() const override { return PreemptKind::kReclaim; }
  std::string_view name() const override { return "reclaim"; }
  bool MayTake(const FairShare& fair, const PreemptAsker& a,
               const PreemptVictim& v) const override {
    return a.reclaiming && ReclaimMayTake(fair, a.job->tenant, v.tenant, a.accel_dim);
  }
  std::string Reason(const ClusterState& state, const FairShare& fair, const PreemptAsker& a,
                     const Job&, int64_t) const override {
    return ReclaimReason(state, fair, *a.job, a.accel_dim);
  }
};

}  // namespace

const Preemptor& ReclaimPreemptor() {
  static const Reclaim kReclaim;
  return kReclaim;
}

}  // namespace suanli::core
