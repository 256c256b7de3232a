// `suanli admin backup|restore|migrate-store` on real stores: a backup of a live controller
// restores to exactly what it held, and a lab's SQLite state moves to PostgreSQL with nothing lost
// (counts and checksum verified, then a controller on PostgreSQL serves it).
#include <filesystem>

#include "pg_test_server.h"
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class AdminStoreTest : public UpTest {};

TEST_F(AdminStoreTest, BackupOfALiveServerRestoresWhatItHeld) {
  START_UP({"--node-name", "admin-node"});
  ASSERT_TRUE(HasUpNode(up()));
  int64_t kept = Submit({"--name", "kept", "--", "true"});
  WaitForState(kept, "COMPLETED");
  ASSERT_EQ(up().Admin().Post("tenants", nlohmann::json{{"name", "physics"}}).status, 201);
  const std::string backup = dir() + "/suanli.backup";
  auto taken = RunCli({"admin", "backup", "--data-dir", up().data_dir(), "--to", backup});
  ASSERT_EQ(taken.exit.exit_code, 0) << taken.Describe();
  EXPECT_NE(taken.out.find("jobs 1"), std::string::npos) << taken.out;
  EXPECT_NE(taken.out.find("tenants 2"), std::string::npos) << taken.out;  // root and physics
  auto again = RunCli({"admin", "backup", "--data-dir", up().data_dir(), "--to", backup});
  EXPECT_NE(again.exit.exit_code, 0) << "an existing backup must not be overwritten";

  int64_t after = Submit({"--name", "after-backup", "--", "true"});
  WaitForState(after, "COMPLETED");
  auto refused = RunCli({"admin", "restore", "--from", backup, "--data-dir", up().data_dir()});
  EXPECT_NE(refused.exit.exit_code, 0) << refused.Describe();
  EXPECT_NE(refused.err.find("stop it first"), std::string::npos) << refused.Describe();

  up().Terminate();
  auto bad =
      RunCli({"admin", "restore", "--from", dir() + "/missing", "--data-dir", up().data_dir()});
  EXPECT_EQ(bad.exit.exit_code, 3) << bad.Describe();
  auto restored = RunCli({"admin", "restore", "--from", backup, "--data-dir", up().data_dir()});
  ASSERT_EQ(restored.exit.exit_code, 0) << restored.Describe();
  START_UP({"--node-name", "admin-node"});
  EXPECT_EQ(Job(kept).value("state", ""), "COMPLETED");
  EXPECT_EQ(up().Admin().Get("jobs/" + std::to_string(after)).status, 404)
      << "the job submitted after the backup must be gone after the restore";
  EXPECT_NE(up().Admin().Get("tenants").body.find("\"physics\""), std::string::npos);
}

TEST_F(AdminStoreTest, LabStateMovesToPostgresWithNothingLost) {
  START_UP({"--node-name", "lab-node"});
  ASSERT_TRUE(HasUpNode(up()));
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(Submit({"--name", "lab-" + std::to_string(i), "--", "true"}));
  for (int64_t id : ids) WaitForState(id, "COMPLETED");
  int64_t cancelled = Submit({"--name", "cancelled", "--", "sleep", "60"});
  WaitForState(cancelled, "RUNNING");
  ASSERT_EQ(up().Cli({"cancel", std::to_string(cancelled)}).exit.exit_code, 0);
  WaitForState(cancelled, "CANCELLED");
  std::string alice = CreateUser("alice", "physics", "member");
  up().Terminate();

  auto uri = pgtest::NewSharedDatabase("migrate");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  const std::string from = "sqlite:" + up().data_dir() + "/suanli.db";
  auto moved = RunCli({"admin", "migrate-store", "--from", from, "--to", *uri});
  ASSERT_EQ(moved.exit.exit_code, 0) << moved.Describe();
  EXPECT_NE(moved.out.find("jobs 6"), std::string::npos) << moved.out;
  EXPECT_NE(moved.out.find("verified"), std::string::npos) << moved.out;
  // Into a store that already holds a state: refused, never merged.
  auto twice = RunCli({"admin", "migrate-store", "--from", from, "--to", *uri});
  EXPECT_NE(twice.exit.exit_code, 0);
  EXPECT_NE(twice.err.find("not empty"), std::string::npos) << twice.Describe();
  auto missing =
      RunCli({"admin", "migrate-store", "--from", "sqlite:" + dir() + "/nope.db", "--to", *uri});
  EXPECT_EQ(missing.exit.exit_code, 3) << missing.Describe();

  // A center's controller on PostgreSQL serves the lab's state: jobs in every state, users and
  // their tokens.
  TempDir center("center");
  UpOptions o;
  o.extra_args = {"--no-agent", "--store", *uri};
  auto c = UpProcess::Start(center.path() + "/data", o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (int64_t id : ids) {
    EXPECT_EQ((*c)->Admin().Get("jobs/" + std::to_string(id)).json().value("state", ""),
              "COMPLETED");
  }
  EXPECT_EQ((*c)->Admin().Get("jobs/" + std::to_string(cancelled)).json().value("state", ""),
            "CANCELLED");
  auto who = (*c)->As(alice).Get("whoami");
  EXPECT_EQ(who.status, 200) << who.Describe();
  EXPECT_EQ(who.json().value("user", ""), "alice") << who.Describe();
  int64_t next = std::stoll(Trim((*c)->Cli({"submit", "--", "true"}).out));
  EXPECT_GT(next, cancelled) << "job ids continue after the migrated ones";
  (*c)->Terminate();
}

}  // namespace
}  // namespace suanli::it
