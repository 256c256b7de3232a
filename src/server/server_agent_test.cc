// The agent protocol end to end over real HTTP, with a fake agent the test drives: launches,
// lifecycle, gangs, logs, usage, admission, cancellation, node loss and re-attachment.
#include <gtest/gtest.h>

#include "core/policy.h"
#include "server/controller.h"
#include "server/test_harness.h"
#include "store/store.h"

namespace suanli::server::testing {
namespace {

json GpuJob(int gpus, int tasks = 1, const std::string& type = "nvidia-a100") {
  return json{{"name", "train"}, {"command", {"python", "train.py"}},
              {"cpus", 2},       {"mem_mb", 2048},
              {"gpus", gpus},    {"gpu_type", type},
              {"tasks", tasks},  {"grace_s", 1}};
}

auto StateIs(const std::string& s) {
  return [s](const json& j) { return j["state"] == s; };
}

TEST(ServerAgentTest, RejectsAgentsWithoutJoinToken) {
  TestServer s;
  Client admin = s.Admin();  // a user token is not a join token
  EXPECT_EQ(admin.Post("/api/v1/agents/register", json{{"name", "n1"}}).status, 401);
  FakeAgent agent(s, "n1", 1);
  EXPECT_EQ(agent.Poll().status, 404);  // polls before registering are refused
  Response bad = agent.client().Post("/api/v1/agents/register", json{{"name", "bad name!"}});
  EXPECT_EQ(bad.status, 400);
  Response r = agent.Register();
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["node"], "n1");
  EXPECT_GT(r.body["heartbeat_ms"].get<int>(), 0);
  // Agents fence themselves before the node timeout makes the controller requeue their jobs.
  EXPECT_EQ(r.body["node_timeout_ms"].get<int64_t>(), 10000);
  EXPECT_EQ(r.body["fence_ms"].get<int64_t>(), 8000);
  EXPECT_EQ(agent.Poll({json{{"job_id", 1}}}).status, 400);  // event without attempt
}

TEST(ServerAgentTest, JobRunsToCompletionWithLogsAndUsage) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "node-a", 2);
  ASSERT_EQ(agent.Register().status, 200);
  Response nodes = admin.Get("/api/v1/nodes");
  ASSERT_EQ(nodes.body["nodes"].size(), 1u);
  EXPECT_EQ(nodes.body["nodes"][0]["state"], "UP");
  EXPECT_EQ(nodes.body["nodes"][0]["devices"].size(), 2u);

  Response sub = admin.Post("/api/v1/jobs", GpuJob(1));
  ASSERT_EQ(sub.status, 201) << sub.text;
  int64_t id = sub.body["id"];
  json launch = agent.PollFor("launch");
  ASSERT_EQ(launch.size(), 1u);
  EXPECT_EQ(launch[0]["job_id"], id);
  EXPECT_EQ(launch[0]["attempt"], 1);
  EXPECT_EQ(launch[0]["task"], 0);
  EXPECT_EQ(launch[0]["tasks"], 1);
  EXPECT_EQ(launch[0]["devices"].size(), 1u);
  EXPECT_EQ(launch[0]["gpu_type"], "nvidia-a100");
  EXPECT_EQ(launch[0]["command"], json({"python", "train.py"}));
  EXPECT_EQ(launch[0]["master_port"], 29500 + id % 1000);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "STARTING");

  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "started")}).status, 200);
  json running = admin.Get("/api/v1/jobs/" + std::to_string(id)).body;
  EXPECT_EQ(running["state"], "RUNNING");
  EXPECT_EQ(running["nodes"], json({"node-a"}));

  // Logs: two chunks, a retried chunk, a gap, then reads with offsets.
  auto upload = [&](int64_t offset, const std::string& b64) {
    return agent.client().Post("/api/v1/agents/node-a/logs", json{{"job_id", id},
                                                                  {"attempt", 1},
                                                                  {"task", 0},
                                                                  {"stream", "stdout"},
                                                                  {"offset", offset},
                                                                  {"data", b64}});
  };
  EXPECT_EQ(upload(0, "aGVsbG8g").status, 204);  // "hello "
  EXPECT_EQ(upload(6, "d29ybGQK").status, 204);  // "world\n"
  EXPECT_EQ(upload(6, "d29ybGQK").status, 204);  // retry: not duplicated
  EXPECT_EQ(upload(100, "eA==").status, 409);    // a gap
  EXPECT_EQ(upload(12, "!!!").status, 400);      // not base64
  Response logs = admin.Get("/api/v1/jobs/" + std::to_string(id) + "/logs?task=0&stream=stdout");
  ASSERT_EQ(logs.status, 200);
  EXPECT_EQ(logs.text, "hello world\n");
  EXPECT_EQ(logs.headers.find("X-Suanli-Next-Offset")->second, "12");
  EXPECT_EQ(logs.headers.find("X-Suanli-Job-State")->second, "RUNNING");
  Response tail = admin.Get("/api/v1/jobs/" + std::to_string(id) + "/logs?offset=6");
  EXPECT_EQ(tail.text, "world\n");
  Response none = admin.Get("/api/v1/jobs/" + std::to_string(id) + "/logs?stream=stderr");
  EXPECT_EQ(none.text, "");
  EXPECT_EQ(none.headers.find("X-Suanli-Next-Offset")->second, "0");
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id) + "/logs?task=5").status, 404);

  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "exited", 0)}).status, 200);
  json done = admin.Get("/api/v1/jobs/" + std::to_string(id)).body;
  EXPECT_EQ(done["state"], "COMPLETED");
  EXPECT_EQ(done["exit_code"], 0);
  EXPECT_GT(done["cost"].get<double>(), 0);
  std::vector<std::string> states;
  for (const auto& h : done["history"]) states.push_back(h["state"]);
  EXPECT_EQ(states, (std::vector<std::string>{"PENDING", "STARTING", "RUNNING", "COMPLETED"}));

  Response usage = admin.Get("/api/v1/usage?by=type");
  ASSERT_EQ(usage.status, 200) << usage.text;
  ASSERT_EQ(usage.body["rows"].size(), 1u);
  EXPECT_EQ(usage.body["rows"][0]["key"], "nvidia-a100");
  EXPECT_EQ(usage.body["rows"][0]["jobs"], 1);
  double accel_s = usage.body["rows"][0]["accel_s"]["nvidia-a100"];
  double cpu_s = usage.body["rows"][0]["cpu_s"];
  EXPECT_GT(accel_s, 0);
  EXPECT_NEAR(cpu_s, 2 * accel_s, 1e-9);  // 2 cpus and 1 device for the same time
  Response csv = admin.Get("/api/v1/usage?by=tenant&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.text.rfind("tenant,jobs,cpu_s,mem_mb_s,accel_hours,nvidia-a100_s,cost\nroot,1,", 0),
            0u)
      << csv.text;
  EXPECT_EQ(admin.Get("/api/v1/usage?by=colour").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/usage?since=yesterday").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/usage?since=2099-01-01").body["rows"].size(), 0u);

  // A late report about the finished attempt changes nothing.
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "exited", 3)}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "COMPLETED");
  Response overview = admin.Get("/api/v1/stats/overview");
  ASSERT_EQ(overview.status, 200);
  EXPECT_EQ(overview.body["accelerators"][0]["total"], 2);
  EXPECT_EQ(overview.body["accelerators"][0]["allocated"], 0);
  Response util = admin.Get("/api/v1/stats/utilization");
  ASSERT_EQ(util.status, 200);
  EXPECT_GE(util.body["samples"].size(), 1u);
}

