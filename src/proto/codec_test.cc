#include "proto/codec.h"

#include <gtest/gtest.h>

namespace suanli::proto {
namespace {

using nlohmann::json;

// The message of `r`'s error, failing the test when there is none.
template <typename T>
std::string ErrorOf(const Result<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

RegisterRequest SampleRegister() {
  RegisterRequest m;
  m.name = "node-a";
  m.cpus = 16;
  m.mem_mb = 64000;
  m.devices = {{0, "nvidia-a100", "GPU-0", 81920, 0}, {1, "nvidia-a100", "GPU-1", 81920, 1}};
  m.address = "10.0.0.5";
  m.running = {{7, 1, 0}, {9, 2, 3}};
  return m;
}

PollRequest SamplePoll() {
  PollRequest m;
  m.wait_ms = 500;
  m.running = {{7, 1, 0}};
  m.events.push_back({{7, 1, 0}, "started", std::nullopt, std::nullopt, "", "", 1765000000.5});
  m.events.push_back({{8, 2, 1}, "exited", 137, 9, "OUT_OF_MEMORY", "", 1765000001});
  return m;
}

Launch SampleLaunch() {
  Launch m;
  m.ref = {7, 2, 1};
  m.tasks = 2;
  m.name = "train";
  m.command = {"python", "t.py"};
  m.env = {{"K", "V"}};
  m.cpus = 1.5;
  m.mem_mb = 1024;
  m.devices = {0, 1};
  m.gpus = 2;
  m.gpu_type = "nvidia-a100";
  m.time_limit_s = 3600;
  m.grace_s = 30;
  m.user = "alice";
  m.tenant = "physics";
  m.master_addr = "10.0.0.1";
  m.master_port = 29507;
  m.peers = {{0, "a", "10.0.0.1", {0, 1}}, {1, "b", "10.0.0.2", {}}};
  m.workdir = "/scratch";
  m.pids_max = 512;
  return m;
}

TEST(ProtoCodec, EveryMessageRoundTrips) {
  EXPECT_EQ(*DecodeRegisterRequest(Encode(SampleRegister())), SampleRegister());
  EXPECT_EQ(*DecodePollRequest(Encode(SamplePoll())), SamplePoll());
  RegisterReply reply{kCurrentVersion, "node-a", 250, 10000, 8000};
  EXPECT_EQ(*DecodeRegisterReply(Encode(reply)), reply);
  EXPECT_EQ(*DecodeLaunch(Encode(SampleLaunch())), SampleLaunch());
  Kill kill{7, 2, 5, "PREEMPTED"};
  EXPECT_EQ(*DecodeKill(Encode(kill)), kill);
  PollReply work{kCurrentVersion, {SampleLaunch()}, {kill}};
  std::vector<std::string> errors;
  EXPECT_EQ(*DecodePollReply(Encode(work), &errors), work);
  EXPECT_TRUE(errors.empty());
  LogUpload up{kCurrentVersion, {7, 1, 0}, "stderr", 4096, std::string("a\0b\xff", 4)};
  EXPECT_EQ(*DecodeLogUpload(Encode(up)), up);
}

TEST(ProtoCodec, EnvelopesCarryTheVersionAndEntriesDoNot) {
  EXPECT_EQ(Encode(SampleRegister())["protocol"], kCurrentVersion.ToString());
  EXPECT_EQ(Encode(SamplePoll())["protocol"], "1.1");
  EXPECT_EQ(Encode(LogUpload{})["protocol"], "1.1");
  EXPECT_EQ(Encode(RegisterReply{})["protocol"], "1.1");
  EXPECT_EQ(Encode(PollReply{})["protocol"], "1.1");
  EXPECT_FALSE(Encode(SampleLaunch()).contains("protocol"));
  EXPECT_FALSE(Encode(Kill{}).contains("protocol"));
}

TEST(ProtoCodec, PreparedPollReplyTextEqualsTheEncodedReply) {
  Launch a = SampleLaunch();
  Launch b = SampleLaunch();
  b.ref.task = 0;
  b.script = "#!/bin/sh\necho \"hi\"\n";
  b.command.clear();
  auto peers = EncodePeers(a.peers);
  Launch a_without_peers = a, b_without_peers = b;
  a_without_peers.peers.clear();
  b_without_peers.peers.clear();
  std::vector<Kill> kills{{3, 1, 0, "STALE"}};
  std::string text =
      EncodePollReplyText({{a_without_peers, peers}, {b_without_peers, peers}}, kills);
  EXPECT_EQ(json::parse(text), Encode(PollReply{kCurrentVersion, {a, b}, kills}));
  EXPECT_EQ(json::parse(EncodePollReplyText({}, {})), Encode(PollReply{kCurrentVersion, {}, {}}));
}

// Hand-written samples of what agents and controllers sent before the protocol had a version
// (docs/api.md, "Agents"): they still decode, as version 1.0.
TEST(ProtoCodec, TodaysUnversionedWireFormatDecodes) {
  auto reg = DecodeRegisterRequest(json::parse(R"({"name":"node-a","cpus":16,"mem_mb":64000,
    "devices":[{"index":0,"type":"nvidia-a100","uuid":"GPU-..","memory_mb":81920,"island":0}],
    "address":"127.0.0.1","running":[{"job_id":7,"attempt":1,"task":0}]})"));
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->protocol, (ProtocolVersion{1, 0}));
  EXPECT_EQ(reg->devices.at(0).memory_mb, 81920);
  EXPECT_EQ(reg->running.at(0), (TaskRef{7, 1, 0}));

  auto poll = DecodePollRequest(json::parse(R"({"wait_ms":1000,"running":[{"job_id":7,
    "attempt":1,"task":0}],"events":[{"job_id":7,"attempt":1,"task":0,"event":"exited",
    "exit_code":0,"signal":null,"reason":null,"time":1765000000.25}]})"));
  ASSERT_TRUE(poll.ok()) << poll.status().ToString();
  EXPECT_EQ(poll->events.at(0).exit_code, 0);
  EXPECT_FALSE(poll->events.at(0).signal.has_value());
  EXPECT_DOUBLE_EQ(poll->events.at(0).time, 1765000000.25);

