#pragma once
// Per-job control groups: CPU set, CPU quota, memory (swap off), pids, devices, OOM detection and
// killing the whole process tree. Works with cgroup v2 (unified) and falls back to v1 (one
// hierarchy per controller); the layout is detected from /proc/self/mountinfo. All paths are
// computed from a root that tests point at a plain directory (a fake cgroupfs) to check what would
// be written where.
#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::agent {

struct CgroupLayout {
  int version = 0;                        // 2, 1, or 0 = none usable
  std::string unified;                    // v2: mount point of the unified hierarchy
  std::map<std::string, std::string> v1;  // v1: controller -> mount point
  std::string Describe() const;
};

// Reads mountinfo text (format of /proc/self/mountinfo). A cgroup2 mount is used when it has the
// controllers we need (cgroup.controllers read through `read_controllers`); otherwise v1
// hierarchies.
CgroupLayout ParseCgroupLayout(
    const std::string& mountinfo,
    const std::function<std::string(const std::string&)>& read_controllers);
CgroupLayout DetectCgroupLayout();

struct CgroupLimits {
  std::vector<int> cpus;                  // cpuset; empty = inherit
  std::string mems;                       // cpuset.mems; empty = inherit
  double cpu_quota = 0;                   // CPUs worth of time per period; 0 = none
  int64_t memory_bytes = 0;               // 0 = none; swap is turned off whenever a limit is set
  int64_t pids_max = 0;                   // 0 = none
  std::vector<std::string> deny_devices;  // "c 195:3": device nodes the job must not open (v1 only)
};

class Cgroup {
 public:
  virtual ~Cgroup() = default;
  virtual bool enforced() const = 0;  // false: the host gave us no cgroups (limits are not applied)
  // cgroup.procs files a new process writes "0" to in order to enter the group (one per v1
  // hierarchy).
  virtual std::vector<std::string> ProcsFiles() const = 0;
  virtual std::vector<pid_t> Pids() const = 0;
  virtual int64_t OomKills() const = 0;
  virtual void SignalAll(int sig) = 0;
  // SIGKILLs every process, including ones forked while killing (cgroup.kill or freeze + kill).
  virtual Status KillAll() = 0;
  virtual Status Destroy() = 0;          // removes the (empty) group
  virtual std::string path() const = 0;  // main directory, for messages and tests
};

// Where the supervisor gets its tasks' groups. An interface so tests can make creation fail without
// root (testing/fake_cgroup.h); CgroupFsManager is the real one.
class CgroupManager {
 public:
  virtual ~CgroupManager() = default;
  virtual const CgroupLayout& layout() const = 0;
  // Creates the parent groups and enables controllers (v2). Failure means the agent runs without
  // limits; the caller reports that loudly.
  virtual Status Init() = 0;
  // A new group with `limits` written. On failure nothing of it is left behind, and the error names
  // the directory or control file that failed.
  virtual Result<std::unique_ptr<Cgroup>> Create(const std::string& name,
                                                 const CgroupLimits& limits) = 0;
  // The group of a task started before an agent restart (no limits are rewritten).
  virtual std::unique_ptr<Cgroup> Open(const std::string& name) = 0;
  virtual std::vector<std::string> Existing() const = 0;  // names of the groups under the parent
};

// The groups as directories of the mounted cgroup hierarchies.
class CgroupFsManager : public CgroupManager {
 public:
  // `parent` is the sub-path under each hierarchy where this agent's groups live, e.g.
  // "suanli/node-a". `fake_fs`: the hierarchies are plain directories (tests); control files are
  // created when written.
  CgroupFsManager(CgroupLayout layout, std::string parent, bool fake_fs = false);
  const CgroupLayout& layout() const override { return layout_; }
  Status Init() override;
  Result<std::unique_ptr<Cgroup>> Create(const std::string& name,
                                         const CgroupLimits& limits) override;
  std::unique_ptr<Cgroup> Open(const std::string& name) override;
  std::vector<std::string> Existing() const override;

 private:
  // Create without the clean-up: `made` collects the directories to remove should it fail.
  Status CreateDirsAndLimits(std::map<std::string, std::string>& dirs, const CgroupLimits& limits,
                             std::set<std::string>& made);
  std::vector<std::string> Dirs(const std::string& name) const;  // one per hierarchy
  // The job cgroup's directory per controller ("unified" on v2), as RealCgroup takes them.
  std::map<std::string, std::string> DirsByController(const std::string& name) const;
  CgroupLayout layout_;
  std::string parent_;
  bool fake_fs_;
};

// A group that enforces nothing, for hosts without usable cgroups.
std::unique_ptr<Cgroup> MakeUnenforcedCgroup();

}  // namespace suanli::agent