TEST(ServerAgentTest, AdmissionRejectsWhatNoNodeCouldHold) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "node-a", 8);
  ASSERT_EQ(agent.Register().status, 200);
  Response r = admin.Post("/api/v1/jobs", GpuJob(16));
  ASSERT_EQ(r.status, 400) << r.text;
  std::string msg = r.body["error"]["message"];
  EXPECT_NE(msg.find("16"), std::string::npos) << msg;
  EXPECT_NE(msg.find("8"), std::string::npos) << msg;
  Response other_type = admin.Post("/api/v1/jobs", GpuJob(1, 1, "ascend-910b"));
  EXPECT_EQ(other_type.status, 400) << other_type.text;
  EXPECT_EQ(admin.Post("/api/v1/jobs", GpuJob(8)).status, 201);
  EXPECT_EQ(admin.Get("/api/v1/jobs?all=true").body["jobs"].size(), 1u);
}

TEST(ServerAgentTest, GangLaunchesWithRanksAndFailsTogether) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent a(s, "node-a", 1), b(s, "node-b", 1);
  ASSERT_EQ(a.Register().status, 200);
  ASSERT_EQ(b.Register().status, 200);
  Response sub = admin.Post("/api/v1/jobs", GpuJob(1, 2));
  ASSERT_EQ(sub.status, 201) << sub.text;
  int64_t id = sub.body["id"];
  json la = a.PollFor("launch");
  json lb = b.PollFor("launch");
  ASSERT_EQ(la.size(), 1u);
  ASSERT_EQ(lb.size(), 1u);
  std::set<int> ranks = {la[0]["task"].get<int>(), lb[0]["task"].get<int>()};
  EXPECT_EQ(ranks, (std::set<int>{0, 1}));
  EXPECT_EQ(la[0]["tasks"], 2);
  EXPECT_EQ(la[0]["master_addr"], "127.0.0.1");
  EXPECT_EQ(la[0]["master_port"], lb[0]["master_port"]);
  EXPECT_EQ(la[0]["peers"].size(), 2u);
  FakeAgent& task1_agent = la[0]["task"] == 1 ? a : b;
  FakeAgent& task0_agent = la[0]["task"] == 1 ? b : a;
  ASSERT_EQ(task0_agent.Poll({FakeAgent::Event(id, 1, 0, "started")}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "STARTING");
  ASSERT_EQ(task1_agent.Poll({FakeAgent::Event(id, 1, 1, "started")}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "RUNNING");
  ASSERT_EQ(task1_agent.Poll({FakeAgent::Event(id, 1, 1, "exited", 7)}).status, 200);
  json job = admin.Get("/api/v1/jobs/" + std::to_string(id)).body;
  EXPECT_EQ(job["state"], "FAILED");
  EXPECT_EQ(job["failed_task"], 1);
  EXPECT_EQ(job["exit_code"], 7);
  json kill = task0_agent.PollFor("kill", 5);
  ASSERT_EQ(kill.size(), 1u);
  EXPECT_EQ(kill[0]["job_id"], id);
  EXPECT_EQ(kill[0]["reason"], "GANG_FAILED");
}

TEST(ServerAgentTest, OutOfMemoryAndCancelKillTheTask) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "node-a", 2);
  ASSERT_EQ(agent.Register().status, 200);
  int64_t oom = admin.Post("/api/v1/jobs", GpuJob(1)).body["id"];
  int64_t other = admin.Post("/api/v1/jobs", GpuJob(1)).body["id"];
  json launches = json::array();
  for (int i = 0; i < 50 && launches.size() < 2; ++i) {
    for (const auto& l : agent.PollFor("launch", 1)) launches.push_back(l);
  }
  ASSERT_EQ(launches.size(), 2u);
  ASSERT_EQ(
      agent.Poll({FakeAgent::Event(oom, 1, 0, "started"), FakeAgent::Event(other, 1, 0, "started")})
          .status,
      200);
  ASSERT_EQ(agent.Poll({FakeAgent::Event(oom, 1, 0, "exited", 137, "OUT_OF_MEMORY")}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(oom)).body["state"], "OUT_OF_MEMORY");

  Response c = admin.Post("/api/v1/jobs/" + std::to_string(other) + "/cancel", json::object());
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.body["state"], "CANCELLED");
  json kill = agent.PollFor("kill", 5);
  ASSERT_EQ(kill.size(), 1u);
  EXPECT_EQ(kill[0]["reason"], "CANCELLED");
  EXPECT_EQ(kill[0]["grace_s"], 1);
  // The cancelled task still holds its device until it exits.
  EXPECT_EQ(admin.Get("/api/v1/stats/overview").body["accelerators"][0]["allocated"], 1);
  ASSERT_EQ(agent.Poll({FakeAgent::Event(other, 1, 0, "exited", 143)}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/stats/overview").body["accelerators"][0]["allocated"], 0);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(other)).body["state"], "CANCELLED");
}

TEST(ServerAgentTest, SilentNodeLosesItsJobsWhichRequeueWithANewAttempt) {
  // 1.5 s of silence makes the node DOWN: long enough that a loaded machine does not time it out
  // between the launch and the start report (seen once at 400 ms with a load average of 7).
  TestServer s("", /*node_timeout_ms=*/1500);
  Client admin = s.Admin();
  FakeAgent agent(s, "node-a", 1);
  ASSERT_EQ(agent.Register().status, 200);
  int64_t id = admin.Post("/api/v1/jobs", GpuJob(1)).body["id"];
  ASSERT_EQ(agent.PollFor("launch").size(), 1u);
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "started")}).status, 200);
  // The agent goes silent: the node is DOWN, the job LOST and requeued.
  json job = WaitForJob(admin, id, StateIs("PENDING"), 10000);
  std::vector<std::string> states;
  for (const auto& h : job["history"]) states.push_back(h["state"]);
  EXPECT_EQ(states,
            (std::vector<std::string>{"PENDING", "STARTING", "RUNNING", "LOST", "PENDING"}));
  EXPECT_EQ(admin.Get("/api/v1/nodes").body["nodes"][0]["state"], "DOWN");
  // The agent comes back still running attempt 1: stale, so it is told to kill it. Its GPU stays
  // held until that task exits (no double booking); then the job starts again as attempt 2.
  json running = json::array({json{{"job_id", id}, {"attempt", 1}, {"task", 0}}});
  Response reg = agent.Register(running);
  ASSERT_EQ(reg.status, 200);
  json kill = json::array(), launch = json::array();
  for (int i = 0; i < 5; ++i) {
    Response r = agent.Poll({}, running, 100);
    for (const auto& k : r.body["kill"]) kill.push_back(k);
    for (const auto& l : r.body["launch"]) launch.push_back(l);
  }
  ASSERT_EQ(kill.size(), 1u);
  EXPECT_EQ(kill[0]["attempt"], 1);
  EXPECT_EQ(kill[0]["reason"], "STALE");
  EXPECT_TRUE(launch.empty()) << launch.dump();
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "PENDING");
  // The stale task's exit frees the GPU; its report changes nothing else.
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "exited", 1)}).status, 200);
  for (int i = 0; i < 50 && launch.empty(); ++i) {
    Response r = agent.Poll({}, json::array(), 100);
    for (const auto& l : r.body["launch"]) launch.push_back(l);
  }
  ASSERT_EQ(launch.size(), 1u);
  EXPECT_EQ(launch[0]["attempt"], 2);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "STARTING");
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 2, 0, "started")}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["attempt"], 2);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "RUNNING");
}