  auto up = DecodeLogUpload(json::parse(
      R"({"job_id":1,"attempt":1,"task":0,"stream":"stdout","offset":0,"data":"aGk="})"));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->data, "hi");

  auto reply = DecodeRegisterReply(json::parse(
      R"({"node":"node-a","heartbeat_ms":1000,"node_timeout_ms":10000,"fence_ms":8000})"));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->fence_ms, 8000);

  std::vector<std::string> errors;
  auto work = DecodePollReply(json::parse(R"({"launch":[{"job_id":7,"attempt":2,"task":1,
    "tasks":2,"name":"t","command":["python","t.py"],"script":null,"env":{"K":"V"},"cpus":1.5,
    "mem_mb":1024,"devices":[0,1],"gpus":2.0,"gpu_type":"nvidia-a100","time_limit_s":3600,
    "grace_s":30,"user":"alice","tenant":"root","master_addr":"10.0.0.1","master_port":29507,
    "peers":[{"task":0,"node":"a","address":"10.0.0.1"},{"task":1,"node":"b","address":"10.0.0.2"}]}],
    "kill":[{"job_id":3,"attempt":1,"grace_s":0,"reason":"STALE"}]})"),
                              &errors);
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(work->launch.size(), 1u);
  EXPECT_EQ(work->launch[0].peers.at(1).address, "10.0.0.2");
  EXPECT_EQ(work->launch[0].tenant, "root");
  EXPECT_EQ(work->kill.at(0), (Kill{3, 1, 0, "STALE"}));
}

