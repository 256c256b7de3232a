// Wire form of what the controller sends: the register reply, and the poll reply with launches
// and kills. The agent reads these leniently (unknown fields are ignored) but checks the type and
// range of every field it uses.
#include <algorithm>
#include <climits>

#include "proto/codec.h"
#include "proto/codec_support.h"

namespace suanli::proto {
namespace {

using internal::DecodeEnvelope;
using internal::EncodeList;
using internal::Guarded;
using internal::ReadList;
using internal::Sender;
using nlohmann::json;

constexpr size_t kMaxText = 1024 * 1024;  // a script, a command argument, an env value
constexpr size_t kMaxItems = 64 * 1024;   // arguments, env entries, devices, peers
constexpr int kMaxIndex = 1 << 20;        // tasks of a job, device indexes

json EncodeWithoutPeers(const Launch& m) {
  json j = Encode(m.ref);
  j["tasks"] = m.tasks;
  j["name"] = m.name;
  j["command"] = m.command;
  j["script"] = m.script.empty() ? json(nullptr) : json(m.script);
  j["env"] = m.env;
  j["cpus"] = m.cpus;
  j["mem_mb"] = m.mem_mb;
  j["devices"] = m.devices;
  j["gpus"] = m.gpus;
  j["gpu_type"] = m.gpu_type;
  j["time_limit_s"] = m.time_limit_s;
  j["grace_s"] = m.grace_s;
  j["user"] = m.user;
  j["tenant"] = m.tenant;
  j["master_addr"] = m.master_addr;
  j["master_port"] = m.master_port;
  j["workdir"] = m.workdir;
  j["pids_max"] = m.pids_max;
  if (m.port != 0) j["port"] = m.port;
  if (m.signal_number != 0) {  // sent only when asked, as `port`: older agents ignore them
    j["signal_number"] = m.signal_number;
    j["signal_before_s"] = m.signal_before_s;
    j["signal_batch_only"] = m.signal_batch_only;
  }
  if (!m.output_pattern.empty() || !m.error_pattern.empty()) {  // only when asked, as above
    j["output_pattern"] = m.output_pattern;
    j["error_pattern"] = m.error_pattern;
    j["output_append"] = m.output_append;
  }
  return j;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void ReadPeer(Fields& f, Peer* p, size_t) {
  f.Integer("task", &p->task, 0, kMaxIndex)
      .String("node", &p->node, 256)
      .String("address", &p->address, 256)
      .IntegerList("devices", &p->devices, kMaxItems, 0, kMaxIndex);
}

Result<Launch> ReadLaunch(const json& j) {
  if (!j.is_object()) return InvalidArgument("launch entry must be an object");
  Launch m;
  Fields f(j, "", UnknownFields::kIgnore);
  f.Require("job_id")
      .Integer("job_id", &m.ref.job_id, 1, INT64_MAX)
      .Integer("attempt", &m.ref.attempt, 0, INT64_MAX)
      .Integer("task", &m.ref.task, 0, kMaxIndex)
      .Integer("tasks", &m.tasks, 1, kMaxIndex)
      .String("name", &m.name, kMaxText)
      .StringList("command", &m.command, kMaxItems, kMaxText)
      .String("script", &m.script, kMaxText)
      .StringMap("env", &m.env, kMaxItems, kMaxText)
      .Number("cpus", &m.cpus, 0, 1e6)
      .Integer("mem_mb", &m.mem_mb, 0, INT64_MAX)
      .IntegerList("devices", &m.devices, kMaxItems, 0, kMaxIndex)
      .Number("gpus", &m.gpus, 0, 1e6)
      .String("gpu_type", &m.gpu_type, 256)
      .Integer("time_limit_s", &m.time_limit_s, 0, INT64_MAX)
      .Integer("grace_s", &m.grace_s, INT64_MIN, INT64_MAX)
      .String("user", &m.user, 256)
      .String("tenant", &m.tenant, 256)
      .String("master_addr", &m.master_addr, 256)
      .Integer("master_port", &m.master_port, 0, 65535)
      .String("workdir", &m.workdir, 4096)
      .Integer("pids_max", &m.pids_max, 0, INT64_MAX)
      .Integer("port", &m.port, -1, 65535)
      .Integer("signal_number", &m.signal_number, 0, 64)
      .Integer("signal_before_s", &m.signal_before_s, 0, INT64_MAX)
      .Bool("signal_batch_only", &m.signal_batch_only)
      .String("output_pattern", &m.output_pattern, 4096)
      .String("error_pattern", &m.error_pattern, 4096)
      .Bool("output_append", &m.output_append);
  SUANLI_RETURN_IF_ERROR(
      ReadList(f, "peers", kMaxItems, UnknownFields::kIgnore, &m.peers, ReadPeer));
  SUANLI_RETURN_IF_ERROR(f.Finish());
  if (m.command.empty() && m.script.empty()) {
    return InvalidArgument("job " + std::to_string(m.ref.job_id) +
                           " has neither 'command' nor 'script'");
  }
  if (m.ref.task >= m.tasks) {
    return InvalidArgument("job " + std::to_string(m.ref.job_id) + ": task " +
                           std::to_string(m.ref.task) +
                           " is outside 0..tasks-1 (tasks=" + std::to_string(m.tasks) + ")");
  }
  m.grace_s = std::max<int64_t>(m.grace_s, 0);  // a negative grace means none
  return m;
}

Result<Kill> ReadKill(const json& j) {
  if (!j.is_object()) return InvalidArgument("kill entry must be an object");
  Kill m;
  Fields f(j, "", UnknownFields::kIgnore);
  f.Require("job_id")
      .Integer("job_id", &m.job_id, 1, INT64_MAX)
      .Integer("attempt", &m.attempt, 0, INT64_MAX)
      .Integer("grace_s", &m.grace_s, -1, INT64_MAX)
      .String("reason", &m.reason, 256);
  SUANLI_RETURN_IF_ERROR(f.Finish());
  if (m.reason.empty()) m.reason = "CANCELLED";
  return m;
}

// Decodes each entry of the list `name`, keeping the good ones and reporting the bad.
template <typename T, typename Read>
void ReadTolerantList(const json& j, const char* name, Read read, std::vector<T>* out,
                      std::vector<std::string>* errors) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_array()) {
    errors->push_back(std::string("field '") + name + "' must be a list");
    return;
  }
  for (const json& e : *it) {
    auto r = read(e);
    if (r.ok()) {
      out->push_back(std::move(r).value());
    } else {
      errors->push_back(std::string(name) + ": " + r.status().message());
    }
  }
}

}  // namespace

