#include "server/accounting.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

constexpr TimeMs kHour = 3'600'000;

store::TenantRecord Tenant(std::string name, std::string parent,
                           core::BudgetPeriod period = core::BudgetPeriod::kTotal) {
  store::TenantRecord t;
  t.name = std::move(name);
  t.parent = std::move(parent);
  t.budget_period = period;
  return t;
}

// A job of `tenant` holding `gpus` devices of type a100 (or, with gpus == 0, 2 cpus) since `start`.
store::JobRecord Holding(store::JobId id, std::string tenant, int64_t gpus, TimeMs start) {
  store::JobRecord j;
  j.id = id;
  j.attempt = 1;
  j.tenant = std::move(tenant);
  j.user = "u";
  j.state = store::JobState::kRunning;
  j.start_time = start;
  store::TaskPlacement t;
  t.node = "n1";
  t.cpus = 2;
  t.mem_mb = 1024;
  t.accel_milli = gpus * 1000;
  t.gpu_type = gpus > 0 ? "a100" : "";
  j.placement.push_back(t);
  return j;
}

// root -> team -> sub
class AccountingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::WriteBatch ignored;
    dir.AddTenant(Tenant("root", ""), &ignored);
    dir.AddTenant(Tenant("team", "root"), &ignored);
    dir.AddTenant(Tenant("sub", "team"), &ignored);
    for (const auto& t : dir.tenants()) acc.OpenBudget(t.name, t.budget_period, 0);
  }

  // The decayed usage of each tenant, as the policies see it.
  std::vector<double> Decayed() {
    core::ClusterState state;
    state.tenants.resize(dir.tenants().size());
    acc.FillUsage(state);
    std::vector<double> out;
    for (const auto& t : state.tenants) out.push_back(t.decayed_usage);
    return out;
  }

  TenantDirectory dir;
  Accounting acc{&dir, core::PriceTable{}};
  store::WriteBatch batch;
};

TEST_F(AccountingTest, UsageRateIsAcceleratorsHeldOrCpusWithoutThem) {
  EXPECT_EQ(Accounting::UsageRateMilli(Holding(1, "sub", 2, 0)), 2000);
  EXPECT_EQ(Accounting::UsageRateMilli(Holding(1, "sub", 0, 0)), 2000);  // 2 cpus
  store::JobRecord pending;
  EXPECT_EQ(Accounting::UsageRateMilli(pending), 0);
}

TEST_F(AccountingTest, DecayedUsageIsChargedAtTheRatesThatHeldBetweenChanges) {
  acc.AdvanceUsage(0);
  store::JobRecord job = Holding(1, "sub", 2, 0);
  acc.ChangeUsageRate(job, 1);
  acc.AdvanceUsage(1000);  // 2 devices for 1 s, charged to sub and every ancestor
  acc.ChangeUsageRate(job, -1);
  acc.AdvanceUsage(5000);  // nothing held since
  std::vector<double> used = Decayed();
  ASSERT_EQ(used.size(), 3u);
  EXPECT_GT(used[2], 0);
  EXPECT_DOUBLE_EQ(used[0], used[2]);
  EXPECT_DOUBLE_EQ(used[1], used[2]);
  EXPECT_NEAR(used[2], 2000, 1);  // device-ms, barely decayed over 5 s
  // A job of an unknown tenant charges nobody.
  acc.ChangeUsageRate(Holding(2, "nobody", 4, 0), 1);
  acc.AdvanceUsage(6000);
  EXPECT_NEAR(Decayed()[0], 2000, 1);
}

TEST_F(AccountingTest, AFinishedAttemptIsRecordedTotalledAndChargedToEveryBudgetAbove) {
  store::JobRecord job = Holding(7, "sub", 2, 0);
  double cost = acc.RecordAttempt(job, kHour, &batch);
  ASSERT_EQ(batch.usage.size(), 1u);
  const store::UsageRecord& u = batch.usage[0];
  EXPECT_EQ(u.job_id, 7);
  EXPECT_EQ(u.tenant, "sub");
  EXPECT_EQ(u.end_time, kHour);
  EXPECT_DOUBLE_EQ(u.AccelSeconds(), 2 * 3600.0);
  EXPECT_DOUBLE_EQ(u.cost, cost);
  EXPECT_GT(cost, 0);
  EXPECT_DOUBLE_EQ(acc.AllTimeAccelHours("sub"), 2);
  EXPECT_DOUBLE_EQ(acc.AllTimeAccelHours("team"), 0);  // all-time totals are per tenant
  for (const char* t : {"sub", "team", "root"}) {
    ASSERT_NE(acc.Budget(t, kHour), nullptr);
    EXPECT_DOUBLE_EQ(acc.Budget(t, kHour)->finished_hours, 2) << t;
  }
  EXPECT_EQ(acc.Budget("nobody", kHour), nullptr);
  store::JobRecord never_placed;
  EXPECT_EQ(acc.RecordAttempt(never_placed, kHour, &batch), 0);
  EXPECT_EQ(batch.usage.size(), 1u);
}