// A 1.0 agent sends none of the optional fields: each takes its default.
TEST(ProtoCodec, AnOlderMinorWithOnlyRequiredFieldsGetsDefaults) {
  auto reg = DecodeRegisterRequest(json::parse(R"({"name":"n1","devices":[{"type":"x"}]})"));
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->protocol, kUnversioned);
  EXPECT_EQ(reg->address, "");
  EXPECT_EQ(reg->devices.at(0).index, 0);  // its position in the list
  EXPECT_TRUE(reg->running.empty());
  auto poll = DecodePollRequest(json::parse(R"({"protocol":"1.0"})"));
  ASSERT_TRUE(poll.ok()) << poll.status().ToString();
  EXPECT_EQ(poll->wait_ms, 1000);
  auto kill = DecodeKill(json::parse(R"({"job_id":3})"));
  EXPECT_EQ(*kill, (Kill{3, 0, -1, "CANCELLED"}));
}

TEST(ProtoCodec, WrongTypesAndMissingFieldsAreNamed) {
  EXPECT_EQ(ErrorOf(DecodeRegisterRequest(json::parse(R"({"cpus":4})"))),
            "field 'name' is required");
  EXPECT_EQ(ErrorOf(DecodeRegisterRequest(json::parse(R"({"name":"n","cpus":"four"})"))),
            "field 'cpus' must be a number between 0.000000 and 1000000.000000");
  EXPECT_EQ(ErrorOf(DecodeRegisterRequest(json::parse(R"({"name":"n","devices":[{"type":"x"},
    {"type":"x","memory_mb":-1}]})"))),
            "field 'devices[1].memory_mb' must be an integer between 0 and 1073741824");
  EXPECT_EQ(ErrorOf(DecodeRegisterRequest(json::parse(R"({"name":"n","running":[7]})"))),
            "field 'running[0]' must be an object");
  EXPECT_EQ(ErrorOf(DecodePollRequest(json::parse(R"({"running":[{"attempt":1}]})"))),
            "field 'running[0].job_id' is required");
  EXPECT_EQ(ErrorOf(DecodePollRequest(json::parse(R"({"wait_ms":999999})"))),
            "field 'wait_ms' must be an integer between 0 and 60000");
  EXPECT_EQ(ErrorOf(DecodePollRequest(json::parse(
                R"({"events":[{"job_id":1,"attempt":1,"event":"exited","signal":"KILL"}]})"))),
            "field 'events[0].signal' must be an integer between 0 and 128");
  EXPECT_EQ(ErrorOf(DecodePollRequest(
                json::parse(R"({"events":[{"job_id":1,"attempt":1,"event":"exploded"}]})"))),
            "field 'events[0].event' must be started or exited");
  EXPECT_EQ(ErrorOf(DecodePollRequest(json::parse(R"({"events":{}})"))),
            "field 'events' must be a list of at most 100000 entries");
  EXPECT_EQ(ErrorOf(DecodeLogUpload(json::parse(R"({"job_id":1,"attempt":1})"))),
            "field 'stream' is required");
  EXPECT_EQ(ErrorOf(DecodeLogUpload(
                json::parse(R"({"job_id":1,"attempt":1,"stream":"stdin","data":""})"))),
            "field 'stream' must be stdout or stderr");
  EXPECT_EQ(ErrorOf(DecodeLogUpload(
                json::parse(R"({"job_id":1,"attempt":1,"stream":"stdout","data":"!!"})"))),
            "field 'data' is not valid base64");
  EXPECT_EQ(ErrorOf(DecodeRegisterReply(json::parse(R"({"heartbeat_ms":100})"))),
            "field 'node' is required");
  EXPECT_EQ(ErrorOf(DecodePollRequest(json::array())), "poll request must be a JSON object");
  EXPECT_EQ(ErrorOf(DecodePollRequest(json::parse(R"({"protocol":11})"))),
            "field 'protocol' must be a string like \"1.1\"");
}

