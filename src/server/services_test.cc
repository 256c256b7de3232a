// Services' decisions without a controller: restarts with backoff and CRASHLOOP, health checks
// that never pass, one-at-a-time rollouts, scaling on the request rate, the stored form.
#include "server/services.h"

#include <gtest/gtest.h>

#include <map>

namespace suanli::server {
namespace {

using store::JobId;

// Jobs as the controller would report them, made by Start actions.
struct World {
  Services services;
  std::map<JobId, Services::JobView> jobs;
  JobId next = 1;
  TimeMs now = 1000;

  Services::Actions Step() {
    auto a = services.Reconcile(now, [&](JobId id) {
      auto it = jobs.find(id);
      return it == jobs.end() ? Services::JobView{} : it->second;
    });
    for (const auto& s : a.stop) End(s.job, "CANCELLED: " + s.reason);
    for (const auto& s : a.start) {
      JobId id = next++;
      jobs[id] = Services::JobView{true, false, ""};
      services.Started(s.service, s.index, id);
    }
    return a;
  }
  void Run(JobId id) { jobs[id] = Services::JobView{true, true, "127.0.0.1:" + std::to_string(9000 + id)}; }
  void End(JobId id, const std::string& how, TimeMs ran = 0) {
    jobs.erase(id);
    services.JobEnded("web", id, how, ran, now);
  }
  const Services::Service& Web() { return *services.Find("web"); }
  JobId JobOf(int index) { return Web().slots.at(index).job; }
};

ServiceRequest Request(int replicas) {
  ServiceRequest r;
  r.name = "web";
  r.tenant = "root";
  r.spec.command = {"server"};
  r.replicas = replicas;
  return r;
}

void AddService(World& w, ServiceRequest r) {
  auto s = Services::Validate(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(w.services.Add(*s, w.now).ok());
}

TEST(ServicesTest, ValidateNamesWhatIsWrong) {
  ServiceRequest r = Request(3);
  r.min_replicas = 4;
  r.max_replicas = 6;
  EXPECT_EQ(Services::Validate(r).status().message(),
            "field 'replicas' (3) must lie between min_replicas (4) and max_replicas (6)");
  r = Request(1);
  r.health = "tcp:80";
  EXPECT_EQ(Services::Validate(r).status().message(),
            "field 'health' must be http:/PATH like http:/healthz, not 'tcp:80'");
  r = Request(1);
  r.spec.main.tasks = 2;
  EXPECT_NE(Services::Validate(r).status().message().find("one task"), std::string::npos);
  r = Request(1);
  r.name = "bad name";
  EXPECT_FALSE(Services::Validate(r).ok());
}

TEST(ServicesTest, StartsEveryReplicaAndRestartsAnEndedOneAfterBackoff) {
  World w;
  AddService(w, Request(3));
  EXPECT_EQ(w.Step().start.size(), 3u);
  EXPECT_TRUE(w.Step().start.empty());  // no duplicates while they are pending
  for (JobId id = 1; id <= 3; ++id) w.Run(id);
  w.Step();
  EXPECT_EQ(w.Web().slots[1].state, Services::ReplicaState::kRunning);
  w.End(2, "FAILED: exited with code 1", 500);
  EXPECT_EQ(w.Web().slots[1].state, Services::ReplicaState::kBackoff);
  EXPECT_TRUE(w.Step().start.empty());  // backing off
  w.now += 1000;
  auto a = w.Step();
  ASSERT_EQ(a.start.size(), 1u);
  EXPECT_EQ(a.start[0].index, 1);
  EXPECT_EQ(w.Web().slots[1].restarts, 1);
  EXPECT_EQ(w.Web().slots[1].last_exit, "FAILED: exited with code 1");
  EXPECT_EQ(w.Web().slots[1].last_job, 2);
}

TEST(ServicesTest, QuickFailuresBackOffExponentiallyIntoCrashLoop) {
  World w;
  AddService(w, Request(1));
  std::vector<TimeMs> delays;
  for (int i = 0; i < 6; ++i) {
    w.Step();
    JobId id = w.JobOf(0);
    ASSERT_NE(id, 0);
    w.End(id, "FAILED: exited with code 3");
    TimeMs ended = w.now;
    while (w.Step().start.empty()) w.now += 100;
    delays.push_back(w.now - ended);
    if (i >= 2) EXPECT_EQ(w.Web().slots[0].state, Services::ReplicaState::kCrashLoop) << i;
  }
  EXPECT_EQ(delays, (std::vector<TimeMs>{1000, 2000, 4000, 8000, 16000, 32000}));
  // A replica that then runs stably leaves CRASHLOOP and its failures are forgotten.
  w.Run(w.JobOf(0));
  w.Step();
  w.now += 31000;
  w.Step();
  EXPECT_EQ(w.Web().slots[0].state, Services::ReplicaState::kRunning);
  EXPECT_EQ(w.Web().slots[0].failures, 0);
}

TEST(ServicesTest, AHealthCheckThatNeverPassesStopsTheReplicaWithTheReason) {
  World w;
  ServiceRequest r = Request(1);
  r.health = "http:/healthz";
  AddService(w, r);
  w.Step();
  JobId id = w.JobOf(0);
  w.Run(id);
  w.Step();
  w.services.Probed("web", id, false, "GET /healthz answered 500", w.now);
  w.now += 29000;
  EXPECT_TRUE(w.Step().stop.empty());
  w.now += 2000;
  auto a = w.Step();
  ASSERT_EQ(a.stop.size(), 1u);
  EXPECT_EQ(a.stop[0].reason,
            "health check http:/healthz never passed in 30 s: GET /healthz answered 500");
  EXPECT_EQ(w.Web().slots[0].failures, 1);
  EXPECT_EQ(w.Web().slots[0].state, Services::ReplicaState::kBackoff);
}

TEST(ServicesTest, UpdateRollsOneReplicaAtATimeKeepingTheOldUntilTheNewIsHealthy) {
  World w;
  ServiceRequest r = Request(2);
  r.health = "http:/";
  AddService(w, r);
  w.Step();
  for (JobId id : {1, 2}) {
    w.Run(id);
    w.Step();
    w.services.Probed("web", id, true, "", w.now);
  }
  ServiceUpdate u;
  u.spec = r.spec;
  u.spec->env["V"] = "2";
  ASSERT_TRUE(w.services.Update("web", u, w.now).ok());
  auto a = w.Step();
  ASSERT_EQ(a.start.size(), 1u);  // only one replica moves
  EXPECT_TRUE(a.stop.empty());    // and the old one keeps serving meanwhile
  EXPECT_EQ(w.Web().slots[0].old_job, 1);
  JobId fresh = w.JobOf(0);
  w.Run(fresh);
  w.Step();
  EXPECT_TRUE(w.Step().start.empty());  // the second waits for the first
  w.services.Probed("web", fresh, true, "", w.now);
  a = w.Step();
  ASSERT_EQ(a.stop.size(), 1u);
  EXPECT_EQ(a.stop[0].job, 1);
  EXPECT_EQ(a.stop[0].reason, "replaced by version 2");
  a = w.Step();
  ASSERT_EQ(a.start.size(), 1u);
  EXPECT_EQ(a.start[0].index, 1);
  EXPECT_EQ(w.Web().slots[0].version, 2);
}

TEST(ServicesTest, ScalesUpOnTheRequestRateAndDownWhenIdle) {
  World w;
  ServiceRequest r = Request(1);
  r.min_replicas = 1;
  r.max_replicas = 4;
  r.target_rps = 10;
  AddService(w, r);
  w.Step();
  // 300 requests in the 10 s window = 30 per second: 3 replicas.
  for (int i = 0; i < 10; ++i) {
    w.now += 1000;
    w.services.CountRequests("web", 30, w.now);
  }
  auto a = w.Step();
  EXPECT_EQ(w.Web().replicas, 3);
  EXPECT_EQ(a.start.size(), 2u);
  for (JobId id = 1; id <= 3; ++id) w.Run(id);
  w.Step();
  // Idle: one replica goes per 30 s below target, never under min.
  w.now += 11000;
  w.Step();
  EXPECT_EQ(w.Web().replicas, 3);
  w.now += 30000;
  a = w.Step();
  EXPECT_EQ(w.Web().replicas, 2);
  ASSERT_EQ(a.stop.size(), 1u);
  EXPECT_EQ(a.stop[0].job, 3);
  EXPECT_EQ(a.stop[0].reason, "scaled down to 2 replicas");
  w.now += 30000;
  w.Step();
  w.now += 30000;
  w.Step();
  EXPECT_EQ(w.Web().replicas, 1);
  EXPECT_TRUE(w.Step().start.empty());  // a scaled-down replica is not restarted
}

TEST(ServicesTest, StoredFormKeepsReplicaJobsSoARestartStartsNoDuplicate) {
  World w;
  AddService(w, Request(2));
  w.Step();
  store::WriteBatch batch;
  w.services.TakeChanges(&batch);
  ASSERT_TRUE(batch.meta.count(Services::kMetaKey));
  Services loaded;
  ASSERT_TRUE(loaded.Load(batch.meta).ok());
  ASSERT_NE(loaded.Find("web"), nullptr);
  EXPECT_EQ(loaded.Find("web")->slots[0].job, 1);
  EXPECT_EQ(loaded.Find("web")->slots[1].job, 2);
  auto a = loaded.Reconcile(w.now, [&](JobId) { return Services::JobView{true, false, ""}; });
  EXPECT_TRUE(a.start.empty());
  // A job that is gone (ended while the controller was down) gets a new one.
  a = loaded.Reconcile(w.now, [&](JobId id) {
    return id == 1 ? Services::JobView{} : Services::JobView{true, false, ""};
  });
  ASSERT_EQ(a.start.size(), 1u);
  EXPECT_EQ(a.start[0].index, 0);
  EXPECT_FALSE(loaded.Load({{Services::kMetaKey, "not json"}}).ok());
}

}  // namespace
}  // namespace suanli::server
