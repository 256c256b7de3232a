#include "server/job_gates.h"

#include <gtest/gtest.h>

#include <map>

namespace suanli::server {
namespace {

using store::JobState;

class GatesTest : public ::testing::Test {
 protected:
  // Jobs 10..14 are the array "0-8:2" (tasks 0 2 4 6 8); 20 is a plain job.
  void SetUp() override {
    for (uint32_t i = 0; i < 5; ++i) {
      JobFacts f;
      f.id = 10 + i;
      f.array = {10, i * 2, 5, 0, "0-8:2"};
      facts_[f.id] = f;
    }
    facts_[20] = JobFacts{20, JobState::kPending, -1, {}, "t"};
  }
  FactsLookup Lookup() {
    return [this](store::JobId id) -> std::optional<JobFacts> {
      auto it = facts_.find(id);
      if (it == facts_.end()) return std::nullopt;
      return it->second;
    };
  }
  store::JobRecord Dependent(const std::string& dep, store::JobId id = 100) {
    store::JobRecord j;
    j.id = id;
    j.spec.dependency = dep;
    return j;
  }
  GateVerdict Eval(const store::JobRecord& job, TimeMs now = 0, bool* met = nullptr) {
    auto spec = slurm::ParseDependencySpec(job.spec.dependency);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    auto dep = ResolveDependency(*spec, job, Lookup());
    EXPECT_TRUE(dep.ok()) << dep.status().ToString();
    return EvaluateGates(job, &*dep, false, now, Lookup(), met);
  }
  std::map<store::JobId, JobFacts> facts_;
};

TEST_F(GatesTest, AWholeArrayIsEveryTaskAndATaskIsItsOwnJob) {
  auto whole = ResolveDependency(*slurm::ParseDependencySpec("afterok:10"), Dependent(""), Lookup());
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->conditions[0].jobs.size(), 1u);
  EXPECT_EQ(whole->conditions[0].jobs[0].first, 10);
  EXPECT_EQ(whole->conditions[0].jobs[0].count, 5u);
  auto task = ResolveDependency(*slurm::ParseDependencySpec("afterok:10_6"), Dependent(""), Lookup());
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->conditions[0].jobs[0].first, 13);
  EXPECT_EQ(task->conditions[0].jobs[0].count, 1u);
  auto missing_task =
      ResolveDependency(*slurm::ParseDependencySpec("afterok:10_5"), Dependent(""), Lookup());
  EXPECT_FALSE(missing_task.ok());
  EXPECT_NE(missing_task.status().message().find("no task 5"), std::string::npos);
  auto not_array =
      ResolveDependency(*slurm::ParseDependencySpec("afterok:20_1"), Dependent(""), Lookup());
  EXPECT_NE(not_array.status().message().find("not a job array"), std::string::npos);
  auto absent = ResolveDependency(*slurm::ParseDependencySpec("afterany:7"), Dependent(""), Lookup());
  EXPECT_NE(absent.status().message().find("afterany:7"), std::string::npos);
  // aftercorr: task 4 of one array waits for task 4 of the other only.
  store::JobRecord corr = Dependent("aftercorr:10");
  corr.spec.array = {100, 4, 3, 0, "2-6:2"};
  auto c = ResolveDependency(*slurm::ParseDependencySpec("aftercorr:10"), corr, Lookup());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->conditions[0].jobs[0].first, 12);
}

TEST_F(GatesTest, AfterOkWaitsForEveryTaskAndNeverOnceOneFails) {
  store::JobRecord j = Dependent("afterok:10");
  EXPECT_EQ(Eval(j).kind, GateKind::kDependency);
  for (store::JobId id = 10; id < 15; ++id) facts_[id].state = JobState::kCompleted;
  bool met = false;
  EXPECT_EQ(Eval(j, 0, &met).kind, GateKind::kNone);
  EXPECT_TRUE(met);
  facts_[12].state = JobState::kFailed;
  GateVerdict v = Eval(j);
  EXPECT_EQ(v.kind, GateKind::kNever);
  EXPECT_NE(v.words.find("job 12 ended FAILED"), std::string::npos) << v.words;
}

TEST_F(GatesTest, AfterWithADelayWakesAtItsTime) {
  store::JobRecord j = Dependent("after:20+2");
  EXPECT_EQ(Eval(j).kind, GateKind::kDependency);
  facts_[20].state = JobState::kRunning;
  facts_[20].first_start = 1'000;
  GateVerdict v = Eval(j, 60'000);
  EXPECT_EQ(v.kind, GateKind::kDependency);
  EXPECT_EQ(v.wake_at, 121'000);
  EXPECT_EQ(Eval(j, 121'000).kind, GateKind::kNone);
  // A job cancelled before it ever started lets an "after" dependent go.
  facts_[20] = JobFacts{20, JobState::kCancelled, -1, {}, "t"};
  EXPECT_EQ(Eval(Dependent("after:20")).kind, GateKind::kNone);
}

TEST_F(GatesTest, AnyOfIsMetByOneAndNeverOnlyWhenNoneCanBe) {
  store::JobRecord j = Dependent("afterok:20?afternotok:20");
  EXPECT_EQ(Eval(j).kind, GateKind::kDependency);
  facts_[20].state = JobState::kFailed;
  EXPECT_EQ(Eval(j).kind, GateKind::kNone);
  store::JobRecord all = Dependent("afterok:20,afternotok:20");
  EXPECT_EQ(Eval(all).kind, GateKind::kNever);
}

TEST_F(GatesTest, HeldAndBeginTimeAreGatesOfTheirOwn) {
  store::JobRecord j;
  j.id = 5;
  j.spec.held = true;
  EXPECT_EQ(EvaluateGates(j, nullptr, false, 0, Lookup()).kind, GateKind::kHeld);
  j.spec.held = false;
  j.spec.begin_time = 5'000;
  GateVerdict v = EvaluateGates(j, nullptr, false, 1'000, Lookup());
  EXPECT_EQ(v.kind, GateKind::kBegin);
  EXPECT_EQ(v.wake_at, 5'000);
  EXPECT_EQ(EvaluateGates(j, nullptr, false, 5'000, Lookup()).kind, GateKind::kNone);
  EXPECT_STREQ(GateReasonCode(GateKind::kArrayLimit), "JobArrayTaskLimit");
}

}  // namespace
}  // namespace suanli::server
