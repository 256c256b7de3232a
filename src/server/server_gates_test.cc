// Job arrays, dependencies, holds and begin times end to end over real HTTP, with a fake agent
// the test drives: what the scheduler may see, when, and what survives a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "server/test_harness.h"

namespace suanli::server::testing {
namespace {

json CpuJob(const std::string& name = "step") {
  return json{{"name", name}, {"command", {"true"}}, {"cpus", 1}, {"mem_mb", 256}, {"grace_s", 1}};
}

json Job(Client& c, int64_t id) { return c.Get("/api/v1/jobs/" + std::to_string(id)).body; }

// Runs every launch it is handed to the end with `exit_code`, and returns the job ids launched.
std::vector<int64_t> RunLaunches(FakeAgent& agent, const json& launches, int exit_code = 0) {
  std::vector<json> started, exited;
  std::vector<int64_t> ids;
  for (const auto& l : launches) {
    started.push_back(FakeAgent::Event(l["job_id"], l["attempt"], l["task"], "started"));
    exited.push_back(
        FakeAgent::Event(l["job_id"], l["attempt"], l["task"], "exited", exit_code));
    ids.push_back(l["job_id"]);
  }
  EXPECT_EQ(agent.Poll(started).status, 200);
  EXPECT_EQ(agent.Poll(exited).status, 200);
  return ids;
}

TEST(ServerGatesTest, ArrayIsOneSubmissionAndItsThrottleHoldsAtEveryMoment) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "n1", 0, "none", 16);
  ASSERT_EQ(agent.Register().status, 200);
  json body = CpuJob("sweep");
  body["array"] = "0-9:3,20%2";  // tasks 0 3 6 9 20, two at a time
  Response sub = admin.Post("/api/v1/jobs", body);
  ASSERT_EQ(sub.status, 201) << sub.text;
  const int64_t first = sub.body["id"];
  EXPECT_EQ(sub.body["array_tasks"], 5);
  EXPECT_EQ(sub.body["array"]["job_id"], first);
  EXPECT_EQ(sub.body["array"]["max_running"], 2);
  // Consecutive ids, one per task in task order, each told who it is.
  std::vector<int> tasks;
  for (int64_t id = first; id < first + 5; ++id) {
    json j = Job(admin, id);
    EXPECT_EQ(j["array"]["job_id"], first);
    tasks.push_back(j["array"]["task_id"]);
    EXPECT_EQ(j["env"]["SLURM_ARRAY_JOB_ID"], std::to_string(first));
    EXPECT_EQ(j["env"]["SLURM_ARRAY_TASK_COUNT"], "5");
    EXPECT_EQ(j["env"]["SLURM_ARRAY_TASK_MIN"], "0");
    EXPECT_EQ(j["env"]["SLURM_ARRAY_TASK_MAX"], "20");
  }
  EXPECT_EQ(tasks, (std::vector<int>{0, 3, 6, 9, 20}));
  EXPECT_EQ(Job(admin, first + 4)["env"]["SLURM_ARRAY_TASK_ID"], "20");
  // The array's tasks, listed by the array's id.
  EXPECT_EQ(admin.Get("/api/v1/jobs?array=" + std::to_string(first)).body["jobs"].size(), 5u);

  std::set<int64_t> done;
  for (int round = 0; round < 10 && done.size() < 5; ++round) {
    json launches = agent.PollFor("launch");
    ASSERT_FALSE(launches.empty()) << "round " << round;
    // Never more than two at once: what it was handed plus what still runs.
    int running = 0;
    for (int64_t id = first; id < first + 5; ++id) {
      std::string st = Job(admin, id)["state"];
      running += st == "STARTING" || st == "RUNNING";
    }
    EXPECT_LE(running, 2);
    EXPECT_LE(launches.size(), 2u);
    for (int64_t id = first; id < first + 5; ++id) {
      json j = Job(admin, id);
      if (j["state"] == "PENDING" && running == 2) {
        EXPECT_EQ(j["reason_code"], "JobArrayTaskLimit");
      }
    }
    for (int64_t id : RunLaunches(agent, launches)) done.insert(id);
  }
  EXPECT_EQ(done.size(), 5u);
  for (int64_t id = first; id < first + 5; ++id) {
    WaitForJob(admin, id, [](const json& j) { return j["state"] == "COMPLETED"; });
  }
}

