#include "store/codec.h"

#include <nlohmann/json.hpp>

namespace suanli::store {
namespace {

using nlohmann::json;

json ShapeJson(const ShapeSpec& s) {
  return json{{"n", s.tasks}, {"c", s.cpus},     {"m", s.mem_mb},
              {"g", s.gpus},  {"t", s.gpu_type}, {"s", s.speed}};
}

ShapeSpec ShapeFrom(const json& j) {
  ShapeSpec s;
  s.tasks = j.value("n", 1);
  s.cpus = j.value("c", 1.0);
  s.mem_mb = j.value("m", int64_t{1024});
  s.gpus = j.value("g", 0.0);
  s.gpu_type = j.value("t", std::string("any"));
  s.speed = j.value("s", 1.0);
  return s;
}

template <typename T>
void PutOptional(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <typename T>
std::optional<T> GetOptional(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

}  // namespace

std::string EncodeJob(const JobRecord& job) {
  const JobSpec& sp = job.spec;
  json spec{{"name", sp.name},           {"cmd", sp.command},   {"main", ShapeJson(sp.main)},
            {"tl", sp.time_limit_s},     {"prio", sp.priority}, {"pre", sp.preemptible},
            {"ckpt", sp.checkpointable}, {"rq", sp.requeue},    {"grace", sp.grace_s}};
  if (!sp.script.empty()) spec["script"] = sp.script;
  if (!sp.env.empty()) spec["env"] = sp.env;
  if (!sp.idempotency_key.empty()) spec["idem"] = sp.idempotency_key;
  if (const AdvanceSignal& a = sp.advance_signal; a.number != 0) {
    spec["sig"] = json{{"n", a.number}, {"s", a.before_s}, {"b", a.batch_only}};
  }
  if (const OutputFiles& o = sp.output_files; !o.empty()) {
    spec["out"] = json{{"o", o.output}, {"e", o.error}, {"a", o.append}};
  }
  if (sp.array.array_id != 0) {
    spec["array"] = json{{"id", sp.array.array_id},   {"task", sp.array.task_id},
                         {"n", sp.array.count},       {"max", sp.array.max_running},
                         {"spec", sp.array.spec}};
  }
  if (!sp.dependency.empty()) spec["dep"] = sp.dependency;
  if (sp.begin_time != 0) spec["begin"] = sp.begin_time;
  if (sp.held) spec["held"] = true;
  if (!sp.workdir.empty()) spec["wd"] = sp.workdir;
  if (!sp.service.empty()) {
    spec["svc"] = json{{"name", sp.service}, {"r", sp.replica}, {"v", sp.service_version}};
  }
  if (!sp.shapes.empty()) {
    json shapes = json::array();
    for (const auto& s : sp.shapes) shapes.push_back(ShapeJson(s));
    spec["shapes"] = shapes;
  }
  json j{{"id", job.id},
         {"tenant", job.tenant},
         {"user", job.user},
         {"spec", spec},
         {"state", JobStateName(job.state)},
         {"reason", job.reason},
         {"submit", job.submit_time},
         {"start", job.start_time},
         {"end", job.end_time},
         {"attempt", job.attempt},
         {"shape", job.shape_index},
         {"cost", job.cost},
         {"served", job.attained_service_ms},
         {"ran", job.ran_ms}};
  if (!job.shape_reason.empty()) j["shape_why"] = job.shape_reason;
  PutOptional(j, "exit", job.exit_code);
  PutOptional(j, "sig", job.signal);
  PutOptional(j, "ftask", job.failed_task);
  if (!job.placement.empty()) {
    json p = json::array();
    for (const auto& t : job.placement) {
      json tj{{"task", t.task},  {"node", t.node},  {"dev", t.devices},
              {"c", t.cpus},     {"m", t.mem_mb},   {"a", t.accel_milli},
              {"t", t.gpu_type}, {"st", t.started}, {"ex", t.exited}};
      PutOptional(tj, "code", t.exit_code);
      PutOptional(tj, "sig", t.signal);
      if (t.port != 0) tj["port"] = t.port;
      p.push_back(std::move(tj));
    }
    j["place"] = std::move(p);
  }
  json h = json::array();
  for (const auto& e : job.history) {
    h.push_back(json{{"s", JobStateName(e.state)}, {"t", e.time}, {"r", e.reason}});
  }
  j["hist"] = std::move(h);
  return j.dump();
}

Result<JobRecord> DecodeJob(const std::string& text) {
  try {
    json j = json::parse(text);
    JobRecord job;
    job.id = j.at("id").get<JobId>();
    job.tenant = j.value("tenant", "");
    job.user = j.value("user", "");
    const json& spec = j.at("spec");
    JobSpec& sp = job.spec;
    sp.name = spec.value("name", "");
    sp.command = spec.value("cmd", std::vector<std::string>{});
    sp.script = spec.value("script", "");
    sp.env = spec.value("env", std::map<std::string, std::string>{});
    sp.main = ShapeFrom(spec.value("main", json::object()));
    if (auto it = spec.find("shapes"); it != spec.end()) {
      for (const auto& s : *it) sp.shapes.push_back(ShapeFrom(s));
    }
    sp.time_limit_s = spec.value("tl", int64_t{0});
    sp.priority = spec.value("prio", 0);
    sp.preemptible = spec.value("pre", true);
    sp.checkpointable = spec.value("ckpt", false);
    sp.requeue = spec.value("rq", true);
    sp.grace_s = spec.value("grace", int64_t{30});
    sp.idempotency_key = spec.value("idem", "");
    if (auto it = spec.find("sig"); it != spec.end()) {
      sp.advance_signal.number = it->value("n", 0);
      sp.advance_signal.before_s = it->value("s", int64_t{60});
      sp.advance_signal.batch_only = it->value("b", false);
    }
    if (auto it = spec.find("out"); it != spec.end()) {
      sp.output_files.output = it->value("o", "");
      sp.output_files.error = it->value("e", "");
      sp.output_files.append = it->value("a", false);
    }
    if (auto it = spec.find("array"); it != spec.end()) {
      sp.array.array_id = it->value("id", JobId{0});
      sp.array.task_id = it->value("task", uint32_t{0});
      sp.array.count = it->value("n", uint32_t{0});
      sp.array.max_running = it->value("max", uint32_t{0});
      sp.array.spec = it->value("spec", "");
    }
    sp.dependency = spec.value("dep", "");
    sp.begin_time = spec.value("begin", TimeMs{0});
    sp.held = spec.value("held", false);
    sp.workdir = spec.value("wd", "");
    if (auto it = spec.find("svc"); it != spec.end()) {
      sp.service = it->value("name", "");
      sp.replica = it->value("r", -1);
      sp.service_version = it->value("v", 0);
    }
    auto state = ParseJobState(j.value("state", "PENDING"));
    if (!state) return Internal("job " + std::to_string(job.id) + " has an unknown state");
    job.state = *state;
    job.reason = j.value("reason", "");
    job.submit_time = j.value("submit", TimeMs{0});
    job.start_time = j.value("start", TimeMs{-1});
    job.end_time = j.value("end", TimeMs{-1});
    job.attempt = j.value("attempt", 0);
    job.shape_index = j.value("shape", 0);
    job.shape_reason = j.value("shape_why", "");
    job.cost = j.value("cost", 0.0);
    job.attained_service_ms = j.value("served", 0.0);
    job.ran_ms = j.value("ran", TimeMs{0});  // absent in records written before it was kept
    job.exit_code = GetOptional<int32_t>(j, "exit");
    job.signal = GetOptional<int32_t>(j, "sig");
    job.failed_task = GetOptional<int32_t>(j, "ftask");
    if (auto it = j.find("place"); it != j.end()) {
      for (const auto& tj : *it) {
        TaskPlacement t;
        t.task = tj.value("task", 0);
        t.node = tj.value("node", "");
        t.devices = tj.value("dev", std::vector<int32_t>{});
        t.cpus = tj.value("c", 0.0);
        t.mem_mb = tj.value("m", int64_t{0});
        t.accel_milli = tj.value("a", int64_t{0});
        t.gpu_type = tj.value("t", "");
        t.started = tj.value("st", false);
        t.exited = tj.value("ex", false);
        t.port = tj.value("port", 0);
        t.exit_code = GetOptional<int32_t>(tj, "code");
        t.signal = GetOptional<int32_t>(tj, "sig");
        job.placement.push_back(std::move(t));
      }
    }
    if (auto it = j.find("hist"); it != j.end()) {
      for (const auto& hj : *it) {
        HistoryEntry e;
        e.state = ParseJobState(hj.value("s", "PENDING")).value_or(JobState::kPending);
        e.time = hj.value("t", TimeMs{0});
        e.reason = hj.value("r", "");
        job.history.push_back(std::move(e));
      }
    }
    return job;
  } catch (const std::exception& e) {
    return Internal(std::string("stored job record is corrupt: ") + e.what());
  }
}

std::string EncodeTenantQuotas(const TenantRecord& t) {
  return json{{"q", t.quota}, {"l", t.limit}}.dump();
}

Status DecodeTenantQuotas(const std::string& text, TenantRecord* t) {
  try {
    json j = json::parse(text);
    t->quota = j.value("q", std::map<std::string, double>{});
    t->limit = j.value("l", std::map<std::string, double>{});
    return Status::Ok();
  } catch (const std::exception& e) {
    return Internal("stored tenant '" + t->name + "' is corrupt: " + e.what());
  }
}

std::string EncodeNodeDevices(const NodeRecord& n) {
  json a = json::array();
  for (const auto& d : n.devices) {
    a.push_back(json{{"index", d.index},
                     {"type", d.type},
                     {"uuid", d.uuid},
                     {"memory_mb", d.memory_mb},
                     {"island", d.island}});
  }
  return a.dump();
}

Result<std::vector<DeviceRecord>> DecodeNodeDevices(const std::string& text) {
  try {
    std::vector<DeviceRecord> out;
    for (const auto& dj : json::parse(text)) {
      DeviceRecord d;
      d.index = dj.value("index", 0);
      d.type = dj.value("type", "");
      d.uuid = dj.value("uuid", "");
      d.memory_mb = dj.value("memory_mb", int64_t{0});
      d.island = dj.value("island", 0);
      out.push_back(std::move(d));
    }
    return out;
  } catch (const std::exception& e) {
    return Internal(std::string("stored node devices are corrupt: ") + e.what());
  }
}

std::string EncodeDoubleMap(const std::map<std::string, double>& m) { return json(m).dump(); }

Result<std::map<std::string, double>> DecodeDoubleMap(const std::string& text) {
  try {
    return json::parse(text).get<std::map<std::string, double>>();
  } catch (const std::exception& e) {
    return Internal(std::string("stored map is corrupt: ") + e.what());
  }
}

}  // namespace suanli::store
