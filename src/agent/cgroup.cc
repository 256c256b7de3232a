#include "agent/cgroup.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "agent/discovery.h"
#include "agent/fs_util.h"

namespace suanli::agent {
namespace {

// v1 controllers we use; the first one present also lists the group's processes.
const char* const kV1Controllers[] = {"pids", "memory", "cpu", "cpuset", "freezer", "devices"};
const char* const kV2Controllers[] = {"cpu", "cpuset", "memory", "pids"};

Status WriteFile(const std::string& path, const std::string& value, bool fake_fs) {
  if (fake_fs) return WriteFileAtomic(path, value);
  return WriteControl(path, value);
}

int64_t ReadKeyed(const std::string& path, const std::string& key) {
  auto text = ReadFile(path);
  if (!text.ok()) return 0;
  std::stringstream ss(*text);
  std::string k;
  int64_t v;
  while (ss >> k >> v)
    if (k == key) return v;
  return 0;
}

std::vector<pid_t> ReadPids(const std::string& procs_file) {
  std::vector<pid_t> out;
  auto text = ReadFile(procs_file);
  if (!text.ok()) return out;
  std::stringstream ss(*text);
  long pid;
  while (ss >> pid) out.push_back(static_cast<pid_t>(pid));
  return out;
}

Status RemoveDir(const std::string& dir) {
  // Processes that were just killed leave the group a moment later: retry briefly.
  for (int i = 0; i < 100; ++i) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    if (errno != EBUSY) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Internal(fmt::format("cannot remove cgroup {}: {}", dir, ErrnoText(errno)));
}

class RealCgroup : public Cgroup {
 public:
  RealCgroup(int version, std::map<std::string, std::string> dirs, bool fake_fs)
      : version_(version), dirs_(std::move(dirs)), fake_fs_(fake_fs) {}

  bool enforced() const override { return true; }

  std::vector<std::string> ProcsFiles() const override {
    std::set<std::string> unique;
    for (const auto& [ctrl, dir] : dirs_) unique.insert(dir + "/cgroup.procs");
    return {unique.begin(), unique.end()};
  }

  std::string path() const override { return MainDir(); }

  std::vector<pid_t> Pids() const override { return ReadPids(MainDir() + "/cgroup.procs"); }

  int64_t OomKills() const override {
    if (version_ == 2) return ReadKeyed(MainDir() + "/memory.events", "oom_kill");
    auto it = dirs_.find("memory");
    return it == dirs_.end() ? 0 : ReadKeyed(it->second + "/memory.oom_control", "oom_kill");
  }

  void SignalAll(int sig) override {
    for (pid_t p : Pids()) kill(p, sig);
  }

