// The protocol version rule at the controller, over real HTTP (docs/protocol.md): an agent one
// minor older registers and runs a job, a newer minor's extra fields are ignored, and an agent of
// another major is refused with both versions named.
#include <gtest/gtest.h>

#include "proto/codec.h"
#include "server/test_harness.h"

namespace suanli::server::testing {
namespace {

// What an agent of protocol `version` sends to register, with one accelerator.
json RegisterBody(const std::string& version, const std::string& name) {
  return json{{"protocol", version},
              {"name", name},
              {"cpus", 8},
              {"mem_mb", 16000},
              {"address", "127.0.0.1"},
              {"devices",
               {{{"index", 0},
                 {"type", "nvidia-a100"},
                 {"uuid", "G0"},
                 {"memory_mb", 81920},
                 {"island", 0}}}},
              {"running", json::array()}};
}

std::string ErrorMessage(const Response& r) { return r.body["error"].value("message", ""); }

const std::string kOlderMinor = std::to_string(proto::kCurrentVersion.major) + "." +
                                std::to_string(proto::kCurrentVersion.minor - 1);

TEST(ServerProtocolVersionTest, AgentOneMinorOlderRegistersAndRunsAJob) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "old-agent", 1);
  Client& c = agent.client();
  Response reg = c.Post("/api/v1/agents/register", RegisterBody(kOlderMinor, "old-agent"));
  ASSERT_EQ(reg.status, 200) << reg.text;
  EXPECT_EQ(reg.body["protocol"], proto::kCurrentVersion.ToString());
  EXPECT_EQ(reg.body["node"], "old-agent");

  Response sub = admin.Post("/api/v1/jobs", json{{"command", {"true"}},
                                                 {"cpus", 1},
                                                 {"mem_mb", 512},
                                                 {"gpus", 1},
                                                 {"gpu_type", "nvidia-a100"}});
  ASSERT_EQ(sub.status, 201) << sub.text;
  int64_t id = sub.body["id"];
  auto poll = [&](const json& events, const json& running) {
    return c.Post(
        "/api/v1/agents/old-agent/poll",
        json{
            {"protocol", kOlderMinor}, {"wait_ms", 200}, {"running", running}, {"events", events}});
  };
  json launch;
  for (int i = 0; i < 50 && launch.empty(); ++i) {
    Response r = poll(json::array(), json::array());
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["protocol"], proto::kCurrentVersion.ToString());
    launch = r.body["launch"];
  }
  ASSERT_EQ(launch.size(), 1u);
  EXPECT_EQ(launch[0]["job_id"], id);
  EXPECT_EQ(launch[0]["devices"], json({0}));

  json ref = {{"job_id", id}, {"attempt", 1}, {"task", 0}};
  ASSERT_EQ(poll(json::array({FakeAgent::Event(id, 1, 0, "started")}), json::array({ref})).status,
            200);
  WaitForJob(admin, id, [](const json& j) { return j["state"] == "RUNNING"; });
  proto::LogUpload upload{{proto::kCurrentVersion.major, proto::kCurrentVersion.minor - 1},
                          {id, 1, 0},
                          "stdout",
                          0,
                          "hi"};
  Response up = c.Post("/api/v1/agents/old-agent/logs", proto::Encode(upload));
  EXPECT_EQ(up.status, 204) << up.text;
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id) + "/logs").text, "hi");
  ASSERT_EQ(poll(json::array({FakeAgent::Event(id, 1, 0, "exited", 0)}), json::array()).status,
            200);
  WaitForJob(admin, id, [](const json& j) { return j["state"] == "COMPLETED"; });
}

TEST(ServerProtocolVersionTest, AgentOfAnotherMajorIsRefusedNamingBothVersions) {
  TestServer s;
  FakeAgent agent(s, "n1", 1);
  Client& c = agent.client();
  const std::string ours = proto::kCurrentVersion.ToString();
  for (const std::string version : {"2.0", "0.9"}) {
    Response reg = c.Post("/api/v1/agents/register", RegisterBody(version, "n1"));
    EXPECT_EQ(reg.status, 409) << reg.text;
    EXPECT_NE(ErrorMessage(reg).find("agent speaks protocol " + version), std::string::npos)
        << reg.text;
    EXPECT_NE(ErrorMessage(reg).find("this controller speaks " + ours), std::string::npos)
        << reg.text;
  }
  ASSERT_EQ(agent.Register().status, 200);  // an unversioned (1.0) agent is fine
  Response poll = c.Post("/api/v1/agents/n1/poll", json{{"protocol", "2.0"}});
  EXPECT_EQ(poll.status, 409) << poll.text;
  EXPECT_NE(ErrorMessage(poll).find("agent speaks protocol 2.0"), std::string::npos);
  Response logs =
      c.Post("/api/v1/agents/n1/logs",
             json{{"protocol", "2.0"}, {"job_id", 1}, {"attempt", 1}, {"stream", "stdout"}});
  EXPECT_EQ(logs.status, 409) << logs.text;
  Response garbled = c.Post("/api/v1/agents/n1/poll", json{{"protocol", "one"}});
  EXPECT_EQ(garbled.status, 400);
  EXPECT_NE(ErrorMessage(garbled).find("'protocol'"), std::string::npos) << garbled.text;
}

TEST(ServerProtocolVersionTest, NewerMinorsFieldsAreIgnoredButNotOurOwnMinorsTypos) {
  TestServer s;
  FakeAgent agent(s, "n1", 1);
  Client& c = agent.client();
  proto::ProtocolVersion newer = proto::kCurrentVersion;
  newer.minor += 1;
  json body = RegisterBody(newer.ToString(), "n1");
  body["gpu_temperatures"] = {61, 64};
  body["devices"][0]["numa_node"] = 1;
  Response reg = c.Post("/api/v1/agents/register", body);
  EXPECT_EQ(reg.status, 200) << reg.text;

  body["protocol"] = proto::kCurrentVersion.ToString();
  reg = c.Post("/api/v1/agents/register", body);
  EXPECT_EQ(reg.status, 400);
  EXPECT_EQ(ErrorMessage(reg), "unknown field 'devices[0].numa_node'");
  body["devices"][0].erase("numa_node");
  reg = c.Post("/api/v1/agents/register", body);
  EXPECT_EQ(reg.status, 400);
  EXPECT_EQ(ErrorMessage(reg), "unknown field 'gpu_temperatures'");
}

}  // namespace
}  // namespace suanli::server::testing