json Encode(const RegisterReply& m) {
  json j{
      {kVersionField, m.protocol.ToString()}, {"node", m.node}, {"heartbeat_ms", m.heartbeat_ms}};
  if (m.node_timeout_ms >= 0) j["node_timeout_ms"] = m.node_timeout_ms;
  if (m.fence_ms >= 0) j["fence_ms"] = m.fence_ms;
  return j;
}

json Encode(const Peer& m) {
  return {{"task", m.task}, {"node", m.node}, {"address", m.address}, {"devices", m.devices}};
}

json Encode(const Launch& m) {
  json j = EncodeWithoutPeers(m);
  j["peers"] = EncodeList(m.peers);
  return j;
}

json Encode(const Kill& m) {
  return {
      {"job_id", m.job_id}, {"attempt", m.attempt}, {"grace_s", m.grace_s}, {"reason", m.reason}};
}

json Encode(const PollReply& m) {
  return {{kVersionField, m.protocol.ToString()},
          {"launch", EncodeList(m.launch)},
          {"kill", EncodeList(m.kill)}};
}

std::shared_ptr<const std::string> EncodePeers(const std::vector<Peer>& peers) {
  return std::make_shared<const std::string>(Dump(EncodeList(peers)));
}

std::string EncodePollReplyText(const std::vector<PreparedLaunch>& launch,
                                const std::vector<Kill>& kill) {
  std::string body =
      "{\"" + std::string(kVersionField) + "\":\"" + kCurrentVersion.ToString() + "\",\"launch\":[";
  bool first = true;
  for (const PreparedLaunch& l : launch) {
    std::string text = Dump(EncodeWithoutPeers(l.launch));
    text.pop_back();  // the closing '}' of a non-empty object
    if (!first) body += ',';
    first = false;
    body += text;
    body += ",\"peers\":";
    body += l.peers_json ? *l.peers_json : std::string("[]");
    body += '}';
  }
  body += "],\"kill\":";
  body += Dump(EncodeList(kill));
  body += '}';
  return body;
}

Result<RegisterReply> DecodeRegisterReply(const json& j) {
  return DecodeEnvelope<RegisterReply>(
      j, "register reply", Sender::kController,
      [&](Fields& f, UnknownFields, RegisterReply* m) -> Status {
        // The agent must keep a sane heartbeat whatever a controller says: clamped, not refused.
        int64_t heartbeat_ms = m->heartbeat_ms;
        f.Require("node")
            .String("node", &m->node, 64)
            .Integer("heartbeat_ms", &heartbeat_ms, INT64_MIN, INT64_MAX)
            .Integer("node_timeout_ms", &m->node_timeout_ms, 0, INT64_MAX)
            .Integer("fence_ms", &m->fence_ms, 0, INT64_MAX);
        m->heartbeat_ms = static_cast<int>(std::clamp<int64_t>(heartbeat_ms, 50, 60000));
        return f.status();
      });
}

Result<Launch> DecodeLaunch(const json& j) {
  return Guarded<Launch>("launch entry", [&] { return ReadLaunch(j); });
}

Result<Kill> DecodeKill(const json& j) {
  return Guarded<Kill>("kill entry", [&] { return ReadKill(j); });
}

Result<PollReply> DecodePollReply(const json& j, std::vector<std::string>* errors) {
  return DecodeEnvelope<PollReply>(
      j, "poll reply", Sender::kController, [&](Fields&, UnknownFields, PollReply* m) -> Status {
        ReadTolerantList(j, "launch", DecodeLaunch, &m->launch, errors);
        ReadTolerantList(j, "kill", DecodeKill, &m->kill, errors);
        return Status::Ok();
      });
}

}  // namespace suanli::proto
