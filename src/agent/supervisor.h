#pragma once
// The agent's task table: starts tasks (isolated, limited), follows them to their end, enforces
// time limits and grace periods, and turns what happened into events for the controller. It
// persists each task under work_dir/tasks/<job.attempt.task>/ so a restarted agent re-attaches to
// tasks that are still running and reports those that ended meanwhile; a task directory is also the
// fence that stops the same attempt from ever being started twice on this node. No I/O to the
// network and no threads: the agent's loops call it under one mutex, passing the time in.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/account.h"
#include "agent/cgroup.h"
#include "agent/cpu_allocator.h"
#include "agent/fs_util.h"
#include "agent/log_shipper.h"
#include "agent/process_launcher.h"
#include "agent/types.h"
#include "base/clock.h"

namespace suanli::agent {

struct SupervisorOptions {
  std::string work_dir = "agent-work";
  std::string node_name;
  std::string node_address;
  AccountPolicy accounts;
  bool private_tmp = true;
  // Hide unassigned accelerators' device nodes (needs root: a mount namespace per task).
  bool mask_devices = true;
  std::string dev_root = "/dev";  // where the device nodes are (tests point it elsewhere)
  int64_t default_pids_max = 4096;
  int64_t log_rotate_bytes = 64ll << 20;
  int64_t keep_finished_s = 24 * 3600;  // finished task directories (logs) are removed after this
};

struct LogWork {
  TaskRef ref;
  std::string stream;  // "stdout" | "stderr"
  LogChunk chunk;
};

class Supervisor {
 public:
  // `cgroups` null = no usable cgroups (tasks still run, unlimited, and the agent says so).
  // `fs` holds the task directories and logs; not owned, it must outlive the supervisor.
  Supervisor(SupervisorOptions options, HostInfo host, std::unique_ptr<CgroupManager> cgroups,
             std::unique_ptr<ProcessLauncher> launcher, const Clock* clock,
             FileSystem* fs = DefaultFileSystem());

  // Loads tasks persisted by an earlier agent process; removes cgroups nobody owns any more.
  Status Recover();

  void Launch(const LaunchSpec& spec);
  void Kill(const KillOrder& order);
  void TerminateAll(const std::string& reason);  // self-fencing when cut off from the controller
  // Notices exits, enforces time limits and grace periods; returns how many tasks ended.
  int Tick();

  std::vector<TaskRef> Running() const;
  // Events ready to send; an exit waits until its logs are uploaded (or uploading is impossible).
  std::vector<TaskEvent> PendingEvents() const;
  void AckEvents(const std::vector<TaskEvent>& sent);

  std::vector<LogWork> NextLogChunks(size_t max_bytes);
  void AckLog(const LogWork& work, bool uploaded);
  void SetLogsUploadable(bool ok) { logs_uploadable_ = ok; }

  std::string TaskDir(const TaskRef& ref) const;
  // Directory inside the job's private /tmp holding files the job reads (script, rank table,
  // preempt).
  std::string JobFilesDir(const TaskRef& ref) const;
  std::string DescribeIsolation() const;
  size_t active_tasks() const;

 private:
  struct Task {
    LaunchSpec spec;
    std::string dir;
    Spawned shim;
    std::unique_ptr<Cgroup> cgroup;
    std::vector<int> cpus;
    int64_t start_ms = 0;
    std::string term_reason;  // set once termination started
    int64_t kill_at_ms = 0;
    bool killed = false;
    int64_t signal_sent_ms = 0;  // when the --signal ahead of the time limit went; 0 = not yet
    std::optional<TaskEvent> exit;
    std::unique_ptr<LogShipper> out, err;
    int log_failures = 0;  // uploads failed in a row; at 5 the exit no longer waits for them
    // Set while task.json is behind what we know (e.g. the disk is full); Tick writes it again.
    bool unsaved = false;
    // Stream -> why the agent could not look after it (e.g. rotation on a full disk); told with the
    // task's end so the user learns why its log directory grew. Erased once it works again.
    std::map<std::string, std::string> log_errors;
  };

  Status StartTask(Task& task);
  void StartTermination(Task& task, const std::string& reason, int64_t grace_s);
  void Finalize(Task& task);
  void FailLaunch(const LaunchSpec& spec, const std::string& message);
  // Writes task.json; a failure is logged once and retried by Tick (the task runs on regardless).
  Status Persist(Task& task) const;
  // Keeps (and logs once) why a stream's rotation failed, until one succeeds.
  void NoteRotation(Task& task, const std::string& stream, const Result<bool>& rotated);
  Result<std::unique_ptr<Task>> Load(const std::string& dir);
  pid_t JobPid(const Task& task) const;
  void SignalTask(Task& task, int sig);
  // Sends the launch's signal_number when its moment before the time limit has come.
  void MaybeSignalAhead(Task& task, int64_t now);
  void GarbageCollect();

  SupervisorOptions options_;
  HostInfo host_;
  std::unique_ptr<CgroupManager> cgroups_;
  std::unique_ptr<ProcessLauncher> launcher_;
  const Clock* clock_;
  FileSystem* fs_;
  CpuAllocator cpus_;
  std::map<TaskRef, std::unique_ptr<Task>> tasks_;
  std::deque<TaskEvent> events_;  // started / launch failures, in order
  bool logs_uploadable_ = true;
};

}  // namespace suanli::agent