TEST(ServerAgentTest, RunningJobReattachesAfterControllerRestart) {
  std::string dir = TempDir("reattach");
  int64_t id = 0;
  {
    TestServer s(dir);
    FakeAgent agent(s, "node-a", 1);
    ASSERT_EQ(agent.Register().status, 200);
    id = s.Admin().Post("/api/v1/jobs", GpuJob(1)).body["id"];
    ASSERT_EQ(agent.PollFor("launch").size(), 1u);
    ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "started")}).status, 200);
  }
  TestServer s(dir);
  Client admin = s.Admin();
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "RUNNING");
  FakeAgent agent(s, "node-a", 1);
  json running = json::array({json{{"job_id", id}, {"attempt", 1}, {"task", 0}}});
  ASSERT_EQ(agent.Register(running).status, 200);
  Response r = agent.Poll({}, running, 0);
  EXPECT_TRUE(r.body["kill"].empty()) << r.text;
  EXPECT_TRUE(r.body["launch"].empty()) << r.text;
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "exited", 0)}).status, 200);
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id)).body["state"], "COMPLETED");
  // An unknown task reported by an agent is killed.
  Response unknown =
      agent.Poll(json::array(), json::array({json{{"job_id", 4242}, {"attempt", 1}, {"task", 0}}}));
  ASSERT_EQ(unknown.body["kill"].size(), 1u);
  EXPECT_EQ(unknown.body["kill"][0]["job_id"], 4242);
}

