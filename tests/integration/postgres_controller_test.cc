// The controller on PostgreSQL (`suanli up|server --store postgresql://...`): its state lives in
// the database, not in the data dir, and a wrong store is refused at start with a message naming
// it.
#include <filesystem>

#include "pg_test_server.h"
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class PostgresControllerTest : public UpTest {
 protected:
  std::string NewDatabase() {
    auto uri = pgtest::NewSharedDatabase("controller");
    EXPECT_TRUE(uri.ok()) << uri.status().ToString();
    return uri.ok() ? *uri : "";
  }
};

TEST_F(PostgresControllerTest, StateLivesInTheDatabaseAcrossDataDirs) {
  std::string uri = NewDatabase();
  ASSERT_FALSE(uri.empty());
  START_UP({"--store", uri, "--node-name", "pg-node"});
  ASSERT_TRUE(HasUpNode(up()));
  int64_t id = Submit({"--name", "on-postgres", "--", "sh", "-c", "echo from-postgres"});
  WaitForState(id, "COMPLETED");
  auto tenant = up().Admin().Post("tenants", nlohmann::json{{"name", "physics"}});
  ASSERT_EQ(tenant.status, 201) << tenant.Describe();
  EXPECT_FALSE(std::filesystem::exists(dir() + "/data/suanli.db"))
      << "with --store postgresql:// nothing may be written to the SQLite file";
  up().Terminate();

  // A second controller on another machine (here: another data dir) sees the same state.
  TempDir other("up-pg-other");
  UpOptions options;
  options.extra_args = {"--store", uri, "--no-agent"};
  auto second = UpProcess::Start(other.path() + "/data", options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // Tokens are in the database too, but each data dir writes its own admin.token: the first
  // controller's admin token must work on the second.
  auto job = HttpClient((*second)->url(), up().admin_token()).Get("jobs/" + std::to_string(id));
  ASSERT_EQ(job.status, 200) << job.Describe();
  EXPECT_EQ(job.json().value("name", ""), "on-postgres");
  EXPECT_EQ(job.json().value("state", ""), "COMPLETED");
  auto tenants = (*second)->Admin().Get("tenants");
  ASSERT_EQ(tenants.status, 200);
  EXPECT_NE(tenants.body.find("\"physics\""), std::string::npos) << tenants.body;
  (*second)->Terminate();
}

TEST_F(PostgresControllerTest, UnreachableDatabaseIsRefusedNamingTheHost) {
  auto out = RunCli({"up", "--data-dir", dir() + "/data", "--listen", "127.0.0.1:0", "--no-agent",
                     "--store", "postgresql://suanli:hunter2@127.0.0.1:1/suanli"},
                    {}, std::chrono::seconds(30));
  EXPECT_NE(out.exit.exit_code, 0) << out.Describe();
  EXPECT_NE(out.err.find("cannot open the store"), std::string::npos) << out.Describe();
  EXPECT_NE(out.err.find("127.0.0.1"), std::string::npos) << out.Describe();
  EXPECT_EQ(out.err.find("hunter2"), std::string::npos) << "password printed: " << out.Describe();
}

TEST_F(PostgresControllerTest, UnknownStoreSchemeIsRefused) {
  auto out = RunCli({"server", "--data-dir", dir() + "/data", "--listen", "127.0.0.1:0", "--store",
                     "mysql://db/suanli"},
                    {}, std::chrono::seconds(30));
  EXPECT_NE(out.exit.exit_code, 0) << out.Describe();
  EXPECT_NE(out.err.find("unknown store 'mysql://db/suanli'"), std::string::npos) << out.Describe();
}

}  // namespace
}  // namespace suanli::it
