// Accelerator-hour budgets per period, on a controller driven by a fake clock with the real
// default policy: running jobs count before they end, a daily budget resets at midnight UTC, a
// total one never does, and a restart finds the same in-period figures in the store.
#include <gtest/gtest.h>

#include "core/policy.h"
#include "server/controller.h"
#include "server/test_harness.h"
#include "store/store.h"

namespace suanli::server::testing {
namespace {

constexpr TimeMs kSecond = 1000;
constexpr TimeMs kHour = 3600 * kSecond;
constexpr TimeMs kMarch4At20 = 1772654400000;      // 2026-03-04 20:00 UTC, a Wednesday
constexpr TimeMs kMarch5Midnight = 1772668800000;  // 2026-03-05 00:00 UTC
constexpr TimeMs kMarch2Midnight = 1772409600000;  // Monday 2026-03-02 00:00 UTC
constexpr TimeMs kMarch1Midnight = 1772323200000;
constexpr TimeMs kApril1Midnight = 1775001600000;

const Principal kAdmin{"admin", "root", Role::kAdmin};

class BudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("budget");
    auto opened = store::OpenSqliteStore((fs::path(dir_) / "suanli.db").string(), false);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
    Restart();
  }

  // A fresh controller on the same store, as after a process restart.
  void Restart() {
    if (c_) Commit();
    core::PolicyConfig pc;
    auto policy = core::MakePolicy(pc);
    ASSERT_TRUE(policy.ok());
    ControllerOptions opts;
    opts.data_dir = dir_;
    opts.node_timeout_ms = 365LL * 24 * kHour;  // the fake agent polls only when the test says
    c_ = std::make_unique<Controller>(opts, db_.get(), &clock_, std::move(policy).value(), nullptr,
                                      nullptr);
    ASSERT_TRUE(c_->Load().ok());
    Commit();
  }

  void Commit() { ASSERT_TRUE(db_->Commit(c_->TakeBatch()).ok()); }

  void AddNode(int gpus) {
    RegisterRequest reg;
    reg.node.name = "n1";
    reg.node.cpus = 16;
    reg.node.mem_mb = 64000;
    for (int32_t i = 0; i < gpus; ++i) reg.node.devices.push_back({i, "nvidia-a100", "", 81920, 0});
    ASSERT_EQ(c_->RegisterAgent(reg).status, 200);
    Commit();
  }

  void CreateTenant(const std::string& name, double budget, core::BudgetPeriod period,
                    const std::string& parent = "root") {
    store::TenantRecord t;
    t.name = name;
    t.parent = parent;
    t.budget_accel_hours = budget;
    t.budget_period = period;
    ApiReply r = c_->CreateTenant(kAdmin, t);
    ASSERT_EQ(r.status, 201) << r.body;
    Commit();
  }

  JobId Submit(const std::string& tenant) {
    SubmitRequest sub;
    sub.tenant = tenant;
    sub.spec.name = "train";
    sub.spec.command = {"python", "train.py"};
    sub.spec.main.gpus = 1;
    sub.spec.main.gpu_type = "nvidia-a100";
    ApiReply r = c_->SubmitJob(kAdmin, sub);
    EXPECT_EQ(r.status, 201) << r.body;
    Commit();
    return json::parse(r.body)["id"].get<JobId>();
  }

  // One scheduling pass a second after the last change (passes are rate-limited).
  void Pass() {
    clock_.Advance(kSecond);
    c_->Tick();
    Commit();
  }

  void Report(JobId id, int32_t attempt, const std::string& event) {
    PollRequest poll;
    poll.wait_ms = 0;
    poll.events.push_back(AgentEvent{TaskRef{id, attempt, 0}, event, 0, {}, ""});
    if (event == "started") poll.running.push_back(TaskRef{id, attempt, 0});
    ASSERT_EQ(c_->PollAgent("n1", poll).status, 200);
    Commit();
  }

  json Job(JobId id) { return json::parse(c_->GetJob(kAdmin, id).body); }

  json Tenant(const std::string& name) {
    json all = json::parse(c_->ListTenants(kAdmin).body)["tenants"];
    for (const auto& t : all) {
      if (t["name"] == name) return t;
    }
    ADD_FAILURE() << "no tenant " << name << " in " << all.dump();
    return json();
  }

