#include "agent/task_env.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "slurm/hostlist.h"

namespace suanli::agent {
namespace {

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

const Device* FindDevice(const std::vector<Device>& devices, int index) {
  for (const auto& d : devices)
    if (d.index == index) return &d;
  return nullptr;
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Tasks of the gang in task order, with ourselves filled in when the controller sent no peer list.
std::vector<Peer> GangTasks(const LaunchSpec& spec, const TaskContext& ctx) {
  std::vector<Peer> tasks = spec.peers;
  bool self_listed = false;
  for (const auto& p : tasks) self_listed |= p.task == spec.ref.task;
  if (!self_listed) tasks.push_back({spec.ref.task, ctx.node, ctx.node_address, {}});
  std::sort(tasks.begin(), tasks.end(),
            [](const Peer& a, const Peer& b) { return a.task < b.task; });
  return tasks;
}

}  // namespace

std::vector<std::string> GangNodes(const LaunchSpec& spec, const std::string& self_node) {
  TaskContext ctx;
  ctx.node = self_node;
  std::vector<std::string> nodes;
  for (const auto& p : GangTasks(spec, ctx))
    if (std::find(nodes.begin(), nodes.end(), p.node) == nodes.end()) nodes.push_back(p.node);
  return nodes;
}

bool UsesAscend(const LaunchSpec& spec, const std::vector<Device>& node_devices) {
  if (StartsWith(spec.gpu_type, "ascend")) return true;
  for (int idx : spec.devices)
    if (const Device* d = FindDevice(node_devices, idx); d && StartsWith(d->type, "ascend"))
      return true;
  return false;
}

EnvMap BuildTaskEnv(const LaunchSpec& spec, const TaskContext& ctx) {
  EnvMap env;
  // Basics first, so a job may override them (e.g. its own PATH).
  env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  env["HOME"] = ctx.home.empty() ? ctx.tmp_dir : ctx.home;
  env["USER"] = ctx.user;
  env["LOGNAME"] = ctx.user;
  env["SHELL"] = ctx.shell.empty() ? "/bin/sh" : ctx.shell;
  env["TMPDIR"] = ctx.tmp_dir;
  for (const auto& [k, v] : spec.env) {
    if (k.empty() || k.find('=') != std::string::npos) continue;  // cannot be expressed in environ
    env[k] = v;
  }
  // What follows is the platform's word and wins over a declared variable of the same name.
  auto tasks = GangTasks(spec, ctx);
  auto nodes = GangNodes(spec, ctx.node);
  std::string self_node = ctx.node;
  for (const auto& p : tasks)
    if (p.task == spec.ref.task && !p.node.empty()) self_node = p.node;
  int local_rank = 0, local_world = 0;
  for (const auto& p : tasks) {
    if (p.node != self_node) continue;
    if (p.task < spec.ref.task) ++local_rank;
    ++local_world;
  }
  int group_rank =
      static_cast<int>(std::find(nodes.begin(), nodes.end(), self_node) - nodes.begin());
  env["WORLD_SIZE"] = std::to_string(spec.tasks);
  env["RANK"] = std::to_string(spec.ref.task);
  env["LOCAL_RANK"] = std::to_string(local_rank);
  env["LOCAL_WORLD_SIZE"] = std::to_string(std::max(local_world, 1));
  env["GROUP_RANK"] = std::to_string(group_rank);
  env["NODE_RANK"] = std::to_string(group_rank);
  env["MASTER_ADDR"] = spec.master_addr.empty()
                           ? (ctx.node_address.empty() ? "127.0.0.1" : ctx.node_address)
                           : spec.master_addr;
  if (spec.master_port > 0) env["MASTER_PORT"] = std::to_string(spec.master_port);

  env["SUANLI_JOB_ID"] = std::to_string(spec.ref.job_id);
  env["SUANLI_ATTEMPT"] = std::to_string(spec.ref.attempt);
  env["SUANLI_TASK"] = std::to_string(spec.ref.task);
  env["SUANLI_TASKS"] = std::to_string(spec.tasks);
  env["SUANLI_NODE"] = self_node;
  env["SUANLI_NODELIST"] = Join(nodes, ",");
  env["SUANLI_CPUS"] = fmt::format("{}", spec.cpus);
  env["SUANLI_MEM_MB"] = std::to_string(spec.mem_mb);
  env["SUANLI_GRACE_S"] = std::to_string(spec.grace_s);
  env["SUANLI_TIME_LIMIT_S"] = std::to_string(spec.time_limit_s);
  if (!ctx.preempt_file.empty()) env["SUANLI_PREEMPT_FILE"] = ctx.preempt_file;
  if (!ctx.cpuset.empty()) env["SUANLI_CPUSET"] = ctx.cpuset;
  if (!ctx.run_as_note.empty()) env["SUANLI_RUN_AS_NOTE"] = ctx.run_as_note;
  env["SUANLI_USER"] = spec.user;

  // What Slurm tells each task about its job, for scripts written for Slurm (docs/slurm.md). A
  // Suanli task is a Slurm node's share, so the task's rank is its node's: SLURM_PROCID and
  // SLURM_NODEID are the task index, SLURM_LOCALID its rank on this node. The batch-time values
  // (SLURM_NTASKS, SLURM_CPUS_PER_TASK...) come from sbatch in `env`, and are left as given.
  const std::string job_id = std::to_string(spec.ref.job_id);
  env["SLURM_JOB_ID"] = job_id;
  env["SLURM_JOBID"] = job_id;
  const std::string nodelist = suanli::slurm::CompressHostlist(nodes);
  env["SLURM_JOB_NODELIST"] = nodelist;
  env["SLURM_NODELIST"] = nodelist;
  env["SLURM_PROCID"] = std::to_string(spec.ref.task);
  env["SLURM_NODEID"] = std::to_string(group_rank);
  env["SLURM_LOCALID"] = std::to_string(local_rank);
  env["SLURM_STEP_ID"] = "0";
  env["SLURM_RESTART_COUNT"] = std::to_string(std::max<int64_t>(spec.ref.attempt - 1, 0));
  env["SLURM_TOPOLOGY_ADDR"] = self_node;
  env["SLURMD_NODENAME"] = self_node;
  if (!env.count("SLURM_JOB_NUM_NODES")) {
    env["SLURM_JOB_NUM_NODES"] = std::to_string(nodes.size());
    env["SLURM_NNODES"] = std::to_string(nodes.size());
  }
  if (!env.count("SLURM_JOB_USER")) env["SLURM_JOB_USER"] = spec.user;
  if (!spec.tenant.empty() && !env.count("SLURM_JOB_ACCOUNT")) {
    env["SLURM_JOB_ACCOUNT"] = spec.tenant;
  }

  std::vector<std::string> cuda, ascend, indexes;
  bool node_has_ascend = false;
  for (const auto& d : ctx.node_devices) node_has_ascend |= StartsWith(d.type, "ascend");
  for (int idx : spec.devices) {
    indexes.push_back(std::to_string(idx));
    const Device* d = FindDevice(ctx.node_devices, idx);
    if (d == nullptr) continue;
    if (StartsWith(d->type, "ascend"))
      ascend.push_back(std::to_string(d->driver_index));
    else
      cuda.push_back(std::to_string(d->driver_index));
  }
  env["SUANLI_DEVICES"] = Join(indexes, ",");
  env["SUANLI_GPU_TYPE"] = spec.gpu_type;
  // Empty means "no GPU" to CUDA: a job that asked for none sees none.
  env["CUDA_VISIBLE_DEVICES"] = Join(cuda, ",");
  if (node_has_ascend || !ascend.empty()) env["ASCEND_RT_VISIBLE_DEVICES"] = Join(ascend, ",");
  if (!ctx.rank_table_file.empty()) {
    env["RANK_TABLE_FILE"] = ctx.rank_table_file;
    env["RANK_SIZE"] = std::to_string(spec.tasks * std::max<size_t>(spec.devices.size(), 1));
  }
  return env;
}

std::string BuildRankTable(const LaunchSpec& spec, const TaskContext& ctx,
                           const std::map<int, std::string>& device_ips) {
  using nlohmann::json;
  auto tasks = GangTasks(spec, ctx);
  std::vector<int> own_ids;
  for (int idx : spec.devices) {
    const Device* d = FindDevice(ctx.node_devices, idx);
    own_ids.push_back(d ? d->driver_index : idx);
  }
  json servers = json::array();
  std::map<std::string, size_t> server_of_node;
  int rank = 0;
  for (const auto& p : tasks) {
    std::vector<int> ids;
    bool self = p.task == spec.ref.task;
    if (self) {
      ids = own_ids;
    } else if (!p.devices.empty()) {
      ids = p.devices;
    } else {  // the controller did not say: a gang's tasks are alike, so assume our shape
      for (size_t i = 0; i < own_ids.size(); ++i) ids.push_back(static_cast<int>(i));
    }
    std::string node = p.node.empty() ? ctx.node : p.node;
    auto it = server_of_node.find(node);
    if (it == server_of_node.end()) {
      std::string address =
          self ? (ctx.node_address.empty() ? p.address : ctx.node_address) : p.address;
      servers.push_back(
          {{"server_id", address.empty() ? node : address}, {"device", json::array()}});
      it = server_of_node.emplace(node, servers.size() - 1).first;
    }
    for (int id : ids) {
      json dev = {{"device_id", std::to_string(id)}, {"rank_id", std::to_string(rank++)}};
      if (self) {
        if (auto ip = device_ips.find(id); ip != device_ips.end()) dev["device_ip"] = ip->second;
      }
      servers[it->second]["device"].push_back(dev);
    }
  }
  json table = {{"version", "1.0"},
                {"server_count", std::to_string(servers.size())},
                {"server_list", servers},
                {"status", "completed"}};
  return table.dump(2) + "\n";
}

std::map<int, std::string> ParseHccnConf(const std::string& text) {
  std::map<int, std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    if (line.rfind("address_", 0) != 0) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    try {
      int id = std::stoi(line.substr(8, eq - 8));
      std::string ip = line.substr(eq + 1);
      while (!ip.empty() && (ip.back() == '\r' || ip.back() == ' ')) ip.pop_back();
      out[id] = ip;
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::vector<std::string> EnvToStrings(const EnvMap& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace suanli::agent
