// Accelerator-hour budgets per period through the real binary, agent and CLI: a tenant over its
// daily budget waits with the budget reason, `tenant list` shows the period and the figures, and
// `tenant update` raises the budget so the job runs.
#include <chrono>
#include <thread>

#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class BudgetTest : public UpTest {};

nlohmann::json TenantNamed(UpProcess& up, const std::string& name) {
  auto list = up.Cli({"tenant", "list", "--json"});
  EXPECT_EQ(list.exit.exit_code, 0) << list.Describe();
  auto body = nlohmann::json::parse(list.out, nullptr, false);
  if (body.is_object() && body["tenants"].is_array()) {
    for (const auto& t : body["tenants"]) {
      if (t["name"] == name) return t;
    }
  }
  ADD_FAILURE() << "no tenant " << name << " in " << list.out;
  return nlohmann::json::object();
}

TEST_F(BudgetTest, OverItsDailyBudgetATenantWaitsUntilTheBudgetIsRaised) {
  START_UP({"--accelerators", "nvidia-a100:2"});
  ASSERT_TRUE(HasUpNode(up()));
  // 0.0005 accelerator-hours: 1.8 device-seconds a day.
  auto created =
      up().Cli({"tenant", "create", "lab", "--budget", "0.0005", "--budget-period", "day"});
  ASSERT_EQ(created.exit.exit_code, 0) << created.Describe();
  int64_t a = Submit({"--tenant", "lab", "--gpus", "1", "--", "sleep", "3"});
  WaitForState(a, "COMPLETED");

  int64_t b = Submit({"--tenant", "lab", "--gpus", "1", "--", "true"});
  nlohmann::json job;
  for (int i = 0; i < 100; ++i) {
    job = Job(b);
    if (job.value("reason", "").find("over its accelerator-hour budget") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(job["state"], "PENDING") << job.dump();
  EXPECT_EQ(job.value("reason", "").rfind("tenant lab is over its accelerator-hour budget", 0), 0u)
      << job.dump();

  nlohmann::json lab = TenantNamed(up(), "lab");
  EXPECT_EQ(lab["budget_period"], "day");
  EXPECT_GE(lab["budget_used_accel_hours"].get<double>(), 3 / 3600.0 - 1e-9) << lab.dump();
  EXPECT_DOUBLE_EQ(lab["budget_resets_at"].get<double>() - lab["budget_period_start"].get<double>(),
                   86400.0);
  auto table = up().Cli({"tenant", "list"});
  EXPECT_NE(table.out.find("BUDGET"), std::string::npos) << table.Describe();
  EXPECT_NE(table.out.find("/0.0005"), std::string::npos) << table.Describe();

  auto bad = up().Cli({"tenant", "update", "lab", "--budget-period", "fortnight"});
  EXPECT_EQ(bad.exit.exit_code, 2) << bad.Describe();
  auto ghost = up().Cli({"tenant", "update", "ghost", "--budget", "10"});
  EXPECT_EQ(ghost.exit.exit_code, 3) << ghost.Describe();
  EXPECT_NE(ghost.err.find("tenant 'ghost' does not exist"), std::string::npos) << ghost.Describe();
  auto raised = up().Cli({"tenant", "update", "lab", "--budget", "10"});
  ASSERT_EQ(raised.exit.exit_code, 0) << raised.Describe();
  EXPECT_EQ(raised.out, "updated tenant lab\n");
  WaitForState(b, "COMPLETED");
  EXPECT_EQ(TenantNamed(up(), "lab")["budget_accel_hours"], 10.0);
}

}  // namespace
}  // namespace suanli::it