TEST_F(AccountingTest, StoredUsageLoadsIntoTotalsAndBudgets) {
  store::UsageRecord u;
  u.tenant = "team";
  u.start_time = 0;
  u.end_time = kHour;
  u.accel_s["a100"] = 3 * 3600.0;
  acc.LoadFinished(u);
  EXPECT_DOUBLE_EQ(acc.AllTimeAccelHours("team"), 3);
  EXPECT_DOUBLE_EQ(acc.Budget("root", kHour)->finished_hours, 3);
  EXPECT_DOUBLE_EQ(acc.Budget("sub", kHour)->finished_hours, 0);
}

TEST_F(AccountingTest, ReopeningABudgetRebuildsItsWindowFromStoredAndUncommittedUsage) {
  auto db = store::NewMemoryStore();
  const TimeMs day = 24 * kHour, now = 10 * day + 12 * kHour;
  store::WriteBatch stored;
  // Yesterday's and today's attempts of sub, and one of an unrelated tenant.
  acc.RecordAttempt(Holding(1, "sub", 1, now - day - kHour), now - day, &stored);
  acc.RecordAttempt(Holding(2, "sub", 1, now - 2 * kHour), now - kHour, &stored);
  acc.RecordAttempt(Holding(3, "root", 1, now - 2 * kHour), now - kHour, &stored);
  ASSERT_TRUE(db->Commit(stored).ok());
  store::WriteBatch pending;
  acc.RecordAttempt(Holding(4, "sub", 2, now - kHour), now, &pending);
  EXPECT_DOUBLE_EQ(acc.Budget("team", now)->finished_hours, 1 + 1 + 2);  // kTotal: everything
  ASSERT_TRUE(
      acc.ReopenBudget("team", core::BudgetPeriod::kDay, now, db.get(), pending.usage).ok());
  const BudgetLedger::Entry* b = acc.Budget("team", now);
  EXPECT_EQ(b->period, core::BudgetPeriod::kDay);
  EXPECT_DOUBLE_EQ(b->finished_hours, 1 + 2);  // today's stored one and the uncommitted one
}

TEST_F(AccountingTest, RunningHoursCountFromTheLaterOfStartAndPeriodStart) {
  store::JobRecord job = Holding(1, "sub", 2, 10 * kHour);
  EXPECT_DOUBLE_EQ(Accounting::AccelHoursSince(job, 0, 11 * kHour), 2);
  EXPECT_DOUBLE_EQ(Accounting::AccelHoursSince(job, 10 * kHour + kHour / 2, 11 * kHour), 1);
  EXPECT_DOUBLE_EQ(Accounting::AccelHoursSince(job, 0, 9 * kHour), 0);
  EXPECT_DOUBLE_EQ(Accounting::AccelHoursSince(Holding(2, "sub", 0, 0), 0, kHour), 0);
}

// A restarted (or failed-over) controller restores the saved usage and accrues the time it was
// down at the rates of the jobs it loads as running: the same numbers as one that never stopped.
TEST_F(AccountingTest, SavedUsageRestoresAndAccruesTheDowntime) {
  store::JobRecord job = Holding(1, "sub", 4, 0);
  acc.AdvanceUsage(0);
  acc.ChangeUsageRate(job, 1);
  acc.AdvanceUsage(2 * kHour);
  const std::string saved = acc.EncodeUsage();

  Accounting restarted{&dir, core::PriceTable{}};
  ASSERT_TRUE(restarted.RestoreUsage(saved).ok());
  restarted.ChangeUsageRate(job, 1);  // the job was loaded as running
  restarted.AdvanceUsage(5 * kHour);  // the first pass after the restart
  acc.AdvanceUsage(5 * kHour);
  core::ClusterState a, b;
  a.tenants.resize(dir.tenants().size());
  b.tenants.resize(dir.tenants().size());
  acc.FillUsage(a);
  restarted.FillUsage(b);
  for (size_t i = 0; i < a.tenants.size(); ++i) {
    EXPECT_NEAR(b.tenants[i].decayed_usage, a.tenants[i].decayed_usage,
                1e-9 * std::max(1.0, a.tenants[i].decayed_usage))
        << dir.tenants()[i].name;
  }
  EXPECT_GT(b.tenants[2].decayed_usage, 0);

  Accounting broken{&dir, core::PriceTable{}};
  Status st = broken.RestoreUsage("{not json");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("decayed usage"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace suanli::server
