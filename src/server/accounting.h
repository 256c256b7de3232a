#pragma once
// What tenants have used: the decayed fair-share usage the policies rank by, the usage records and
// all-time totals of finished attempts, and each tenant's accelerator-hour budget in its current
// period. One of the controller's components (controller.h). It reads the tenant tree from the
// TenantDirectory and is told of every job that starts or stops holding resources; it never
// changes a job.
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/accounting.h"
#include "core/model.h"
#include "core/usage_tracker.h"
#include "server/budget_ledger.h"
#include "server/tenant_directory.h"
#include "store/store.h"

namespace suanli::server {

class Accounting {
 public:
  Accounting(const TenantDirectory* tenants, core::PriceTable prices)
      : tenants_(tenants), prices_(std::move(prices)) {}

  // ---- Decayed usage ----
  // Charged exactly, as the simulator charges it: brought up to `now` before any job changes state,
  // at each tenant's rate since the previous change (the accelerator milli its STARTING and
  // RUNNING jobs hold; cpu milli for a job holding no accelerator).
  void AdvanceUsage(TimeMs now);
  // A job starts (`sign` 1) or stops (-1) holding its placement; call AdvanceUsage first.
  void ChangeUsageRate(const store::JobRecord& job, int sign);
  // Writes each tenant's decayed usage into the core's view (tenants in directory order).
  void FillUsage(core::ClusterState& state) const { usage_tracker_.Fill(state); }
  // The decayed usage as stored (the store's meta, key kUsageMetaKey): {"t": time of the last
  // accrual, "usage": {tenant: value}}. Restoring it before any AdvanceUsage makes the next
  // advance accrue from that time at the rates of the jobs loaded as running, so a restart or a
  // failover neither forgets a tenant's usage nor skips the time it was down.
  static constexpr const char* kUsageMetaKey = "decayed_usage";
  std::string EncodeUsage() const;
  Status RestoreUsage(const std::string& text);
  // The tenant at `index` is about to leave the directory (it holds nothing): its decayed usage
  // is dropped, its ancestors keep what it contributed. Call AdvanceUsage first.
  void ForgetTenant(int32_t index);
  // What a job holding its placement adds to its tenant's rate.
  static int64_t UsageRateMilli(const store::JobRecord& job);

  // ---- Finished attempts ----
  // The current attempt of `job` ended at `end`: its usage record (appended to `out`), charged to
  // the all-time totals and to every budget it spends. Returns its cost; 0 for one never placed.
  double RecordAttempt(const store::JobRecord& job, TimeMs end, store::WriteBatch* out);
  // A stored usage record, read back at start-up in end time order.
  void LoadFinished(const store::UsageRecord& u);
  // Accelerator-hours of `tenant`'s finished attempts, all time.
  double AllTimeAccelHours(const std::string& tenant) const;

  // ---- Budgets ----
  // Starts the tenant's budget window (a new tenant, or each one at load) empty.
  void OpenBudget(const std::string& tenant, core::BudgetPeriod period, TimeMs now);
  // The tenant's budget period changed to `period`: its window is rebuilt from the stored usage of
  // its subtree and from `uncommitted` (attempts ended in this commit group, not yet stored). On a
  // failed read the old window is kept.
  Status ReopenBudget(const std::string& tenant, core::BudgetPeriod period, TimeMs now,
                      store::Store* store, const std::vector<store::UsageRecord>& uncommitted);
  // The tenant's budget standing (finished attempts only) as of `now`; null for an unknown one.
  const BudgetLedger::Entry* Budget(const std::string& tenant, TimeMs now) {
    return budget_.At(tenant, now);
  }
  // Accelerator-hours the current attempt of a STARTING or RUNNING job has used from
  // max(its start, `from`) up to `now` (budgets count a running job before it ends).
  static double AccelHoursSince(const store::JobRecord& job, TimeMs from, TimeMs now);

 private:
  // Charges a finished attempt to every budget it spends: its tenant's and each ancestor's (a
  // budget covers its tenant's whole subtree, as the core checks every ancestor's).
  void ChargeBudgets(const std::string& tenant, TimeMs start, TimeMs end, double accel_seconds);

  const TenantDirectory* tenants_;
  core::PriceTable prices_;
  core::UsageTracker usage_tracker_;
  std::vector<core::Tenant> usage_tenants_;    // directory order; only the parent index is set
  std::vector<int64_t> usage_rate_milli_;      // by tenant index (see AdvanceUsage)
  std::vector<double> usage_rate_;             // scratch
  std::map<std::string, double> accel_hours_;  // finished attempts, all time
  BudgetLedger budget_;  // finished attempts in each tenant's current budget period
};

}  // namespace suanli::server
