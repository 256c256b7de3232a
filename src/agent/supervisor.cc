#include "agent/supervisor.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "agent/device_mask.h"
#include "agent/discovery.h"
#include "agent/fs_util.h"
#include "agent/output_files.h"
#include "agent/protocol.h"
#include "agent/task_env.h"
#include "base/free_port.h"

namespace suanli::agent {
namespace {

using nlohmann::json;

constexpr const char* kJobFilesSubdir = ".suanli";
// In a task's directory: written by the job once it opened its own --output/--error files.
constexpr const char* kUserFilesGate = "user_files_open";

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::string ReasonMessage(const std::string& reason, const LaunchSpec& spec) {
  if (reason == "OUT_OF_MEMORY")
    return fmt::format("killed by its memory limit of {} MiB", spec.mem_mb);
  if (reason == "TIMEOUT") return fmt::format("ran past its time limit of {} s", spec.time_limit_s);
  if (reason == "CANCELLED") return "cancelled";
  if (reason == "PREEMPTED") return "preempted";
  if (reason == "GANG_FAILED") return "another task of its gang failed";
  // "STALE" is the contract's word (docs/api.md); "STALE_ATTEMPT" came from older fakes.
  if (reason == "STALE" || reason == "STALE_ATTEMPT")
    return "a newer attempt of this job superseded it";
  return reason;
}

}  // namespace

Supervisor::Supervisor(SupervisorOptions options, HostInfo host,
                       std::unique_ptr<CgroupManager> cgroups,
                       std::unique_ptr<ProcessLauncher> launcher, const Clock* clock,
                       FileSystem* fs)
    : options_(std::move(options)),
      host_(std::move(host)),
      cgroups_(std::move(cgroups)),
      launcher_(std::move(launcher)),
      clock_(clock),
      fs_(fs),
      cpus_(host_.numa_cpus) {}

std::string Supervisor::TaskDir(const TaskRef& ref) const {
  return options_.work_dir + "/tasks/" + ref.Key();
}

std::string Supervisor::JobFilesDir(const TaskRef& ref) const {
  return TaskDir(ref) + "/tmp/" + kJobFilesSubdir;
}

std::string Supervisor::DescribeIsolation() const {
  std::string cg = cgroups_ ? cgroups_->layout().Describe() : "no cgroups (limits NOT enforced)";
  if (cgroups_ && cgroups_->layout().version == 2)
    cg += "; device cgroup skipped (cgroup v2 needs an eBPF program)";
  return fmt::format("{}; private /tmp: {}; other tasks' accelerators under {}: {}", cg,
                     options_.private_tmp ? "yes" : "no", options_.dev_root,
                     options_.mask_devices ? "hidden (/dev/null bind-mounted over them)"
                                           : "NOT hidden (agent not root)");
}

size_t Supervisor::active_tasks() const {
  size_t n = 0;
  for (const auto& [ref, t] : tasks_) n += !t->exit.has_value();
  return n;
}

Status Supervisor::Persist(Task& t) const {
  json j = {
      {"launch", LaunchToJson(t.spec)},
      {"shim_pid", t.shim.shim_pid},
      {"shim_start", t.shim.shim_start},
      {"start_ms", t.start_ms},
      {"cpus", t.cpus},
      {"term_reason", t.term_reason},
      {"kill_at_ms", t.kill_at_ms},
      {"signal_sent_ms", t.signal_sent_ms},
      {"log_base", {{"stdout", t.out ? t.out->base() : 0}, {"stderr", t.err ? t.err->base() : 0}}}};
  // A stream the job writes to its own file (--output/--error): where, and whose it must be.
  for (const auto& [stream, shipper] :
       {std::pair{"stdout", t.out.get()}, {"stderr", t.err.get()}}) {
    if (!shipper || !shipper->user_file()) continue;
    j["log_files"][stream] = shipper->path();
    j["log_owner"] = shipper->user_file()->owner_uid;
  }
  Status st = fs_->WriteFileAtomic(t.dir + "/task.json", j.dump() + "\n", 0600);
  if (!st.ok() && !t.unsaved)
    spdlog::error("job {}: cannot record task {} (retrying): {}", t.spec.ref.job_id,
                  t.spec.ref.Key(), st.ToString());
  if (st.ok() && t.unsaved)
    spdlog::info("job {}: task {} recorded again", t.spec.ref.job_id, t.spec.ref.Key());
  t.unsaved = !st.ok();
  return st;
}

void Supervisor::NoteRotation(Task& t, const std::string& stream, const Result<bool>& rotated) {
  if (rotated.ok()) {
    if (*rotated) t.log_errors.erase(stream);  // only a rotation done proves the cause gone
    return;
  }
  std::string& error = t.log_errors[stream];
  const std::string now = "log not rotated: " + rotated.status().message();
  if (error != now)  // once per cause, not on every poll
    spdlog::warn("job {} task {}: {} {}", t.spec.ref.job_id, t.spec.ref.Key(), stream, now);
  error = now;
}

Status Supervisor::Recover() {
  SUANLI_RETURN_IF_ERROR(fs_->MakeDirs(options_.work_dir + "/tasks", 0711));
  // Jobs of other accounts traverse it to their files.
  (void)fs_->SetMode(options_.work_dir, 0711);
  GarbageCollect();
  for (const auto& name : fs_->ListDir(options_.work_dir + "/tasks")) {
    std::string dir = options_.work_dir + "/tasks/" + name;
    if (fs_->Exists(dir + "/reported")) continue;
    auto t = Load(dir);
    if (!t.ok()) {
      spdlog::error("cannot re-attach task in {}: {}", dir, t.status().ToString());
      continue;
    }
    auto task = std::move(t).value();
    TaskRef ref = task->spec.ref;
    if (task->exit) {
      spdlog::info("task {} ended while the agent was away; reporting it", ref.Key());
    } else {
      spdlog::info("re-attached to task {} (shim pid {})", ref.Key(), task->shim.shim_pid);
      cpus_.Reserve(task->cpus);
    }
    tasks_[ref] = std::move(task);
  }
  // Groups whose task is gone (e.g. the agent died between creating one and persisting the task).
  if (cgroups_) {
    for (const auto& name : cgroups_->Existing()) {
      bool owned = false;
      for (const auto& [ref, t] : tasks_) owned |= ref.Key() == name && !t->exit;
      if (owned) continue;
      auto cg = cgroups_->Open(name);
      (void)cg->KillAll();
      (void)cg->Destroy();
    }
  }
  Tick();  // settle tasks whose shim ended meanwhile
  return Status::Ok();
}

Result<std::unique_ptr<Supervisor::Task>> Supervisor::Load(const std::string& dir) {
  SUANLI_ASSIGN_OR_RETURN(std::string text, fs_->ReadFile(dir + "/task.json"));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument(dir + "/task.json is not JSON");
  SUANLI_ASSIGN_OR_RETURN(LaunchSpec spec, ParseLaunch(j.value("launch", json::object())));
  auto t = std::make_unique<Task>();
  t->spec = std::move(spec);
  t->dir = dir;
  t->shim.shim_pid = j.value("shim_pid", 0);
  t->shim.shim_start = j.value("shim_start", uint64_t{0});
  t->start_ms = j.value("start_ms", int64_t{0});
  t->cpus = j.value("cpus", std::vector<int>{});
  t->term_reason = j.value("term_reason", "");
  t->kill_at_ms = j.value("kill_at_ms", int64_t{0});
  t->signal_sent_ms = j.value("signal_sent_ms", int64_t{0});  // a restart never sends it twice
  json base = j.value("log_base", json::object());
  json files = j.value("log_files", json::object());
  auto shipper = [&](const char* stream) {
    const int64_t b = base.value(stream, int64_t{0});
    if (!files.contains(stream) || !files[stream].is_string())
      return std::make_unique<LogShipper>(dir + "/" + stream, b, fs_);
    return std::make_unique<LogShipper>(
        files[stream].get<std::string>(), b, fs_,
        UserFile{dir + "/" + kUserFilesGate, j.value("log_owner", 0)});
  };
  t->out = shipper("stdout");
  t->err = shipper("stderr");
  t->cgroup = cgroups_ ? cgroups_->Open(t->spec.ref.Key()) : MakeUnenforcedCgroup();
  if (auto ev = fs_->ReadFile(dir + "/event.json"); ev.ok()) {
    json e = json::parse(*ev, nullptr, false);
    if (e.is_object()) {
      TaskEvent event;
      event.ref = t->spec.ref;
      event.event = "exited";
      if (e.contains("exit_code") && e["exit_code"].is_number())
        event.exit_code = e["exit_code"].get<int>();
      if (e.contains("signal") && e["signal"].is_number()) event.signal = e["signal"].get<int>();
      if (e.contains("reason") && e["reason"].is_string()) event.reason = e["reason"];
      event.message = e.value("message", "");
      event.time = e.value("time", 0.0);
      t->exit = event;
    }
  }
  return t;
}

void Supervisor::GarbageCollect() {
  int64_t now_s = clock_->NowMs() / 1000;
  for (const auto& name : fs_->ListDir(options_.work_dir + "/tasks")) {
    std::string dir = options_.work_dir + "/tasks/" + name;
    auto reported = fs_->Stat(dir + "/reported");
    if (!reported.ok()) continue;
    if (now_s - reported->mtime_s > options_.keep_finished_s) (void)fs_->RemoveTree(dir);
  }
}

void Supervisor::FailLaunch(const LaunchSpec& spec, const std::string& message) {
  spdlog::error("job {} task {} attempt {} could not start: {}", spec.ref.job_id, spec.ref.task,
                spec.ref.attempt, message);
  TaskEvent e;
  e.ref = spec.ref;
  e.event = "exited";
  // The controller shows `reason` with the job; the detail is what the user needs to fix it.
  e.reason = ("LAUNCH_FAILED: " + message).substr(0, 250);
  e.message = message;
  e.time = Seconds(clock_->NowMs());
  events_.push_back(e);
}

void Supervisor::Launch(const LaunchSpec& spec) {
  const TaskRef& ref = spec.ref;
  if (tasks_.count(ref) || fs_->Exists(TaskDir(ref))) {
    spdlog::warn("ignoring a second launch of job {} task {} attempt {}: it already started here",
                 ref.job_id, ref.task, ref.attempt);
    return;
  }
  for (auto& [other, t] : tasks_) {
    if (other.job_id != ref.job_id || other.task != ref.task || t->exit) continue;
    if (other.attempt > ref.attempt) {
      spdlog::warn("ignoring launch of job {} attempt {}: attempt {} already runs here", ref.job_id,
                   ref.attempt, other.attempt);
      return;
    }
    StartTermination(*t, "STALE", 0);
  }
  auto task = std::make_unique<Task>();
  task->spec = spec;
  task->dir = TaskDir(ref);
  Status st = StartTask(*task);
  if (!st.ok()) {
    // The directory stays (with its "reported" marker once acknowledged) to fence this attempt.
    if (task->cgroup) {
      (void)task->cgroup->KillAll();
      (void)task->cgroup->Destroy();
    }
    cpus_.Release(task->cpus);
    FailLaunch(spec, st.message());
    (void)fs_->RemoveTree(task->dir + "/tmp");  // the fence needs only the directory itself
    (void)fs_->MakeDirs(task->dir, 0711);
    (void)fs_->WriteFileAtomic(task->dir + "/launch_error", st.message() + "\n");
    return;
  }
  TaskEvent e;
  e.ref = ref;
  e.event = "started";
  e.time = Seconds(task->start_ms);
  e.port = task->spec.port > 0 ? task->spec.port : 0;
  events_.push_back(e);
  tasks_[ref] = std::move(task);
}

Status Supervisor::StartTask(Task& t) {
  const LaunchSpec& spec = t.spec;
  for (int idx : spec.devices) {
    bool found = std::any_of(host_.devices.begin(), host_.devices.end(),
                             [&](const Device& d) { return d.index == idx; });
    if (!found)
      return InvalidArgument(fmt::format("device {} does not exist on node {} ({} devices)", idx,
                                         options_.node_name, host_.devices.size()));
  }
  SUANLI_ASSIGN_OR_RETURN(Account acc,
                          ResolveAccount(spec.user, options_.accounts, geteuid() == 0));
  SUANLI_RETURN_IF_ERROR(fs_->MakeDirs(t.dir, 0711));
  std::string tmp = t.dir + "/tmp", files = JobFilesDir(spec.ref);
  SUANLI_RETURN_IF_ERROR(fs_->MakeDirs(files, 0755));
  (void)fs_->SetMode(tmp, 0700);
  if (geteuid() == 0) {
    Status owned = fs_->SetOwner(tmp, acc.uid, acc.gid);
    if (owned.ok()) owned = fs_->SetOwner(files, acc.uid, acc.gid);
    if (!owned.ok())
      return Internal(fmt::format("cannot give {} to uid {}: {}", tmp, acc.uid, owned.message()));
  }
  // Paths as the job sees them: its private directory is mounted on /tmp.
  bool private_tmp = options_.private_tmp;
  std::string job_tmp = private_tmp ? "/tmp" : tmp;
  std::string job_files = job_tmp + "/" + kJobFilesSubdir;

  t.cpus = cpus_.Allocate(spec.cpus > 0 ? spec.cpus : host_.cpus);
  CgroupLimits limits;
  limits.cpus = t.cpus;
  limits.cpu_quota = spec.cpus;
  limits.memory_bytes = spec.mem_mb * (1ll << 20);
  limits.pids_max = spec.pids_max > 0 ? spec.pids_max : options_.default_pids_max;
  for (const auto& d : host_.devices) {
    if (d.dev_path.empty() || std::count(spec.devices.begin(), spec.devices.end(), d.index))
      continue;
    struct stat st;
    if (stat(d.dev_path.c_str(), &st) == 0 && S_ISCHR(st.st_mode))
      limits.deny_devices.push_back(fmt::format("c {}:{}", major(st.st_rdev), minor(st.st_rdev)));
  }
  if (cgroups_) {
    SUANLI_ASSIGN_OR_RETURN(t.cgroup, cgroups_->Create(spec.ref.Key(), limits));
  } else {
    t.cgroup = MakeUnenforcedCgroup();
  }

  TaskContext ctx;
  ctx.node = options_.node_name;
  ctx.node_address = options_.node_address;
  ctx.node_devices = host_.devices;
  ctx.user = acc.name;
  ctx.home = acc.home;
  ctx.shell = acc.shell;
  ctx.run_as_note = acc.note;
  ctx.tmp_dir = job_tmp;
  ctx.preempt_file = job_files + "/preempt";
  ctx.cpuset = FormatCpuList(t.cpus);
  if (UsesAscend(spec, host_.devices)) {
    ctx.rank_table_file = job_files + "/rank_table.json";
    auto hccn = fs_->ReadFile("/etc/hccn.conf");
    std::string table =
        BuildRankTable(spec, ctx, hccn.ok() ? ParseHccnConf(*hccn) : std::map<int, std::string>{});
    SUANLI_RETURN_IF_ERROR(fs_->WriteFileAtomic(files + "/rank_table.json", table, 0644));
  }
  if (spec.port < 0) {
    // A service replica: a port free on this node now, kept in task.json for re-attach.
    auto port = PickFreeTcpPort();
    if (!port.ok()) return Internal("cannot pick a port for $PORT: " + port.status().message());
    t.spec.port = *port;
  }
  EnvMap env = BuildTaskEnv(spec, ctx);
  if (spec.port > 0) env["PORT"] = std::to_string(spec.port);
  if (spec.master_port == 0) {
    // The controller did not pick a port: every task derives the same one from the job and attempt.
    env["MASTER_PORT"] =
        std::to_string(20000 + (spec.ref.job_id * 131 + spec.ref.attempt * 7) % 20000);
  }

  SpawnRequest req;
  if (!spec.command.empty()) {
    auto path = env.count("PATH") ? env["PATH"] : "";
    SUANLI_ASSIGN_OR_RETURN(req.exec_path, ResolveExecutable(spec.command[0], path));
    req.argv = spec.command;
  } else {
    std::string script = spec.script;
    if (script.rfind("#!", 0) != 0) script = "#!/bin/sh\n" + script;
    SUANLI_RETURN_IF_ERROR(fs_->WriteFileAtomic(files + "/job.sh", script, 0500));
    if (geteuid() == 0) (void)fs_->SetOwner(files + "/job.sh", acc.uid, acc.gid);
    req.exec_path = job_files + "/job.sh";
    req.argv = {req.exec_path};
  }
  req.envp = EnvToStrings(env);
  req.cwd = spec.workdir.empty() ? job_tmp : spec.workdir;
  req.stdout_path = t.dir + "/stdout";
  req.stderr_path = t.dir + "/stderr";
  req.exit_file = t.dir + "/exit";
  req.pid_file = t.dir + "/pid";
  req.setup_error_file = t.dir + "/setup_error";
  req.cgroup_procs = t.cgroup->ProcsFiles();
  req.change_user = geteuid() == 0;
  req.uid = acc.uid;
  req.gid = acc.gid;
  req.groups = acc.groups;
  if (private_tmp) req.private_tmp = tmp;
  if (options_.mask_devices)
    req.masked_devices = DeviceNodesToMask(host_.devices, spec.devices, options_.dev_root);
  if (!acc.note.empty()) {  // tell the user in their own log why the account differs
    (void)fs_->WriteFileAtomic(req.stderr_path, fmt::format("suanli: {}\n", acc.note), 0600);
  }
  const TaskOutputFiles own = ExpandOutputFiles(spec, env);
  req.user_stdout_path = own.stdout_path;
  req.user_stderr_path = own.stderr_path;
  req.user_stderr_to_stdout = own.stderr_to_stdout;
  req.user_files_append = own.append;
  req.user_files_gate = t.dir + "/" + kUserFilesGate;
  const int owner = req.change_user ? static_cast<int>(acc.uid) : static_cast<int>(geteuid());
  auto shipper = [&](const std::string& user_path, const std::string& own_path) {
    // /dev/null (a common --output) is opened by the job; there is nothing in it to keep.
    if (user_path.empty() || user_path == "/dev/null")
      return std::make_unique<LogShipper>(own_path, 0, fs_);
    // Appending, the job's log begins where the file ends now.
    auto before = own.append ? fs_->Stat(user_path) : Result<FileInfo>(FileInfo{});
    return std::make_unique<LogShipper>(user_path, before.ok() ? -before->size : 0, fs_,
                                        UserFile{req.user_files_gate, owner});
  };
  t.out = shipper(own.stdout_path, req.stdout_path);
  t.err = shipper(own.stderr_path, req.stderr_path);
  t.start_ms = clock_->NowMs();
  // Persist before forking: if the agent dies in between, the restart finds a task without a shim
  // and reports it LOST instead of forgetting it.
  SUANLI_RETURN_IF_ERROR(Persist(t));
  SUANLI_ASSIGN_OR_RETURN(t.shim, launcher_->Spawn(req));
  // The task runs now: failing to record its shim (e.g. the disk filled up meanwhile) must not
  // report it failed while it runs on untracked; Persist logs it and Tick retries.
  (void)Persist(t);
  spdlog::info("started job {} task {} attempt {} as {} on CPUs {} (shim pid {})", spec.ref.job_id,
               spec.ref.task, spec.ref.attempt, acc.name, FormatCpuList(t.cpus), t.shim.shim_pid);
  return Status::Ok();
}

pid_t Supervisor::JobPid(const Task& t) const {
  auto text = fs_->ReadFile(t.dir + "/pid");
  if (!text.ok()) return 0;
  long pid = 0;
  sscanf(text->c_str(), "pid %ld", &pid);
  return static_cast<pid_t>(pid);
}

void Supervisor::SignalTask(Task& t, int sig) {
  if (t.cgroup && t.cgroup->enforced()) {
    if (sig == SIGKILL) {
      Status s = t.cgroup->KillAll();
      if (!s.ok()) spdlog::error("job {}: {}", t.spec.ref.job_id, s.ToString());
    } else {
      t.cgroup->SignalAll(sig);
    }
    return;
  }
  pid_t pid = JobPid(t);
  if (pid > 0) kill(-pid, sig);  // the job leads its own process group
}

void Supervisor::MaybeSignalAhead(Task& t, int64_t now) {
  const LaunchSpec& s = t.spec;
  if (s.signal_number <= 0 || s.time_limit_s <= 0 || t.signal_sent_ms != 0 ||
      !t.term_reason.empty()) {
    return;
  }
  const int64_t at = t.start_ms + std::max<int64_t>(s.time_limit_s - s.signal_before_s, 0) * 1000;
  if (now < at) return;
  t.signal_sent_ms = now;
  (void)Persist(t);
  if (s.signal_batch_only) {
    // Slurm's B: the batch shell alone, which may trap it and pass it on as it likes.
    pid_t pid = JobPid(t);
    if (pid > 0) kill(pid, s.signal_number);
  } else {
    SignalTask(t, s.signal_number);
  }
  spdlog::info("job {} task {}: signal {} sent {} s before its time limit ({})", s.ref.job_id,
               s.ref.task, s.signal_number, s.signal_before_s,
               s.signal_batch_only ? "its main process" : "all of its processes");
}

void Supervisor::StartTermination(Task& t, const std::string& reason, int64_t grace_s) {
  if (t.exit) return;
  int64_t kill_at = clock_->NowMs() + std::max<int64_t>(grace_s, 0) * 1000;
  if (!t.term_reason.empty()) {
    t.kill_at_ms = std::min(t.kill_at_ms, kill_at);  // a harder second request shortens the wait
    (void)Persist(t);
    return;
  }
  t.term_reason = reason;
  t.kill_at_ms = kill_at;
  spdlog::info("terminating job {} task {} attempt {}: {} (grace {} s)", t.spec.ref.job_id,
               t.spec.ref.task, t.spec.ref.attempt, reason, grace_s);
  std::string preempt = JobFilesDir(t.spec.ref) + "/preempt";
  (void)fs_->WriteFileAtomic(preempt, reason + "\n", 0644);
  (void)Persist(t);
  SignalTask(t, SIGTERM);
  if (grace_s <= 0) {
    SignalTask(t, SIGKILL);
    t.killed = true;
  }
}

void Supervisor::Finalize(Task& t) {
  TaskEvent e;
  e.ref = t.spec.ref;
  e.event = "exited";
  e.time = Seconds(clock_->NowMs());
  auto text = fs_->ReadFile(t.dir + "/exit");
  bool vanished = !text.ok();
  if (text.ok()) {
    auto st = ParseExitFile(*text);
    if (st.ok()) {
      if (st->signal > 0)
        e.signal = st->signal;
      else
        e.exit_code = st->exit_code;
    } else {
      vanished = true;
    }
  }
  int64_t ooms = t.cgroup ? t.cgroup->OomKills() : 0;
  // Whatever the job left behind (daemons, stragglers) dies with it.
  if (t.cgroup) {
    SignalTask(t, SIGKILL);
    Status s = t.cgroup->Destroy();
    if (!s.ok()) spdlog::warn("job {}: {}", t.spec.ref.job_id, s.ToString());
  }
  if (!t.term_reason.empty()) {
    e.reason = t.term_reason;
  } else if (ooms > 0) {
    e.reason = "OUT_OF_MEMORY";
  } else if (vanished) {
    e.reason = "LOST";
    e.message = "the task's supervisor process ended without recording an exit status";
  }
  if (e.message.empty() && !e.reason.empty()) e.message = ReasonMessage(e.reason, t.spec);
  if (auto setup = fs_->ReadFile(t.dir + "/setup_error");
      setup.ok() && !setup->empty() && e.exit_code == 125) {
    std::string m = *setup;
    while (!m.empty() && m.back() == '\n') m.pop_back();
    e.message = m;
    if (e.reason.empty()) e.reason = ("SETUP_FAILED: " + m).substr(0, 250);
  }
  for (const auto& [stream, error] : t.log_errors)
    e.message += fmt::format("{}{} {}", e.message.empty() ? "" : "; ", stream, error);
  (void)fs_->RemoveTree(t.dir + "/tmp");  // the private /tmp ends with the task
  cpus_.Release(t.cpus);
  t.cpus.clear();
  json j = EventToJson(e);
  j["message"] = e.message;
  // Unwritten (disk full), the exit is still reported from memory; only a restart before that
  // would fall back on the shim's exit file.
  (void)fs_->WriteFileAtomic(t.dir + "/event.json", j.dump() + "\n", 0600);
  spdlog::info("job {} task {} attempt {} ended: exit {} signal {} {}", e.ref.job_id, e.ref.task,
               e.ref.attempt, e.exit_code ? std::to_string(*e.exit_code) : "-",
               e.signal ? std::to_string(*e.signal) : "-", e.reason);
  t.exit = e;
}

int Supervisor::Tick() {
  int64_t now = clock_->NowMs();
  int ended = 0;
  for (auto& [ref, tp] : tasks_) {
    Task& t = *tp;
    if (t.exit) continue;
    if (t.unsaved) (void)Persist(t);
    if (fs_->Exists(t.dir + "/exit") || !launcher_->Alive(t.shim.shim_pid, t.shim.shim_start)) {
      Finalize(t);
      ++ended;
      continue;
    }
    MaybeSignalAhead(t, now);
    if (!t.term_reason.empty()) {
      if (!t.killed && now >= t.kill_at_ms) {
        SignalTask(t, SIGKILL);
        t.killed = true;
      }
    } else if (t.spec.time_limit_s > 0 && now >= t.start_ms + t.spec.time_limit_s * 1000) {
      StartTermination(t, "TIMEOUT", t.spec.grace_s);
    }
  }
  return ended;
}

void Supervisor::Kill(const KillOrder& order) {
  bool any = false;
  for (auto& [ref, t] : tasks_) {
    if (ref.job_id != order.job_id || t->exit) continue;
    if (order.attempt > 0 && ref.attempt > order.attempt)
      continue;  // a newer attempt is not addressed
    any = true;
    StartTermination(*t, order.reason, order.grace_s >= 0 ? order.grace_s : t->spec.grace_s);
  }
  if (!any)
    spdlog::debug("kill for job {} attempt {}: nothing of it runs here", order.job_id,
                  order.attempt);
}

void Supervisor::TerminateAll(const std::string& reason) {
  for (auto& [ref, t] : tasks_)
    if (!t->exit) StartTermination(*t, reason, t->spec.grace_s);
}

std::vector<TaskRef> Supervisor::Running() const {
  std::vector<TaskRef> out;
  for (const auto& [ref, t] : tasks_)
    if (!t->exit) out.push_back(ref);
  return out;
}

std::vector<TaskEvent> Supervisor::PendingEvents() const {
  std::vector<TaskEvent> out(events_.begin(), events_.end());
  for (const auto& [ref, t] : tasks_) {
    if (!t->exit) continue;
    bool drained = !logs_uploadable_ || t->log_failures >= 5 ||
                   ((!t->out || t->out->Drained()) && (!t->err || t->err->Drained()));
    if (drained) out.push_back(*t->exit);
  }
  return out;
}

void Supervisor::AckEvents(const std::vector<TaskEvent>& sent) {
  for (const auto& e : sent) {
    auto it = std::find_if(events_.begin(), events_.end(), [&](const TaskEvent& q) {
      return q.ref == e.ref && q.event == e.event;
    });
    if (it != events_.end()) {
      if (it->event == "exited")  // a launch failure: its fence directory is done with
        (void)fs_->WriteFileAtomic(TaskDir(e.ref) + "/reported", "", 0600);
      events_.erase(it);
      continue;
    }
    auto t = tasks_.find(e.ref);
    if (e.event == "exited" && t != tasks_.end() && t->second->exit) {
      (void)fs_->WriteFileAtomic(t->second->dir + "/reported", "", 0600);
      tasks_.erase(t);
    }
  }
}

std::vector<LogWork> Supervisor::NextLogChunks(size_t max_bytes) {
  std::vector<LogWork> out;
  if (!logs_uploadable_) return out;
  for (auto& [ref, t] : tasks_) {
    for (auto* shipper : {t->out.get(), t->err.get()}) {
      if (!shipper) continue;
      const char* stream = shipper == t->out.get() ? "stdout" : "stderr";
      auto rotated = shipper->MaybeRotate(options_.log_rotate_bytes);
      // A failed rotation loses nothing (the file just grows); it is retried next time.
      NoteRotation(*t, stream, rotated);
      if (rotated.ok() && *rotated) (void)Persist(*t);
      auto chunk = shipper->Next(max_bytes);
      if (!chunk.ok()) {
        spdlog::warn("job {}: {}", ref.job_id, chunk.status().ToString());
        // Told with the task's end: the job's file is there, but its log here stops.
        if (!shipper->refused().empty())
          t->log_errors[stream] = "log not kept by Suanli: " + shipper->refused();
        continue;
      }
      if (chunk->data.empty()) continue;
      out.push_back({ref, stream, std::move(chunk).value()});
    }
  }
  return out;
}

void Supervisor::AckLog(const LogWork& w, bool uploaded) {
  auto it = tasks_.find(w.ref);
  if (it == tasks_.end()) return;
  if (!uploaded) {
    ++it->second->log_failures;
    return;
  }
  // Failures count in a row: those of a controller outage must not mark the logs unshippable
  // once it is back (the exit would go first and the rest of the log never).
  it->second->log_failures = 0;
  LogShipper* s = w.stream == "stdout" ? it->second->out.get() : it->second->err.get();
  if (s && s->sent() == w.chunk.offset) s->Ack(w.chunk);
}

}  // namespace suanli::agent