TEST(ServerGatesTest, AfterOkRunsAfterSuccessAndAfterNotOkIsCancelledAsNeverSatisfied) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "n1", 0, "none", 16);
  ASSERT_EQ(agent.Register().status, 200);
  json a = CpuJob("a");
  a["hold"] = true;  // so that the dependents are seen waiting before it runs
  const int64_t ida = admin.Post("/api/v1/jobs", a).body["id"];
  json b = CpuJob("b");
  b["dependency"] = "afterok:" + std::to_string(ida);
  json c = CpuJob("c");
  c["dependency"] = "afternotok:" + std::to_string(ida);
  json d = CpuJob("d");
  d["dependency"] = "afterany:" + std::to_string(ida) + "?afterok:" + std::to_string(ida);
  Response rb = admin.Post("/api/v1/jobs", b), rc = admin.Post("/api/v1/jobs", c),
           rd = admin.Post("/api/v1/jobs", d);
  ASSERT_EQ(rb.status, 201) << rb.text;
  ASSERT_EQ(rc.status, 201) << rc.text;
  ASSERT_EQ(rd.status, 201) << rd.text;
  const int64_t idb = rb.body["id"], idc = rc.body["id"], idd = rd.body["id"];
  json held = WaitForJob(admin, ida, [](const json& j) { return j["reason_code"] == "JobHeldUser"; });
  EXPECT_TRUE(held["held"]);
  json waiting =
      WaitForJob(admin, idb, [](const json& j) { return j["reason_code"] == "Dependency"; });
  EXPECT_NE(waiting["reason"].get<std::string>().find("job " + std::to_string(ida)),
            std::string::npos)
      << waiting["reason"];
  EXPECT_TRUE(agent.Poll({}, json::array(), 300).body["launch"].empty());  // nothing may run

  Response rel = admin.Post("/api/v1/jobs/" + std::to_string(ida) + "/release", json::object());
  ASSERT_EQ(rel.status, 200) << rel.text;
  json launches = agent.PollFor("launch");
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(launches[0]["job_id"], ida);
  RunLaunches(agent, launches, 0);
  // b and d run; c can never run and is cancelled, saying why.
  std::set<int64_t> next;
  for (int i = 0; i < 5 && next.size() < 2; ++i) {
    for (const auto& l : agent.PollFor("launch")) next.insert(l["job_id"].get<int64_t>());
  }
  EXPECT_EQ(next, (std::set<int64_t>{idb, idd}));
  json cj = WaitForJob(admin, idc, [](const json& j) { return j["state"] == "CANCELLED"; });
  EXPECT_EQ(cj["reason_code"], "DependencyNeverSatisfied");
  EXPECT_NE(cj["reason"].get<std::string>().find("COMPLETED"), std::string::npos) << cj["reason"];
}