  std::string dir_;
  std::unique_ptr<store::Store> db_;
  FakeClock clock_{kMarch4At20};
  std::unique_ptr<Controller> c_;
};

std::string OverBudget(const std::string& tenant, const std::string& used,
                       const std::string& budget) {
  return "tenant " + tenant + " is over its accelerator-hour budget (" + used + " of " + budget +
         " h used this period)";
}

TEST_F(BudgetTest, RunningJobCountsAndADailyBudgetResetsAtMidnightUtc) {
  AddNode(2);
  CreateTenant("lab", 1.0, core::BudgetPeriod::kDay);
  JobId a = Submit("lab");
  Pass();  // 20:00:01
  ASSERT_EQ(Job(a)["state"], "STARTING");
  Report(a, 1, "started");

  // 90 minutes into A, which has not ended: its 1.5 device-hours already count, so B waits
  // although a device is free.
  clock_.Set(kMarch4At20 + kSecond + 90 * 60 * kSecond - kSecond);
  JobId b = Submit("lab");
  Pass();
  json jb = Job(b);
  EXPECT_EQ(jb["state"], "PENDING");
  EXPECT_EQ(jb["reason"], OverBudget("lab", "1.5", "1"));
  json lab = Tenant("lab");
  EXPECT_EQ(lab["budget_period"], "day");
  EXPECT_DOUBLE_EQ(lab["budget_used_accel_hours"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(lab["usage_accel_hours"].get<double>(), 0.0);  // all time, finished only
  EXPECT_DOUBLE_EQ(lab["budget_period_start"].get<double>(), (kMarch5Midnight - 24 * kHour) / 1e3);
  EXPECT_DOUBLE_EQ(lab["budget_resets_at"].get<double>(), kMarch5Midnight / 1e3);

  // A ends after 2 h: still over, now with finished hours.
  clock_.Set(kMarch4At20 + kSecond + 2 * kHour);
  Report(a, 1, "exited");
  ASSERT_EQ(Job(a)["state"], "COMPLETED");
  Pass();
  EXPECT_EQ(Job(b)["reason"], OverBudget("lab", "2", "1"));
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 2.0);

  // One second before midnight nothing has changed; just after it, B runs.
  clock_.Set(kMarch5Midnight - 2 * kSecond);
  Pass();
  EXPECT_EQ(Job(b)["state"], "PENDING");
  Pass();  // 00:00:00
  EXPECT_EQ(Job(b)["state"], "STARTING");
  lab = Tenant("lab");
  EXPECT_DOUBLE_EQ(lab["budget_used_accel_hours"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(lab["usage_accel_hours"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(lab["budget_period_start"].get<double>(), kMarch5Midnight / 1e3);
  EXPECT_DOUBLE_EQ(lab["budget_resets_at"].get<double>(), (kMarch5Midnight + 24 * kHour) / 1e3);
}

TEST_F(BudgetTest, TotalBudgetNeverResets) {
  AddNode(2);
  CreateTenant("lab", 1.0, core::BudgetPeriod::kTotal);
  JobId a = Submit("lab");
  Pass();
  Report(a, 1, "started");
  clock_.Advance(2 * kHour);
  Report(a, 1, "exited");
  JobId b = Submit("lab");
  Pass();
  EXPECT_EQ(Job(b)["reason"], OverBudget("lab", "2", "1"));

  clock_.Set(kMarch5Midnight + 40LL * 24 * kHour);  // another day, month and week
  Pass();
  EXPECT_EQ(Job(b)["state"], "PENDING");
  EXPECT_EQ(Job(b)["reason"], OverBudget("lab", "2", "1"));
  json lab = Tenant("lab");
  EXPECT_EQ(lab["budget_period"], "total");
  EXPECT_DOUBLE_EQ(lab["budget_used_accel_hours"].get<double>(), 2.0);
  EXPECT_TRUE(lab["budget_period_start"].is_null());
  EXPECT_TRUE(lab["budget_resets_at"].is_null());
}

// A budget covers the tenant's subtree: a child's jobs, running and finished, spend the parent's
// budget (in the parent's period), so a sibling waits too; the child's own budget is its own.
TEST_F(BudgetTest, AParentBudgetCoversItsWholeSubtree) {
  AddNode(2);
  CreateTenant("uni", 1.0, core::BudgetPeriod::kDay);
  CreateTenant("physics", 100.0, core::BudgetPeriod::kMonth, "uni");
  CreateTenant("chemistry", -1, core::BudgetPeriod::kMonth, "uni");
  JobId a = Submit("physics");
  Pass();
  Report(a, 1, "started");
  clock_.Advance(90 * 60 * kSecond);  // physics has run 1.5 device-hours (and the 1 s pass)
  JobId b = Submit("chemistry");
  Pass();
  EXPECT_EQ(Job(b)["state"], "PENDING");
  EXPECT_EQ(Job(b)["reason"], OverBudget("uni", "1.5", "1"));
  EXPECT_NEAR(Tenant("uni")["budget_used_accel_hours"].get<double>(), 1.5, 1e-3);
  EXPECT_NEAR(Tenant("physics")["budget_used_accel_hours"].get<double>(), 1.5, 1e-3);
  EXPECT_NEAR(Tenant("chemistry")["budget_used_accel_hours"].get<double>(), 0.0, 1e-3);
  // Finished, the hours stay charged to both, and a restart rebuilds the parent's figure.
  clock_.Advance(30 * 60 * kSecond);
  Report(a, 1, "exited");
  Restart();
  AddNode(2);  // its agent registers again
  EXPECT_NEAR(Tenant("uni")["budget_used_accel_hours"].get<double>(), 2.0, 1e-3);
  EXPECT_NEAR(Tenant("physics")["budget_used_accel_hours"].get<double>(), 2.0, 1e-3);
  // Changing the parent's period recounts its subtree's usage.
  TenantUpdate week;
  week.fields = {"budget_period"};
  week.values.budget_period = core::BudgetPeriod::kWeek;
  ApiReply r = c_->UpdateTenant(kAdmin, "uni", week);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NEAR(json::parse(r.body)["budget_used_accel_hours"].get<double>(), 2.0, 1e-3);
  Commit();
  Pass();
  EXPECT_EQ(Job(b)["reason"], OverBudget("uni", "2", "1"));
}

// An attempt across midnight counts only its part inside the period, running and finished, and
// a restarted controller rebuilds the same figure from the stored usage.
TEST_F(BudgetTest, AttemptAcrossMidnightCountsItsPartAndARestartAgrees) {
  clock_.Set(kMarch5Midnight - kHour - kSecond);
  AddNode(1);
  CreateTenant("lab", 10.0, core::BudgetPeriod::kDay);
  JobId a = Submit("lab");
  Pass();  // 23:00:00
  Report(a, 1, "started");
  clock_.Set(kMarch5Midnight - 30 * 60 * kSecond);
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 0.5);
  clock_.Set(kMarch5Midnight + 30 * 60 * kSecond);
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 0.5);
  clock_.Set(kMarch5Midnight + kHour);
  Report(a, 1, "exited");
  json lab = Tenant("lab");
  EXPECT_DOUBLE_EQ(lab["budget_used_accel_hours"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lab["usage_accel_hours"].get<double>(), 2.0);

  clock_.Set(kMarch5Midnight + 2 * kHour);
  Restart();
  lab = Tenant("lab");
  EXPECT_EQ(lab["budget_period"], "day");
  EXPECT_DOUBLE_EQ(lab["budget_used_accel_hours"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(lab["usage_accel_hours"].get<double>(), 2.0);
}

// Changing the period rebuilds the in-period figure from the stored usage, and from an attempt
// that ended in the same commit group (not in the store yet).
TEST_F(BudgetTest, ChangingThePeriodRecountsUsageIncludingTheUncommittedGroup) {
  AddNode(1);
  CreateTenant("lab", 100.0, core::BudgetPeriod::kDay);
  JobId a = Submit("lab");
  Pass();  // Wednesday 20:00:01
  Report(a, 1, "started");
  clock_.Advance(2 * kHour);
  Report(a, 1, "exited");  // 2 h on Wednesday, stored
  clock_.Set(kMarch5Midnight + 10 * kHour);
  JobId b = Submit("lab");
  Pass();  // Thursday 10:00:01
  Report(b, 1, "started");
  clock_.Advance(kHour);
  PollRequest done;  // B ends after 1 h; its usage waits in the controller's batch
  done.wait_ms = 0;
  done.events.push_back(AgentEvent{TaskRef{b, 1, 0}, "exited", 0, {}, ""});
  ASSERT_EQ(c_->PollAgent("n1", done).status, 200);
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 1.0);

  TenantUpdate week;
  week.fields = {"budget_period"};
  week.values.budget_period = core::BudgetPeriod::kWeek;
  ApiReply r = c_->UpdateTenant(kAdmin, "lab", week);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_DOUBLE_EQ(json::parse(r.body)["budget_used_accel_hours"].get<double>(), 3.0);
  Commit();
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 3.0);

  TenantUpdate day = week;
  day.values.budget_period = core::BudgetPeriod::kDay;
  ASSERT_EQ(c_->UpdateTenant(kAdmin, "lab", day).status, 200);
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 1.0);
  Commit();
  Restart();
  EXPECT_EQ(Tenant("lab")["budget_period"], "day");
  EXPECT_DOUBLE_EQ(Tenant("lab")["budget_used_accel_hours"].get<double>(), 1.0);
}

TEST_F(BudgetTest, WeekAndMonthWindowsAreReported) {
  CreateTenant("weekly", 5, core::BudgetPeriod::kWeek);
  CreateTenant("monthly", 5, core::BudgetPeriod::kMonth);
  json w = Tenant("weekly");
  EXPECT_DOUBLE_EQ(w["budget_period_start"].get<double>(), kMarch2Midnight / 1e3);
  EXPECT_DOUBLE_EQ(w["budget_resets_at"].get<double>(), (kMarch2Midnight + 7 * 24 * kHour) / 1e3);
  json m = Tenant("monthly");
  EXPECT_EQ(m["budget_period"], "month");
  EXPECT_DOUBLE_EQ(m["budget_period_start"].get<double>(), kMarch1Midnight / 1e3);
  EXPECT_DOUBLE_EQ(m["budget_resets_at"].get<double>(), kApril1Midnight / 1e3);
}

// ---- Over HTTP: the field's validation and defaults ----

TEST(BudgetApiTest, BudgetPeriodIsValidatedDefaultsToMonthAndSurvivesRestart) {
  std::string dir = TempDir("budget-api");
  {
    TestServer s(dir);
    Client admin = s.Admin();
    Response bad =
        admin.Post("/api/v1/tenants", json{{"name", "lab"}, {"budget_period", "yearly"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.body["error"]["code"], "INVALID_ARGUMENT");
    EXPECT_EQ(bad.body["error"]["message"],
              "field 'budget_period' must be day, week, month or total, not 'yearly'");
    Response typed = admin.Post("/api/v1/tenants", json{{"name", "lab"}, {"budget_period", 7}});
    EXPECT_EQ(typed.status, 400);
    EXPECT_NE(typed.text.find("budget_period"), std::string::npos) << typed.text;
    EXPECT_EQ(admin.Get("/api/v1/tenants").body["tenants"].size(), 1u);  // nothing was created

    Response plain =
        admin.Post("/api/v1/tenants", json{{"name", "plain"}, {"budget_accel_hours", 9}});
    ASSERT_EQ(plain.status, 201) << plain.text;
    EXPECT_EQ(plain.body["budget_period"], "month");
    EXPECT_DOUBLE_EQ(plain.body["budget_used_accel_hours"].get<double>(), 0.0);
    EXPECT_TRUE(plain.body["budget_period_start"].is_number());
    EXPECT_LT(plain.body["budget_period_start"].get<double>(),
              plain.body["budget_resets_at"].get<double>());
    ASSERT_EQ(
        admin.Post("/api/v1/tenants", json{{"name", "daily"}, {"budget_period", "day"}}).status,
        201);
  }
  TestServer s(dir);
  Client admin = s.Admin();
  Response listed = admin.Get("/api/v1/tenants");
  std::map<std::string, std::string> periods;
  for (const auto& t : listed.body["tenants"]) periods[t["name"]] = t["budget_period"];
  EXPECT_EQ(periods["plain"], "month");
  EXPECT_EQ(periods["daily"], "day");
}

}  // namespace
}  // namespace suanli::server::testing
