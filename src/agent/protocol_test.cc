#include "agent/protocol.h"

#include <gtest/gtest.h>

namespace suanli::agent {
namespace {

using nlohmann::json;

TEST(Protocol, ParsesALaunchFromTheApiContract) {
  json j = json::parse(R"({"job_id":7,"attempt":2,"task":1,"tasks":2,"command":["python","t.py"],
    "script":null,"env":{"K":"V"},"cpus":1.5,"mem_mb":1024,"devices":[0,1],"gpu_type":"nvidia-a100",
    "time_limit_s":3600,"grace_s":30,"user":"alice","master_addr":"10.0.0.1","master_port":29500,
    "peers":[{"task":0,"node":"a","address":"10.0.0.1"},{"task":1,"node":"b","address":"10.0.0.2"}],
    "some_future_field":true})");
  auto l = ParseLaunch(j);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->ref, (TaskRef{7, 2, 1}));
  EXPECT_EQ(l->command, (std::vector<std::string>{"python", "t.py"}));
  EXPECT_DOUBLE_EQ(l->cpus, 1.5);
  EXPECT_EQ(l->devices, (std::vector<int>{0, 1}));
  EXPECT_EQ(l->peers[1].address, "10.0.0.2");
  EXPECT_EQ(l->env.at("K"), "V");
  // Round trip through the persisted form.
  auto again = ParseLaunch(LaunchToJson(*l));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->peers.size(), 2u);
  EXPECT_EQ(again->master_port, 29500);
}

TEST(Protocol, BadLaunchesNameTheField) {
  auto e = ParseLaunch(json::parse(R"({"job_id":7,"command":"ls"})"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("'command'"), std::string::npos);
  e = ParseLaunch(json::parse(R"({"job_id":7,"command":["ls"],"mem_mb":"lots"})"));
  EXPECT_NE(e.status().message().find("'mem_mb'"), std::string::npos);
  e = ParseLaunch(json::parse(R"({"job_id":7})"));
  EXPECT_NE(e.status().message().find("neither"), std::string::npos);
  e = ParseLaunch(json::parse(R"({"command":["ls"]})"));
  EXPECT_NE(e.status().message().find("'job_id'"), std::string::npos);
  e = ParseLaunch(json::parse(R"({"job_id":1,"command":["ls"],"task":3,"tasks":2})"));
  EXPECT_NE(e.status().message().find("outside"), std::string::npos);
}

TEST(Protocol, PollAnswerKeepsGoodEntriesAndReportsBadOnes) {
  std::vector<std::string> errors;
  auto a =
      ParsePollAnswer(json::parse(R"({"launch":[{"job_id":1,"command":["true"]},{"job_id":"x"}],
    "kill":[{"job_id":3,"attempt":1,"grace_s":5,"reason":"PREEMPTED"},{"attempt":1}]})"),
                      &errors);
  EXPECT_EQ(a.launch.size(), 1u);
  ASSERT_EQ(a.kill.size(), 1u);
  EXPECT_EQ(a.kill[0].reason, "PREEMPTED");
  EXPECT_EQ(a.kill[0].grace_s, 5);
  EXPECT_EQ(errors.size(), 2u);
}

TEST(Protocol, EventsCarryNullsForUnknownExitFields) {
  TaskEvent e;
  e.ref = {7, 1, 0};
  e.event = "exited";
  e.signal = 9;
  e.reason = "OUT_OF_MEMORY";
  json j = EventToJson(e);
  EXPECT_TRUE(j["exit_code"].is_null());
  EXPECT_EQ(j["signal"], 9);
  EXPECT_EQ(j["reason"], "OUT_OF_MEMORY");
  EXPECT_EQ(j["job_id"], 7);
}

}  // namespace
}  // namespace suanli::agent