TEST(ProtoCodec, BadLaunchesNameTheField) {
  EXPECT_NE(ErrorOf(DecodeLaunch(json::parse(R"({"job_id":7,"command":"ls"})"))).find("'command'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(DecodeLaunch(json::parse(R"({"job_id":7,"command":["ls"],"mem_mb":"lots"})")))
                .find("'mem_mb'"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(DecodeLaunch(json::parse(R"({"job_id":7})"))),
            "job 7 has neither 'command' nor 'script'");
  EXPECT_EQ(ErrorOf(DecodeLaunch(json::parse(R"({"command":["ls"]})"))),
            "field 'job_id' is required");
  EXPECT_EQ(
      ErrorOf(DecodeLaunch(json::parse(R"({"job_id":1,"command":["ls"],"task":3,"tasks":2})"))),
      "job 1: task 3 is outside 0..tasks-1 (tasks=2)");
  EXPECT_EQ(ErrorOf(DecodeLaunch(json::parse(R"({"job_id":1,"command":["ls"],"cpus":-1})"))),
            "field 'cpus' must be a number between 0.000000 and 1000000.000000");
  EXPECT_EQ(
      ErrorOf(DecodeLaunch(json::parse(R"({"job_id":1,"command":["ls"],"peers":[{"task":"a"}]})"))),
      "field 'peers[0].task' must be an integer between 0 and 1048576");
  EXPECT_EQ(ErrorOf(DecodeLaunch(json::parse(R"([1])"))), "launch entry must be an object");
  // A negative grace means none; fields the agent does not know are ignored.
  auto l = DecodeLaunch(json::parse(R"({"job_id":1,"command":["ls"],"grace_s":-5,"future":1})"));
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->grace_s, 0);
}

TEST(ProtoCodec, PollReplyKeepsGoodEntriesAndReportsBadOnes) {
  std::vector<std::string> errors;
  auto a =
      DecodePollReply(json::parse(R"({"launch":[{"job_id":1,"command":["true"]},{"job_id":"x"}],
    "kill":[{"job_id":3,"attempt":1,"grace_s":5,"reason":"PREEMPTED"},{"attempt":1}]})"),
                      &errors);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->launch.size(), 1u);
  ASSERT_EQ(a->kill.size(), 1u);
  EXPECT_EQ(a->kill[0].reason, "PREEMPTED");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0],
            "launch: field 'job_id' must be an integer between 1 and 9223372036854775807");
  EXPECT_EQ(errors[1], "kill: field 'job_id' is required");
}

TEST(ProtoCodec, ControllerRejectsUnknownFieldsUpToItsMinorAndIgnoresANewerMinorsOnes) {
  json reg = Encode(SampleRegister());
  reg["colour"] = "red";
  EXPECT_EQ(ErrorOf(DecodeRegisterRequest(reg)), "unknown field 'colour'");
  reg["protocol"] = "1.0";
  EXPECT_EQ(ErrorOf(DecodeRegisterRequest(reg)), "unknown field 'colour'");
  json poll = Encode(SamplePoll());
  poll["events"][1]["gpu_temp"] = 80;
  EXPECT_EQ(ErrorOf(DecodePollRequest(poll)), "unknown field 'events[1].gpu_temp'");

  // A newer minor may add fields: they are ignored and everything known is still read.
  reg["protocol"] = "1.2";
  poll["protocol"] = "1.2";
  auto r = DecodeRegisterRequest(reg);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->protocol, (ProtocolVersion{1, 2}));
  EXPECT_EQ(r->devices, SampleRegister().devices);
  auto p = DecodePollRequest(poll);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->events, SamplePoll().events);
  // Known fields of a newer minor are still checked.
  poll["wait_ms"] = "soon";
  EXPECT_EQ(ErrorOf(DecodePollRequest(poll)),
            "field 'wait_ms' must be an integer between 0 and 60000");
}

