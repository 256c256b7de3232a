// Learned run-time estimates on the controller: taught by jobs that end on their own, asked at
// submission, seen by the core and by users, and learned again from the store after a restart.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/policy.h"
#include "server/controller.h"
#include "server/test_harness.h"
#include "store/store.h"

namespace suanli::server::testing {
namespace {

namespace fs = std::filesystem;

// The real sjf policy, keeping what the core was shown in the last pass.
class RecordingSjf : public core::Policy {
 public:
  RecordingSjf() {
    core::PolicyConfig c;
    c.name = "sjf";
    inner_ = std::move(core::MakePolicy(c)).value();
  }
  std::string_view name() const override { return inner_->name(); }
  core::CycleResult Schedule(const core::ClusterState& state, core::Time now) override {
    last = state;
    return inner_->Schedule(state, now);
  }
  core::Time EstimateSeen(JobId id) const {
    for (const auto& j : last.jobs) {
      if (j.id == id) return j.estimated_duration;
    }
    return -2;  // not shown at all
  }
  core::ClusterState last;

 private:
  std::unique_ptr<core::Policy> inner_;
};

struct Rig {
  std::string dir = TempDir("estimates");
  std::unique_ptr<store::Store> db;
  FakeClock clock{1'000'000};
  RecordingSjf* policy = nullptr;
  std::unique_ptr<Controller> c;
  const Principal alice{"alice", "root", Role::kAdmin};

  void Open() {
    if (!db) {
      auto opened = store::OpenSqliteStore((fs::path(dir) / "suanli.db").string(), false);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      db = std::move(opened).value();
    }
    auto owned = std::make_unique<RecordingSjf>();
    policy = owned.get();
    ControllerOptions opts;
    opts.data_dir = dir;
    opts.node_timeout_ms = 3'600'000;  // the fake agent polls only when the test says
    c = std::make_unique<Controller>(opts, db.get(), &clock, std::move(owned), nullptr, nullptr);
    ASSERT_TRUE(c->Load().ok());
    RegisterRequest reg;
    reg.node.name = "n1";
    reg.node.cpus = 16;
    reg.node.mem_mb = 64000;
    reg.node.devices.push_back({0, "nvidia-a100", "", 81920, 0});
    ASSERT_EQ(c->RegisterAgent(reg).status, 200);
    Commit();
  }
  void Commit() { ASSERT_TRUE(db->Commit(c->TakeBatch()).ok()); }
  JobId Submit(const std::string& name) {
    SubmitRequest sub;
    sub.spec.name = name;
    sub.spec.command = {"/bin/true"};
    sub.spec.main.gpus = 1;
    sub.spec.main.gpu_type = "nvidia-a100";
    ApiReply r = c->SubmitJob(alice, sub);
    EXPECT_EQ(r.status, 201) << r.body;
    Commit();
    return json::parse(r.body)["id"].get<JobId>();
  }
  void Poll(JobId id, const std::string& what) {
    PollRequest poll;
    poll.wait_ms = 0;
    poll.events.push_back(AgentEvent{TaskRef{id, 1, 0},
                                     what,
                                     what == "exited" ? std::optional<int32_t>(0) : std::nullopt,
                                     {},
                                     ""});
    if (what == "started") poll.running.push_back(TaskRef{id, 1, 0});
    ASSERT_EQ(c->PollAgent("n1", poll).status, 200);
    Commit();
  }
  // Submits a job, runs it alone for `seconds` and lets it exit 0.
  void RunFor(const std::string& name, int64_t seconds) {
    JobId id = Submit(name);
    clock.Advance(1000);
    c->Tick();
    Commit();
    Poll(id, "started");
    clock.Advance(seconds * 1000);
    Poll(id, "exited");
    clock.Advance(1000);
  }
  json Job(JobId id) {
    ApiReply r = c->GetJob(alice, id);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
};

TEST(ControllerEstimateTest, FinishedJobsTeachTheEstimateOfNewOnes) {
  Rig rig;
  rig.Open();
  JobId first = rig.Submit("train");
  EXPECT_TRUE(rig.Job(first)["estimated_run_s"].is_null());   // nothing learned yet
  ASSERT_EQ(rig.c->CancelJob(rig.alice, first).status, 200);  // a cancelled job teaches nothing
  rig.Commit();
  rig.RunFor("train", 100);
  rig.RunFor("train", 300);
  rig.RunFor("train", 200);
  ASSERT_EQ(rig.Job(4)["state"], "COMPLETED");

  // Blocked behind a long job, a new "train" job waits with the median of 100, 300, 200 s.
  JobId blocker = rig.Submit("blocker");
  rig.clock.Advance(1000);
  rig.c->Tick();
  rig.Commit();
  rig.Poll(blocker, "started");
  JobId next = rig.Submit("train");
  EXPECT_EQ(rig.Job(next)["estimated_run_s"], 200.0);
  rig.clock.Advance(1000);
  rig.c->Tick();
  EXPECT_EQ(rig.policy->EstimateSeen(next), 200'000);
  // Another name of the same user and width: all of alice's 1-GPU runs (also 200 s).
  JobId other = rig.Submit("eval");
  EXPECT_EQ(rig.Job(other)["estimated_run_s"], 200.0);

  // A restarted controller learns again from the store: the waiting jobs keep their estimates,
  // and a new one gets the same.
  rig.clock.Advance(1000);
  rig.Poll(blocker, "exited");
  rig.c.reset();
  rig.Open();
  EXPECT_EQ(rig.Job(next)["estimated_run_s"], 200.0);
  JobId after = rig.Submit("train");
  EXPECT_EQ(rig.Job(after)["estimated_run_s"], 200.0);
  rig.clock.Advance(1000);
  rig.c->Tick();
  EXPECT_EQ(rig.policy->EstimateSeen(after), 200'000);
}

}  // namespace
}  // namespace suanli::server::testing