  Status KillAll() override {
    if (version_ == 2 && Exists(MainDir() + "/cgroup.kill")) {
      SUANLI_RETURN_IF_ERROR(WriteFile(MainDir() + "/cgroup.kill", "1", fake_fs_));
      return WaitEmpty();
    }
    // Freeze first so nothing can fork while we kill, then kill, then thaw so the kills are
    // delivered.
    std::string freeze_file, frozen, thawed;
    if (version_ == 2) {
      freeze_file = MainDir() + "/cgroup.freeze", frozen = "1", thawed = "0";
    } else if (auto it = dirs_.find("freezer"); it != dirs_.end()) {
      freeze_file = it->second + "/freezer.state", frozen = "FROZEN", thawed = "THAWED";
    }
    bool froze = !freeze_file.empty() && WriteFile(freeze_file, frozen, fake_fs_).ok();
    if (froze && version_ == 1) {
      for (int i = 0; i < 50; ++i) {  // v1 freezing is asynchronous: wait for FROZEN
        auto state = ReadFile(freeze_file);
        if (!state.ok() || state->rfind("FROZEN", 0) == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    for (int round = 0; round < 20; ++round) {
      auto pids = Pids();
      if (pids.empty()) break;
      for (pid_t p : pids) kill(p, SIGKILL);
      if (froze) break;  // frozen: no new processes can appear
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (froze) (void)WriteFile(freeze_file, thawed, fake_fs_);
    return WaitEmpty();
  }

  Status Destroy() override {
    Status first;
    std::set<std::string> unique;
    for (const auto& [ctrl, dir] : dirs_) unique.insert(dir);
    for (const auto& dir : unique) {
      Status s = fake_fs_ ? RemoveTree(dir) : RemoveDir(dir);
      if (!s.ok() && first.ok()) first = s;
    }
    return first;
  }

 private:
  std::string MainDir() const {
    if (version_ == 2) return dirs_.begin()->second;
    for (const char* c : kV1Controllers)
      if (auto it = dirs_.find(c); it != dirs_.end()) return it->second;
    return dirs_.begin()->second;
  }

  Status WaitEmpty() {
    if (fake_fs_) return Status::Ok();
    for (int i = 0; i < 200; ++i) {
      if (Pids().empty()) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Internal(fmt::format("processes of {} survived SIGKILL for 2 s", MainDir()));
  }

  int version_;
  std::map<std::string, std::string> dirs_;  // controller (or "unified") -> directory
  bool fake_fs_;
};

class UnenforcedCgroup : public Cgroup {
 public:
  bool enforced() const override { return false; }
  std::vector<std::string> ProcsFiles() const override { return {}; }
  std::vector<pid_t> Pids() const override { return {}; }
  int64_t OomKills() const override { return 0; }
  void SignalAll(int) override {}
  Status KillAll() override { return Status::Ok(); }
  Status Destroy() override { return Status::Ok(); }
  std::string path() const override { return "(none)"; }
};

}  // namespace

std::unique_ptr<Cgroup> MakeUnenforcedCgroup() { return std::make_unique<UnenforcedCgroup>(); }

std::string CgroupLayout::Describe() const {
  if (version == 2) return fmt::format("cgroup v2 at {}", unified);
  if (version == 1) {
    std::string names;
    for (const auto& [c, m] : v1) names += (names.empty() ? "" : ",") + c;
    return fmt::format("cgroup v1 ({})", names);
  }
  return "no usable cgroups";
}

CgroupLayout ParseCgroupLayout(
    const std::string& mountinfo,
    const std::function<std::string(const std::string&)>& read_controllers) {
  CgroupLayout layout;
  std::string unified;
  std::stringstream ss(mountinfo);
  std::string line;
  while (std::getline(ss, line)) {
    size_t sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::stringstream left(line.substr(0, sep)), right(line.substr(sep + 3));
    std::string id, parent, devno, root, mount_point, fstype, source, options;
    left >> id >> parent >> devno >> root >> mount_point;
    right >> fstype >> source >> options;
    if (root != "/") continue;  // a bind of a sub-group: not a hierarchy root
    if (fstype == "cgroup2") {
      if (unified.empty()) unified = mount_point;
    } else if (fstype == "cgroup") {
      std::stringstream os(options);
      std::string opt;
      while (std::getline(os, opt, ','))
        for (const char* c : kV1Controllers)
          if (opt == c && !layout.v1.count(c)) layout.v1[c] = mount_point;
    }
  }
  if (!unified.empty()) {
    std::string ctrl = " " + read_controllers(unified + "/cgroup.controllers") + " ";
    for (auto& ch : ctrl)
      if (ch == '\n') ch = ' ';
    bool all = ctrl.find(" memory ") != std::string::npos &&
               ctrl.find(" pids ") != std::string::npos && ctrl.find(" cpu ") != std::string::npos;
    if (all) {
      layout.version = 2;
      layout.unified = unified;
      layout.v1.clear();
      return layout;
    }
  }
  if (layout.v1.count("memory")) {
    layout.version = 1;
  } else {
    layout.v1.clear();
  }
  return layout;
}

CgroupLayout DetectCgroupLayout() {
  auto mountinfo = ReadFile("/proc/self/mountinfo");
  if (!mountinfo.ok()) return {};
  return ParseCgroupLayout(*mountinfo, [](const std::string& path) {
    auto t = ReadFile(path);
    return t.ok() ? *t : std::string();
  });
}

CgroupFsManager::CgroupFsManager(CgroupLayout layout, std::string parent, bool fake_fs)
    : layout_(std::move(layout)), parent_(std::move(parent)), fake_fs_(fake_fs) {}

std::map<std::string, std::string> CgroupFsManager::DirsByController(
    const std::string& name) const {
  std::map<std::string, std::string> dirs;
  if (layout_.version == 2) {
    dirs["unified"] = Dirs(name)[0];
  } else {
    for (const auto& [ctrl, mount] : layout_.v1) dirs[ctrl] = mount + "/" + parent_ + "/" + name;
  }
  return dirs;
}

std::vector<std::string> CgroupFsManager::Dirs(const std::string& name) const {
  std::vector<std::string> out;
  std::string sub = parent_ + (name.empty() ? "" : "/" + name);
  if (layout_.version == 2) {
    out.push_back(layout_.unified + "/" + sub);
  } else {
    std::set<std::string> seen;
    for (const auto& [ctrl, mount] : layout_.v1)
      if (seen.insert(mount).second) out.push_back(mount + "/" + sub);
  }
  return out;
}

Status CgroupFsManager::Init() {
  if (layout_.version == 0) return FailedPrecondition("no usable cgroup hierarchy is mounted");
  if (layout_.version == 2) {
    // Enable the controllers at every level from the root down to our parent. cgroup v2 forbids
    // processes in a group that hands controllers to children ("no internal processes"): when a
    // level holds processes (e.g. the agent itself in a container's root), move them into a leaf
    // first.
    std::string dir = layout_.unified;
    std::vector<std::string> parts;
    std::stringstream ss(parent_);
    std::string p;
    while (std::getline(ss, p, '/'))
      if (!p.empty()) parts.push_back(p);
    for (size_t level = 0; level <= parts.size(); ++level) {
      if (level > 0) {
        dir += "/" + parts[level - 1];
        if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
          return Internal(fmt::format("cannot create cgroup {}: {}", dir, ErrnoText(errno)));
      }
      for (const char* c : kV2Controllers) {
        Status s = WriteFile(dir + "/cgroup.subtree_control", fmt::format("+{}", c), fake_fs_);
        if (!s.ok() && !fake_fs_ && errno == EBUSY) {
          std::string leaf = dir + "/suanli-leaf";
          mkdir(leaf.c_str(), 0755);
          for (pid_t pid : ReadPids(dir + "/cgroup.procs"))
            (void)WriteControl(leaf + "/cgroup.procs", std::to_string(pid));
          s = WriteFile(dir + "/cgroup.subtree_control", fmt::format("+{}", c), fake_fs_);
        }
        if (!s.ok() && std::string(c) != "cpuset")  // cpuset is optional on v2
          return Internal(
              fmt::format("cannot enable the {} controller in {}: {}", c, dir, s.message()));
      }
    }
    return Status::Ok();
  }
  // v1: create the parent in every hierarchy; cpuset groups start empty and must be filled from
  // above.
  for (const auto& [ctrl, mount] : layout_.v1) {
    std::string dir = mount;
    std::stringstream ss(parent_);
    std::string p;
    while (std::getline(ss, p, '/')) {
      if (p.empty()) continue;
      std::string up = dir;
      dir += "/" + p;
      if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return Internal(fmt::format("cannot create cgroup {}: {}", dir, ErrnoText(errno)));
      if (ctrl == "cpuset") {
        for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
          auto cur = ReadFile(dir + "/" + f);
          if (cur.ok() && cur->find_first_not_of(" \n") != std::string::npos) continue;
          auto v = ReadFile(up + "/" + f);
          if (v.ok()) SUANLI_RETURN_IF_ERROR(WriteFile(dir + "/" + f, *v, fake_fs_));
        }
      }
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<Cgroup>> CgroupFsManager::Create(const std::string& name,
                                                        const CgroupLimits& limits) {
  if (layout_.version == 0) return MakeUnenforcedCgroup();
  std::map<std::string, std::string> dirs = DirsByController(name);
  std::set<std::string> made;
  Status st = CreateDirsAndLimits(dirs, limits, made);
  if (!st.ok()) {
    // A half-made group would stay until the next agent restart: remove it (still empty, no
    // process joined it yet).
    for (const auto& dir : made) (void)(fake_fs_ ? RemoveTree(dir) : RemoveDir(dir));
    return st;
  }
  return std::unique_ptr<Cgroup>(
      std::make_unique<RealCgroup>(layout_.version, std::move(dirs), fake_fs_));
}

Status CgroupFsManager::CreateDirsAndLimits(std::map<std::string, std::string>& dirs,
                                            const CgroupLimits& limits,
                                            std::set<std::string>& made) {
  for (const auto& [ctrl, dir] : dirs) {
    if (made.count(dir)) continue;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return Internal(fmt::format("cannot create cgroup {}: {}", dir, ErrnoText(errno)));
    // An existing group of this name is a leftover of the same attempt: it goes on failure too.
    made.insert(dir);
  }
  auto w = [&](const std::string& ctrl, const std::string& file,
               const std::string& value) -> Status {
    std::string dir = layout_.version == 2 ? dirs["unified"] : dirs[ctrl];
    if (dir.empty()) return Status::Ok();  // controller not mounted on this v1 host
    return WriteFile(dir + "/" + file, value, fake_fs_);
  };
  auto parent_value = [&](const std::string& ctrl, const std::string& file) {
    std::string dir = layout_.version == 2 ? dirs["unified"] : dirs[ctrl];
    auto v = ReadFile(dir.substr(0, dir.rfind('/')) + "/" + file);
    return v.ok() ? *v : std::string();
  };
  bool v2 = layout_.version == 2;
  bool has_cpuset = v2 || layout_.v1.count("cpuset");
  if (has_cpuset) {
    std::string cpus =
        limits.cpus.empty() ? parent_value("cpuset", "cpuset.cpus") : FormatCpuList(limits.cpus);
    std::string mems = limits.mems.empty() ? parent_value("cpuset", "cpuset.mems") : limits.mems;
    // v1 needs both set before a task may join; on v2 empty means "inherit", so only write what we
    // know.
    if (!cpus.empty() && cpus != "\n") SUANLI_RETURN_IF_ERROR(w("cpuset", "cpuset.cpus", cpus));
    if (!mems.empty() && mems != "\n") SUANLI_RETURN_IF_ERROR(w("cpuset", "cpuset.mems", mems));
  }
  if (limits.cpu_quota > 0) {
    constexpr int64_t kPeriodUs = 100000;
    int64_t quota = std::max<int64_t>(1000, static_cast<int64_t>(limits.cpu_quota * kPeriodUs));
    if (v2) {
      SUANLI_RETURN_IF_ERROR(w("cpu", "cpu.max", fmt::format("{} {}", quota, kPeriodUs)));
    } else {
      SUANLI_RETURN_IF_ERROR(w("cpu", "cpu.cfs_period_us", std::to_string(kPeriodUs)));
      SUANLI_RETURN_IF_ERROR(w("cpu", "cpu.cfs_quota_us", std::to_string(quota)));
    }
  }
  if (limits.memory_bytes > 0) {
    std::string bytes = std::to_string(limits.memory_bytes);
    if (v2) {
      SUANLI_RETURN_IF_ERROR(w("memory", "memory.max", bytes));
      // Swap off: a job at its limit is killed rather than paging the node to a crawl.
      if (fake_fs_ || Exists(dirs["unified"] + "/memory.swap.max"))
        SUANLI_RETURN_IF_ERROR(w("memory", "memory.swap.max", "0"));
    } else {
      SUANLI_RETURN_IF_ERROR(w("memory", "memory.limit_in_bytes", bytes));
      if (fake_fs_ || Exists(dirs["memory"] + "/memory.memsw.limit_in_bytes"))
        SUANLI_RETURN_IF_ERROR(w("memory", "memory.memsw.limit_in_bytes", bytes));
      (void)w("memory", "memory.swappiness", "0");
    }
  }
  if (limits.pids_max > 0)
    SUANLI_RETURN_IF_ERROR(w("pids", "pids.max", std::to_string(limits.pids_max)));
  if (!v2 && layout_.v1.count("devices"))
    for (const auto& dev : limits.deny_devices)
      SUANLI_RETURN_IF_ERROR(w("devices", "devices.deny", dev + " rwm"));
  return Status::Ok();
}

std::unique_ptr<Cgroup> CgroupFsManager::Open(const std::string& name) {
  if (layout_.version == 0) return MakeUnenforcedCgroup();
  std::map<std::string, std::string> dirs = DirsByController(name);
  return std::make_unique<RealCgroup>(layout_.version, std::move(dirs), fake_fs_);
}

std::vector<std::string> CgroupFsManager::Existing() const {
  std::vector<std::string> out;
  if (layout_.version == 0) return out;
  std::string base = Dirs("")[0];
  for (const auto& n : ListDir(base)) {
    struct stat st;
    if (stat((base + "/" + n).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(n);
  }
  return out;
}

}  // namespace suanli::agent
