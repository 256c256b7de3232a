// `suanli nodes drain|resume`: a drained node takes no new work while what runs there finishes,
// the drain survives a controller restart, and only admins may drain.
#include "support/up_fixture.h"

namespace suanli::it {
namespace {

class NodeDrainTest : public UpTest {
 protected:
  std::string NodeState() {
    auto nodes = up().Admin().Get("nodes").json();
    return nodes["nodes"].empty() ? "" : nodes["nodes"][0].value("state", "");
  }
};

TEST_F(NodeDrainTest, DrainedNodeFinishesItsJobsTakesNoNewOnesUntilResumed) {
  START_UP({"--node-name", "d-node"});
  ASSERT_TRUE(HasUpNode(up()));
  int64_t running = Submit({"--name", "finishing", "--", "sleep", "2"});
  WaitForState(running, "RUNNING");

  auto drained = up().Cli({"nodes", "drain", "d-node"});
  ASSERT_EQ(drained.exit.exit_code, 0) << drained.Describe();
  EXPECT_NE(drained.out.find("1 running task(s) will finish"), std::string::npos) << drained.out;
  EXPECT_EQ(NodeState(), "DRAINING");
  int64_t waiting = Submit({"--name", "waits", "--", "true"});
  WaitForState(running, "COMPLETED");
  EXPECT_TRUE(PollUntil([&] { return NodeState() == "DRAINED"; }, std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(Job(waiting).value("state", ""), "PENDING") << "a drained node took new work";

  // Drained it stays across a restart of the controller.
  up().Terminate();
  START_UP({"--node-name", "d-node"});
  ASSERT_TRUE(PollUntil([&] { return NodeState() == "DRAINED"; }, std::chrono::seconds(10)))
      << NodeState();
  EXPECT_EQ(Job(waiting).value("state", ""), "PENDING");

  // Only admins drain; an unknown node is named.
  std::string member = CreateUser("bob", "physics", "member");
  auto refused = up().Cli({"nodes", "resume", "d-node"}, member);
  EXPECT_EQ(refused.exit.exit_code, 4) << refused.Describe();
  auto unknown = up().Cli({"nodes", "drain", "no-such-node"});
  EXPECT_EQ(unknown.exit.exit_code, 3) << unknown.Describe();
  EXPECT_NE(unknown.err.find("no-such-node"), std::string::npos) << unknown.Describe();

  auto resumed = up().Cli({"nodes", "resume", "d-node"});
  ASSERT_EQ(resumed.exit.exit_code, 0) << resumed.Describe();
  WaitForState(waiting, "COMPLETED");
  EXPECT_EQ(NodeState(), "UP");
}

}  // namespace
}  // namespace suanli::it
