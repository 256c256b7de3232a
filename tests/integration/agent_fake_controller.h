#pragma once
// Test helpers for the agent's integration tests (header-only): a fake controller speaking the
// agent side of docs/api.md on a loopback (or namespace) address, and a `suanli agent` child
// process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace suanli::agent_test {

using nlohmann::json;
using namespace std::chrono_literals;

inline std::string Base64Decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0;
  uint32_t acc = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Tasks outlive their agent by design, so a test that ends (or fails) with tasks running kills them
// here: every process in the cgroups of agents named `node` (the agent names its groups
// "<node>-<hash>").
inline void KillLeftoverTasks(const std::string& node) {
  for (const char* base :
       {"/sys/fs/cgroup/pids/suanli", "/sys/fs/cgroup/freezer/suanli", "/sys/fs/cgroup/suanli"}) {
    std::error_code ec;
    if (!std::filesystem::is_directory(base, ec)) continue;
    for (const auto& agent : std::filesystem::directory_iterator(base, ec)) {
      if (agent.path().filename().string().rfind(node + "-", 0) != 0) continue;
      for (const auto& task : std::filesystem::directory_iterator(agent.path(), ec)) {
        if (!task.is_directory()) continue;
        std::stringstream procs(ReadText(task.path().string() + "/cgroup.procs"));
        int pid;
        while (procs >> pid) kill(pid, SIGKILL);
      }
      // Then the emptied groups themselves (killed processes leave their group a moment later).
      for (int attempt = 0; attempt < 20; ++attempt) {
        bool left = false;
        for (const auto& task : std::filesystem::directory_iterator(agent.path(), ec))
          if (task.is_directory() && rmdir(task.path().c_str()) != 0) left = true;
        if (!left) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      rmdir(agent.path().c_str());
    }
  }
}

// A controller that records what agents say and hands them the work a test queues.
class FakeController {
 public:
  explicit FakeController(const std::string& host = "127.0.0.1", int heartbeat_ms = 300)
      : heartbeat_ms_(heartbeat_ms) {
    server_.Post("/api/v1/agents/register",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   if (!Authorized(req, res)) return;
                   json body = json::parse(req.body);
                   std::string name = body["name"];
                   std::lock_guard<std::mutex> lock(mu_);
                   nodes_[name] = body;
                   registrations_[name]++;
                   // Tasks it reports running that the test marked stale are answered with kills,
                   // as the server does.
                   for (const auto& r : body["running"]) {
                     if (stale_.count({r["job_id"].get<int64_t>(), r["attempt"].get<int64_t>()}))
                       kills_[name].push_back({{"job_id", r["job_id"]},
                                               {"attempt", r["attempt"]},
                                               {"grace_s", 0},
                                               {"reason", "STALE"}});
                   }
                   last_seen_[name] = std::chrono::steady_clock::now();
                   cv_.notify_all();
                   res.set_content(json({{"node", name}, {"heartbeat_ms", heartbeat_ms_}}).dump(),
                                   "application/json");
                 });
    server_.Post(R"(/api/v1/agents/([^/]+)/poll)", [this](const httplib::Request& req,
                                                          httplib::Response& res) {
      if (!Authorized(req, res)) return;
      std::string name = req.matches[1];
      json body = json::parse(req.body);
      std::unique_lock<std::mutex> lock(mu_);
      if (!nodes_.count(name) || forget_.count(name)) {
        forget_.erase(name);
        nodes_.erase(name);
        res.status = 404;
        res.set_content(R"({"error":{"code":"NOT_FOUND","message":"node is not registered"}})",
                        "application/json");
        return;
      }
      last_seen_[name] = std::chrono::steady_clock::now();
      running_[name] = body["running"];
      for (const auto& r : body["running"])
        if (stale_.count({r["job_id"].get<int64_t>(), r["attempt"].get<int64_t>()}))
          kills_[name].push_back({{"job_id", r["job_id"]},
                                  {"attempt", r["attempt"]},
                                  {"grace_s", 0},
                                  {"reason", "STALE"}});
      for (const auto& e : body["events"]) {
        json ev = e;
        ev["node"] = name;
        events_.push_back(ev);
      }
      polls_[name]++;
      cv_.notify_all();
      int wait_ms = body.value("wait_ms", 0);
      cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                   [&] { return !launches_[name].empty() || !kills_[name].empty() || stopping_; });
      json answer = {{"launch", json::array()}, {"kill", json::array()}};
      for (auto& l : launches_[name]) answer["launch"].push_back(l);
      for (auto& k : kills_[name]) answer["kill"].push_back(k);
      launches_[name].clear();
      kills_[name].clear();
      res.set_content(answer.dump(), "application/json");
    });
    server_.Post(R"(/api/v1/agents/([^/]+)/logs)", [this](const httplib::Request& req,
                                                          httplib::Response& res) {
      if (!Authorized(req, res)) return;
      json body = json::parse(req.body);
      std::string key = fmt(body["job_id"].get<int64_t>(), body["task"].get<int>(), body["stream"]);
      std::string data = Base64Decode(body["data"]);
      std::lock_guard<std::mutex> lock(mu_);
      std::string& log = logs_[key];
      size_t offset = body["offset"].get<size_t>();
      if (log.size() < offset + data.size()) log.resize(offset + data.size(), '\0');
      log.replace(offset, data.size(), data);
      res.status = 204;
    });
    port_ = server_.bind_to_any_port(host);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    url_ = "http://" + host + ":" + std::to_string(port_);
  }

  ~FakeController() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  const std::string& url() const { return url_; }
  static std::string token() { return "test-join-token"; }

  void Launch(const std::string& node, const json& launch) {
    std::lock_guard<std::mutex> lock(mu_);
    launches_[node].push_back(launch);
    cv_.notify_all();
  }
  void Kill(const std::string& node, int64_t job, int64_t attempt, int grace_s,
            const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    kills_[node].push_back(
        {{"job_id", job}, {"attempt", attempt}, {"grace_s", grace_s}, {"reason", reason}});
    cv_.notify_all();
  }
  void MarkStale(int64_t job, int64_t attempt) {
    std::lock_guard<std::mutex> lock(mu_);
    stale_.insert({job, attempt});
  }

  // Waits for an event matching pred; returns it (or null after the timeout).
  json WaitEvent(const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    json found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& e : events_)
        if (pred(e)) {
          found = e;
          return true;
        }
      return false;
    });
    return found;
  }
  json WaitExit(int64_t job, int task, std::chrono::milliseconds timeout = 30s,
                int64_t attempt = -1) {
    return WaitEvent(
        [&](const json& e) {
          return e["event"] == "exited" && e["job_id"] == job && e["task"] == task &&
                 (attempt < 0 || e["attempt"] == attempt);
        },
        timeout);
  }
  json WaitStarted(int64_t job, int task, std::chrono::milliseconds timeout = 15s) {
    return WaitEvent(
        [&](const json& e) {
          return e["event"] == "started" && e["job_id"] == job && e["task"] == task;
        },
        timeout);
  }
  int CountEvents(const std::function<bool(const json&)>& pred) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& e : events_) n += pred(e);
    return n;
  }
  bool WaitRegistered(const std::string& node, int count = 1,
                      std::chrono::milliseconds timeout = 20s) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return registrations_[node] >= count; });
  }
  json Node(const std::string& node) {
    std::lock_guard<std::mutex> lock(mu_);
    return nodes_.count(node) ? nodes_[node] : json();
  }
  json Running(const std::string& node) {
    std::lock_guard<std::mutex> lock(mu_);
    return running_.count(node) ? running_[node] : json::array();
  }
  // Waits until a poll from `node` arrives after now.
  bool WaitPoll(const std::string& node, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock(mu_);
    int start = polls_[node];
    return cv_.wait_for(lock, timeout, [&] { return polls_[node] > start + 1; });
  }
  std::chrono::steady_clock::time_point LastSeen(const std::string& node) {
    std::lock_guard<std::mutex> lock(mu_);
    return last_seen_[node];
  }
  std::string Log(int64_t job, int task, const std::string& stream) {
    std::lock_guard<std::mutex> lock(mu_);
    return logs_[fmt(job, task, stream)];
  }
  bool WaitLog(int64_t job, int task, const std::string& stream, const std::string& needle,
               std::chrono::milliseconds timeout = 15s) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (Log(job, task, stream).find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

 private:
  static std::string fmt(int64_t job, int task, const std::string& stream) {
    return std::to_string(job) + "/" + std::to_string(task) + "/" + stream;
  }
  bool Authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") == "Bearer " + token()) return true;
    res.status = 401;
    res.set_content(R"({"error":{"code":"UNAUTHENTICATED","message":"bad join token"}})",
                    "application/json");
    return false;
  }

  int heartbeat_ms_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, json> nodes_, running_;
  std::map<std::string, int> registrations_, polls_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_seen_;
  std::map<std::string, std::vector<json>> launches_, kills_;
  std::set<std::pair<int64_t, int64_t>> stale_;
  std::set<std::string> forget_;
  std::vector<json> events_;
  std::map<std::string, std::string> logs_;
};

