// The database goes away under a leading controller: it stops acknowledging anything (503 naming
// the store, never an uncommitted job), keeps /healthz, and serves again by itself when the
// database returns, from what the database holds; a job running through the outage finishes once.
#include "pg_test_server.h"
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

using std::chrono::seconds;

class StoreOutageTest : public UpTest {};

TEST_F(StoreOutageTest, ControllerRefusesWhileTheDatabaseIsDownAndResumesWhenItReturns) {
  auto pg = pgtest::PgTestServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  auto uri = (*pg)->CreateDatabase("outage");
  ASSERT_TRUE(uri.ok()) << uri.status().ToString();
  START_UP({"--store", *uri, "--node-name", "outage-node"});
  ASSERT_TRUE(HasUpNode(up()));
  int64_t running = Submit({"--name", "through", "--", "sh", "-c", "sleep 3; echo ok"});
  WaitForState(running, "RUNNING");

  ASSERT_TRUE((*pg)->Stop().ok());
  // A submission the controller cannot commit is refused, and the controller stops serving from
  // memory that is now ahead of the store.
  auto unstored =
      up().Admin().Post("jobs", nlohmann::json{{"name", "unstored"}, {"command", {"true"}}});
  EXPECT_EQ(unstored.status, 503) << unstored.Describe();
  EXPECT_NE(unstored.body.find("127.0.0.1"), std::string::npos)
      << "the reason must name the store: " << unstored.Describe();
  EXPECT_EQ(HttpClient(up().url(), "").Get("readyz").status, 503);
  EXPECT_EQ(HttpClient(up().url(), "").Get("healthz").status, 200);
  const nlohmann::json during{{"name", "during"}, {"command", {"true"}}, {"idempotency_key", "k"}};
  auto refused = up().Admin().Post("jobs", during);
  EXPECT_EQ(refused.status, 503) << refused.Describe();
  auto read = up().Admin().Get("jobs/" + std::to_string(running));
  EXPECT_EQ(read.status, 503) << read.Describe();
  EXPECT_NE(read.body.find("store"), std::string::npos) << read.Describe();

  ASSERT_TRUE((*pg)->StartAgain().ok());
  ASSERT_TRUE(PollUntil([&] { return HttpClient(up().url(), "").Get("readyz").status == 200; },
                        seconds(15)))
      << "the controller did not resume after the database came back";
  auto accepted = up().Admin().Post("jobs", during);
  EXPECT_EQ(accepted.status, 201) << "the refused submission was never stored, so it is new: "
                                  << accepted.Describe();
  auto retried = up().Admin().Post("jobs", during);
  EXPECT_EQ(retried.status, 200) << retried.Describe();
  EXPECT_EQ(retried.json().value("id", -1), accepted.json().value("id", -2));

  auto all = up().Admin().Get("jobs?all=true");
  EXPECT_EQ(all.body.find("\"unstored\""), std::string::npos)
      << "a refused submission was stored after all: " << all.body;
  auto job = WaitForState(running, "COMPLETED", seconds(30));
  EXPECT_EQ(job.value("attempt", 0), 1) << "ran twice: " << job.dump();
  EXPECT_EQ(up().Cli({"logs", std::to_string(running)}).out, "ok\n");
}

}  // namespace
}  // namespace suanli::it
