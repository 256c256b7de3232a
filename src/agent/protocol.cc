#include "agent/protocol.h"

#include <fmt/format.h>

#include <algorithm>

namespace suanli::agent {
namespace {

using nlohmann::json;

// Reads an optional field of a known type; absent or null leaves *out unchanged.
template <typename T>
Status Get(const json& j, const char* field, T* out) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return Status::Ok();
  try {
    if constexpr (std::is_same_v<T, std::string>) {
      if (!it->is_string()) return InvalidArgument(fmt::format("'{}' must be a string", field));
    } else if constexpr (std::is_arithmetic_v<T>) {
      if (!it->is_number()) return InvalidArgument(fmt::format("'{}' must be a number", field));
    }
    *out = it->get<T>();
  } catch (const json::exception& e) {
    return InvalidArgument(fmt::format("'{}' has the wrong type: {}", field, e.what()));
  }
  return Status::Ok();
}

Status Require(const json& j, const char* field) {
  if (!j.contains(field) || j[field].is_null())
    return InvalidArgument(fmt::format("'{}' is required", field));
  return Status::Ok();
}

}  // namespace

std::string TaskRef::Key() const { return fmt::format("{}.{}.{}", job_id, attempt, task); }

json DeviceToJson(const Device& d) {
  return {{"index", d.index},
          {"type", d.type},
          {"uuid", d.uuid},
          {"memory_mb", d.memory_mb},
          {"island", std::max(d.island, 0)}};
}

json TaskRefToJson(const TaskRef& r) {
  return {{"job_id", r.job_id}, {"attempt", r.attempt}, {"task", r.task}};
}

json EventToJson(const TaskEvent& e) {
  json j = TaskRefToJson(e.ref);
  j["event"] = e.event;
  j["exit_code"] = e.exit_code ? json(*e.exit_code) : json(nullptr);
  j["signal"] = e.signal ? json(*e.signal) : json(nullptr);
  j["reason"] = e.reason.empty() ? json(nullptr) : json(e.reason);
  // `message` stays on the node (agent log, event.json): the controller's event schema has no such
  // field.
  j["time"] = e.time;
  return j;
}

json RegisterBody(const std::string& name, const std::string& address, const HostInfo& host,
                  const std::vector<TaskRef>& running) {
  json devices = json::array();
  for (const auto& d : host.devices) devices.push_back(DeviceToJson(d));
  json run = json::array();
  for (const auto& r : running) run.push_back(TaskRefToJson(r));
  // Only the fields of docs/api.md: the controller rejects unknown ones.
  return {{"name", name},       {"cpus", host.cpus},  {"mem_mb", host.mem_mb},
          {"devices", devices}, {"address", address}, {"running", run}};
}

json PollBody(int wait_ms, const std::vector<TaskRef>& running,
              const std::vector<TaskEvent>& events) {
  json run = json::array();
  for (const auto& r : running) run.push_back(TaskRefToJson(r));
  json ev = json::array();
  for (const auto& e : events) ev.push_back(EventToJson(e));
  return {{"wait_ms", wait_ms}, {"running", run}, {"events", ev}};
}