// A `suanli agent` (or any) child process with its output in a file; killed on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::vector<std::string>& netns_prefix = {}) {
    std::vector<std::string> full = netns_prefix;
    full.insert(full.end(), argv.begin(), argv.end());
    std::vector<char*> cargs;
    for (auto& a : full) cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      setpgid(0, 0);
      execvp(cargs[0], cargs.data());
      _exit(127);
    }
  }
  ~ChildProcess() { Kill(SIGKILL); }
  pid_t pid() const { return pid_; }
  void Kill(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    int st;
    waitpid(pid_, &st, 0);
    pid_ = -1;
  }
  bool Running() const {
    if (pid_ <= 0) return false;
    int st;
    return waitpid(pid_, &st, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

// The `suanli` binary: $SUANLI_BINARY, else the build directory's (tests live in
// build/tests/integration).
inline std::string SuanliBinary() {
  const char* b = getenv("SUANLI_BINARY");
  if (b && *b && std::filesystem::exists(b)) return b;
  std::error_code ec;
  auto self = std::filesystem::canonical("/proc/self/exe", ec);
  auto guess = self.parent_path().parent_path().parent_path() / "suanli";
  return std::filesystem::exists(guess, ec) ? guess.string() : "suanli";
}

// A scratch directory outside /tmp (jobs get a private /tmp, so files a test and a job share live
// here). Not beside the binary: a checkout under /tmp (CI clones there) would put it under /tmp too.
inline std::string ScratchDir(const std::string& name) {
  std::filesystem::path base = "/var/tmp/suanli-agent-it";
  std::filesystem::path dir = base / (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  chmod(base.c_str(), 0755);
  chmod(dir.c_str(), 0777);
  return std::filesystem::absolute(dir).string();
}

// Starts `suanli agent` against a controller and waits for its registration.
inline std::unique_ptr<ChildProcess> StartAgent(FakeController& fc, const std::string& name,
                                                const std::string& dir,
                                                const std::vector<std::string>& extra = {},
                                                const std::vector<std::string>& netns_prefix = {},
                                                const std::string& url = "") {
  std::vector<std::string> argv = {SuanliBinary(), "agent",
                                   "--url",        url.empty() ? fc.url() : url,
                                   "--join-token", FakeController::token(),
                                   "--name",       name,
                                   "--work-dir",   dir + "/" + name};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv, dir + "/" + name + ".log", netns_prefix);
}

// Can this machine give jobs cgroups (root, a memory controller we can create groups in)?
inline std::string CgroupSkipReason() {
  if (geteuid() != 0) return "not root: cannot create cgroups";
  for (const char* probe : {"/sys/fs/cgroup/memory", "/sys/fs/cgroup"}) {
    std::string dir = std::string(probe) + "/suanli-it-probe-" + std::to_string(getpid());
    if (mkdir(dir.c_str(), 0755) == 0) {
      bool has_limit = access((dir + "/memory.limit_in_bytes").c_str(), F_OK) == 0 ||
                       access((dir + "/memory.max").c_str(), F_OK) == 0;
      rmdir(dir.c_str());
      if (has_limit) return "";
    }
  }
  return "cannot create a memory cgroup on this machine";
}

inline json BasicLaunch(int64_t job, const std::string& script, int64_t attempt = 1) {
  return {
      {"job_id", job},        {"attempt", attempt},  {"task", 0},     {"tasks", 1},
      {"script", script},     {"cpus", 1},           {"mem_mb", 256}, {"devices", json::array()},
      {"gpu_type", "any"},    {"time_limit_s", 120}, {"grace_s", 5},  {"user", "root"},
      {"env", json::object()}};
}

}  // namespace suanli::agent_test