TEST(ServerAgentTest, LongPollReturnsAsSoonAsWorkArrives) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "node-a", 1);
  ASSERT_EQ(agent.Register().status, 200);
  ASSERT_EQ(agent.Poll().status, 200);
  std::thread submitter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Client c = s.Admin();
    EXPECT_EQ(c.Post("/api/v1/jobs", GpuJob(1)).status, 201);
  });
  auto t0 = std::chrono::steady_clock::now();
  Response r = agent.Poll({}, json::array(), 10000);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  submitter.join();
  EXPECT_EQ(r.body["launch"].size(), 1u);
  EXPECT_LT(waited, 5.0);  // woke on the launch, long before wait_ms
}

}  // namespace
}  // namespace suanli::server::testing

namespace suanli::server::testing {
namespace {

// A poll reply carrying a launch is lost: the controller hands the launch out again once about two
// heartbeats pass without the task starting; and a job that never starts ends LOST and is
// requeued after the STARTING deadline, freeing its devices.
TEST(ServerAgentTest, LostLaunchIsResentAndStuckStartIsLost) {
  TestServer s("", 1000);  // heartbeat 200 ms
  s.Stop();
  s.mutable_options().starting_timeout_ms = 2500;
  s.Start();
  Client admin = s.Admin();
  FakeAgent agent(s, "node-lost", 1);
  ASSERT_EQ(agent.Register().status, 200);
  Response sub = admin.Post("/api/v1/jobs", json{{"command", {"x"}}, {"gpus", 1}, {"cpus", 1}});
  ASSERT_EQ(sub.status, 201) << sub.text;
  int64_t id = sub.body["id"];
  json first = agent.PollFor("launch");
  ASSERT_EQ(first.size(), 1u);  // ... and the test drops this reply

  // Within a heartbeat the launch is not repeated; after ~2 heartbeats it is.
  Response soon = agent.Poll();
  ASSERT_EQ(soon.status, 200);
  EXPECT_TRUE(soon.body["launch"].empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Response again = agent.Poll();
  ASSERT_EQ(again.status, 200);
  ASSERT_EQ(again.body["launch"].size(), 1u) << again.text;
  EXPECT_EQ(again.body["launch"][0]["job_id"], id);
  EXPECT_EQ(again.body["launch"][0]["attempt"], 1);
  EXPECT_EQ(again.body["launch"][0]["task"], 0);

  // A task reported running counts as delivered: no further resend.
  json running = json::array({json{{"job_id", id}, {"attempt", 1}, {"task", 0}}});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(agent.Poll({}, running).body["launch"].empty());

  // Never started: after the STARTING deadline the attempt is LOST and the job requeued (and,
  // with the device free again, placed as attempt 2).
  auto lost_in_history = [](const json& j) {
    for (const auto& h : j["history"]) {
      if (h["state"] == "LOST") return true;
    }
    return false;
  };
  json j = WaitForJob(admin, id, lost_in_history, 8000);
  EXPECT_TRUE(lost_in_history(j)) << j.dump();
}

// The data dir (tokens, database, logs) and job logs are private to the server's user.
TEST(ServerAgentTest, DataDirAndLogsArePrivate) {
  std::string dir = TempDir("private");
  fs::permissions(dir, fs::perms::all);  // start world-accessible
  TestServer s(dir);
  EXPECT_EQ(fs::status(dir).permissions() & fs::perms::all, fs::perms::owner_all);
  Client admin = s.Admin();
  FakeAgent agent(s, "node-priv", 1);
  ASSERT_EQ(agent.Register().status, 200);
  Response sub = admin.Post("/api/v1/jobs", json{{"command", {"x"}}, {"gpus", 1}, {"cpus", 1}});
  ASSERT_EQ(sub.status, 201);
  int64_t id = sub.body["id"];
  ASSERT_EQ(agent.PollFor("launch").size(), 1u);
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "started")}).status, 200);
  Response up = agent.client().Post("/api/v1/agents/node-priv/logs", json{{"job_id", id},
                                                                          {"attempt", 1},
                                                                          {"task", 0},
                                                                          {"stream", "stdout"},
                                                                          {"offset", 0},
                                                                          {"data", "aGk="}});
  ASSERT_EQ(up.status, 204) << up.text;
  fs::path log = fs::path(dir) / "logs" / std::to_string(id) / "0.stdout";
  ASSERT_TRUE(fs::exists(log));
  EXPECT_EQ(fs::status(log).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

// Late output from an attempt whose job was requeued (PENDING again, same attempt number until the
// next launch) is dropped: it must not end up at the head of the next attempt's log.
TEST(ServerAgentTest, LogUploadsOfARequeuedAttemptAreDropped) {
  TestServer s("", /*node_timeout_ms=*/400);
  Client admin = s.Admin();
  FakeAgent agent(s, "node-late", 1);
  ASSERT_EQ(agent.Register().status, 200);
  int64_t id = admin.Post("/api/v1/jobs", GpuJob(1)).body["id"];
  ASSERT_EQ(agent.PollFor("launch").size(), 1u);
  ASSERT_EQ(agent.Poll({FakeAgent::Event(id, 1, 0, "started")}).status, 200);
  WaitForJob(admin, id, StateIs("PENDING"), 5000);  // the node went silent: LOST, requeued
  Response up = agent.client().Post("/api/v1/agents/node-late/logs", json{{"job_id", id},
                                                                          {"attempt", 1},
                                                                          {"task", 0},
                                                                          {"stream", "stdout"},
                                                                          {"offset", 0},
                                                                          {"data", "aGk="}});
  EXPECT_EQ(up.status, 204) << up.text;
  bool ignored = false;
  for (const auto& [k, v] : up.headers) ignored |= k == "X-Suanli-Ignored";
  EXPECT_TRUE(ignored);
  EXPECT_FALSE(
      fs::exists(fs::path(s.options().data_dir) / "logs" / std::to_string(id) / "0.stdout"));
}

// ---- The core's view of run time and service, on a controller driven by a fake clock ----

// Records every ClusterState it is handed; places pending jobs with `place_shape` (all devices
// from 0 on node 0) and preempts running jobs once when `preempt` is set.
class ScriptedPolicy : public core::Policy {
 public:
  std::string_view name() const override { return "scripted"; }
  core::CycleResult Schedule(const core::ClusterState& state, core::Time now) override {
    seen.push_back(state);
    seen_at.push_back(now);
    core::CycleResult r;
    for (const auto& j : state.jobs) {
      if (j.phase == core::JobPhase::kRunning && preempt) {
        r.preemptions.push_back({j.id, "scripted preemption", 0});
      }
      if (j.phase == core::JobPhase::kPending && place_shape >= 0) {
        const core::Shape& shape = j.shapes.at(place_shape);
        core::Placement p;
        p.job = j.id;
        p.shape_index = place_shape;
        core::TaskAllocation a;
        a.node = 0;
        a.res = shape.per_task;
        a.type = shape.accel_types.empty() ? core::kNoAccel : shape.accel_types[0];
        for (int32_t d = 0; d < shape.per_task.accel_milli / core::kMilliPerDevice; ++d) {
          a.devices.push_back(d);
        }
        p.tasks.push_back(a);
        r.placements.push_back(p);
      }
    }
    preempt = false;
    place_shape = -1;
    return r;
  }
  const core::Job& LastJob() const { return seen.back().jobs.at(0); }

  int32_t place_shape = -1;
  bool preempt = false;
  std::vector<core::ClusterState> seen;
  std::vector<core::Time> seen_at;
};

TEST(ControllerRunTimeTest, CoreSeesServiceAndRunTimeOfEveryRunIncludingTheCurrentOne) {
  std::string dir = TempDir("runtime");
  auto opened = store::OpenSqliteStore((fs::path(dir) / "suanli.db").string(), false);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<store::Store> db = std::move(opened).value();
  FakeClock clock(1'000'000);
  auto owned = std::make_unique<ScriptedPolicy>();
  ScriptedPolicy* policy = owned.get();
  ControllerOptions opts;
  opts.data_dir = dir;
  opts.node_timeout_ms = 3'600'000;  // the fake agent polls only when the test says
  Controller c(opts, db.get(), &clock, std::move(owned), nullptr, nullptr);
  ASSERT_TRUE(c.Load().ok());
  auto commit = [&] { ASSERT_TRUE(db->Commit(c.TakeBatch()).ok()); };

  RegisterRequest reg;
  reg.node.name = "n1";
  reg.node.cpus = 16;
  reg.node.mem_mb = 64000;
  for (int32_t i = 0; i < 2; ++i) reg.node.devices.push_back({i, "nvidia-a100", "", 81920, 0});
  ASSERT_EQ(c.RegisterAgent(reg).status, 200);
  SubmitRequest sub;
  sub.spec.name = "flex";
  sub.spec.command = {"python", "train.py"};
  sub.spec.main.gpus = 2;
  sub.spec.main.gpu_type = "nvidia-a100";
  sub.spec.shapes.push_back(store::ShapeSpec{1, 1, 1024, 1, "nvidia-a100", 0.5});
  sub.spec.checkpointable = true;
  ApiReply submitted = c.SubmitJob(Principal{"admin", "root", Role::kAdmin}, sub);
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  const JobId id = json::parse(submitted.body)["id"].get<JobId>();
  commit();

  auto started = [&](int32_t attempt) {
    PollRequest poll;
    poll.wait_ms = 0;
    poll.events.push_back(AgentEvent{TaskRef{id, attempt, 0}, "started", {}, {}, ""});
    poll.running.push_back(TaskRef{id, attempt, 0});
    ASSERT_EQ(c.PollAgent("n1", poll).status, 200);
  };

  // Run 1 at the full width (2 devices).
  policy->place_shape = 0;
  clock.Advance(1000);
  c.Tick();
  ASSERT_EQ(policy->seen.size(), 1u);
  EXPECT_EQ(policy->LastJob().phase, core::JobPhase::kPending);
  EXPECT_EQ(policy->LastJob().ran_ms, 0);
  started(1);
  commit();

  // 5 s into run 1 the core sees what the run has received so far.
  clock.Advance(5000);
  c.Tick();
  ASSERT_EQ(policy->seen.size(), 2u);
  EXPECT_EQ(policy->LastJob().phase, core::JobPhase::kRunning);
  EXPECT_DOUBLE_EQ(policy->LastJob().attained_service_ms, 2 * 5000.0);
  EXPECT_EQ(policy->LastJob().ran_ms, 5000);

  // Preempted 6 s into run 1 and requeued: the record keeps run 1 whole.
  policy->preempt = true;
  clock.Advance(1000);
  c.Tick();
  ASSERT_EQ(policy->seen.size(), 3u);
  EXPECT_EQ(policy->LastJob().ran_ms, 6000);
  commit();
  {
    auto rec = db->GetJob(id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ((*rec)->state, JobState::kPending);
    EXPECT_DOUBLE_EQ((*rec)->attained_service_ms, 2 * 6000.0);
    EXPECT_EQ((*rec)->ran_ms, 6000);
  }

  // Pending, it is seen with run 1 only; then run 2 at half the width (1 device).
  policy->place_shape = 1;
  clock.Advance(1000);
  c.Tick();
  ASSERT_EQ(policy->seen.size(), 4u);
  EXPECT_EQ(policy->LastJob().phase, core::JobPhase::kPending);
  EXPECT_DOUBLE_EQ(policy->LastJob().attained_service_ms, 2 * 6000.0);
  EXPECT_EQ(policy->LastJob().ran_ms, 6000);
  started(2);
  commit();

  // 3 s into run 2: both runs. (Estimated from service / width it would be 15 s, not 9 s.)
  clock.Advance(3000);
  c.Tick();
  ASSERT_EQ(policy->seen.size(), 5u);
  EXPECT_EQ(policy->LastJob().phase, core::JobPhase::kRunning);
  EXPECT_EQ(policy->LastJob().shape_index, 1);
  EXPECT_DOUBLE_EQ(policy->LastJob().attained_service_ms, 2 * 6000.0 + 3000.0);
  EXPECT_EQ(policy->LastJob().ran_ms, 6000 + 3000);

  // It completes 4 s into run 2: persisted with both runs.
  clock.Advance(1000);
  PollRequest done;
  done.wait_ms = 0;
  done.events.push_back(AgentEvent{TaskRef{id, 2, 0}, "exited", 0, {}, ""});
  ASSERT_EQ(c.PollAgent("n1", done).status, 200);
  commit();
  auto rec = db->GetJob(id);
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->state, JobState::kCompleted);
  EXPECT_DOUBLE_EQ((*rec)->attained_service_ms, 2 * 6000.0 + 4000.0);
  EXPECT_EQ((*rec)->ran_ms, 6000 + 4000);
}

}  // namespace
}  // namespace suanli::server::testing
