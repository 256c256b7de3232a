#include "sim/cluster_spec.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "sim/csv.h"

namespace suanli::sim {
namespace {

core::AccelType InternType(core::ClusterState& c, const std::string& name) {
  for (size_t i = 0; i < c.accel_types.size(); ++i) {
    if (c.accel_types[i] == name) return static_cast<core::AccelType>(i);
  }
  c.accel_types.push_back(name);
  return static_cast<core::AccelType>(c.accel_types.size() - 1);
}

void AddNode(core::ClusterState& c, std::string name, int64_t gpus, const std::string& type,
             int64_t cpu_milli, int64_t mem_mb) {
  core::Node node;
  node.name = std::move(name);
  node.switch_id = static_cast<int32_t>(c.nodes.size()) / kNodesPerSwitch;
  node.cpu_milli = cpu_milli;
  node.mem_mb = mem_mb;
  if (gpus > 0) {
    core::AccelType t = InternType(c, type.empty() ? kUntypedAccel : type);
    node.devices.assign(static_cast<size_t>(gpus), core::Device{t, 0, core::kMilliPerDevice});
  }
  c.nodes.push_back(std::move(node));
}

// What a spec may ask for: far above any real cluster (openb, the largest trace, has 1,523 nodes
// and 6,212 GPUs), low enough that a typo cannot exhaust memory ("1000000x1024") or overflow the
// milli-unit arithmetic ("cpu=9223372036854775807").
constexpr int64_t kMaxNodes = 1000000;
constexpr int64_t kMaxGpusPerNode = 1024;
constexpr int64_t kMaxDevices = int64_t{1} << 24;
constexpr int64_t kMaxCoresPerNode = int64_t{1} << 20;
constexpr int64_t kMaxMemGiBPerNode = int64_t{1} << 30;

// Totals of a cluster being built, checked before its nodes are allocated.
struct Size {
  int64_t nodes = 0;
  int64_t devices = 0;
  // `nodes` more nodes of `gpus` devices each; `gpus` already within kMaxGpusPerNode.
  Status Add(int64_t more_nodes, int64_t gpus, const std::string& where) {
    nodes += more_nodes;
    devices += more_nodes * gpus;
    if (nodes > kMaxNodes || devices > kMaxDevices) {
      return InvalidArgument(where + ": the cluster would exceed " + std::to_string(kMaxNodes) +
                             " nodes or " + std::to_string(kMaxDevices) + " GPUs");
    }
    return Status::Ok();
  }
};

int64_t DefaultCpuMilli(int64_t gpus) {
  return std::max<int64_t>(gpus, 1) * kDefaultCoresPerGpu * 1000;
}
int64_t DefaultMemMb(int64_t gpus) {
  return std::max<int64_t>(gpus, 1) * kDefaultMemGiBPerGpu * 1024;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

}  // namespace

core::ClusterState UniformCluster(int32_t nodes, int32_t gpus, const std::string& type) {
  core::ClusterState c;
  for (int32_t i = 0; i < nodes; ++i) {
    AddNode(c, "node-" + std::to_string(i), gpus, type, DefaultCpuMilli(gpus), DefaultMemMb(gpus));
  }
  return c;
}

Result<core::ClusterState> ParseInlineCluster(std::string_view spec) {
  core::ClusterState c;
  Size size;
  if (spec.empty()) return InvalidArgument("cluster spec is empty; expected e.g. '80x8'");
  for (const std::string& group : Split(spec, ',')) {
    const std::string where = "cluster spec group '" + group + "'";
    std::vector<std::string> parts = Split(group, ':');
    size_t x = parts[0].find('x');
    if (x == std::string::npos) {
      return InvalidArgument(
          where +
          " is not NODESxGPUS[:TYPE][:cpu=N][:mem=GiB] (e.g. '16x8:nvidia-a100'), "
          "and no file of that name exists");
    }
    auto count = ParseInt(std::string_view(parts[0]).substr(0, x));
    auto gpus = ParseInt(std::string_view(parts[0]).substr(x + 1));
    if (!count || *count <= 0 || *count > kMaxNodes) {
      return InvalidArgument(where + ": node count '" + parts[0].substr(0, x) +
                             "' is not an integer in 1..1000000");
    }
    if (!gpus || *gpus < 0 || *gpus > kMaxGpusPerNode) {
      return InvalidArgument(where + ": GPUs per node '" + parts[0].substr(x + 1) +
                             "' is not an integer in 0..1024");
    }
    std::string type;
    int64_t cpu_milli = DefaultCpuMilli(*gpus), mem_mb = DefaultMemMb(*gpus);
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string& p = parts[i];
      if (p.rfind("cpu=", 0) == 0) {
        auto v = ParseInt(p.substr(4));
        if (!v || *v < 0 || *v > kMaxCoresPerNode)
          return InvalidArgument(where + ": '" + p + "' needs a core count in 0.." +
                                 std::to_string(kMaxCoresPerNode));
        cpu_milli = *v * 1000;
      } else if (p.rfind("mem=", 0) == 0) {
        auto v = ParseInt(p.substr(4));
        if (!v || *v < 0 || *v > kMaxMemGiBPerNode)
          return InvalidArgument(where + ": '" + p + "' needs GiB in 0.." +
                                 std::to_string(kMaxMemGiBPerNode));
        mem_mb = *v * 1024;
      } else if (i == 1 && !p.empty() && p.find('=') == std::string::npos) {
        type = p;
      } else {
        return InvalidArgument(where + ": cannot understand '" + p +
                               "' (expected a GPU type, cpu=N or mem=GiB)");
      }
    }
    if (*gpus == 0 && !type.empty()) {
      return InvalidArgument(where + ": a GPU type is given for nodes without GPUs");
    }
    SUANLI_RETURN_IF_ERROR(size.Add(*count, *gpus, where));
    for (int64_t i = 0; i < *count; ++i) {
      AddNode(c, "node-" + std::to_string(c.nodes.size()), *gpus, type, cpu_milli, mem_mb);
    }
  }
  return c;
}

Result<core::ClusterState> ParseClusterFile(const std::vector<std::string>& lines,
                                            const std::string& source) {
  if (lines.empty()) return InvalidArgument("cluster file '" + source + "' is empty");
  std::vector<std::string> header = SplitCsvLine(lines[0]);
  if (FindColumn(header, "vc") >= 0 && FindColumn(header, "nodes") >= 0) {
    SUANLI_ASSIGN_OR_RETURN(auto vcs, ParseVcPartitions(lines, source));
    core::ClusterState c;
    Size size;
    for (const auto& vc : vcs) {
      SUANLI_RETURN_IF_ERROR(size.Add(vc.nodes, vc.gpus_per_node, source + ": VC '" + vc.vc + "'"));
      for (int32_t i = 0; i < vc.nodes; ++i) {
        AddNode(c, vc.vc + "-" + std::to_string(i), vc.gpus_per_node, "",
                DefaultCpuMilli(vc.gpus_per_node), DefaultMemMb(vc.gpus_per_node));
      }
    }
    return c;
  }
  int id = FindColumn(header, "node_id"), gpus = FindColumn(header, "num_gpus");
  int type = FindColumn(header, "gpu_type"), cpus = FindColumn(header, "num_cpus");
  int mem = FindColumn(header, "mem_mib");
  if (id < 0 || gpus < 0) {
    return InvalidArgument("cluster file '" + source +
                           "' needs columns node_id,num_gpus[,gpu_type,num_cpus,mem_mib] or "
                           "vc,nodes,gpus_per_node; header is '" +
                           lines[0] + "'");
  }
  core::ClusterState c;
  Size size;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const std::string where = source + ":" + std::to_string(i + 1);
    std::vector<std::string> cells = SplitCsvLine(lines[i]);
    if (cells.size() != header.size()) {
      return InvalidArgument(where + ": has " + std::to_string(cells.size()) +
                             " fields, header has " + std::to_string(header.size()));
    }
    auto g = ParseInt(cells[gpus]);
    if (!g || *g < 0 || *g > kMaxGpusPerNode)
      return InvalidArgument(where + ": num_gpus '" + cells[gpus] + "' is not an integer in 0.." +
                             std::to_string(kMaxGpusPerNode));
    SUANLI_RETURN_IF_ERROR(size.Add(1, *g, where));
    int64_t cpu_milli = DefaultCpuMilli(*g), mem_mb = DefaultMemMb(*g);
    if (cpus >= 0) {
      auto v = ParseDouble(cells[cpus]);
      if (!v || *v < 0 || *v > kMaxCoresPerNode)
        return InvalidArgument(where + ": num_cpus '" + cells[cpus] + "' is not a number in 0.." +
                               std::to_string(kMaxCoresPerNode));
      cpu_milli = static_cast<int64_t>(*v * 1000 + 0.5);
    }
    if (mem >= 0) {
      auto v = ParseInt(cells[mem]);
      if (!v || *v < 0 || *v > kMaxMemGiBPerNode * 1024)
        return InvalidArgument(where + ": mem_mib '" + cells[mem] + "' is not an integer in 0.." +
                               std::to_string(kMaxMemGiBPerNode * 1024));
      mem_mb = *v;
    }
    std::string t = type >= 0 ? cells[type] : "";
    if (*g == 0) t.clear();
    AddNode(c, cells[id].empty() ? "node-" + std::to_string(c.nodes.size()) : cells[id], *g, t,
            cpu_milli, mem_mb);
  }
  if (c.nodes.empty()) return InvalidArgument("cluster file '" + source + "' lists no nodes");
  return c;
}

