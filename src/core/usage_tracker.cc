#include "core/usage_tracker.h"

#include <cmath>

#include "core/job_util.h"

namespace suanli::core {

UsageTracker::UsageTracker(Time half_life_ms) : half_life_ms_(half_life_ms) {}

void UsageTracker::Advance(const ClusterState& state, Time now) {
  const auto num_tenants = static_cast<int32_t>(state.tenants.size());
  std::vector<double> rate(state.tenants.size(), 0.0);
  for (const Job& job : state.jobs) {
    if (job.phase != JobPhase::kRunning || job.tenant < 0 || job.tenant >= num_tenants) continue;
    rate[job.tenant] += HeldDevices(job);
  }
  Advance(state.tenants, rate, now);
}

void UsageTracker::Advance(const std::vector<Tenant>& tenants,
                           const std::vector<double>& rate_by_tenant, Time now) {
  if (usage_.size() < tenants.size()) usage_.resize(tenants.size(), 0.0);
  if (last_ == kUnknownTime) {
    last_ = now;
    return;
  }
  if (now <= last_) return;
  const double dt = static_cast<double>(now - last_);
  // Usage over the interval decays like the old usage, integrated exactly:
  // decay = 2^(-dt/h); what accrued at rate r over dt is worth r·h/ln2·(1-decay) at `now`.
  double decay = 1.0, accrual = dt;
  if (half_life_ms_ > 0) {
    const double h = static_cast<double>(half_life_ms_);
    decay = std::exp2(-dt / h);
    accrual = h / std::log(2.0) * (1.0 - decay);
  }
  for (double& u : usage_) u *= decay;
  const auto num_tenants = static_cast<int32_t>(tenants.size());
  const auto rated = std::min<int32_t>(num_tenants, static_cast<int32_t>(rate_by_tenant.size()));
  for (int32_t owner = 0; owner < rated; ++owner) {
    const double rate = rate_by_tenant[owner];
    if (rate <= 0) continue;
    // Charge the tenant and its ancestors (a broken parent chain stops at the first repeat).
    int32_t t = owner;
    for (int32_t steps = 0; t >= 0 && t < num_tenants && steps <= num_tenants; ++steps) {
      usage_[t] += rate * accrual;
      t = tenants[t].parent;
    }
  }
  last_ = now;
}

void UsageTracker::Fill(ClusterState& state) const {
  for (size_t i = 0; i < state.tenants.size(); ++i) {
    state.tenants[i].decayed_usage = i < usage_.size() ? usage_[i] : 0.0;
  }
}

double UsageTracker::usage(int32_t tenant) const {
  return tenant >= 0 && static_cast<size_t>(tenant) < usage_.size() ? usage_[tenant] : 0.0;
}

}  // namespace suanli::core
