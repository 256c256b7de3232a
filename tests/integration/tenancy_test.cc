// Issue point 5: tenants, users, roles and tokens, seen through the CLI.
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class TenancyTest : public UpTest {};

TEST_F(TenancyTest, MembersSeeOnlyTheirTenantAndRevokedTokensStopWorking) {
  START_UP({"--no-agent"});
  ASSERT_EQ(up().Cli({"tenant", "create", "physics", "--weight", "2", "--quota", "cpus=8"})
                .exit.exit_code,
            0);
  ASSERT_EQ(up().Cli({"tenant", "create", "biology"}).exit.exit_code, 0);
  ASSERT_EQ(up().Cli({"user", "create", "alice", "--tenant", "physics", "--role", "member"})
                .exit.exit_code,
            0);
  ASSERT_EQ(
      up().Cli({"user", "create", "bob", "--tenant", "biology", "--role", "member"}).exit.exit_code,
      0);
  auto alice_tok = up().Cli({"token", "create", "--user", "alice"});
  ASSERT_EQ(alice_tok.exit.exit_code, 0) << alice_tok.Describe();
  std::string alice = Trim(alice_tok.out);
  auto bob_tok = up().Cli({"token", "create", "--user", "bob", "--json"});
  ASSERT_EQ(bob_tok.exit.exit_code, 0) << bob_tok.Describe();
  auto bob_json = nlohmann::json::parse(bob_tok.out);
  std::string bob = bob_json.value("token", "");
  ASSERT_FALSE(bob.empty()) << bob_tok.out;

  auto who = up().Cli({"whoami"}, alice);
  EXPECT_EQ(who.out, "alice (member of physics)\n") << who.Describe();
  int64_t job = Submit({"--name", "alice-job", "--", "true"}, alice);
  EXPECT_EQ(Job(job)["tenant"], "physics");

  auto peek = up().Cli({"show", std::to_string(job)}, bob);
  EXPECT_EQ(peek.exit.exit_code, 3) << "another tenant's job must look absent: " << peek.Describe();
  auto bob_queue = nlohmann::json::parse(up().Cli({"queue", "--all", "--json"}, bob).out);
  EXPECT_TRUE(bob_queue["jobs"].empty()) << bob_queue.dump();
  auto alice_queue = nlohmann::json::parse(up().Cli({"queue", "--json"}, alice).out);
  EXPECT_EQ(alice_queue["jobs"].size(), 1u);
  auto bob_cancel = up().Cli({"cancel", std::to_string(job)}, bob);
  EXPECT_EQ(bob_cancel.exit.exit_code, 3) << bob_cancel.Describe();
  auto create = up().Cli({"tenant", "create", "rogue"}, bob);
  EXPECT_EQ(create.exit.exit_code, 4) << "members may not create tenants: " << create.Describe();
  auto other_tenant = up().Cli({"submit", "--tenant", "physics", "--", "true"}, bob);
  EXPECT_NE(other_tenant.exit.exit_code, 0) << other_tenant.Describe();

  auto revoke = up().Cli({"token", "revoke", std::to_string(bob_json["id"].get<int64_t>())});
  EXPECT_EQ(revoke.exit.exit_code, 0) << revoke.Describe();
  auto after = up().Cli({"queue"}, bob);
  EXPECT_EQ(after.exit.exit_code, 4) << after.Describe();
  EXPECT_EQ(up().As(bob).Get("jobs").status, 401);
}

TEST_F(TenancyTest, TenantAdminManagesTheirSubtreeOnly) {
  START_UP({"--no-agent"});
  ASSERT_EQ(up().Cli({"tenant", "create", "uni"}).exit.exit_code, 0);
  ASSERT_EQ(up().Cli({"tenant", "create", "lab", "--parent", "uni"}).exit.exit_code, 0);
  ASSERT_EQ(up().Cli({"tenant", "create", "company"}).exit.exit_code, 0);
  ASSERT_EQ(up().Cli({"user", "create", "carol", "--tenant", "uni", "--role", "tenant-admin"})
                .exit.exit_code,
            0);
  std::string carol = Trim(up().Cli({"token", "create", "--user", "carol"}).out);
  auto sub = up().Cli({"tenant", "create", "group", "--parent", "lab"}, carol);
  EXPECT_EQ(sub.exit.exit_code, 0) << sub.Describe();
  auto outside = up().Cli({"tenant", "create", "intruder", "--parent", "company"}, carol);
  EXPECT_NE(outside.exit.exit_code, 0) << outside.Describe();
}

TEST_F(TenancyTest, UnknownTenantIsNamed) {
  START_UP({"--no-agent"});
  auto out = up().Cli({"submit", "--tenant", "nowhere", "--", "true"});
  EXPECT_NE(out.exit.exit_code, 0);
  EXPECT_NE(out.err.find("nowhere"), std::string::npos) << out.Describe();
  auto user = up().Cli({"user", "create", "dave", "--tenant", "nowhere"});
  EXPECT_NE(user.exit.exit_code, 0);
  EXPECT_NE(user.err.find("nowhere"), std::string::npos) << user.Describe();
}

}  // namespace
}  // namespace suanli::it