Result<LaunchSpec> ParseLaunch(const json& j) {
  if (!j.is_object()) return InvalidArgument("launch entry must be an object");
  LaunchSpec s;
  SUANLI_RETURN_IF_ERROR(Require(j, "job_id"));
  SUANLI_RETURN_IF_ERROR(Get(j, "job_id", &s.ref.job_id));
  SUANLI_RETURN_IF_ERROR(Get(j, "attempt", &s.ref.attempt));
  SUANLI_RETURN_IF_ERROR(Get(j, "task", &s.ref.task));
  SUANLI_RETURN_IF_ERROR(Get(j, "tasks", &s.tasks));
  SUANLI_RETURN_IF_ERROR(Get(j, "script", &s.script));
  if (j.contains("command") && !j["command"].is_null()) {
    if (!j["command"].is_array()) return InvalidArgument("'command' must be an array of strings");
    for (const auto& a : j["command"]) {
      if (!a.is_string()) return InvalidArgument("'command' must be an array of strings");
      s.command.push_back(a.get<std::string>());
    }
  }
  if (s.command.empty() && s.script.empty())
    return InvalidArgument(fmt::format("job {} has neither 'command' nor 'script'", s.ref.job_id));
  if (j.contains("env") && !j["env"].is_null()) {
    if (!j["env"].is_object()) return InvalidArgument("'env' must be an object of strings");
    for (const auto& [k, v] : j["env"].items()) {
      if (!v.is_string()) return InvalidArgument(fmt::format("env '{}' must be a string", k));
      s.env[k] = v.get<std::string>();
    }
  }
  SUANLI_RETURN_IF_ERROR(Get(j, "cpus", &s.cpus));
  SUANLI_RETURN_IF_ERROR(Get(j, "mem_mb", &s.mem_mb));
  if (j.contains("devices") && !j["devices"].is_null()) {
    if (!j["devices"].is_array()) return InvalidArgument("'devices' must be an array of indexes");
    for (const auto& d : j["devices"]) {
      if (!d.is_number_integer()) return InvalidArgument("'devices' must be an array of indexes");
      s.devices.push_back(d.get<int>());
    }
  }
  SUANLI_RETURN_IF_ERROR(Get(j, "gpu_type", &s.gpu_type));
  SUANLI_RETURN_IF_ERROR(Get(j, "time_limit_s", &s.time_limit_s));
  SUANLI_RETURN_IF_ERROR(Get(j, "grace_s", &s.grace_s));
  SUANLI_RETURN_IF_ERROR(Get(j, "user", &s.user));
  SUANLI_RETURN_IF_ERROR(Get(j, "master_addr", &s.master_addr));
  SUANLI_RETURN_IF_ERROR(Get(j, "master_port", &s.master_port));
  SUANLI_RETURN_IF_ERROR(Get(j, "workdir", &s.workdir));
  SUANLI_RETURN_IF_ERROR(Get(j, "pids_max", &s.pids_max));
  if (j.contains("peers") && !j["peers"].is_null()) {
    if (!j["peers"].is_array()) return InvalidArgument("'peers' must be an array");
    for (const auto& p : j["peers"]) {
      if (!p.is_object()) return InvalidArgument("'peers' entries must be objects");
      Peer peer;
      SUANLI_RETURN_IF_ERROR(Get(p, "task", &peer.task));
      SUANLI_RETURN_IF_ERROR(Get(p, "node", &peer.node));
      SUANLI_RETURN_IF_ERROR(Get(p, "address", &peer.address));
      if (p.contains("devices") && p["devices"].is_array())
        for (const auto& d : p["devices"])
          if (d.is_number_integer()) peer.devices.push_back(d.get<int>());
      s.peers.push_back(std::move(peer));
    }
  }
  if (s.ref.task < 0 || s.tasks < 1 || s.ref.task >= s.tasks)
    return InvalidArgument(fmt::format("job {}: task {} is outside 0..tasks-1 (tasks={})",
                                       s.ref.job_id, s.ref.task, s.tasks));
  if (s.cpus < 0) return InvalidArgument(fmt::format("job {}: 'cpus' is negative", s.ref.job_id));
  if (s.mem_mb < 0)
    return InvalidArgument(fmt::format("job {}: 'mem_mb' is negative", s.ref.job_id));
  if (s.grace_s < 0) s.grace_s = 0;
  return s;
}

Result<KillOrder> ParseKill(const json& j) {
  if (!j.is_object()) return InvalidArgument("kill entry must be an object");
  KillOrder k;
  SUANLI_RETURN_IF_ERROR(Require(j, "job_id"));
  SUANLI_RETURN_IF_ERROR(Get(j, "job_id", &k.job_id));
  SUANLI_RETURN_IF_ERROR(Get(j, "attempt", &k.attempt));
  SUANLI_RETURN_IF_ERROR(Get(j, "grace_s", &k.grace_s));
  SUANLI_RETURN_IF_ERROR(Get(j, "reason", &k.reason));
  if (k.reason.empty()) k.reason = "CANCELLED";
  return k;
}

PollAnswer ParsePollAnswer(const json& j, std::vector<std::string>* errors) {
  PollAnswer a;
  if (!j.is_object()) {
    errors->push_back("poll answer is not a JSON object");
    return a;
  }
  if (j.contains("launch") && j["launch"].is_array()) {
    for (const auto& l : j["launch"]) {
      auto r = ParseLaunch(l);
      if (r.ok())
        a.launch.push_back(std::move(r).value());
      else
        errors->push_back("launch: " + r.status().message());
    }
  }
  if (j.contains("kill") && j["kill"].is_array()) {
    for (const auto& k : j["kill"]) {
      auto r = ParseKill(k);
      if (r.ok())
        a.kill.push_back(std::move(r).value());
      else
        errors->push_back("kill: " + r.status().message());
    }
  }
  return a;
}

json LaunchToJson(const LaunchSpec& s) {
  json peers = json::array();
  for (const auto& p : s.peers)
    peers.push_back(
        {{"task", p.task}, {"node", p.node}, {"address", p.address}, {"devices", p.devices}});
  json j = TaskRefToJson(s.ref);
  j["tasks"] = s.tasks;
  j["command"] = s.command;
  j["script"] = s.script.empty() ? json(nullptr) : json(s.script);
  j["env"] = s.env;
  j["cpus"] = s.cpus;
  j["mem_mb"] = s.mem_mb;
  j["devices"] = s.devices;
  j["gpu_type"] = s.gpu_type;
  j["time_limit_s"] = s.time_limit_s;
  j["grace_s"] = s.grace_s;
  j["user"] = s.user;
  j["master_addr"] = s.master_addr;
  j["master_port"] = s.master_port;
  j["peers"] = peers;
  j["workdir"] = s.workdir;
  j["pids_max"] = s.pids_max;
  return j;
}

}  // namespace suanli::agent
