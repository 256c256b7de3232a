#include "sim/workload.h"

#include <gtest/gtest.h>

#include "sim/cluster_spec.h"

namespace suanli::sim {
namespace {

const char* kHeader = "job_id,tenant,submit_time_s,duration_s,num_gpus,gpu_type";

Workload Build(const std::vector<std::string>& lines, const std::string& cluster_spec,
               WorkloadOptions options = {}) {
  auto trace = ParseTrace(lines, "test");
  EXPECT_TRUE(trace.ok());
  auto cluster = ParseInlineCluster(cluster_spec);
  EXPECT_TRUE(cluster.ok());
  auto w = BuildWorkload(*trace, *cluster, options);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return *w;
}

TEST(WorkloadTest, GangShapesUseTheFewestEqualTasksThatFitANode) {
  Workload w =
      Build({kHeader, "a,v,0,10,8,", "b,v,0,10,12,", "c,v,0,10,24,", "d,v,0,10,3,"}, "4x8");
  ASSERT_EQ(w.jobs.size(), 4u);
  auto shape = [&](int i) { return w.jobs[i].job.shapes[0]; };
  EXPECT_EQ(shape(0).tasks, 1);
  EXPECT_EQ(shape(0).per_task.accel_milli, 8000);
  EXPECT_EQ(shape(1).tasks, 2);  // 12 = 2 × 6
  EXPECT_EQ(shape(1).per_task.accel_milli, 6000);
  EXPECT_EQ(shape(2).tasks, 3);  // 24 = 3 × 8
  EXPECT_EQ(shape(3).per_task.accel_milli, 3000);
  EXPECT_EQ(w.jobs[2].accel_milli, 24000);
  EXPECT_EQ(w.jobs[0].job.id, 1);  // ids start at 1
  EXPECT_EQ(w.jobs[0].job.oracle_duration, 10000);
}

TEST(WorkloadTest, JobsThatCanNeverFitAreReportedNotReplayed) {
  Workload w = Build({kHeader, "ok,v,0,10,1,", "big,v,0,10,64,", "typed,v,0,10,1,nvidia-h100"},
                     "2x8:nvidia-a100");
  ASSERT_EQ(w.jobs.size(), 1u);
  ASSERT_EQ(w.infeasible.size(), 2u);
  EXPECT_EQ(w.infeasible[0].name, "big");
  EXPECT_EQ(w.infeasible[0].line, 3);
  EXPECT_FALSE(w.infeasible[0].reason.empty());
  EXPECT_EQ(w.infeasible[1].name, "typed");
  EXPECT_NE(w.infeasible[1].reason.find("nvidia-h100"), std::string::npos);
}

TEST(WorkloadTest, TypeConstraintsKeepOnlyTypesTheClusterHas) {
  Workload w = Build({kHeader, "a,v,0,10,1,T4|V100|A10"}, "1x4:V100,1x4:T4");
  ASSERT_EQ(w.jobs.size(), 1u);
  EXPECT_EQ(w.jobs[0].job.shapes[0].accel_types.size(), 2u);  // V100 and T4, not A10
}

TEST(WorkloadTest, TenantsFromTraceAndWeights) {
  WorkloadOptions o;
  o.tenants_from_trace = true;
  o.tenant_weights = {{"b", 3}};
  Workload w = Build({kHeader, "1,b,0,10,1,", "2,a,0,10,1,", "3,,0,10,1,"}, "1x8", o);
  ASSERT_EQ(w.tenants.size(), 3u);
  EXPECT_EQ(w.tenants[0].name, "(none)");
  EXPECT_EQ(w.tenants[1].name, "a");
  EXPECT_EQ(w.tenants[2].name, "b");
  EXPECT_EQ(w.tenants[2].weight, 3);
  EXPECT_EQ(w.tenants[1].weight, 1);
  EXPECT_EQ(w.jobs[0].job.tenant, 2);

  auto weights = ParseTenantWeights("x=2,y=0.5");
  ASSERT_TRUE(weights.ok());
  EXPECT_EQ(weights->at("y"), 0.5);
  EXPECT_FALSE(ParseTenantWeights("x=-1").ok());
  EXPECT_FALSE(ParseTenantWeights("=3").ok());
}

TEST(WorkloadTest, FlexibleJobsGetAHalfShapeWithHostMemory) {
  WorkloadOptions o;
  o.flexible_fraction = 1.0;
  o.flexible_speed = 0.55;
  Workload w = Build({kHeader, "small,v,0,10,4,", "big,v,0,10,16,"}, "4x8", o);
  ASSERT_EQ(w.jobs.size(), 2u);
  EXPECT_EQ(w.jobs[0].job.shapes.size(), 1u);  // below 8 GPUs: never flexible
  ASSERT_EQ(w.jobs[1].job.shapes.size(), 2u);
  const core::Shape& flex = w.jobs[1].job.shapes[1];
  EXPECT_EQ(flex.tasks, 2);
  EXPECT_EQ(flex.per_task.accel_milli, 4000);
  EXPECT_EQ(flex.per_task.mem_mb, 4 * kFlexibleMemMbPerGpu);
  EXPECT_DOUBLE_EQ(flex.speed, 0.55);
  EXPECT_EQ(w.flexible_jobs, 1);

  // A fraction selects a stable subset: same seed, same jobs.
  o.flexible_fraction = 0.5;
  std::vector<std::string> lines = {kHeader};
  for (int i = 0; i < 200; ++i) lines.push_back("j" + std::to_string(i) + ",v,0,10,8,");
  Workload a = Build(lines, "4x8", o), b = Build(lines, "4x8", o);
  EXPECT_EQ(a.flexible_jobs, b.flexible_jobs);
  EXPECT_GT(a.flexible_jobs, 70);
  EXPECT_LT(a.flexible_jobs, 130);
}

}  // namespace
}  // namespace suanli::sim