TEST(ServerGatesTest, DependencyOnAMissingOrInvisibleJobIsRefusedNamingIt) {
  TestServer s;
  Client admin = s.Admin();
  json j = CpuJob();
  j["dependency"] = "afterok:999";
  Response r = admin.Post("/api/v1/jobs", j);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.text.find("afterok:999"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("does not exist"), std::string::npos) << r.text;
  j["dependency"] = "afterok:abc";
  r = admin.Post("/api/v1/jobs", j);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.text.find("dependency"), std::string::npos) << r.text;
  j.erase("dependency");
  j["array"] = "5-1";
  r = admin.Post("/api/v1/jobs", j);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.text.find("array"), std::string::npos) << r.text;
  j["array"] = "0-20000";  // past the site's MaxArraySize (10001 by default)
  r = admin.Post("/api/v1/jobs", j);
  EXPECT_EQ(r.status, 400) << r.text;
  EXPECT_EQ(admin.Get("/api/v1/jobs").body["jobs"].size(), 0u);  // nothing half-submitted

  // Another tenant's job is one that does not exist.
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "physics"}}).status, 201);
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "bio"}}).status, 201);
  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "pat"}, {"tenant", "physics"}}).status, 201);
  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "bo"}, {"tenant", "bio"}}).status, 201);
  Client pat = s.As(admin.Post("/api/v1/tokens", json{{"user", "pat"}}).body["token"]);
  Client bo = s.As(admin.Post("/api/v1/tokens", json{{"user", "bo"}}).body["token"]);
  Response mine = pat.Post("/api/v1/jobs", CpuJob());
  ASSERT_EQ(mine.status, 201) << mine.text;
  json dep = CpuJob();
  dep["dependency"] = "afterany:" + std::to_string(mine.body["id"].get<int64_t>());
  r = bo.Post("/api/v1/jobs", dep);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.text.find("does not exist"), std::string::npos) << r.text;
  EXPECT_EQ(pat.Post("/api/v1/jobs", dep).status, 201);
}

TEST(ServerGatesTest, BeginTimeSingletonAndWholeArrayCancel) {
  TestServer s;
  Client admin = s.Admin();
  FakeAgent agent(s, "n1", 0, "none", 16);
  ASSERT_EQ(agent.Register().status, 200);
  const double now_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  json later = CpuJob("later");
  later["begin_time"] = now_s + 1.5;
  const int64_t idl = admin.Post("/api/v1/jobs", later).body["id"];
  WaitForJob(admin, idl, [](const json& j) { return j["reason_code"] == "BeginTime"; });
  json one = CpuJob("only-one"), two = CpuJob("only-one");
  one["dependency"] = two["dependency"] = "singleton";
  const int64_t id1 = admin.Post("/api/v1/jobs", one).body["id"];
  const int64_t id2 = admin.Post("/api/v1/jobs", two).body["id"];
  json launches = agent.PollFor("launch");
  std::set<int64_t> got;
  for (const auto& l : launches) got.insert(l["job_id"].get<int64_t>());
  EXPECT_TRUE(got.count(id1));
  EXPECT_FALSE(got.count(id2)) << "two singletons of one name ran at once";
  // The reason is set by the pass after the submission, which may come after the launch above.
  EXPECT_EQ(WaitForJob(admin, id2, [](const json& j) { return j["reason_code"] == "Dependency"; })
                ["reason_code"],
            "Dependency");
  RunLaunches(agent, launches);
  // The begin time passes, and the second singleton may go once the first has ended.
  for (int i = 0; i < 20 && !(got.count(idl) && got.count(id2)); ++i) {
    json more = agent.PollFor("launch", 10);
    for (const auto& l : more) got.insert(l["job_id"].get<int64_t>());
    RunLaunches(agent, more);
  }
  EXPECT_TRUE(got.count(idl));
  EXPECT_TRUE(got.count(id2));

  json arr = CpuJob("many");
  arr["array"] = "1-50";
  arr["hold"] = true;
  const int64_t a = admin.Post("/api/v1/jobs", arr).body["id"];
  Response one_task = admin.Post("/api/v1/jobs/" + std::to_string(a + 3) + "/cancel", json::object());
  EXPECT_EQ(one_task.status, 200) << one_task.text;
  Response all = admin.Post("/api/v1/jobs/" + std::to_string(a) + "/cancel", json{{"array", true}});
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["cancelled"].size(), 49u);
  EXPECT_EQ(Job(admin, a + 49)["state"], "CANCELLED");
  EXPECT_EQ(admin.Post("/api/v1/jobs/" + std::to_string(a) + "/cancel", json{{"array", true}}).status,
            409);
  // Only pending jobs are held; an unknown job is 404; a body with another field is 400.
  Response finished = admin.Post("/api/v1/jobs/" + std::to_string(id1) + "/hold", json::object());
  EXPECT_EQ(finished.status, 409) << finished.text;
  EXPECT_NE(finished.text.find("no longer pending"), std::string::npos) << finished.text;
  EXPECT_EQ(admin.Post("/api/v1/jobs/99999/hold", json::object()).status, 404);
  EXPECT_EQ(admin.Post("/api/v1/jobs/" + std::to_string(a) + "/hold", json{{"all", true}}).status,
            400);
}

