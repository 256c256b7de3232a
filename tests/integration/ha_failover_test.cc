// Several controllers on one PostgreSQL database, one leader at a time (issue: scale-out and HA).
// The leader is killed -9 under a stream of submissions with a job running: a standby leads within
// the failover budget, the running job re-attaches (it is not started twice), no acknowledged job
// is lost or duplicated, and clients and agents given both URLs follow the leader.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "pg_test_server.h"
#include "support/tcp_proxy.h"
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class HaFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(SuanliBinary().empty());
    auto uri = pgtest::NewSharedDatabase("ha");
    ASSERT_TRUE(uri.ok()) << uri.status().ToString();
    uri_ = *uri;
  }
  void TearDown() override {
    if (HasFailure()) {
      for (auto* c : {&a_, &b_}) {
        if (*c) std::cerr << "--- " << (*c)->data_dir() << " ---\n" << (*c)->stderr_text();
      }
      std::cerr << "--- agent ---\n"
                << ReadFileOr(dir_.path() + "/agent.out") << ReadFileOr(dir_.path() + "/agent.err");
    }
  }
  std::unique_ptr<UpProcess> StartController(const std::string& name, bool standby,
                                             const std::string& uri = "") {
    UpOptions o;
    o.extra_args = {"--no-agent", "--store", uri.empty() ? uri_ : uri, "--node-timeout", "5s"};
    o.standby = standby;
    auto up = UpProcess::Start(dir_.path() + "/" + name, o);
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    return up.ok() ? std::move(up).value() : nullptr;
  }
  static HttpResponse Ready(const UpProcess& c) { return HttpClient(c.url(), "").Get("readyz"); }

  TempDir dir_{"ha"};
  std::string uri_;
  std::unique_ptr<UpProcess> a_, b_;
};

TEST_F(HaFailoverTest, LeaderKilledUnderLoadStandbyTakesOverLosingNothing) {
  a_ = StartController("a", false);
  ASSERT_NE(a_, nullptr);
  b_ = StartController("b", true);
  ASSERT_NE(b_, nullptr);
  const std::string token = a_->admin_token();
  const std::string both = a_->url() + "," + b_->url();

  // Roles: A leads, B stands by, names A, and sends API calls there.
  EXPECT_EQ(Ready(*a_).status, 200) << Ready(*a_).Describe();
  auto standby = Ready(*b_);
  EXPECT_EQ(standby.status, 503) << standby.Describe();
  EXPECT_EQ(standby.json().value("leader", ""), a_->url()) << standby.Describe();
  EXPECT_EQ(HttpClient(b_->url(), "").Get("healthz").status, 200);
  auto redirected = HttpClient(b_->url(), token).Get("jobs");
  EXPECT_EQ(redirected.status, 307) << redirected.Describe();
  // The CLI given the standby first follows it to the leader.
  auto queue = RunCli({"queue", "--all"},
                      {{"SUANLI_URL", b_->url() + "," + a_->url()}, {"SUANLI_TOKEN", token}});
  EXPECT_EQ(queue.exit.exit_code, 0) << queue.Describe();

  // An agent that knows both controllers, and a job running on it.
  auto agent = ChildProcess::Spawn(
      {SuanliBinary(), "agent", "--url", both, "--join-token-file", a_->data_dir() + "/join.token",
       "--name", "ha-node", "--work-dir", dir_.path() + "/agent-work"},
      {}, dir_.path() + "/agent.out", dir_.path() + "/agent.err");
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ASSERT_TRUE(HasUpNode(*a_));
  auto submitted = RunCli({"submit", "--name", "survivor", "--", "sh", "-c", "sleep 4; echo done"},
                          {{"SUANLI_URL", both}, {"SUANLI_TOKEN", token}});
  ASSERT_EQ(submitted.exit.exit_code, 0) << submitted.Describe();
  const std::string running_id = Trim(submitted.out);
  ASSERT_TRUE(PollUntil(
      [&] { return a_->Admin().Get("jobs/" + running_id).json().value("state", "") == "RUNNING"; },
      seconds(20)));

  // A stream of submissions, each retried (same key) against either controller until one
  // acknowledges it.
  std::mutex mu;
  std::map<std::string, int64_t> acked;
  std::atomic<bool> stop{false};
  std::thread submitter([&] {
    const std::vector<std::string> urls = {a_->url(), b_->url()};
    size_t at = 0;
    for (int i = 0; !stop; ++i) {
      std::string key = "ha-" + std::to_string(i);
      while (!stop) {
        auto r = HttpClient(urls[at], token)
                     .Post("jobs", nlohmann::json{{"name", key},
                                                  {"command", {"true"}},
                                                  {"cpus", 0.1},
                                                  {"idempotency_key", key}});
        if (r.status == 200 || r.status == 201) {
          std::lock_guard lock(mu);
          acked.emplace(key, r.json().value("id", int64_t{-1}));
          break;
        }
        at = (at + 1) % urls.size();
        std::this_thread::sleep_for(milliseconds(5));
      }
    }
  });
  std::this_thread::sleep_for(milliseconds(700));
  a_->Crash();  // kill -9 of the leader
  auto killed = std::chrono::steady_clock::now();
  bool took_over =
      PollUntil([&] { return Ready(*b_).status == 200; }, seconds(15), milliseconds(20));
  double failover_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  ASSERT_TRUE(took_over) << "the standby never took over";
  std::cerr << "[ info ] failover: standby leads " << failover_s
            << " s after kill -9 of the leader\n";
  EXPECT_LT(failover_s, 10.0);
  std::this_thread::sleep_for(milliseconds(700));
  stop = true;
  submitter.join();

  // The running job re-attached on the new leader and finished once, in its first attempt.
  const std::string b_token = token;  // tokens live in the database: A's admin token works on B
  nlohmann::json job;
  ASSERT_TRUE(PollUntil(
      [&] {
        job = HttpClient(b_->url(), b_token).Get("jobs/" + running_id).json();
        return job.value("state", "") == "COMPLETED";
      },
      seconds(30)))
      << job.dump();
  EXPECT_EQ(job.value("attempt", 0), 1) << "started twice: " << job.dump();
  auto logs = RunCli({"logs", running_id}, {{"SUANLI_URL", both}, {"SUANLI_TOKEN", token}});
  EXPECT_EQ(logs.out, "done\n") << logs.Describe();

  // Every acknowledged submission exists exactly once.
  auto all = HttpClient(b_->url(), b_token).Get("jobs?all=true&limit=100000");
  ASSERT_EQ(all.status, 200) << all.Describe();
  std::map<std::string, std::vector<int64_t>> by_name;
  const nlohmann::json listed = all.json();  // kept: a range-for over a temporary's member dangles
  for (const auto& j : listed["jobs"]) by_name[j.value("name", "")].push_back(j["id"]);
  ASSERT_GT(acked.size(), 10u);
  for (const auto& [key, id] : acked) {
    auto it = by_name.find(key);
    ASSERT_NE(it, by_name.end())
        << "acknowledged job " << key << " (id " << id << ") was lost; " << by_name.size()
        << " names listed; GET jobs/" << id << ": "
        << HttpClient(b_->url(), b_token).Get("jobs/" + std::to_string(id)).Describe();
    EXPECT_EQ(it->second, std::vector<int64_t>{id}) << key;
  }
  for (const auto& [name, ids] : by_name) EXPECT_EQ(ids.size(), 1u) << "duplicate job " << name;
  std::cerr << "[ info ] " << acked.size() << " acknowledged submissions across the failover\n";

  // The old leader comes back as a standby of the new one.
  UpOptions o;
  o.extra_args = {"--no-agent", "--store", uri_, "--node-timeout", "5s"};
  o.standby = true;
  auto back = UpProcess::Start(dir_.path() + "/a", o);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto ready = Ready(**back);
  EXPECT_EQ(ready.status, 503) << ready.Describe();
  EXPECT_EQ(ready.json().value("leader", ""), b_->url()) << ready.Describe();
  (*back)->Terminate();
  agent->KillHard();
}