Result<core::ClusterState> ParseClusterSpec(const std::string& spec) {
  std::error_code ec;
  if (!spec.empty() && std::filesystem::is_regular_file(spec, ec)) {
    SUANLI_ASSIGN_OR_RETURN(auto lines, ReadLines(spec));
    return ParseClusterFile(lines, spec);
  }
  return ParseInlineCluster(spec);
}

Result<std::vector<VcPartition>> ParseVcPartitions(const std::vector<std::string>& lines,
                                                   const std::string& source) {
  if (lines.empty()) return InvalidArgument("VC file '" + source + "' is empty");
  std::vector<std::string> header = SplitCsvLine(lines[0]);
  int vc = FindColumn(header, "vc"), nodes = FindColumn(header, "nodes");
  int gpn = FindColumn(header, "gpus_per_node");
  if (vc < 0 || nodes < 0) {
    return InvalidArgument("VC file '" + source + "' needs columns vc,nodes[,gpus_per_node]");
  }
  std::vector<VcPartition> out;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const std::string where = source + ":" + std::to_string(i + 1);
    std::vector<std::string> cells = SplitCsvLine(lines[i]);
    if (cells.size() != header.size()) return InvalidArgument(where + ": wrong number of fields");
    VcPartition p;
    p.vc = cells[vc];
    auto n = ParseInt(cells[nodes]);
    auto g = gpn >= 0 ? ParseInt(cells[gpn]) : std::optional<int64_t>(8);
    // Bounded before the int32 fields take them (and weights multiply them).
    if (p.vc.empty() || !n || *n <= 0 || *n > kMaxNodes || !g || *g <= 0 || *g > kMaxGpusPerNode) {
      return InvalidArgument(where + ": needs a VC name, nodes in 1.." + std::to_string(kMaxNodes) +
                             " and gpus_per_node in 1.." + std::to_string(kMaxGpusPerNode));
    }
    for (const auto& q : out) {
      if (q.vc == p.vc) return InvalidArgument(where + ": VC '" + p.vc + "' listed twice");
    }
    p.nodes = static_cast<int32_t>(*n);
    p.gpus_per_node = static_cast<int32_t>(*g);
    out.push_back(p);
  }
  if (out.empty()) return InvalidArgument("VC file '" + source + "' lists no VCs");
  return out;
}

Result<std::vector<VcPartition>> LoadVcPartitions(const std::string& path) {
  SUANLI_ASSIGN_OR_RETURN(auto lines, ReadLines(path));
  return ParseVcPartitions(lines, path);
}

int64_t TotalAccelMilli(const core::ClusterState& cluster) {
  int64_t total = 0;
  for (const auto& n : cluster.nodes) {
    if (!n.schedulable) continue;
    for (const auto& d : n.devices) total += d.total_milli;
  }
  return total;
}

std::string DescribeCluster(const core::ClusterState& cluster) {
  std::map<std::string, int64_t> per_type;
  for (const auto& n : cluster.nodes) {
    for (const auto& d : n.devices) per_type[cluster.accel_types[d.type]] += 1;
  }
  std::string s = std::to_string(cluster.nodes.size()) + " nodes";
  for (const auto& [name, count] : per_type) s += ", " + std::to_string(count) + " × " + name;
  return s;
}

}  // namespace suanli::sim
