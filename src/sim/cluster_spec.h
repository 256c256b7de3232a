#pragma once
// Builds the simulated cluster (core::ClusterState nodes and accelerator types) from a spec:
//   inline:  "352x8"  (352 nodes of 8 GPUs), "16x4:nvidia-t4,2x8:nvidia-a100",
//            optional per-group ":cpu=96" (cores) and ":mem=1024" (GiB), e.g. "4x8:a100:cpu=64";
//   a file:  openb-style nodes CSV (node_id,num_gpus,gpu_type,num_cpus,mem_mib) or the Helios
//            VC file (vc,nodes,gpus_per_node), whose VCs are pooled into one cluster.
// Inline nodes without cpu/mem get kDefaultCoresPerGpu cores and kDefaultMemGiBPerGpu GiB per GPU
// (at least one GPU's worth), which is what the flexible-shape experiments draw host memory from.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "core/model.h"

namespace suanli::sim {

inline constexpr int64_t kDefaultCoresPerGpu = 12;
inline constexpr int64_t kDefaultMemGiBPerGpu = 128;
inline constexpr int32_t kNodesPerSwitch = 32;  // switch_id = node index / 32 for generated nodes
inline constexpr const char* kUntypedAccel = "gpu";

// A spec that names an existing file is read as a file, otherwise parsed inline.
Result<core::ClusterState> ParseClusterSpec(const std::string& spec);
Result<core::ClusterState> ParseInlineCluster(std::string_view spec);
Result<core::ClusterState> ParseClusterFile(const std::vector<std::string>& lines,
                                            const std::string& source);

// One isolated partition of protocol A (Helios): a VC and its nodes.
struct VcPartition {
  std::string vc;
  int32_t nodes = 0;
  int32_t gpus_per_node = 0;
};
Result<std::vector<VcPartition>> LoadVcPartitions(const std::string& path);
Result<std::vector<VcPartition>> ParseVcPartitions(const std::vector<std::string>& lines,
                                                   const std::string& source);

// `nodes` nodes of `gpus` devices of `type` (kUntypedAccel when empty), default cpu/mem.
core::ClusterState UniformCluster(int32_t nodes, int32_t gpus, const std::string& type);

// Capacity summaries used by reports.
int64_t TotalAccelMilli(const core::ClusterState& cluster);
std::string DescribeCluster(const core::ClusterState& cluster);  // "80 nodes, 640 GPUs (gpu)"

}  // namespace suanli::sim
