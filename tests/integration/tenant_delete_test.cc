// `suanli tenant delete`: refused for the root, a tenant with child tenants or unfinished jobs;
// otherwise the tenant and its users are gone (their tokens stop working), its finished jobs stay
// for accounting, and scheduling goes on for the other tenants, across a restart too.
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class TenantDeleteTest : public UpTest {};

TEST_F(TenantDeleteTest, DeletesOnlyWhatHoldsNothingAndKeepsTheRestScheduling) {
  START_UP({"--node-name", "t-node"});
  ASSERT_TRUE(HasUpNode(up()));
  auto admin = up().Admin();
  ASSERT_EQ(admin.Post("tenants", nlohmann::json{{"name", "uni"}}).status, 201);
  ASSERT_EQ(admin.Post("tenants", nlohmann::json{{"name", "physics"}, {"parent", "uni"}}).status,
            201);
  ASSERT_EQ(admin.Post("tenants", nlohmann::json{{"name", "chem"}, {"parent", "uni"}}).status, 201);
  std::string alice = CreateUser("alice", "physics", "member");
  std::string carol = CreateUser("carol", "chem", "member");

  int64_t finished = Submit({"--name", "done-in-physics", "--", "true"}, alice);
  WaitForState(finished, "COMPLETED");
  int64_t running = Submit({"--name", "running-in-physics", "--", "sleep", "30"}, alice);
  WaitForState(running, "RUNNING");

  auto root = up().Cli({"tenant", "delete", "root"});
  EXPECT_NE(root.exit.exit_code, 0) << root.Describe();
  auto parent = up().Cli({"tenant", "delete", "uni"});
  EXPECT_NE(parent.exit.exit_code, 0);
  EXPECT_NE(parent.err.find("physics"), std::string::npos) << parent.Describe();
  auto busy = up().Cli({"tenant", "delete", "physics"});
  EXPECT_NE(busy.exit.exit_code, 0);
  EXPECT_NE(busy.err.find("1 unfinished job"), std::string::npos) << busy.Describe();
  auto by_member = up().Cli({"tenant", "delete", "chem"}, carol);
  EXPECT_EQ(by_member.exit.exit_code, 4) << by_member.Describe();
  auto unknown = up().Cli({"tenant", "delete", "geo"});
  EXPECT_EQ(unknown.exit.exit_code, 3) << unknown.Describe();

  ASSERT_EQ(up().Cli({"cancel", std::to_string(running)}).exit.exit_code, 0);
  WaitForState(running, "CANCELLED");
  auto deleted = up().Cli({"tenant", "delete", "physics"});
  ASSERT_EQ(deleted.exit.exit_code, 0) << deleted.Describe();
  EXPECT_NE(deleted.out.find("alice"), std::string::npos) << deleted.out;
  EXPECT_EQ(up().As(alice).Get("whoami").status, 401) << "a deleted user's token still works";
  EXPECT_EQ(admin.Get("jobs/" + std::to_string(finished)).json().value("tenant", ""), "physics")
      << "finished jobs stay for accounting";

  // The other tenants keep scheduling, before and after a restart.
  int64_t chem_job = Submit({"--name", "chem-after", "--", "true"}, carol);
  WaitForState(chem_job, "COMPLETED");
  up().Terminate();
  START_UP({"--node-name", "t-node"});
  EXPECT_EQ(up().Admin().Get("tenants").body.find("\"physics\""), std::string::npos);
  int64_t later = Submit({"--name", "chem-later", "--", "true"}, carol);
  WaitForState(later, "COMPLETED");
  // The name is free again.
  EXPECT_EQ(up().Admin().Post("tenants", nlohmann::json{{"name", "physics"}, {"parent", "uni"}})
                .status,
            201);
}

}  // namespace
}  // namespace suanli::it
