// A 4-task gang over two `suanli agent` processes: every task gets torchrun-style ranks and a
// working rendezvous at MASTER_ADDR:MASTER_PORT; and when one task fails the controller's
// GANG_FAILED kills tear the others down. Fake controller on loopback (the real controller's gang
// logic has its own tests).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "agent_fake_controller.h"

namespace suanli::agent_test {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

const char* kRendezvous = R"(#!/usr/bin/python3
import os, socket, sys, time
rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
print("rank", rank, "local", os.environ["LOCAL_RANK"], "of", os.environ["LOCAL_WORLD_SIZE"],
      "world", world, "nodes", os.environ["SUANLI_NODELIST"], "task", os.environ["SUANLI_TASK"], flush=True)
addr, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
if rank == 0:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(world)
    got = []
    for _ in range(world - 1):
        c, _ = s.accept(); got.append(int(c.recv(16).decode())); c.sendall(b"welcome"); c.close()
    print("rendezvous ok", sorted(got), flush=True)
else:
    for _ in range(200):
        try:
            c = socket.create_connection((addr, port), timeout=2); break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("rank %d: no rendezvous" % rank)
    c.sendall(str(rank).encode()); print("joined", c.recv(16).decode(), flush=True)
)";

// Unique per test process: ctest runs test cases in parallel, and an agent owns its node's cgroups.
std::string NodeA() { return "gang-a-" + std::to_string(getpid()); }
std::string NodeB() { return "gang-b-" + std::to_string(getpid()); }

json GangLaunch(int64_t job, int task, const std::string& script, int port) {
  json j = BasicLaunch(job, script);
  j["task"] = task;
  j["tasks"] = 4;
  j["master_addr"] = "127.0.0.1";
  j["master_port"] = port;
  j["peers"] = json::array({{{"task", 0}, {"node", NodeA()}, {"address", "127.0.0.1"}},
                            {{"task", 1}, {"node", NodeA()}, {"address", "127.0.0.1"}},
                            {{"task", 2}, {"node", NodeB()}, {"address", "127.0.0.1"}},
                            {{"task", 3}, {"node", NodeB()}, {"address", "127.0.0.1"}}});
  return j;
}

class AgentGangTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    a_ = StartAgent(fc_, NodeA(), dir_);
    b_ = StartAgent(fc_, NodeB(), dir_);
    ASSERT_TRUE(fc_.WaitRegistered(NodeA())) << ReadText(dir_ + "/" + NodeA() + ".log");
    ASSERT_TRUE(fc_.WaitRegistered(NodeB())) << ReadText(dir_ + "/" + NodeB() + ".log");
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    KillLeftoverTasks(NodeA());
    KillLeftoverTasks(NodeB());
  }
  std::string Node(int task) { return task < 2 ? NodeA() : NodeB(); }

  FakeController fc_;
  std::string dir_;
  std::unique_ptr<ChildProcess> a_, b_;
};

TEST_F(AgentGangTest, FourTasksGetRanksAndMeetAtTheMaster) {
  int port = FreePort();
  for (int t = 0; t < 4; ++t) fc_.Launch(Node(t), GangLaunch(301, t, kRendezvous, port));
  for (int t = 0; t < 4; ++t) {
    json exit = fc_.WaitExit(301, t, 60s);
    ASSERT_FALSE(exit.is_null()) << "task " << t << "\n" << ReadText(dir_ + "/" + Node(t) + ".log");
    EXPECT_EQ(exit["exit_code"], 0) << "task " << t << ": " << fc_.Log(301, t, "stderr");
  }
  EXPECT_NE(fc_.Log(301, 0, "stdout")
                .find("rank 0 local 0 of 2 world 4 nodes " + NodeA() + "," + NodeB() + " task 0"),
            std::string::npos)
      << fc_.Log(301, 0, "stdout");
  EXPECT_NE(fc_.Log(301, 3, "stdout")
                .find("rank 3 local 1 of 2 world 4 nodes " + NodeA() + "," + NodeB() + " task 3"),
            std::string::npos)
      << fc_.Log(301, 3, "stdout");
  EXPECT_NE(fc_.Log(301, 0, "stdout").find("rendezvous ok [1, 2, 3]"), std::string::npos);
  for (int t = 1; t < 4; ++t)
    EXPECT_NE(fc_.Log(301, t, "stdout").find("joined welcome"), std::string::npos);
}

TEST_F(AgentGangTest, OneFailedTaskTearsDownTheGang) {
  int port = FreePort();
  for (int t = 0; t < 4; ++t) {
    std::string script = t == 2 ? "sleep 1; echo dying >&2; exit 3" : "echo up; sleep 300";
    fc_.Launch(Node(t), GangLaunch(302, t, script, port));
  }
  json failed = fc_.WaitExit(302, 2);
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["exit_code"], 3);
  // What the controller does on a gang member's failure: kill the rest, naming the reason.
  fc_.Kill(NodeA(), 302, 1, 1, "GANG_FAILED");
  fc_.Kill(NodeB(), 302, 1, 1, "GANG_FAILED");
  for (int t : {0, 1, 3}) {
    json exit = fc_.WaitExit(302, t, 20s);
    ASSERT_FALSE(exit.is_null()) << "task " << t << " survived its gang";
    EXPECT_EQ(exit["reason"], "GANG_FAILED");
  }
}

}  // namespace
}  // namespace suanli::agent_test