TEST(ProtoCodec, AnotherMajorIsRefusedNamingBothVersions) {
  json reg = Encode(SampleRegister());
  reg["protocol"] = "2.0";
  auto r = DecodeRegisterRequest(reg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "agent speaks protocol 2.0 (another major version); this controller speaks 1.1 and "
            "accepts 1.0 or newer 1.x");
  json up = Encode(LogUpload{kCurrentVersion, {1, 1, 0}, "stdout", 0, "x"});
  up["protocol"] = "0.9";
  EXPECT_EQ(DecodeLogUpload(up).status().code(), StatusCode::kFailedPrecondition);

  std::vector<std::string> errors;
  auto work = DecodePollReply(json{{"protocol", "2.1"}, {"launch", json::array()}}, &errors);
  ASSERT_FALSE(work.ok());
  EXPECT_EQ(work.status().message(),
            "controller speaks protocol 2.1 (another major version); this agent speaks 1.1 and "
            "accepts 1.0 or newer 1.x");
  EXPECT_EQ(DecodeRegisterReply(json{{"protocol", "3.0"}, {"node", "n"}}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(ProtoCodec, EventsCarryNullsForUnknownExitFields) {
  TaskEvent e;
  e.ref = {7, 1, 0};
  e.event = "exited";
  e.signal = 9;
  e.reason = "OUT_OF_MEMORY";
  e.message = "killed by its 64 MiB memory limit";
  json j = Encode(e);
  EXPECT_TRUE(j["exit_code"].is_null());
  EXPECT_EQ(j["signal"], 9);
  EXPECT_EQ(j["reason"], "OUT_OF_MEMORY");
  EXPECT_EQ(j["job_id"], 7);
  EXPECT_FALSE(j.contains("message"));  // stays on the node
}

TEST(ProtoCodec, RegisterReplyHeartbeatIsClampedAndAbsentTimesAreMinusOne) {
  auto r = DecodeRegisterReply(json{{"node", "n"}, {"heartbeat_ms", 5}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->heartbeat_ms, 50);
  EXPECT_EQ(r->fence_ms, -1);
  EXPECT_EQ(r->node_timeout_ms, -1);
  EXPECT_FALSE(Encode(RegisterReply{}).contains("fence_ms"));
}


// Service replicas (docs/protocol.md, "Service ports"): a launch asks for a port with -1, the
// agent's started event answers it; neither field is on the wire when unused.
TEST(ProtoCodec, ServicePortsTravelOnlyWhenAsked) {
  Launch ask = SampleLaunch();
  EXPECT_FALSE(Encode(ask).contains("port"));
  ask.port = -1;
  EXPECT_EQ(Encode(ask)["port"], -1);
  EXPECT_EQ(DecodeLaunch(Encode(ask))->port, -1);
  PollRequest poll = SamplePoll();
  ASSERT_FALSE(poll.events.empty());
  EXPECT_FALSE(Encode(poll)["events"][0].contains("port"));
  poll.events[0].port = 41234;
  EXPECT_EQ(Encode(poll)["events"][0]["port"], 41234);
  EXPECT_EQ(*DecodePollRequest(Encode(poll)), poll);
  json bad = Encode(poll);
  bad["events"][0]["port"] = 70000;
  EXPECT_NE(ErrorOf(DecodePollRequest(bad)).find("events[0].port"), std::string::npos)
      << ErrorOf(DecodePollRequest(bad));
}

// sbatch --signal and --output/--error travel only when the job asked for them, so an older
// agent (which refuses nothing it does not know) still reads every other launch the same.
TEST(ProtoCodec, SignalAndOutputFilesTravelOnlyWhenAsked) {
  Launch m = SampleLaunch();
  json plain = Encode(m);
  for (const char* k : {"signal_number", "output_pattern", "error_pattern", "output_append"})
    EXPECT_FALSE(plain.contains(k)) << k;
  m.signal_number = 10;
  m.signal_before_s = 120;
  m.signal_batch_only = true;
  m.output_pattern = "/home/alice/logs/%x-%j.out";
  m.output_append = true;
  EXPECT_EQ(*DecodeLaunch(Encode(m)), m);
  json bad = Encode(m);
  bad["output_append"] = "yes";
  EXPECT_NE(ErrorOf(DecodeLaunch(bad)).find("output_append"), std::string::npos)
      << ErrorOf(DecodeLaunch(bad));
}

}  // namespace
}  // namespace suanli::proto
