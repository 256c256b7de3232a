// Wire form of what the agent sends: registration, polls (heartbeat, running tasks, events) and
// log uploads. The limits are the controller's: what it accepts from any agent.
#include <climits>

#include "proto/base64.h"
#include "proto/codec_support.h"

namespace suanli::proto {
namespace {

using internal::DecodeEnvelope;
using internal::EncodeList;
using internal::ReadList;
using internal::Sender;
using nlohmann::json;

constexpr size_t kMaxListEntries = 100000;
constexpr size_t kMaxDevices = 1024;
constexpr size_t kMaxLogData = 2 * 1024 * 1024;  // base64 text of one upload

// job_id, attempt and task of a task reference (or of an event or upload, which hold one).
void ReadTaskRef(Fields& f, TaskRef* ref) {
  f.Require("job_id")
      .Require("attempt")
      .Integer("job_id", &ref->job_id, 1, INT64_MAX)
      .Integer("attempt", &ref->attempt, 0, INT32_MAX)
      .Integer("task", &ref->task, 0, kMaxTaskIndex);
}

void WriteTaskRef(const TaskRef& ref, json* j) {
  (*j)["job_id"] = ref.job_id;
  (*j)["attempt"] = ref.attempt;
  (*j)["task"] = ref.task;
}

Status ReadRunning(Fields& f, UnknownFields unknown, std::vector<TaskRef>* out) {
  return ReadList(f, "running", kMaxListEntries, unknown, out,
                  [](Fields& ef, TaskRef* r, size_t) { ReadTaskRef(ef, r); });
}

json OptionalJson(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string TaskRef::Key() const {
  return std::to_string(job_id) + "." + std::to_string(attempt) + "." + std::to_string(task);
}

json Encode(const TaskRef& m) {
  json j = json::object();
  WriteTaskRef(m, &j);
  return j;
}

json Encode(const Device& m) {
  return {{"index", m.index},
          {"type", m.type},
          {"uuid", m.uuid},
          {"memory_mb", m.memory_mb},
          {"island", m.island}};
}

json Encode(const TaskEvent& m) {
  json j = Encode(m.ref);
  j["event"] = m.event;
  j["exit_code"] = OptionalJson(m.exit_code);
  j["signal"] = OptionalJson(m.signal);
  j["reason"] = m.reason.empty() ? json(nullptr) : json(m.reason);
  j["time"] = m.time;
  if (m.port != 0) j["port"] = m.port;
  return j;
}

json Encode(const RegisterRequest& m) {
  return {{kVersionField, m.protocol.ToString()},
          {"name", m.name},
          {"cpus", m.cpus},
          {"mem_mb", m.mem_mb},
          {"devices", EncodeList(m.devices)},
          {"address", m.address},
          {"running", EncodeList(m.running)}};
}

json Encode(const PollRequest& m) {
  return {{kVersionField, m.protocol.ToString()},
          {"wait_ms", m.wait_ms},
          {"running", EncodeList(m.running)},
          {"events", EncodeList(m.events)}};
}

json Encode(const LogUpload& m) {
  json j = Encode(m.ref);
  j[kVersionField] = m.protocol.ToString();
  j["stream"] = m.stream;
  j["offset"] = m.offset;
  j["data"] = Base64Encode(m.data);
  return j;
}

Result<RegisterRequest> DecodeRegisterRequest(const json& j) {
  auto read_device = [](Fields& f, Device* d, size_t i) {
    d->index = static_cast<int>(i);
    f.Require("type")
        .Integer("index", &d->index, 0, 1 << 20)
        .String("type", &d->type, 64)
        .String("uuid", &d->uuid, 128)
        .Integer("memory_mb", &d->memory_mb, 0, int64_t{1} << 30)
        .Integer("island", &d->island, 0, 1 << 20);
  };
  return DecodeEnvelope<RegisterRequest>(
      j, "register request", Sender::kAgent,
      [&](Fields& f, UnknownFields unknown, RegisterRequest* m) -> Status {
        f.Require("name")
            .String("name", &m->name, 64)
            .Number("cpus", &m->cpus, 0, 1e6)
            .Integer("mem_mb", &m->mem_mb, 0, int64_t{1} << 40)
            .String("address", &m->address, 256);
        SUANLI_RETURN_IF_ERROR(
            ReadList(f, "devices", kMaxDevices, unknown, &m->devices, read_device));
        return ReadRunning(f, unknown, &m->running);
      });
}

Result<PollRequest> DecodePollRequest(const json& j) {
  auto read_event = [](Fields& f, TaskEvent* e, size_t) {
    ReadTaskRef(f, &e->ref);
    f.Require("event")
        .String("event", &e->event, 32)
        .OptionalInteger("exit_code", &e->exit_code, -1000, 1000)
        .OptionalInteger("signal", &e->signal, 0, 128)
        .String("reason", &e->reason, 256)
        .Number("time", &e->time, 0, 1e11)
        .Integer("port", &e->port, 0, 65535);
    if (f.status().ok() && e->event != "started" && e->event != "exited") {
      f.Fail(InvalidArgument(f.Field("event") + " must be started or exited"));
    }
  };
  return DecodeEnvelope<PollRequest>(
      j, "poll request", Sender::kAgent,
      [&](Fields& f, UnknownFields unknown, PollRequest* m) -> Status {
        f.Integer("wait_ms", &m->wait_ms, 0, 60000);
        SUANLI_RETURN_IF_ERROR(ReadRunning(f, unknown, &m->running));
        return ReadList(f, "events", kMaxListEntries, unknown, &m->events, read_event);
      });
}

Result<LogUpload> DecodeLogUpload(const json& j) {
  return DecodeEnvelope<LogUpload>(
      j, "log upload", Sender::kAgent, [&](Fields& f, UnknownFields, LogUpload* m) -> Status {
        std::string data;
        ReadTaskRef(f, &m->ref);
        f.Require("stream")
            .String("stream", &m->stream, 16)
            .Integer("offset", &m->offset, 0, int64_t{1} << 40)
            .String("data", &data, kMaxLogData);
        SUANLI_RETURN_IF_ERROR(f.status());
        if (m->stream != "stdout" && m->stream != "stderr") {
          return InvalidArgument("field 'stream' must be stdout or stderr");
        }
        SUANLI_ASSIGN_OR_RETURN(m->data, Base64Decode(data, "data"));
        return Status::Ok();
      });
}

}  // namespace suanli::proto
