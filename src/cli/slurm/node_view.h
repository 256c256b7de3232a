#pragma once
// sinfo over GET /nodes: Slurm's node states and partitions for Suanli's nodes. Suanli has no
// partitions, so sinfo shows `all` (every node, the default, marked '*') and one partition per
// accelerator type (the nodes that have it), the same names sbatch -p accepts. Pure.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace suanli::cli::slurm_cmd {

// "idle", "mix", "alloc", "down", "drain" (draining and empty) or "drng" (draining with jobs).
std::string NodeState(const nlohmann::json& node);
// sinfo -l's long form: IDLE MIXED ALLOCATED DOWN DRAINED DRAINING.
std::string NodeStateLong(const std::string& short_state);
// "all" first, then the accelerator types in name order.
std::vector<std::string> ClusterPartitions(const nlohmann::json& nodes);
bool NodeInPartition(const nlohmann::json& node, const std::string& partition);

struct SinfoOptions {
  bool node_view = false;            // -N
  bool long_view = false;            // -l
  bool header = true;                // -h clears it
  std::set<std::string> partitions;  // -p; empty: all
  std::set<std::string> states;      // -t, short forms; empty: all
};

std::string RenderSinfo(const nlohmann::json& nodes, const SinfoOptions& options);

}  // namespace suanli::cli::slurm_cmd
