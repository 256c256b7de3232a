// A network partition of one agent that heals must not leave two copies of a job running. The agent
// runs in its own network namespace, joined to the root namespace by a veth pair (10.213.N.0/30,
// created and removed by this test); the controller listens on the root side of the veth. We cut
// the link, let the controller (fake, on the real agent protocol) give up on the node and requeue
// the job on a second agent, heal the link, and count the copies.
#include <gtest/gtest.h>

#include "agent_fake_controller.h"

namespace suanli::agent_test {
namespace {

int Sh(const std::string& cmd) { return system((cmd + " >/dev/null 2>&1").c_str()); }

int CountCopies(const std::string& marker) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string cmd = ReadText(e.path().string() + "/cmdline");
    n += cmd.rfind("sleep", 0) == 0 && cmd.find(marker) != std::string::npos;
  }
  return n;
}

class AgentPartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "not root: cannot create network namespaces";
    int id = getpid() % 250 + 1;
    ns_ = "sl-part-" + std::to_string(getpid());
    host_if_ = "slh" + std::to_string(getpid() % 100000);
    ns_if_ = "sln" + std::to_string(getpid() % 100000);
    host_ip_ = "10.213." + std::to_string(id) + ".1";
    ns_ip_ = "10.213." + std::to_string(id) + ".2";
    if (Sh("ip netns add " + ns_) != 0) GTEST_SKIP() << "cannot create network namespaces here";
    created_ = true;
    bool ok = Sh("ip link add " + host_if_ + " type veth peer name " + ns_if_) == 0 &&
              Sh("ip link set " + ns_if_ + " netns " + ns_) == 0 &&
              Sh("ip addr add " + host_ip_ + "/30 dev " + host_if_) == 0 &&
              Sh("ip link set " + host_if_ + " up") == 0 &&
              Sh("ip netns exec " + ns_ + " ip addr add " + ns_ip_ + "/30 dev " + ns_if_) == 0 &&
              Sh("ip netns exec " + ns_ + " ip link set " + ns_if_ + " up") == 0 &&
              Sh("ip netns exec " + ns_ + " ip link set lo up") == 0;
    if (!ok) GTEST_SKIP() << "cannot create a veth pair here";
    dir_ = ScratchDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    fc_ = std::make_unique<FakeController>(host_ip_, 300);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    KillLeftoverTasks(node_a_);
    KillLeftoverTasks(node_b_);
    fc_.reset();
    if (created_) {
      Sh("ip link del " + host_if_);
      Sh("ip netns del " + ns_);
    }
  }
  void StartAgents(const std::vector<std::string>& extra_a) {
    a_ = StartAgent(*fc_, node_a_, dir_, extra_a, {"ip", "netns", "exec", ns_});
    b_ = StartAgent(*fc_, node_b_, dir_);
    ASSERT_TRUE(fc_->WaitRegistered(node_a_)) << ReadText(dir_ + "/" + node_a_ + ".log");
    ASSERT_TRUE(fc_->WaitRegistered(node_b_)) << ReadText(dir_ + "/" + node_b_ + ".log");
    EXPECT_EQ(fc_->Node(node_a_)["address"], ns_ip_) << "the agent reports the address peers dial";
  }
  // Cuts the link and waits until the controller has not heard from part-a for `silence`.
  void Partition(std::chrono::milliseconds silence) {
    ASSERT_EQ(Sh("ip link set " + host_if_ + " down"), 0);
    auto cut = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - std::max(cut, fc_->LastSeen(node_a_)) < silence)
      std::this_thread::sleep_for(100ms);
  }
  void Heal() { ASSERT_EQ(Sh("ip link set " + host_if_ + " up"), 0); }

  std::string ns_, host_if_, ns_if_, host_ip_, ns_ip_, dir_;
  bool created_ = false;
  std::string node_a_ = "part-a-" + std::to_string(getpid()),
              node_b_ = "part-b-" + std::to_string(getpid());
  std::unique_ptr<FakeController> fc_;
  std::unique_ptr<ChildProcess> a_, b_;
};

TEST_F(AgentPartitionTest, HealedPartitionLeavesOneCopy) {
  // Self-fencing off: this case checks the other safety net, the kill at re-contact.
  StartAgents({"--fence-after-ms", "0"});
  std::string script = "echo attempt-$SUANLI_ATTEMPT >> " + dir_ + "/runs; sleep 4401";
  fc_->Launch(node_a_, BasicLaunch(401, script, 1));
  ASSERT_FALSE(fc_->WaitStarted(401, 0).is_null()) << ReadText(dir_ + "/" + node_a_ + ".log");
  Partition(3s);  // the controller's node timeout: part-a is DOWN, its job LOST and requeued
  fc_->MarkStale(401, 1);
  fc_->Launch(node_b_, BasicLaunch(401, script, 2));
  ASSERT_FALSE(fc_->WaitEvent(
                      [](const json& e) {
                        return e["job_id"] == 401 && e["attempt"] == 2 && e["event"] == "started";
                      },
                      15s)
                   .is_null());
  Heal();
  json stale = fc_->WaitExit(401, 0, 40s, 1);
  ASSERT_FALSE(stale.is_null()) << "the stale copy was never stopped\n"
                                << ReadText(dir_ + "/" + node_a_ + ".log");
  EXPECT_EQ(stale["reason"], "STALE");
  EXPECT_EQ(stale["node"], node_a_);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(CountCopies("4401"), 1) << "exactly the requeued copy runs";
  fc_->Kill(node_b_, 401, 2, 0, "CANCELLED");
  ASSERT_FALSE(fc_->WaitExit(401, 0, 20s, 2).is_null());
  EXPECT_EQ(CountCopies("4401"), 0);
}

TEST_F(AgentPartitionTest, SelfFencingAgentStopsItsCopyBeforeTheRequeue) {
  // Default fencing: the fake's register reply carries heartbeat_ms 300 and no fence_ms, so the
  // agent fences after 4 heartbeats (1.2 s), before the 3 s the controller waits to requeue.
  StartAgents({});
  std::string script = "sleep 4402";
  fc_->Launch(node_a_, BasicLaunch(402, script, 1));
  ASSERT_FALSE(fc_->WaitStarted(402, 0).is_null()) << ReadText(dir_ + "/" + node_a_ + ".log");
  Partition(3s);
  // Before the controller starts attempt 2 elsewhere, the cut-off agent has already stopped
  // attempt 1.
  for (int i = 0; i < 50 && CountCopies("4402") > 0; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(CountCopies("4402"), 0) << ReadText(dir_ + "/" + node_a_ + ".log");
  Heal();
  json lost = fc_->WaitExit(402, 0, 40s, 1);
  ASSERT_FALSE(lost.is_null()) << ReadText(dir_ + "/" + node_a_ + ".log");
  EXPECT_EQ(lost["reason"], "LOST");
}

}  // namespace
}  // namespace suanli::agent_test
