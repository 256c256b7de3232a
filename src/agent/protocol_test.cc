// The agent's view of the node as the protocol reports it. The wire form itself is tested in
// src/proto/codec_test.cc.
#include "agent/protocol.h"

#include <gtest/gtest.h>

namespace suanli::agent {
namespace {

using nlohmann::json;

TEST(AgentProtocol, RegisterBodyReportsTheHostInTheProtocolsTerms) {
  HostInfo host;
  host.cpus = 8;
  host.cores = 4;  // agent-only detail: not reported
  host.mem_mb = 32000;
  Device gpu;
  gpu.index = 1;
  gpu.type = "nvidia-a100";
  gpu.uuid = "GPU-1";
  gpu.memory_mb = 81920;
  gpu.island = -1;  // unknown
  gpu.dev_path = "/dev/nvidia1";
  host.devices = {gpu};
  json body = RegisterBody("node-a", "10.0.0.5", host, {{7, 1, 0}});
  auto back = proto::DecodeRegisterRequest(body);  // as the controller reads it
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->protocol, proto::kCurrentVersion);
  EXPECT_EQ(back->cpus, 8);
  ASSERT_EQ(back->devices.size(), 1u);
  EXPECT_EQ(back->devices[0], (proto::Device{1, "nvidia-a100", "GPU-1", 81920, 0}));
  EXPECT_EQ(back->running, (std::vector<TaskRef>{{7, 1, 0}}));
}

TEST(AgentProtocol, PollBodyCarriesRunningTasksAndEvents) {
  TaskEvent e;
  e.ref = {7, 1, 0};
  e.event = "exited";
  e.exit_code = 3;
  auto back = proto::DecodePollRequest(PollBody(250, {{7, 1, 0}}, {e}));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->wait_ms, 250);
  ASSERT_EQ(back->events.size(), 1u);
  EXPECT_EQ(back->events[0].exit_code, 3);
}

TEST(AgentProtocol, AnAnswerFromAnotherMajorIsOneErrorAndNoWork) {
  std::vector<std::string> errors;
  PollAnswer a = ParsePollAnswer(
      json{{"protocol", "2.0"}, {"launch", {{{"job_id", 1}, {"command", {"true"}}}}}}, &errors);
  EXPECT_TRUE(a.launch.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("controller speaks protocol 2.0"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace suanli::agent
