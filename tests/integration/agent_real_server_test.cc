// The agent with the real controller: `suanli server` and several `suanli agent` processes on
// loopback, jobs submitted through the REST API. Memory limits (OUT_OF_MEMORY next to a job that
// completes), a 4-task gang with a working rendezvous, gang teardown when one task fails, cancel
// with a checkpoint in the grace period, and an agent killed with -9: its job is LOST, requeued,
// and never runs twice.
#include <gtest/gtest.h>

#include "agent_fake_controller.h"

namespace suanli::agent_test {
namespace {

class RealCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{SuanliBinary(), "server", "--data-dir", dir_ + "/data", "--listen",
                                 "127.0.0.1:0", "--node-timeout", "3s"},
        dir_ + "/server.log");
    for (int i = 0; i < 200 && ReadText(dir_ + "/data/url").empty(); ++i)
      std::this_thread::sleep_for(50ms);
    url_ = Trim(ReadText(dir_ + "/data/url"));
    ASSERT_FALSE(url_.empty()) << ReadText(dir_ + "/server.log");
    join_ = Trim(ReadText(dir_ + "/data/join.token"));
    admin_ = Trim(ReadText(dir_ + "/data/admin.token"));
    ASSERT_FALSE(join_.empty());
    ASSERT_FALSE(admin_.empty());
    std::string hostport = url_.substr(url_.find("://") + 3);
    client_ = std::make_unique<httplib::Client>("http://" + hostport.substr(0, hostport.find('/')));
    client_->set_default_headers({{"Authorization", "Bearer " + admin_}});
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    for (auto& [name, agent] : agents_) {
      agent.reset();
      KillLeftoverTasks(name);
    }
    server_.reset();
  }
  static std::string Trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  void StartAgent(const std::string& name, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {
        SuanliBinary(), "agent",  "--url", url_,         "--join-token",
        join_,          "--name", name,    "--work-dir", dir_ + "/" + name};
    argv.insert(argv.end(), extra.begin(), extra.end());
    agents_[name] = std::make_unique<ChildProcess>(argv, dir_ + "/" + name + ".log");
  }
  bool WaitNodesUp(size_t n) {
    for (int i = 0; i < 200; ++i) {
      auto r = client_->Get("/api/v1/nodes");
      if (i == 199)
        ADD_FAILURE() << "GET /nodes: "
                      << (r ? std::to_string(r->status) + " " + r->body
                            : httplib::to_string(r.error()));
      if (r && r->status == 200) {
        size_t up = 0;
        json body = json::parse(r->body);
        for (const auto& node : body["nodes"]) up += node["state"] == "UP";
        if (up >= n) return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  int64_t Submit(json job) {
    auto r = client_->Post("/api/v1/jobs", job.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    return r && r->status == 201 ? json::parse(r->body)["id"].get<int64_t>() : -1;
  }
  json Job(int64_t id) {
    auto r = client_->Get(("/api/v1/jobs/" + std::to_string(id)).c_str());
    return r && r->status == 200 ? json::parse(r->body) : json();
  }
  json WaitState(int64_t id, const std::set<std::string>& states,
                 std::chrono::seconds timeout = 60s) {
    auto end = std::chrono::steady_clock::now() + timeout;
    json j;
    while (std::chrono::steady_clock::now() < end) {
      j = Job(id);
      if (j.is_object() && states.count(j["state"].get<std::string>())) return j;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "job " << id << " never reached the wanted state; last: " << j.dump() << "\n"
                  << ReadText(dir_ + "/server.log").substr(0, 4000);
    return j;
  }
  std::string Logs(int64_t id, int task, const std::string& stream = "stdout") {
    auto r = client_->Get(("/api/v1/jobs/" + std::to_string(id) +
                           "/logs?task=" + std::to_string(task) + "&stream=" + stream)
                              .c_str());
    return r && r->status == 200 ? r->body : "";
  }
  std::string AllAgentLogs() {
    std::string out;
    for (const auto& [name, a] : agents_)
      out += "--- " + name + "\n" + ReadText(dir_ + "/" + name + ".log");
    return out;
  }

  std::string dir_, url_, join_, admin_;
  std::unique_ptr<ChildProcess> server_;
  std::map<std::string, std::unique_ptr<ChildProcess>> agents_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(RealCluster, MemoryHogIsOutOfMemoryWhileNeighbourCompletes) {
  if (auto why = CgroupSkipReason(); !why.empty()) GTEST_SKIP() << why;
  StartAgent("real-a");
  ASSERT_TRUE(WaitNodesUp(1)) << AllAgentLogs();
  int64_t hog = Submit({{"name", "hog"},
                        {"script", "#!/bin/sh\nhead -c 1000000000 /dev/zero | tail >/dev/null\n"},
                        {"cpus", 0.5},
                        {"mem_mb", 64},
                        {"requeue", false}});
  int64_t ok = Submit({{"name", "ok"},
                       {"script", "#!/bin/sh\nsleep 1; echo neighbour-fine\n"},
                       {"cpus", 0.5},
                       {"mem_mb", 64}});
  json h = WaitState(hog, {"OUT_OF_MEMORY", "FAILED", "COMPLETED"});
  EXPECT_EQ(h["state"], "OUT_OF_MEMORY") << h.dump() << AllAgentLogs();
  json n = WaitState(ok, {"COMPLETED", "FAILED"});
  EXPECT_EQ(n["state"], "COMPLETED") << n.dump();
  EXPECT_NE(Logs(ok, 0).find("neighbour-fine"), std::string::npos) << "logs reach the controller";
}

TEST_F(RealCluster, GangOfFourMeetsAtTheMasterAndAFailedTaskTearsItDown) {
  for (const char* n : {"gang-1", "gang-2", "gang-3", "gang-4"}) StartAgent(n, {"--cpus", "1"});
  ASSERT_TRUE(WaitNodesUp(4)) << AllAgentLogs();
  std::string rendezvous =
      "#!/usr/bin/python3\n"
      "import os, socket, time\n"
      "rank, world = int(os.environ['RANK']), int(os.environ['WORLD_SIZE'])\n"
      "addr, port = os.environ['MASTER_ADDR'], int(os.environ['MASTER_PORT'])\n"
      "print('rank', rank, 'world', world, 'local', os.environ['LOCAL_RANK'], flush=True)\n"
      "if rank == 0:\n"
      "    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
      "    s.bind(('0.0.0.0', port)); s.listen(8); got = []\n"
      "    for _ in range(world - 1):\n"
      "        c, _ = s.accept(); got.append(int(c.recv(8))); c.close()\n"
      "    print('rendezvous ok', sorted(got), flush=True)\n"
      "else:\n"
      "    for _ in range(300):\n"
      "        try:\n"
      "            c = socket.create_connection((addr, port), timeout=2); break\n"
      "        except OSError: time.sleep(0.1)\n"
      "    c.sendall(str(rank).encode()); c.close()\n";
  int64_t gang = Submit(
      {{"name", "gang"}, {"script", rendezvous}, {"tasks", 4}, {"cpus", 1}, {"mem_mb", 128}});
  json g = WaitState(gang, {"COMPLETED", "FAILED"}, 90s);
  EXPECT_EQ(g["state"], "COMPLETED") << g.dump() << AllAgentLogs();
  EXPECT_NE(Logs(gang, 0).find("rendezvous ok [1, 2, 3]"), std::string::npos) << Logs(gang, 0);
  EXPECT_NE(Logs(gang, 3).find("rank 3 world 4 local 0"), std::string::npos) << Logs(gang, 3);

  int64_t bad =
      Submit({{"name", "bad-gang"},
              {"tasks", 4},
              {"cpus", 1},
              {"mem_mb", 64},
              {"requeue", false},
              {"script",
               "#!/bin/bash\nif [ \"$RANK\" = 2 ]; then sleep 1; exit 3; fi\nexec sleep 5302\n"}});
  json b = WaitState(bad, {"FAILED", "COMPLETED"}, 60s);
  EXPECT_EQ(b["state"], "FAILED") << b.dump();
  EXPECT_EQ(b["failed_task"], 2) << b.dump();
  EXPECT_EQ(b["exit_code"], 3) << b.dump();
  // The other three were killed: no sleeper of this gang survives for long.
  int left = -1;
  for (int i = 0; i < 100 && left != 0; ++i) {
    left = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc"))
      left += ReadText(e.path().string() + "/cmdline").find("5302") != std::string::npos;
    if (left) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(left, 0) << "tasks of a failed gang kept running";
}

TEST_F(RealCluster, CancelGivesTheGracePeriodForACheckpoint) {
  StartAgent("real-c");
  ASSERT_TRUE(WaitNodesUp(1)) << AllAgentLogs();
  int64_t id = Submit({{"name", "ckpt"},
                       {"cpus", 0.5},
                       {"mem_mb", 64},
                       {"grace_s", 20},
                       {"script", "#!/bin/bash\ntrap 'echo saved > " + dir_ +
                                      "/ckpt; exit 0' TERM\n"
                                      "echo working; while :; do sleep 0.1; done\n"}});
  WaitState(id, {"RUNNING"});
  for (int i = 0; i < 100 && Logs(id, 0).find("working") == std::string::npos; ++i)
    std::this_thread::sleep_for(100ms);
  auto r = client_->Post(("/api/v1/jobs/" + std::to_string(id) + "/cancel").c_str(), "",
                         "application/json");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  WaitState(id, {"CANCELLED"});
  for (int i = 0; i < 100 && ReadText(dir_ + "/ckpt").empty(); ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(ReadText(dir_ + "/ckpt"), "saved\n") << AllAgentLogs();
}

TEST_F(RealCluster, AgentKilledMidJobIsLostRequeuedAndNeverDuplicated) {
  StartAgent("kill-a");
  ASSERT_TRUE(WaitNodesUp(1)) << AllAgentLogs();
  std::string runs = dir_ + "/runs";
  int64_t id = Submit({{"name", "survivor"},
                       {"cpus", 0.5},
                       {"mem_mb", 64},
                       {"requeue", true},
                       {"script", "#!/bin/bash\necho \"$SUANLI_ATTEMPT $SUANLI_NODE\" >> " + runs +
                                      "\nexec sleep 5401\n"}});
  WaitState(id, {"RUNNING"});
  agents_["kill-a"]->Kill(SIGKILL);
  StartAgent("kill-b");  // somewhere for the requeued job to go
  // It must pass through LOST (node timeout) and come back with a new attempt on kill-b.
  json j;
  for (int i = 0; i < 200; ++i) {
    j = Job(id);
    if (j["attempt"] == 2 && j["state"] == "RUNNING") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(j["attempt"], 2) << j.dump() << AllAgentLogs();
  ASSERT_EQ(j["state"], "RUNNING");
  bool saw_lost = false;
  for (const auto& h : j["history"]) saw_lost |= h["state"] == "LOST";
  EXPECT_TRUE(saw_lost) << j.dump();
  // The old agent comes back with attempt 1 still running: the controller kills it.
  StartAgent("kill-a");
  int copies = -1;
  for (int i = 0; i < 150; ++i) {
    copies = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::string cmd = ReadText(e.path().string() + "/cmdline");
      copies += cmd.rfind("sleep", 0) == 0 && cmd.find("5401") != std::string::npos;
    }
    if (copies == 1 && i > 20) break;  // settled for two seconds after the re-registration
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(copies, 1) << AllAgentLogs();
  auto r = client_->Post(("/api/v1/jobs/" + std::to_string(id) + "/cancel").c_str(), "",
                         "application/json");
  EXPECT_TRUE(r && r->status == 200);
  WaitState(id, {"CANCELLED"});
  std::string lines = ReadText(runs);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines;
  EXPECT_NE(lines.find("1 kill-a"), std::string::npos) << lines;
  EXPECT_NE(lines.find("2 kill-b"), std::string::npos) << lines;
}

}  // namespace
}  // namespace suanli::agent_test