TEST(ServerGatesTest, MembersHoldAndCancelOnlyTheirOwnArrays) {
  TestServer s;
  Client admin = s.Admin();
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "lab"}}).status, 201);
  for (const char* u : {"ann", "ben"}) {
    ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", u}, {"tenant", "lab"}}).status, 201);
  }
  Client ann = s.As(admin.Post("/api/v1/tokens", json{{"user", "ann"}}).body["token"]);
  Client ben = s.As(admin.Post("/api/v1/tokens", json{{"user", "ben"}}).body["token"]);
  json arr = CpuJob("anns");
  arr["array"] = "0-3";
  arr["hold"] = true;
  Response sub = ann.Post("/api/v1/jobs", arr);
  ASSERT_EQ(sub.status, 201) << sub.text;
  const std::string a = std::to_string(sub.body["id"].get<int64_t>());
  EXPECT_EQ(ben.Post("/api/v1/jobs/" + a + "/release", json{{"array", true}}).status, 403);
  EXPECT_EQ(ben.Post("/api/v1/jobs/" + a + "/cancel", json{{"array", true}}).status, 403);
  for (int i = 0; i < 4; ++i) {  // nothing changed by the refused calls
    json j = Job(ann, sub.body["id"].get<int64_t>() + i);
    EXPECT_TRUE(j["held"]) << j.dump();
    EXPECT_EQ(j["state"], "PENDING");
  }
  Response rel = ann.Post("/api/v1/jobs/" + a + "/release", json{{"array", true}});
  ASSERT_EQ(rel.status, 200) << rel.text;
  EXPECT_EQ(rel.body["released"].size(), 4u);
}

TEST(ServerGatesTest, HoldsDependenciesAndThrottlesSurviveARestart) {
  std::string dir = TempDir("gates-restart");
  int64_t ida = 0, idb = 0, arr = 0;
  {
    TestServer s(dir);
    Client admin = s.Admin();
    json a = CpuJob("a");
    a["hold"] = true;
    ida = admin.Post("/api/v1/jobs", a).body["id"];
    json b = CpuJob("b");
    b["dependency"] = "afterok:" + std::to_string(ida);
    idb = admin.Post("/api/v1/jobs", b).body["id"];
    json t = CpuJob("t");
    t["array"] = "0-3%1";
    arr = admin.Post("/api/v1/jobs", t).body["id"];
  }
  TestServer s(dir);
  Client admin = s.Admin();
  FakeAgent agent(s, "n1", 0, "none", 16);
  ASSERT_EQ(agent.Register().status, 200);
  EXPECT_TRUE(Job(admin, ida)["held"]);
  // One array task at a time, and nothing of a or b.
  for (int round = 0; round < 4; ++round) {
    json launches = agent.PollFor("launch");
    ASSERT_EQ(launches.size(), 1u) << "round " << round;
    EXPECT_EQ(launches[0]["job_id"], arr + round);
    RunLaunches(agent, launches);
  }
  WaitForJob(admin, idb, [](const json& j) { return j["reason_code"] == "Dependency"; });
  ASSERT_EQ(admin.Post("/api/v1/jobs/" + std::to_string(ida) + "/release", json::object()).status,
            200);
  json la = agent.PollFor("launch");
  ASSERT_EQ(la.size(), 1u);
  EXPECT_EQ(la[0]["job_id"], ida);
  RunLaunches(agent, la, 1);  // a fails: b can never run
  json bj = WaitForJob(admin, idb, [](const json& j) { return j["state"] == "CANCELLED"; });
  EXPECT_EQ(bj["reason_code"], "DependencyNeverSatisfied");
}

}  // namespace
}  // namespace suanli::server::testing
