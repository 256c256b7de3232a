#include "sim/cluster_spec.h"

#include <gtest/gtest.h>

namespace suanli::sim {
namespace {

TEST(ClusterSpecTest, InlineUniform) {
  auto c = ParseInlineCluster("352x8");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->nodes.size(), 352u);
  EXPECT_EQ(c->nodes[0].devices.size(), 8u);
  EXPECT_EQ(c->accel_types, std::vector<std::string>{"gpu"});
  EXPECT_EQ(TotalAccelMilli(*c), 352 * 8 * 1000);
  EXPECT_EQ(c->nodes[0].cpu_milli, 8 * kDefaultCoresPerGpu * 1000);
  EXPECT_EQ(c->nodes[0].mem_mb, 8 * kDefaultMemGiBPerGpu * 1024);
  EXPECT_EQ(c->nodes[31].switch_id, 0);
  EXPECT_EQ(c->nodes[32].switch_id, 1);
}

TEST(ClusterSpecTest, InlineTypedGroupsWithCpuAndMemory) {
  auto c = ParseInlineCluster("16x4:nvidia-t4,2x8:nvidia-a100:cpu=64:mem=512,3x0");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->nodes.size(), 21u);
  ASSERT_EQ(c->accel_types.size(), 2u);
  EXPECT_EQ(c->accel_types[c->nodes[0].devices[0].type], "nvidia-t4");
  EXPECT_EQ(c->accel_types[c->nodes[16].devices[0].type], "nvidia-a100");
  EXPECT_EQ(c->nodes[16].cpu_milli, 64000);
  EXPECT_EQ(c->nodes[16].mem_mb, 512 * 1024);
  EXPECT_TRUE(c->nodes[20].devices.empty());
  EXPECT_EQ(DescribeCluster(*c), "21 nodes, 16 × nvidia-a100, 64 × nvidia-t4");
}

TEST(ClusterSpecTest, BadInlineSpecsSayWhatIsWrong) {
  for (const char* bad : {"", "8", "x8", "0x8", "4xeight", "4x8:a100:cpu=-1", "4x8:a100:bogus=1",
                          "4x0:a100", "4x8,", "-3x8"}) {
    auto c = ParseInlineCluster(bad);
    ASSERT_FALSE(c.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(c.status().message().empty());
  }
  auto c = ParseClusterSpec("4xeight");
  EXPECT_NE(c.status().message().find("GPUs per node 'eight'"), std::string::npos)
      << c.status().message();
}

TEST(ClusterSpecTest, OpenbNodesFile) {
  auto c = ParseClusterFile({"node_id,num_gpus,gpu_type,num_cpus,mem_mib", "n0,0,,32,262144",
                             "n1,8,V100M32,96,786432", "n2,2,T4,64,262144"},
                            "nodes.csv");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(c->nodes[0].name, "n0");
  EXPECT_TRUE(c->nodes[0].devices.empty());
  EXPECT_EQ(c->nodes[0].cpu_milli, 32000);
  EXPECT_EQ(c->nodes[1].mem_mb, 786432);
  EXPECT_EQ(c->accel_types[c->nodes[2].devices[0].type], "T4");
  EXPECT_EQ(TotalAccelMilli(*c), 10000);

  auto bad =
      ParseClusterFile({"node_id,num_gpus,gpu_type,num_cpus,mem_mib", "n0,two,,32,1"}, "x.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("x.csv:2"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ParseClusterFile({"name,gpus", "a,1"}, "y.csv").ok());
}

TEST(ClusterSpecTest, VcFilePoolsPartitions) {
  std::vector<std::string> lines = {"vc,nodes,gpus_per_node", "a,2,8", "b,1,4"};
  auto vcs = ParseVcPartitions(lines, "vc.csv");
  ASSERT_TRUE(vcs.ok());
  ASSERT_EQ(vcs->size(), 2u);
  EXPECT_EQ((*vcs)[1].vc, "b");
  EXPECT_EQ((*vcs)[1].gpus_per_node, 4);
  auto c = ParseClusterFile(lines, "vc.csv");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(TotalAccelMilli(*c), 20000);
  EXPECT_FALSE(ParseVcPartitions({"vc,nodes", "a,0"}, "v").ok());
  EXPECT_FALSE(ParseVcPartitions({"vc,nodes", "a,1", "a,2"}, "v").ok());
}

TEST(ClusterSpecTest, SharedTraceFilesLoad) {
  auto c = ParseClusterSpec("/work/shared/traces/alibaba_gpu_v2023_openb_nodes.csv");
  if (!c.ok()) GTEST_SKIP() << "shared traces not present";
  EXPECT_EQ(c->nodes.size(), 1523u);
  EXPECT_EQ(TotalAccelMilli(*c), 6212 * 1000);
}

}  // namespace
}  // namespace suanli::sim
