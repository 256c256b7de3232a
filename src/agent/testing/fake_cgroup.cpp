// *.cpp, not *.cc: the module glob must not pull test doubles into the agent library.
#include "agent/testing/fake_cgroup.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

#include "agent/discovery.h"
#include "agent/fs_util.h"

namespace suanli::agent {

class FakeCgroupManager::FakeCgroup : public Cgroup {
 public:
  FakeCgroup(std::shared_ptr<std::map<std::string, Group>> groups, std::string name,
             std::string dir)
      : groups_(std::move(groups)), name_(std::move(name)), dir_(std::move(dir)) {}
  bool enforced() const override { return true; }
  std::vector<std::string> ProcsFiles() const override { return {dir_ + "/cgroup.procs"}; }
  std::vector<pid_t> Pids() const override {
    auto it = groups_->find(name_);
    return it == groups_->end() ? std::vector<pid_t>{} : it->second.pids;
  }
  int64_t OomKills() const override {
    auto it = groups_->find(name_);
    return it == groups_->end() ? 0 : it->second.oom_kills;
  }
  void SignalAll(int sig) override {
    if (auto it = groups_->find(name_); it != groups_->end()) it->second.signals.push_back(sig);
  }
  Status KillAll() override {
    if (auto it = groups_->find(name_); it != groups_->end()) {
      ++it->second.kills;
      it->second.pids.clear();
    }
    return Status::Ok();
  }
  Status Destroy() override {
    auto it = groups_->find(name_);
    if (it == groups_->end()) return Status::Ok();  // removing nothing is fine, as rmdir ENOENT
    if (!it->second.pids.empty())
      return Internal(fmt::format("cannot remove cgroup {}: {}", dir_, ErrnoText(EBUSY)));
    groups_->erase(it);
    return Status::Ok();
  }
  std::string path() const override { return dir_; }

 private:
  std::shared_ptr<std::map<std::string, Group>> groups_;
  std::string name_, dir_;
};

FakeCgroupManager::FakeCgroupManager(std::string parent, CgroupLayout layout)
    : parent_(std::move(parent)),
      layout_(std::move(layout)),
      groups_(std::make_shared<std::map<std::string, Group>>()) {
  if (layout_.version == 0) {
    layout_.version = 2;
    layout_.unified = "/fake-cgroup";
  }
}

std::string FakeCgroupManager::Dir(const std::string& name) const {
  return layout_.unified + "/" + parent_ + "/" + name;
}

Status FakeCgroupManager::Init() {
  if (init_error_ == 0) return Status::Ok();
  return Internal(fmt::format("cannot create cgroup {}: {}", layout_.unified + "/" + parent_,
                              ErrnoText(init_error_)));
}

Status FakeCgroupManager::WriteLimit(const std::string& name, const std::string& file,
                                     const std::string& value) {
  if (limit_error_.second == 0 || limit_error_.first != file) return Status::Ok();
  return Internal(fmt::format("cannot write '{}' to {}/{}: {}", value, Dir(name), file,
                              ErrnoText(limit_error_.second)));
}

Result<std::unique_ptr<Cgroup>> FakeCgroupManager::Create(const std::string& name,
                                                          const CgroupLimits& limits) {
  if (create_error_ != 0)
    return Internal(
        fmt::format("cannot create cgroup {}: {}", Dir(name), ErrnoText(create_error_)));
  // The control files the real manager writes on v2 for these limits, in its order.
  std::vector<std::pair<std::string, std::string>> writes;
  if (!limits.cpus.empty()) writes.push_back({"cpuset.cpus", FormatCpuList(limits.cpus)});
  if (!limits.mems.empty()) writes.push_back({"cpuset.mems", limits.mems});
  if (limits.cpu_quota > 0)
    writes.push_back(
        {"cpu.max",
         fmt::format("{} 100000",
                     std::max<int64_t>(1000, static_cast<int64_t>(limits.cpu_quota * 100000)))});
  if (limits.memory_bytes > 0) {
    writes.push_back({"memory.max", std::to_string(limits.memory_bytes)});
    writes.push_back({"memory.swap.max", "0"});
  }
  if (limits.pids_max > 0) writes.push_back({"pids.max", std::to_string(limits.pids_max)});
  for (const auto& [file, value] : writes) {
    Status st = WriteLimit(name, file, value);
    if (!st.ok()) {
      groups_->erase(name);  // as the real one: a failed group is removed, leftovers included
      return st;
    }
  }
  (*groups_)[name] = Group{limits};
  return std::unique_ptr<Cgroup>(std::make_unique<FakeCgroup>(groups_, name, Dir(name)));
}

std::unique_ptr<Cgroup> FakeCgroupManager::Open(const std::string& name) {
  return std::make_unique<FakeCgroup>(groups_, name, Dir(name));
}

std::vector<std::string> FakeCgroupManager::Existing() const {
  std::vector<std::string> out;
  for (const auto& [name, g] : *groups_) out.push_back(name);
  return out;
}

FakeCgroupManager::Group* FakeCgroupManager::group(const std::string& name) {
  auto it = groups_->find(name);
  return it == groups_->end() ? nullptr : &it->second;
}

}  // namespace suanli::agent
