// `suanli admin backup|restore|migrate-store|reset-token` on real stores: a backup of a live
// controller restores to exactly what it held, a lab's SQLite state moves to PostgreSQL with
// nothing lost (counts and checksum verified, then a controller on PostgreSQL serves it), and
// whoever holds the data dir gets a working admin token back.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

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

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

TEST_F(AdminStoreTest, TheLastAdminTokenStaysAndResetTokenIssuesANewOne) {
  START_UP({"--no-agent"});
  const std::string old_token = up().admin_token();
  // Token 1 is the admin's first and only one: revoking it would lock everyone out.
  auto refused = up().Admin().Delete("tokens/1");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("last active admin token"), std::string::npos) << refused.body;
  EXPECT_EQ(up().Admin().Get("whoami").status, 200);

  auto running = RunCli({"admin", "reset-token", "--data-dir", up().data_dir()});
  EXPECT_NE(running.exit.exit_code, 0) << running.Describe();
  EXPECT_NE(running.err.find("stop it first"), std::string::npos) << running.Describe();
  EXPECT_EQ(ReadTrimmed(up().data_dir() + "/admin.token"), old_token);

  up().Terminate();
  auto missing = RunCli({"admin", "reset-token", "--data-dir", dir() + "/nowhere"});
  EXPECT_EQ(missing.exit.exit_code, 3) << missing.Describe();
  auto reset = RunCli({"admin", "reset-token", "--data-dir", up().data_dir(), "--revoke-old"});
  ASSERT_EQ(reset.exit.exit_code, 0) << reset.Describe();
  EXPECT_NE(reset.out.find("1 older admin token(s) revoked"), std::string::npos) << reset.out;
  const std::string path = up().data_dir() + "/admin.token";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string new_token = ReadTrimmed(path);
  EXPECT_NE(new_token, old_token);

  START_UP({"--no-agent"});
  EXPECT_EQ(up().admin_token(), new_token) << "the server keeps the reset token";
  EXPECT_EQ(up().As(new_token).Get("whoami").status, 200);
  EXPECT_EQ(up().As(old_token).Get("whoami").status, 401);
}

}  // namespace
}  // namespace suanli::it
