// Issue point 7: kill -9 of the controller at random moments during a stream of acknowledged
// submissions; after a restart every acknowledged job is there exactly once, and running jobs
// re-attach.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "pg_test_server.h"
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

// The same crash tests on the embedded SQLite file and on a PostgreSQL server: acknowledged
// means committed on both.
class DurabilityTest : public UpTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    UpTest::SetUp();
    if (GetParam() == "postgresql") {
      auto uri = pgtest::NewSharedDatabase("durability");
      ASSERT_TRUE(uri.ok()) << uri.status().ToString();
      store_args_ = {"--store", *uri};
    }
  }
  std::vector<std::string> Args(std::vector<std::string> args) {
    args.insert(args.end(), store_args_.begin(), store_args_.end());
    return args;
  }
  std::vector<std::string> store_args_;
};

INSTANTIATE_TEST_SUITE_P(Stores, DurabilityTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(DurabilityTest, AcknowledgedSubmissionsSurviveKillNine) {
  START_UP(Args({"--no-agent"}));
  std::mutex mu;
  std::string url = up().url();
  const std::string token = up().admin_token();
  std::map<std::string, int64_t> acked;  // idempotency key -> id the server acknowledged
  std::atomic<bool> stop{false};
  std::atomic<int> attempts{0};
  std::thread submitter([&] {
    for (int i = 0; !stop; ++i) {
      std::string key = "d-" + std::to_string(i);
      // Retry the same key until acknowledged: a crash may have swallowed the answer, not the job.
      while (!stop) {
        std::string current;
        {
          std::lock_guard<std::mutex> lock(mu);
          current = url;
        }
        ++attempts;
        auto r =
            HttpClient(current, token)
                .Post("jobs", nlohmann::json{
                                  {"name", key}, {"command", {"true"}}, {"idempotency_key", key}});
        if (r.status == 200 || r.status == 201) {
          std::lock_guard<std::mutex> lock(mu);
          int64_t id = r.json().value("id", int64_t{-1});
          auto [it, inserted] = acked.emplace(key, id);
          if (!inserted) ADD_FAILURE() << "key " << key << " acknowledged twice";
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  });
  std::mt19937 rng(20261123);  // fixed seed: the same crash schedule on every run
  std::uniform_int_distribution<int> pause_ms(50, 400);
  for (int crash = 0; crash < 3; ++crash) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    up().Crash();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng) / 4));
    StartUp(Args({"--no-agent"}));
    if (HasFatalFailure()) {
      stop = true;
      submitter.join();
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    url = up().url();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  submitter.join();

  std::map<std::string, int64_t> snapshot;
  {
    std::lock_guard<std::mutex> lock(mu);
    snapshot = acked;
  }
  ASSERT_GT(snapshot.size(), 10u) << "too few submissions to mean anything (" << attempts
                                  << " attempts)";
  auto all = up().Admin().Get("jobs?all=true&limit=100000");
  ASSERT_EQ(all.status, 200) << all.Describe();
  std::map<std::string, std::vector<int64_t>> by_name;
  auto listed = all.json();
  for (const auto& j : listed["jobs"])
    by_name[j.value("name", "")].push_back(j.value("id", int64_t{-1}));
  for (const auto& [key, id] : snapshot) {
    auto it = by_name.find(key);
    ASSERT_NE(it, by_name.end()) << "acknowledged job " << key << " (id " << id << ") was lost; "
                                 << by_name.size() << " names listed; GET jobs/" << id << ": "
                                 << up().Admin().Get("jobs/" + std::to_string(id)).Describe();
    EXPECT_EQ(it->second.size(), 1u) << key << " exists " << it->second.size() << " times";
    EXPECT_EQ(it->second.front(), id) << key;
  }
  for (const auto& [name, ids] : by_name) EXPECT_EQ(ids.size(), 1u) << "duplicate job " << name;
  std::cerr << "[ info ] " << snapshot.size() << " acknowledged submissions in " << attempts
            << " attempts across 3 kill -9 restarts\n";
}

TEST_P(DurabilityTest, RunningJobReattachesAfterControllerCrash) {
  START_UP(Args({"--node-name", "local"}));
  ASSERT_TRUE(HasUpNode(up()));
  int64_t id = Submit({"--", "sh", "-c", "sleep 2; echo done"});
  WaitForState(id, "RUNNING");
  up().Crash();
  START_UP(Args({"--node-name", "local"}));
  auto job = WaitForState(id, "COMPLETED,FAILED,LOST,PENDING,CANCELLED", std::chrono::seconds(30));
  job = WaitForState(id, "COMPLETED", std::chrono::seconds(30));
  EXPECT_EQ(job.value("attempt", 0), 1) << "the job must re-attach, not run again: " << job.dump();
  auto logs = up().Cli({"logs", std::to_string(id)});
  EXPECT_EQ(logs.out, "done\n") << logs.Describe();
}

}  // namespace
}  // namespace suanli::it