// A partition between the leader and the database (a proxy between them is cut): the database ends
// the leader's sessions and frees its lease, the standby takes over, the old leader cannot commit
// what it accepted meanwhile, and once the network heals it finds it was deposed and stands by.
TEST_F(HaFailoverTest, LeaderCutOffFromTheDatabaseIsFencedAndStandsBy) {
  auto server = pgtest::SharedPgTestServer();
  ASSERT_TRUE(server.ok());
  auto proxy = TcpProxy::Start((*server)->port());
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  std::string via_proxy = uri_;
  via_proxy.replace(via_proxy.find(":" + std::to_string((*server)->port()) + "/"),
                    std::to_string((*server)->port()).size() + 2,
                    ":" + std::to_string((*proxy)->port()) + "/");
  a_ = StartController("a", false, via_proxy);
  ASSERT_NE(a_, nullptr);
  b_ = StartController("b", true);
  ASSERT_NE(b_, nullptr);
  const std::string token = a_->admin_token();
  auto before = a_->Admin().Post("jobs", nlohmann::json{{"name", "before"}, {"command", {"true"}}});
  ASSERT_EQ(before.status, 201) << before.Describe();

  (*proxy)->Cut();
  ASSERT_TRUE(PollUntil([&] { return Ready(*b_).status == 200; }, seconds(15)))
      << "the standby never took over from the cut-off leader";
  // The old leader still believes it leads until it tries to commit: what it accepts now must fail.
  auto cut_off = HttpClient(a_->url(), token)
                     .Post("jobs", nlohmann::json{{"name", "cut-off"}, {"command", {"true"}}});
  EXPECT_EQ(cut_off.status, 503) << cut_off.Describe();
  auto on_b = HttpClient(b_->url(), token)
                  .Post("jobs", nlohmann::json{{"name", "on-b"}, {"command", {"true"}}});
  EXPECT_EQ(on_b.status, 201) << on_b.Describe();

  ASSERT_TRUE((*proxy)->Restore().ok());
  nlohmann::json ready;
  ASSERT_TRUE(PollUntil(
      [&] {
        auto r = Ready(*a_);
        ready = r.json();
        return r.status == 503 && ready.value("leader", "") == b_->url();
      },
      seconds(15)))
      << "the healed old leader must stand by for the new one: " << ready.dump();
  EXPECT_EQ(Ready(*b_).status, 200) << "two leaders";
  auto listed = HttpClient(b_->url(), token).Get("jobs?all=true");
  ASSERT_EQ(listed.status, 200);
  EXPECT_NE(listed.body.find("\"before\""), std::string::npos);
  EXPECT_NE(listed.body.find("\"on-b\""), std::string::npos);
  EXPECT_EQ(listed.body.find("\"cut-off\""), std::string::npos)
      << "the deposed leader committed after the partition";
  // Through the old leader, requests now reach the new one.
  auto via_a = HttpClient(a_->url(), token).Get("jobs");
  EXPECT_EQ(via_a.status, 307) << via_a.Describe();
}

}  // namespace
}  // namespace suanli::it
