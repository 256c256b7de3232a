#pragma once
// A CgroupManager that keeps its groups in memory, for tests without root: it records the limits
// each group got, lets a test put pids and OOM kills in a group, and fails on demand the way the
// real one does (creating the directory, writing a limit).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/cgroup.h"

namespace suanli::agent {

class FakeCgroupManager : public CgroupManager {
 public:
  struct Group {
    CgroupLimits limits;
    std::vector<pid_t> pids;
    int64_t oom_kills = 0;
    int kills = 0;             // KillAll calls
    std::vector<int> signals;  // SignalAll calls
  };

  // Groups live under "<layout.unified>/<parent>/" (a v2 layout at /fake-cgroup by default).
  explicit FakeCgroupManager(std::string parent = "suanli/node-a", CgroupLayout layout = {});

  const CgroupLayout& layout() const override { return layout_; }
  Status Init() override;
  Result<std::unique_ptr<Cgroup>> Create(const std::string& name,
                                         const CgroupLimits& limits) override;
  std::unique_ptr<Cgroup> Open(const std::string& name) override;
  std::vector<std::string> Existing() const override;

  // Creating a group's directory fails with `err` (as mkdir would), until cleared with 0.
  void FailCreate(int err) { create_error_ = err; }
  // Writing the control file `file` (e.g. "memory.max") fails with `err`; 0 clears it.
  void FailLimitWrite(const std::string& file, int err) { limit_error_ = {file, err}; }
  void FailInit(int err) { init_error_ = err; }

  Group* group(const std::string& name);  // null when there is none
  std::string Dir(const std::string& name) const;

 private:
  class FakeCgroup;
  Status WriteLimit(const std::string& name, const std::string& file, const std::string& value);

  std::string parent_;
  CgroupLayout layout_;
  // Shared with the groups handed out, so a group outliving its manager stays safe to use.
  std::shared_ptr<std::map<std::string, Group>> groups_;
  int create_error_ = 0, init_error_ = 0;
  std::pair<std::string, int> limit_error_{"", 0};
};

}  // namespace suanli::agent
