// The federation broker as real processes on loopback (issue #15): `suanli broker` and three
// `suanli up` centers with declared accelerators, joined with --federation. Routing by objective,
// a center killed -9 with queued jobs (each ends exactly once elsewhere, the copies left there are
// cancelled when it returns), and the broker killed -9 during a stream of submissions (every
// accepted job is in exactly one center).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "support/cluster.h"
#include "support/http.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace suanli::it {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class BrokerProcess {
 public:
  // `suanli broker` on `listen` (127.0.0.1:0 picks a port; a restart passes the first port so
  // the centers, which know the broker by URL, find it again).
  static std::unique_ptr<BrokerProcess> Start(const std::string& dir, const std::string& listen,
                                              const std::string& lease = "3s",
                                              const std::vector<std::string>& extra = {}) {
    std::filesystem::create_directories(dir);
    std::filesystem::remove(dir + "/url");
    auto b = std::unique_ptr<BrokerProcess>(new BrokerProcess);
    b->dir_ = dir;
    int n = 0;
    while (std::filesystem::exists(dir + "/broker-" + std::to_string(n) + ".err")) ++n;
    std::vector<std::string> argv = {SuanliBinary(), "broker", "--data-dir",      dir,
                                     "--listen",     listen,   "--lease-timeout", lease};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = ChildProcess::Spawn(argv, {}, dir + "/broker-" + std::to_string(n) + ".out",
                                     dir + "/broker-" + std::to_string(n) + ".err");
    if (!child.ok()) return nullptr;
    b->process_ = std::make_unique<ChildProcess>(std::move(child).value());
    bool ready = PollUntil(
        [&] {
          b->url_ = Trim(ReadFileOr(dir + "/url"));
          return !b->url_.empty() && HttpClient(b->url_, "").Get("/api/v1/healthz").status == 200;
        },
        seconds(20));
    if (!ready) return nullptr;
    b->admin_ = Trim(ReadFileOr(dir + "/admin.token"));
    b->join_ = Trim(ReadFileOr(dir + "/join.token"));
    return b;
  }
  const std::string& url() const { return url_; }
  const std::string& admin() const { return admin_; }
  const std::string& join() const { return join_; }
  HttpClient Admin() const { return HttpClient(url_, admin_); }
  std::string Port() const { return url_.substr(url_.rfind(':') + 1); }
  void Crash() { process_->KillHard(); }
  std::string Log() const {
    std::string all;
    for (int n = 0; std::filesystem::exists(dir_ + "/broker-" + std::to_string(n) + ".err"); ++n)
      all += ReadFileOr(dir_ + "/broker-" + std::to_string(n) + ".err");
    return all;
  }
  CommandOutput Cli(const std::vector<std::string>& args) const {
    return RunCli(args, {{"SUANLI_URL", url_}, {"SUANLI_TOKEN", admin_}}, seconds(30));
  }

 private:
  std::string dir_, url_, admin_, join_;
  std::unique_ptr<ChildProcess> process_;
};

class FederationBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::make_unique<TempDir>("federation");
    broker_ = BrokerProcess::Start(root_->path() + "/broker", "127.0.0.1:0");
    ASSERT_TRUE(broker_) << "the broker did not start";
  }

  // A center: `suanli up` with `gpus` declared nvidia-a100 devices at `price` per device-hour
  // (its price table, which its reporter sends), reporting every 300 ms.
  std::unique_ptr<UpProcess> StartCenter(const std::string& name, const std::string& region,
                                         int gpus, double price) {
    std::string dir = root_->path() + "/" + name;
    std::filesystem::create_directories(dir);
    WriteFile(dir + "/prices.json", json{{"accel_hour", {{"nvidia-a100", price}}}}.dump());
    UpOptions o;
    o.extra_args = {"--accelerators",     "nvidia-a100:" + std::to_string(gpus),
                    "--node-name",        name + "-n1",
                    "--federation",       broker_->url(),
                    "--federation-token", broker_->join(),
                    "--center",           name,
                    "--region",           region,
                    "--report-interval",  "300ms"};
    auto up = UpProcess::Start(dir, o);
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    if (!up.ok()) return nullptr;
    return std::move(up).value();
  }

  json Centers() const { return broker_->Admin().Get("centers").json(); }
  json Center(const std::string& name) const {
    for (const auto& c : Centers().value("centers", json::array())) {
      if (c.value("name", "") == name) return c;
    }
    return json();
  }
  bool CenterIs(const std::string& name, const std::string& state) const {
    json c = Center(name);
    return c.is_object() && c.value("state", "") == state;
  }
  // Until the broker has seen `allocated` devices in use at the center.
  bool Allocated(const std::string& name, int allocated) const {
    json c = Center(name);
    if (!c.is_object() || c["pools"].empty()) return false;
    return c["pools"][0].value("allocated", -1) == allocated;
  }

  int64_t SubmitToBroker(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"submit"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto out = broker_->Cli(argv);
    EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
    try {
      return std::stoll(Trim(out.out));
    } catch (const std::exception&) {
      ADD_FAILURE() << "no job id from submit: " << out.Describe();
      return 0;
    }
  }
  json BrokerJob(int64_t id) const {
    return broker_->Admin().Get("jobs/" + std::to_string(id)).json();
  }

  // The center's jobs the broker placed there, by idempotency key.
  static std::map<std::string, json> BrokerCopies(const UpProcess& center) {
    std::map<std::string, json> out;
    json jobs = center.Admin().Get("jobs?all=true&limit=5000").json();
    for (const auto& j : jobs.value("jobs", json::array())) {
      if (j["idempotency_key"].is_string() &&
          j["idempotency_key"].get<std::string>().rfind("broker:", 0) == 0) {
        EXPECT_EQ(out.count(j["idempotency_key"]), 0u) << "a key twice in one center";
        out[j["idempotency_key"]] = j;
      }
    }
    return out;
  }

  // A job filling every device of a center, so the broker's jobs queue there.
  static int64_t Block(UpProcess& center, int gpus) {
    auto out = center.Cli(
        {"submit", "--gpus", std::to_string(gpus), "--time", "2h", "--", "sleep", "600"});
    EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
    return std::stoll(Trim(out.out));
  }

  std::unique_ptr<TempDir> root_;
  std::unique_ptr<BrokerProcess> broker_;
};

