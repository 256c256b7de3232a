#include "sim/fragmentation.h"

#include <gtest/gtest.h>

#include "core/test_support.h"

namespace suanli::sim {
namespace {

// A pod of `milli` GPU (0: none) and `cpu_milli` CPU, one task.
SimJob Pod(int64_t milli, int64_t cpu_milli) {
  SimJob p;
  p.job = core::testing::MakeJob(1, milli);
  p.job.shapes[0].per_task.cpu_milli = cpu_milli;
  p.accel_milli = milli;
  return p;
}

Workload Pods(std::vector<SimJob> jobs) {
  Workload w;
  w.tenants.push_back(core::Tenant{.name = "all"});
  w.jobs = std::move(jobs);
  return w;
}

core::PolicyConfig Fifo(const std::string& placement) {
  core::PolicyConfig c;
  c.name = "fifo";
  c.placement = placement;
  return c;
}

TEST(FragmentationTest, TraceLargerThanTheTargetIsCutToFitUnderIt) {
  // Five whole-GPU pods (5000) against 2 GPUs x 1.3 = 2600: FGD's artifact drops pods at random
  // until the demand is within the target, so exactly two arrive, both fit, 100 % allocated.
  Workload w =
      Pods({Pod(1000, 1000), Pod(1000, 1000), Pod(1000, 1000), Pod(1000, 1000), Pod(1000, 1000)});
  core::ClusterState cluster = core::testing::MakeCluster(1, 2);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto run = RunFragmentation(w, cluster, Fifo("fgd"), seed, 1.3);
    ASSERT_TRUE(run.ok()) << run.status().message();
    EXPECT_EQ(run->pods_arrived, 2);
    EXPECT_EQ(run->pods_placed, 2);
    EXPECT_DOUBLE_EQ(run->final_alloc_pct, 100.0);
  }
}

TEST(FragmentationTest, EveryTracePodArrivesOnceBeforeResampledOnes) {
  // Three pods of 300, 300, 400 (1000) on 10 GPUs, target 1.3 x 10000 = 13000: the trace once,
  // then resampled pods while the next keeps demand <= 13000, so the resampled demand S is in
  // (11600, 12000]. Each resampled pod is 300 or 400: S / 400 < count <= S / 300, i.e. 30..40.
  Workload w = Pods({Pod(300, 100), Pod(300, 100), Pod(400, 100)});
  core::ClusterState cluster = core::testing::MakeCluster(1, 10);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto run = RunFragmentation(w, cluster, Fifo("fgd"), seed, 1.3);
    ASSERT_TRUE(run.ok()) << run.status().message();
    EXPECT_GE(run->pods_arrived, 3 + 30);
    EXPECT_LE(run->pods_arrived, 3 + 40);
    EXPECT_EQ(run->pods_placed + run->pods_failed, run->pods_arrived);
    // The curve is recorded at every whole percent up to 130, the last points at the end state.
    ASSERT_EQ(run->alloc_pct_at.size(), 131u);
    EXPECT_DOUBLE_EQ(run->alloc_pct_at[130], run->final_alloc_pct);
  }
}

TEST(FragmentationTest, PodsWithoutGpuRunOnTheGpuNodes) {
  // FGD's simulator has only the GPU nodes: a CPU-only node is not part of the cluster. Node 0
  // is CPU-only (64 CPUs), node 1 has one GPU and 8 CPUs. The CPU-only pod (8 CPUs) and the GPU
  // pod (1 GPU, 8 CPUs) compete for node 1's CPUs; whichever comes first wins. With the CPU-only
  // node in play both would fit. Over several seeds both orders occur: allocation is 0 % or
  // 100 % (the GPU pod alone), never anything else, and some seed gives 0 %.
  Workload w = Pods({Pod(0, 8000), Pod(1000, 8000)});
  core::ClusterState cluster = core::testing::MakeCluster(2, 1);
  cluster.nodes[0].devices.clear();
  cluster.nodes[1].cpu_milli = 8000;
  bool some_starved = false;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    auto run = RunFragmentation(w, cluster, Fifo("fgd"), seed, 1.3);
    ASSERT_TRUE(run.ok()) << run.status().message();
    EXPECT_TRUE(run->final_alloc_pct == 0.0 || run->final_alloc_pct == 100.0)
        << run->final_alloc_pct;
    some_starved |= run->final_alloc_pct == 0.0;
  }
  EXPECT_TRUE(some_starved);
}

}  // namespace
}  // namespace suanli::sim
