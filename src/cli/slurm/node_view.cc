#include "cli/slurm/node_view.h"

#include <algorithm>
#include <map>

#include "cli/format.h"
#include "cli/slurm/job_view.h"
#include "slurm/hostlist.h"

namespace suanli::cli::slurm_cmd {
namespace {

double Num(const nlohmann::json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_number() ? obj[key].get<double>() : 0;
}

std::vector<std::string> DeviceTypes(const nlohmann::json& node) {
  std::vector<std::string> types;
  if (!node.contains("devices") || !node["devices"].is_array()) return types;
  for (const auto& d : node["devices"]) {
    std::string t = d.value("type", "");
    if (!t.empty() && std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
  }
  return types;
}

size_t DeviceCount(const nlohmann::json& node) {
  return node.contains("devices") && node["devices"].is_array() ? node["devices"].size() : 0;
}

std::string NodeGres(const nlohmann::json& node) {
  std::map<std::string, int> count;
  if (node.contains("devices") && node["devices"].is_array()) {
    for (const auto& d : node["devices"]) count[d.value("type", "gpu")]++;
  }
  if (count.empty()) return "(null)";
  std::string out;
  for (const auto& [t, n] : count)
    out += (out.empty() ? "" : ",") + ("gpu:" + t + ":") + std::to_string(n);
  return out;
}

// Columns padded to their widest cell, right-aligned where Slurm right-aligns them.
struct Column {
  std::string header;
  bool right = false;
};

std::string Render(const std::vector<Column>& cols,
                   const std::vector<std::vector<std::string>>& rows, bool header) {
  std::vector<size_t> width(cols.size(), 0);
  for (size_t i = 0; i < cols.size(); ++i) width[i] = cols[i].header.size();
  for (const auto& r : rows)
    for (size_t i = 0; i < cols.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  auto emit = [&](const std::vector<std::string>& r) {
    std::string line;
    for (size_t i = 0; i < cols.size(); ++i) {
      std::string pad(width[i] - r[i].size(), ' ');
      bool last = i + 1 == cols.size();
      line += cols[i].right ? pad + r[i] : (last ? r[i] : r[i] + pad);
      if (!last) line += ' ';
    }
    out += line + "\n";
  };
  if (header) {
    std::vector<std::string> h;
    for (const auto& c : cols) h.push_back(c.header);
    emit(h);
  }
  for (const auto& r : rows) emit(r);
  return out;
}

std::string Display(const std::string& partition) {
  return partition == kAllPartition ? partition + "*" : partition;
}

}  // namespace

std::string NodeState(const nlohmann::json& node) {
  std::string state = node.value("state", "");
  const nlohmann::json alloc =
      node.contains("allocated") ? node["allocated"] : nlohmann::json::object();
  bool busy = Num(alloc, "cpus") > 0 || Num(alloc, "gpus") > 0 ||
              (node.contains("jobs") && node["jobs"].is_array() && !node["jobs"].empty());
  if (state == "DOWN") return "down";
  if (state == "DRAINED") return "drain";
  if (state == "DRAINING") return busy ? "drng" : "drain";
  if (!busy) return "idle";
  size_t devices = DeviceCount(node);
  bool full = Num(alloc, "cpus") >= Num(node, "cpus") ||
              (devices > 0 && Num(alloc, "gpus") >= static_cast<double>(devices));
  return full ? "alloc" : "mix";
}

std::string NodeStateLong(const std::string& s) {
  static const std::map<std::string, std::string> kLong = {
      {"idle", "IDLE"}, {"mix", "MIXED"},     {"alloc", "ALLOCATED"},
      {"down", "DOWN"}, {"drain", "DRAINED"}, {"drng", "DRAINING"}};
  auto it = kLong.find(s);
  return it == kLong.end() ? s : it->second;
}

std::vector<std::string> ClusterPartitions(const nlohmann::json& nodes) {
  std::set<std::string> types;
  if (nodes.is_array()) {
    for (const auto& n : nodes)
      for (const auto& t : DeviceTypes(n)) types.insert(t);
  }
  std::vector<std::string> out{std::string(kAllPartition)};
  out.insert(out.end(), types.begin(), types.end());
  return out;
}

bool NodeInPartition(const nlohmann::json& node, const std::string& partition) {
  if (partition == kAllPartition) return true;
  auto types = DeviceTypes(node);
  return std::find(types.begin(), types.end(), partition) != types.end();
}

std::string RenderSinfo(const nlohmann::json& nodes, const SinfoOptions& o) {
  std::vector<std::vector<std::string>> rows;
  auto wanted_state = [&](const std::string& s) { return o.states.empty() || o.states.count(s); };
  for (const auto& p : ClusterPartitions(nodes)) {
    if (!o.partitions.empty() && !o.partitions.count(p)) continue;
    if (o.node_view) {
      for (const auto& n : nodes) {
        if (!NodeInPartition(n, p) || !wanted_state(NodeState(n))) continue;
        std::string st = NodeState(n);
        if (o.long_view) {
          rows.push_back({n.value("name", ""), "1", Display(p), NodeStateLong(st),
                          FormatNumber(Num(n, "cpus")), FormatNumber(Num(n, "mem_mb")), NodeGres(n),
                          "none"});
        } else {
          rows.push_back({n.value("name", ""), "1", Display(p), st});
        }
      }
      continue;
    }
    // One row per state, in the order states are first met, as sinfo groups them.
    std::vector<std::pair<std::string, std::vector<std::string>>> by_state;
    for (const auto& n : nodes) {
      if (!NodeInPartition(n, p)) continue;
      std::string st = NodeState(n);
      if (!wanted_state(st)) continue;
      auto it = std::find_if(by_state.begin(), by_state.end(),
                             [&](const auto& e) { return e.first == st; });
      if (it == by_state.end()) {
        by_state.push_back({st, {}});
        it = by_state.end() - 1;
      }
      it->second.push_back(n.value("name", ""));
    }
    if (by_state.empty() && o.states.empty()) by_state.push_back({"n/a", {}});
    for (const auto& [st, names] : by_state) {
      std::string list = names.empty() ? "" : suanli::slurm::CompressHostlistSorted(names);
      std::string count = std::to_string(names.size());
      if (o.long_view) {
        rows.push_back({Display(p), "up", "infinite", "1-infinite", "no", "NO", "all", count,
                        NodeStateLong(st), list});
      } else {
        rows.push_back({Display(p), "up", "infinite", count, st, list});
      }
    }
  }
  std::vector<Column> cols;
  if (o.node_view && o.long_view) {
    cols = {{"NODELIST"},     {"NODES", true}, {"PARTITION", true}, {"STATE"}, {"CPUS", true},
            {"MEMORY", true}, {"GRES"},        {"REASON"}};
  } else if (o.node_view) {
    cols = {{"NODELIST"}, {"NODES", true}, {"PARTITION", true}, {"STATE"}};
  } else if (o.long_view) {
    cols = {{"PARTITION"},   {"AVAIL", true},    {"TIMELIMIT", true}, {"JOB_SIZE", true},
            {"ROOT", true},  {"OVERSUBS", true}, {"GROUPS", true},    {"NODES", true},
            {"STATE", true}, {"NODELIST"}};
  } else {
    cols = {{"PARTITION"},   {"AVAIL", true}, {"TIMELIMIT", true},
            {"NODES", true}, {"STATE", true}, {"NODELIST"}};
  }
  return Render(cols, rows, o.header);
}

}  // namespace suanli::cli::slurm_cmd