TEST_F(FederationBrokerTest, CheapestGoesToTheCheapCenterEarliestToTheIdleOne) {
  auto cheap = StartCenter("cheap", "west", 2, 1.0);
  auto mid = StartCenter("mid", "central", 2, 2.0);
  auto idle = StartCenter("idle", "east", 2, 3.0);
  ASSERT_TRUE(cheap && mid && idle);
  Block(*cheap, 2);
  Block(*mid, 2);
  ASSERT_TRUE(PollUntil(
      [&] { return Allocated("cheap", 2) && Allocated("mid", 2) && CenterIs("idle", "UP"); },
      seconds(20)))
      << Centers().dump() << broker_->Log();

  // `center list` names every center UP with its pools.
  auto list = broker_->Cli({"center", "list"});
  ASSERT_EQ(list.exit.exit_code, 0) << list.Describe();
  for (const char* n : {"cheap", "mid", "idle"}) EXPECT_NE(list.out.find(n), std::string::npos);
  EXPECT_NE(list.out.find("nvidia-a100:2/2"), std::string::npos) << list.out;

  int64_t c = SubmitToBroker({"--gpus", "1", "--gpu-type", "nvidia-a100", "--time", "10m",
                              "--objective", "cheapest", "--", "true"});
  json cj = BrokerJob(c);
  EXPECT_EQ(cj.value("center", ""), "cheap") << cj.dump();
  EXPECT_EQ(cj["scores"].size(), 3u);
  EXPECT_EQ(cj.value("state", ""), "PENDING") << cj.dump();  // behind the blocker there
  ASSERT_TRUE(cj["center_job_id"].is_number());
  auto copies = BrokerCopies(*cheap);
  ASSERT_EQ(copies.count("broker:" + std::to_string(c)), 1u);
  EXPECT_EQ(copies["broker:" + std::to_string(c)]["id"], cj["center_job_id"]);

  int64_t e = SubmitToBroker({"--gpus", "1", "--gpu-type", "nvidia-a100", "--time", "10m", "--",
                              "echo", "hello-federation"});
  EXPECT_EQ(BrokerJob(e).value("center", ""), "idle") << BrokerJob(e).dump();
  // wait, show and logs through the broker reach the center.
  auto waited = broker_->Cli({"wait", std::to_string(e), "--timeout", "30"});
  EXPECT_EQ(waited.exit.exit_code, 0) << waited.Describe();
  auto logs = broker_->Cli({"logs", std::to_string(e)});
  EXPECT_NE(logs.out.find("hello-federation"), std::string::npos) << logs.Describe();
  auto shown = broker_->Cli({"show", std::to_string(e), "--json"});
  EXPECT_NE(shown.out.find("\"center\": \"idle\""), std::string::npos) << shown.Describe();

  // An operator's price beats the reported one: now idle is the cheapest.
  auto upd = broker_->Cli({"center", "update", "idle", "--price", "nvidia-a100=0.5", "--pue",
                           "1.15", "--carbon", "520"});
  ASSERT_EQ(upd.exit.exit_code, 0) << upd.Describe();
  int64_t c2 = SubmitToBroker({"--gpus", "1", "--gpu-type", "nvidia-a100", "--time", "10m",
                               "--objective", "cheapest", "--", "true"});
  EXPECT_EQ(BrokerJob(c2).value("center", ""), "idle");
  // Cancel through the broker.
  auto cancel = broker_->Cli({"cancel", std::to_string(c)});
  EXPECT_EQ(cancel.exit.exit_code, 0) << cancel.Describe();
  EXPECT_TRUE(PollUntil(
      [&] {
        return cheap->Admin().Get("jobs/" + cj["center_job_id"].dump()).json().value("state", "") ==
               "CANCELLED";
      },
      seconds(10)));

  // A job no center can ever hold is refused at submit, naming the largest node.
  auto big = broker_->Cli({"submit", "--gpus", "8", "--gpu-type", "nvidia-a100", "--", "true"});
  EXPECT_NE(big.exit.exit_code, 0);
  EXPECT_NE(big.err.find("largest"), std::string::npos) << big.Describe();
  // Nonsense reports get a 400 naming the field; a wrong token a 401.
  json bad{{"center", "x"},
           {"region", "r"},
           {"url", "http://127.0.0.1:1"},
           {"pools", {{{"type", "nvidia-a100"}, {"total", -2}}}}};
  auto r = HttpClient(broker_->url(), broker_->join()).Post("federation/report", bad);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("pools[0].total"), std::string::npos) << r.body;
  EXPECT_EQ(HttpClient(broker_->url(), "nope").Post("federation/report", bad).status, 401);
  auto unknown = broker_->Cli({"center", "update", "nowhere", "--pue", "1.2"});
  EXPECT_NE(unknown.exit.exit_code, 0);
  EXPECT_NE(unknown.err.find("nowhere"), std::string::npos) << unknown.Describe();
}

TEST_F(FederationBrokerTest, ACenterKilledWithQueuedJobsHasThemEndExactlyOnceElsewhere) {
  auto a = StartCenter("a", "west", 2, 1.0);
  auto b = StartCenter("b", "east", 2, 2.0);
  ASSERT_TRUE(a && b);
  Block(*a, 2);
  ASSERT_TRUE(PollUntil([&] { return Allocated("a", 2) && CenterIs("b", "UP"); }, seconds(20)));
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(SubmitToBroker({"--gpus", "1", "--gpu-type", "nvidia-a100", "--time", "10m",
                                  "--objective", "cheapest", "--", "sleep", "0.2"}));
    EXPECT_EQ(BrokerJob(ids.back()).value("center", ""), "a");
  }
  const auto args_a = std::vector<std::string>{};
  a->Crash();  // kill -9: the broker's lease on it runs out
  ASSERT_TRUE(PollUntil([&] { return CenterIs("a", "DOWN"); }, seconds(15))) << broker_->Log();
  for (int64_t id : ids) {
    ASSERT_TRUE(PollUntil(
        [&] {
          json j = BrokerJob(id);
          return j.value("center", "") == "b" && j.value("state", "") == "COMPLETED";
        },
        seconds(30)))
        << BrokerJob(id).dump() << broker_->Log();
  }
  // On b, each job exactly once, under its moved key.
  auto on_b = BrokerCopies(*b);
  EXPECT_EQ(on_b.size(), ids.size());
  for (int64_t id : ids) EXPECT_EQ(on_b.count("broker:" + std::to_string(id) + ":1"), 1u);

  // a comes back (same data dir): the broker cancels there the copies it moved away.
  a.reset();
  auto back = StartCenter("a", "west", 2, 1.0);
  ASSERT_TRUE(back);
  ASSERT_TRUE(PollUntil(
      [&] {
        auto copies = BrokerCopies(*back);
        if (copies.size() != ids.size()) return false;
        for (const auto& [k, j] : copies) {
          if (j.value("state", "") != "CANCELLED") return false;
        }
        return true;
      },
      seconds(20)))
      << back->Admin().Get("jobs?all=true").body << broker_->Log();
  for (int64_t id : ids) {
    json j = BrokerJob(id);
    ASSERT_EQ(j["moved_from"].size(), 1u) << j.dump();
    EXPECT_TRUE(PollUntil([&] { return BrokerJob(id)["moved_from"][0].value("cancelled", false); },
                          seconds(10)));
  }
}

