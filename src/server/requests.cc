#include "server/requests.h"

#include <cmath>
#include <ctime>

#include "proto/codec.h"
#include "server/json_input.h"
#include "slurm/array_spec.h"
#include "slurm/dependency_spec.h"
#include "slurm/option_values.h"

namespace suanli::server {
namespace {

constexpr int64_t kMaxMemMb = 64LL * 1024 * 1024;  // 64 TiB per task
constexpr double kMaxCpus = 4096;
constexpr double kMaxGpus = 1024;
// A gang's launches each list every peer, so a job costs O(tasks) memory per launch at the
// agents and O(tasks) launches here; 1024 tasks (and at least 0.01 cpus each, so one small node
// cannot take thousands) keeps one job's launch traffic bounded.
constexpr int64_t kMaxTasks = 1024;
constexpr double kMinCpusPerTask = 0.01;
using proto::kMaxTaskIndex;  // the same bound for readers of logs as for agents
constexpr int64_t kMaxTimeLimitS = 366LL * 24 * 3600;
constexpr size_t kMaxScript = 512 * 1024;
constexpr double kMaxBeginS = 32503680000;  // year 3000
constexpr uint32_t kMaxArrayIndex = 4'000'000;
constexpr uint32_t kMaxArrayTasks = 100'001;

Status CheckGpus(double gpus, const std::string& field) {
  if (gpus >= 1 && std::floor(gpus) != gpus) {
    return InvalidArgument("field '" + field +
                           "' must be a whole number of devices, or a fraction below 1 for a "
                           "share of one device");
  }
  return Status::Ok();
}

Status CheckGpuType(const std::string& type, const std::string& field) {
  if (type.empty()) return InvalidArgument("field '" + field + "' must not be empty");
  size_t start = 0;
  while (start <= type.size()) {
    size_t bar = type.find('|', start);
    std::string part =
        type.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    Status st = CheckName(part, field.c_str());
    if (!st.ok()) {
      return InvalidArgument("field '" + field + "' must be a type name like nvidia-a100, a list " +
                             "like nvidia-a100|nvidia-h100, or any");
    }
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return Status::Ok();
}

void ReadShape(FieldReader& r, store::ShapeSpec* s, const std::string& where) {
  int64_t tasks = s->tasks;
  r.Int("tasks", &tasks, 1, kMaxTasks)
      .Number("cpus", &s->cpus, 0, kMaxCpus)
      .Int("mem_mb", &s->mem_mb, 0, kMaxMemMb)
      .Number("gpus", &s->gpus, 0, kMaxGpus)
      .String("gpu_type", &s->gpu_type, 256);
  s->tasks = static_cast<int32_t>(tasks);
  if (!r.status().ok()) return;
  Status st = CheckGpus(s->gpus, where + "gpus");
  if (st.ok()) st = CheckGpuType(s->gpu_type, where + "gpu_type");
  if (st.ok() && s->cpus == 0 && s->gpus == 0 && s->mem_mb == 0) {
    st = InvalidArgument("the job asks for no resources: set '" + where + "cpus', '" + where +
                         "mem_mb' or '" + where + "gpus'");
  }
  if (st.ok() && s->cpus < kMinCpusPerTask) {
    st = InvalidArgument("field '" + where + "cpus' must be at least 0.01 per task");
  }
  if (!st.ok()) r.Fail(st);
}

std::string Param(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

Status CheckKnownParams(const Params& params, std::initializer_list<const char*> known) {
  for (const auto& [k, v] : params) {
    bool ok = false;
    for (const char* n : known) ok = ok || k == n;
    if (!ok) return InvalidArgument("unknown query parameter '" + k + "'");
  }
  return Status::Ok();
}

Result<int64_t> IntParam(const Params& params, const char* name, int64_t def, int64_t min,
                         int64_t max) {
  std::string v = Param(params, name);
  if (v.empty()) return def;
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || x < min || x > max) {
    return InvalidArgument("query parameter '" + std::string(name) +
                           "' must be an integer between " + std::to_string(min) + " and " +
                           std::to_string(max));
  }
  return static_cast<int64_t>(x);
}

// What must happen before the job starts: the syntax here, the jobs named by the controller.
Status CheckGates(SubmitRequest& req, double begin_s) {
  store::JobSpec& s = req.spec;
  if (!req.array.empty()) {
    // The site's limits are the controller's (ControllerOptions); these bound what one request
    // may make this thread allocate before it gets there.
    auto parsed = slurm::ParseArraySpec(req.array, {kMaxArrayIndex, kMaxArrayTasks});
    if (!parsed.ok()) return InvalidArgument("field 'array': " + parsed.status().message());
  }
  if (!s.dependency.empty()) {
    auto parsed = slurm::ParseDependencySpec(s.dependency);
    if (!parsed.ok()) return InvalidArgument("field 'dependency': " + parsed.status().message());
  }
  s.begin_time = static_cast<TimeMs>(std::llround(begin_s * 1000));
  if (!s.workdir.empty()) {
    if (s.workdir[0] != '/' || s.workdir.find('\0') != std::string::npos ||
        s.workdir.find('\n') != std::string::npos) {
      return InvalidArgument("field 'workdir' must be an absolute path without NUL or newline");
    }
  }
  return Status::Ok();
}

// output/error are absolute path patterns (the agent expands Slurm's %-symbols for each task);
// open_mode is sbatch's, and only means something with a file to open.
Status ParseOutputFiles(const std::string& open_mode, store::OutputFiles* files) {
  for (auto [field, value] : {std::pair<const char*, const std::string*>{"output", &files->output},
                              {"error", &files->error}}) {
    if (value->empty()) continue;
    if ((*value)[0] != '/' || value->find('\0') != std::string::npos ||
        value->find('\n') != std::string::npos) {
      return InvalidArgument(std::string("field '") + field + "' must be an absolute path (a " +
                             "pattern such as /home/me/logs/%x-%j.out) without NUL or newline");
    }
  }
  if (open_mode.empty()) return Status::Ok();
  if (open_mode != "append" && open_mode != "truncate") {
    return InvalidArgument("field 'open_mode' must be 'append' or 'truncate', not '" + open_mode +
                           "'");
  }
  if (files->empty()) {
    return InvalidArgument("field 'open_mode' needs 'output' or 'error': there is no file to open");
  }
  files->append = open_mode == "append";
  return Status::Ok();
}

}  // namespace

Status CheckName(const std::string& name, const char* what) {
  bool ok = !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    std::string shown;  // the name as given, without characters that would forge output
    for (char c : name.substr(0, 80)) {
      shown += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? '?' : c;
    }
    return InvalidArgument(std::string(what) + " '" + shown +
                           "' must be 1-64 letters, digits, '.', '_' or '-', starting with a "
                           "letter or digit");
  }
  return Status::Ok();
}

Result<SubmitRequest> ParseSubmit(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  SubmitRequest req;
  store::JobSpec& s = req.spec;
  double begin_s = 0;
  std::string signal, open_mode;
  FieldReader r(j);
  r.String("name", &s.name, 256)
      .String("tenant", &req.tenant, 64)
      .String("script", &s.script, kMaxScript)
      .StringMap("env", &s.env, 256, 4096)
      .Int("time_limit_s", &s.time_limit_s, 0, kMaxTimeLimitS)
      .Int32("priority", &s.priority, -1000000, 1000000)
      .String("idempotency_key", &s.idempotency_key, 256)
      .Bool("preemptible", &s.preemptible)
      .Bool("checkpointable", &s.checkpointable)
      .Bool("requeue", &s.requeue)
      .Int("grace_s", &s.grace_s, 0, 3600)
      .String("signal", &signal, 64)
      .String("output", &s.output_files.output, 4096)
      .String("error", &s.output_files.error, 4096)
      .String("open_mode", &open_mode, 16)
      .String("array", &req.array, 4096)
      .String("dependency", &s.dependency, 4096)
      .Number("begin_time", &begin_s, 0, kMaxBeginS)
      .Bool("hold", &s.held)
      .String("workdir", &s.workdir, 4096);
  ReadShape(r, &s.main, "");
  // The command may be a list of arguments or a single string run by the shell.
  bool shell_form = false;
  if (const json* cmd = r.Raw("command")) {
    if (cmd->is_string()) {
      if (cmd->get_ref<const std::string&>().size() > kMaxScript) {
        r.Fail(InvalidArgument("field 'command' is too long"));
      } else {
        s.command = {"/bin/sh", "-c", cmd->get<std::string>()};
        shell_form = true;
      }
    } else {
      json wrapped{{"command", *cmd}};
      FieldReader inner(wrapped);
      inner.StringList("command", &s.command, 4096, 64 * 1024);
      if (!inner.status().ok()) r.Fail(inner.status());
    }
  }
  if (const json* shapes = r.Raw("shapes")) {
    if (!shapes->is_array() || shapes->size() > 16) {
      r.Fail(InvalidArgument("field 'shapes' must be a list of at most 16 shapes"));
    } else {
      for (size_t i = 0; i < shapes->size() && r.status().ok(); ++i) {
        std::string where = "shapes[" + std::to_string(i) + "].";
        if (!(*shapes)[i].is_object()) {
          r.Fail(InvalidArgument("field '" + where.substr(0, where.size() - 1) +
                                 "' must be an object"));
          break;
        }
        FieldReader sr((*shapes)[i], where);
        store::ShapeSpec shape = s.main;
        shape.speed = 1.0;
        sr.Number("speed", &shape.speed, 0.001, 1000);
        ReadShape(sr, &shape, where);
        Status st = sr.Finish();
        if (!st.ok()) r.Fail(st);
        s.shapes.push_back(shape);
      }
    }
  }
  SUANLI_RETURN_IF_ERROR(r.Finish());
  if (!signal.empty()) {
    // sbatch's syntax, [B:]SIG[@SECONDS]; R: (reservations) means nothing here and is dropped.
    auto parsed = slurm::ParseSignalSpec(signal);
    if (!parsed.ok()) return InvalidArgument("field 'signal': " + parsed.status().message());
    s.advance_signal = {parsed->number, parsed->seconds, parsed->batch_only};
  }
  SUANLI_RETURN_IF_ERROR(ParseOutputFiles(open_mode, &s.output_files));
  SUANLI_RETURN_IF_ERROR(CheckText(s.name, TextRule::kDisplayName, "name"));
  SUANLI_RETURN_IF_ERROR(CheckText(s.idempotency_key, TextRule::kDisplayName, "idempotency_key"));
  SUANLI_RETURN_IF_ERROR(CheckText(s.script, TextRule::kNoNul, "script"));
  for (size_t i = 0; i < s.command.size(); ++i) {
    SUANLI_RETURN_IF_ERROR(
        CheckText(s.command[i], TextRule::kNoNul,
                  shell_form ? "command" : "command[" + std::to_string(i) + "]"));
  }
  for (const auto& [k, v] : s.env) {
    // The environment is "KEY=VALUE" strings: an '=' in a key moves the split, a NUL cuts it.
    SUANLI_RETURN_IF_ERROR(CheckText(k, TextRule::kDisplayName, "env"));
    if (k.empty() || k.find('=') != std::string::npos) {
      return InvalidArgument("field 'env' has a key that is empty or holds '=': '" +
                             k.substr(0, 64) + "'");
    }
    SUANLI_RETURN_IF_ERROR(CheckText(v, TextRule::kNoNul, "env." + k));
  }
  if (s.command.empty() && s.script.empty()) {
    return InvalidArgument("give the job a 'command' (list of arguments) or a 'script'");
  }
  if (!s.command.empty() && !s.script.empty()) {
    return InvalidArgument("give either 'command' or 'script', not both");
  }
  if (!req.tenant.empty()) SUANLI_RETURN_IF_ERROR(CheckName(req.tenant, "tenant"));
  SUANLI_RETURN_IF_ERROR(CheckGates(req, begin_s));
  if (s.name.empty()) {
    s.name = !s.command.empty() ? s.command[0].substr(s.command[0].rfind('/') + 1) : "script";
    if (s.name.empty() || !CheckText(s.name, TextRule::kDisplayName, "name").ok()) s.name = "job";
  }
  return req;
}

Result<bool> ParseArrayFlag(const std::string& body) {
  if (body.empty()) return false;
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  bool whole = false;
  FieldReader r(j);
  r.Bool("array", &whole);
  SUANLI_RETURN_IF_ERROR(r.Finish());
  return whole;
}

namespace {

// The settings a tenant is created with and may later change, read into `t` (absent fields keep
// its values). Finishes `r`: every other field must have been read before.
Status ReadTenantSettings(FieldReader& r, store::TenantRecord* t) {
  std::string period;
  r.Number("weight", &t->weight, 0.001, 1e6)
      .NumberMap("quota", &t->quota, 0, 1e12)
      .NumberMap("limit", &t->limit, 0, 1e12)
      .Number("budget_accel_hours", &t->budget_accel_hours, -1, 1e12)
      .String("budget_period", &period, 16);
  SUANLI_RETURN_IF_ERROR(r.Finish());
  if (r.Has("budget_period")) {
    auto parsed = core::ParseBudgetPeriod(period);
    if (!parsed) {
      return InvalidArgument("field 'budget_period' must be " +
                             std::string(core::kBudgetPeriodChoices) + ", not '" + period + "'");
    }
    t->budget_period = *parsed;
  }
  for (const auto* m : {&t->quota, &t->limit}) {
    for (const auto& [k, v] : *m) {
      if (k != "cpus" && k != "mem_mb") SUANLI_RETURN_IF_ERROR(CheckName(k, "resource type"));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<store::TenantRecord> ParseTenant(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  store::TenantRecord t;
  FieldReader r(j);
  r.String("name", &t.name, 64).String("parent", &t.parent, 64);
  SUANLI_RETURN_IF_ERROR(ReadTenantSettings(r, &t));
  SUANLI_RETURN_IF_ERROR(CheckName(t.name, "tenant"));
  if (!t.parent.empty()) SUANLI_RETURN_IF_ERROR(CheckName(t.parent, "parent tenant"));
  return t;
}

Result<TenantUpdate> ParseTenantUpdate(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  TenantUpdate u;
  FieldReader r(j);
  SUANLI_RETURN_IF_ERROR(ReadTenantSettings(r, &u.values));
  for (const char* f : TenantUpdate::kFields) {
    if (r.Has(f)) u.fields.insert(f);
  }
  if (u.fields.empty()) {
    return InvalidArgument(
        "give at least one of weight, quota, limit, budget_accel_hours, budget_period");
  }
  return u;
}

Result<UserRequest> ParseUser(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  UserRequest u;
  FieldReader r(j);
  r.String("name", &u.name, 64).String("tenant", &u.tenant, 64).String("role", &u.role, 32);
  SUANLI_RETURN_IF_ERROR(r.Finish());
  SUANLI_RETURN_IF_ERROR(CheckName(u.name, "user"));
  if (u.tenant.empty()) return InvalidArgument("field 'tenant' is required");
  if (u.role != "admin" && u.role != "tenant-admin" && u.role != "member") {
    return InvalidArgument("field 'role' must be admin, tenant-admin or member");
  }
  return u;
}

Result<std::string> ParseTokenRequest(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  std::string user;
  FieldReader r(j);
  r.String("user", &user, 64);
  SUANLI_RETURN_IF_ERROR(r.Finish());
  return user;
}

Result<RegisterRequest> ParseRegister(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  SUANLI_ASSIGN_OR_RETURN(proto::RegisterRequest m, proto::DecodeRegisterRequest(j));
  SUANLI_RETURN_IF_ERROR(CheckName(m.name, "node"));
  RegisterRequest req;
  store::NodeRecord& n = req.node;
  n.name = m.name;
  n.cpus = m.cpus;
  n.mem_mb = m.mem_mb;
  n.address = m.address.empty() ? "127.0.0.1" : m.address;
  for (size_t i = 0; i < m.devices.size(); ++i) {
    const proto::Device& d = m.devices[i];
    std::string type_field = "field 'devices[" + std::to_string(i) + "].type'";
    SUANLI_RETURN_IF_ERROR(CheckName(d.type, type_field.c_str()));
    n.devices.push_back({d.index, d.type, d.uuid, d.memory_mb, d.island});
  }
  req.running = std::move(m.running);
  return req;
}

Result<PollRequest> ParsePoll(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  return proto::DecodePollRequest(j);
}

Result<LogUpload> ParseLogUpload(const std::string& body) {
  SUANLI_ASSIGN_OR_RETURN(json j, ParseObject(body));
  return proto::DecodeLogUpload(j);
}

Result<TimeMs> ParseTime(const std::string& text, const char* field) {
  auto bad = [&] {
    return InvalidArgument(std::string("'") + field +
                           "' must be a date (2026-01-01), a UTC time (2026-01-01T10:00:00Z) or "
                           "epoch seconds");
  };
  // A NUL would end the C-string parsers early and hide what follows it.
  if (text.empty() || text.find('\0') != std::string::npos) return bad();
  char* end = nullptr;
  double secs = std::strtod(text.c_str(), &end);
  if (*end == '\0' && text.find('-') == std::string::npos) {
    if (!std::isfinite(secs) || secs < 0 || secs > 1e11) return bad();
    return static_cast<TimeMs>(std::llround(secs * 1000));
  }
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (!rest) return bad();
  if (*rest == 'T' || *rest == ' ') {
    rest = strptime(rest + 1, "%H:%M:%S", &tm);
    if (!rest) return bad();
    if (*rest == 'Z') ++rest;
  }
  if (*rest != '\0') return bad();
  const time_t t = timegm(&tm);
  if (t < 0) return bad();  // before 1970, as epoch seconds must not be either
  return static_cast<TimeMs>(t) * 1000;
}

Result<JobListRequest> ParseJobList(const Params& params) {
  SUANLI_RETURN_IF_ERROR(
      CheckKnownParams(params, {"state", "tenant", "user", "all", "limit", "array"}));
  JobListRequest req;
  std::string states = Param(params, "state");
  size_t start = 0;
  while (!states.empty() && start <= states.size()) {
    size_t comma = states.find(',', start);
    std::string name =
        states.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto st = store::ParseJobState(name);
    if (!st) return InvalidArgument("query parameter 'state' has an unknown state '" + name + "'");
    req.states.push_back(*st);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string all = Param(params, "all");
  if (!all.empty() && all != "true" && all != "false" && all != "1" && all != "0") {
    return InvalidArgument("query parameter 'all' must be true or false");
  }
  req.all = all == "true" || all == "1";
  req.tenant = Param(params, "tenant");
  req.user = Param(params, "user");
  SUANLI_ASSIGN_OR_RETURN(req.limit, IntParam(params, "limit", 1000, 1, 100000));
  SUANLI_ASSIGN_OR_RETURN(req.array, IntParam(params, "array", 0, 1, INT64_MAX));
  return req;
}

Result<UsageRequest> ParseUsage(const Params& params) {
  SUANLI_RETURN_IF_ERROR(
      CheckKnownParams(params, {"tenant", "user", "since", "until", "by", "format"}));
  UsageRequest req;
  req.tenant = Param(params, "tenant");
  req.user = Param(params, "user");
  if (std::string s = Param(params, "since"); !s.empty()) {
    SUANLI_ASSIGN_OR_RETURN(req.since, ParseTime(s, "since"));
  }
  if (std::string s = Param(params, "until"); !s.empty()) {
    SUANLI_ASSIGN_OR_RETURN(req.until, ParseTime(s, "until"));
  }
  std::string by = Param(params, "by");
  if (!by.empty()) req.by = by;
  if (req.by != "tenant" && req.by != "user" && req.by != "type") {
    return InvalidArgument("query parameter 'by' must be tenant, user or type");
  }
  std::string format = Param(params, "format");
  if (!format.empty() && format != "json" && format != "csv") {
    return InvalidArgument("query parameter 'format' must be json or csv");
  }
  req.csv = format == "csv";
  return req;
}

Result<LogRead> ParseLogRead(const Params& params) {
  SUANLI_RETURN_IF_ERROR(CheckKnownParams(params, {"task", "stream", "offset"}));
  LogRead req;
  SUANLI_ASSIGN_OR_RETURN(int64_t task, IntParam(params, "task", 0, 0, kMaxTaskIndex));
  req.task = static_cast<int32_t>(task);
  SUANLI_ASSIGN_OR_RETURN(req.offset, IntParam(params, "offset", 0, 0, 1LL << 40));
  std::string stream = Param(params, "stream");
  if (!stream.empty()) req.stream = stream;
  if (req.stream != "stdout" && req.stream != "stderr") {
    return InvalidArgument("query parameter 'stream' must be stdout or stderr");
  }
  return req;
}

Result<TimeMs> ParseSinceParam(const Params& params, const char* name) {
  SUANLI_RETURN_IF_ERROR(CheckKnownParams(params, {name}));
  std::string v = Param(params, name);
  if (v.empty()) return TimeMs{0};
  return ParseTime(v, name);
}

}  // namespace suanli::server