// A job RUNNING on a center that stays DOWN past --requeue-after runs again elsewhere (as Slurm
// requeues on a node failure); one submitted with --no-requeue stays, shown LOST. When the center
// returns, the copy that was left running there is cancelled; the other one carries on.
TEST_F(FederationBrokerTest, AJobRunningOnACenterDownPastTheRequeueDelayRunsAgainElsewhere) {
  const std::string port = broker_->Port();
  broker_->Crash();
  broker_ = BrokerProcess::Start(root_->path() + "/broker", "127.0.0.1:" + port, "3s",
                                 {"--requeue-after", "1s"});
  ASSERT_TRUE(broker_);
  auto a = StartCenter("a", "west", 2, 1.0);
  auto b = StartCenter("b", "east", 2, 2.0);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(PollUntil([&] { return CenterIs("a", "UP") && CenterIs("b", "UP"); }, seconds(20)));
  const int64_t moves = SubmitToBroker({"--gpus", "1", "--gpu-type", "nvidia-a100", "--time", "10m",
                                        "--objective", "cheapest", "--", "sleep", "20"});
  const int64_t stays =
      SubmitToBroker({"--gpus", "1", "--gpu-type", "nvidia-a100", "--time", "10m", "--objective",
                      "cheapest", "--no-requeue", "--", "sleep", "20"});
  for (int64_t id : {moves, stays}) {
    EXPECT_EQ(BrokerJob(id).value("center", ""), "a") << BrokerJob(id).dump();
    ASSERT_TRUE(
        PollUntil([&] { return BrokerJob(id).value("state", "") == "RUNNING"; }, seconds(20)))
        << BrokerJob(id).dump();
  }
  // The broker knows them RUNNING once a report said so.
  for (int64_t id : {moves, stays}) {
    ASSERT_TRUE(
        PollUntil([&] { return BrokerJob(id).value("reported_state", json()) == json("RUNNING"); },
                  seconds(10)))
        << BrokerJob(id).dump();
  }
  a->Crash();  // its tasks' processes live on, as on a center cut off from the network
  ASSERT_TRUE(PollUntil(
      [&] {
        json j = BrokerJob(moves);
        return j.value("center", "") == "b" && j.value("state", "") == "RUNNING";
      },
      seconds(20)))
      << BrokerJob(moves).dump() << broker_->Log();
  EXPECT_NE(BrokerJob(moves).value("routing_reason", "").find("requeued from a"), std::string::npos)
      << BrokerJob(moves).dump();
  json kept = BrokerJob(stays);
  EXPECT_EQ(kept.value("center", ""), "a") << kept.dump();
  EXPECT_EQ(kept.value("state", ""), "LOST") << kept.dump();

  a.reset();
  auto back = StartCenter("a", "west", 2, 1.0);
  ASSERT_TRUE(back);
  const std::string left = "broker:" + std::to_string(moves);
  ASSERT_TRUE(PollUntil(
      [&] {
        auto copies = BrokerCopies(*back);
        return copies.count(left) && copies[left].value("state", "") == "CANCELLED";
      },
      seconds(20)))
      << back->Admin().Get("jobs?all=true").body << broker_->Log();
  auto copies = BrokerCopies(*back);
  const std::string other = "broker:" + std::to_string(stays);
  ASSERT_EQ(copies.count(other), 1u);
  EXPECT_NE(copies[other].value("state", ""), "CANCELLED") << "--no-requeue: left to run";
  EXPECT_EQ(BrokerCopies(*b).count("broker:" + std::to_string(stays) + ":1"), 0u);
}

TEST_F(FederationBrokerTest, TheBrokerKilledDuringSubmissionsLosesAndDuplicatesNothing) {
  auto a = StartCenter("a", "west", 4, 1.0);
  auto b = StartCenter("b", "east", 4, 1.0);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(PollUntil([&] { return CenterIs("a", "UP") && CenterIs("b", "UP"); }, seconds(20)));
  const std::string port = broker_->Port();
  const int kJobs = 60;
  std::map<int, int64_t> accepted;  // submission -> broker job id
  std::atomic<bool> crashed{false};
  std::atomic<int> answered{0};
  // Killed mid-stream, while a submission is in flight: after 10 answers, whatever the speed.
  std::thread killer([&] {
    while (answered < 10) std::this_thread::sleep_for(milliseconds(1));
    broker_->Crash();
    crashed = true;
  });
  auto submit = [&](int i, const std::string& url, const std::string& token) {
    json body{{"command", {"true"}},
              {"gpus", 1},
              {"gpu_type", "nvidia-a100"},
              {"time_limit_s", 600},
              {"hold", true},  // stay PENDING: the copies are counted, not run
              {"idempotency_key", "stream-" + std::to_string(i)}};
    auto r = HttpClient(url, token).Post("jobs", body);
    if (r.status == 201 || r.status == 202) accepted[i] = r.json().value("id", int64_t{0});
    ++answered;
    return r.status;
  };
  const std::string url = broker_->url(), admin = broker_->admin();
  int i = 0;
  for (; i < kJobs && !crashed; ++i) submit(i, url, admin);
  killer.join();
  const size_t before = accepted.size();
  ASSERT_GT(before, 0u) << "no submission was accepted before the crash";
  ASSERT_LT(before, static_cast<size_t>(kJobs)) << "the crash came after the stream";
  broker_ = BrokerProcess::Start(root_->path() + "/broker", "127.0.0.1:" + port);
  ASSERT_TRUE(broker_) << "the broker did not restart on port " << port;
  // The client retries what got no answer, and sends the rest; the keys make retries safe.
  for (int k = 0; k < kJobs; ++k) {
    // 503 until the centers' first reports reach the restarted broker.
    if (!accepted.count(k)) {
      EXPECT_TRUE(PollUntil([&] { return submit(k, broker_->url(), broker_->admin()) / 100 == 2; },
                            seconds(10), milliseconds(100)))
          << "submission " << k << broker_->Log();
    }
  }
  ASSERT_EQ(accepted.size(), static_cast<size_t>(kJobs));
  std::set<int64_t> ids;
  for (const auto& [k, id] : accepted) ids.insert(id);
  EXPECT_EQ(ids.size(), accepted.size()) << "two submissions share a broker id";
  // Every accepted job is forwarded, into exactly one center.
  ASSERT_TRUE(PollUntil(
      [&] {
        size_t n = BrokerCopies(*a).size() + BrokerCopies(*b).size();
        return n >= ids.size();
      },
      seconds(30)));
  std::map<int64_t, int> copies;
  for (UpProcess* c : {a.get(), b.get()}) {
    for (const auto& [key, j] : BrokerCopies(*c)) {
      std::string rest = key.substr(7);
      ++copies[std::stoll(rest.substr(0, rest.find(':')))];
    }
  }
  EXPECT_EQ(copies.size(), ids.size());
  for (int64_t id : ids) EXPECT_EQ(copies[id], 1) << "broker job " << id;
  for (int64_t id : ids) {
    EXPECT_EQ(BrokerJob(id).value("broker_state", ""), "FORWARDED") << BrokerJob(id).dump();
  }
}

}  // namespace
}  // namespace suanli::it
