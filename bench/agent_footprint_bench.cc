// Agent footprint: resident memory of a real `suanli agent` process while idle and while running 50
// jobs, against an in-process fake controller on loopback. Targets: <= 20 MB idle, <= 30 MB with 50
// jobs. Usage: agent_footprint_bench [path/to/suanli]   (default: ../suanli beside this binary's
// directory)
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Controller {
  httplib::Server server;
  std::mutex mu;
  std::condition_variable cv;
  bool registered = false;
  std::vector<json> pending_launch, pending_kill;
  std::set<int64_t> started, exited;
  int port = 0;

  Controller() {
    server.Post("/api/v1/agents/register", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> l(mu);
      registered = true;
      cv.notify_all();
      res.set_content(R"({"heartbeat_ms":1000})", "application/json");
    });
    server.Post(R"(/api/v1/agents/([^/]+)/poll)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  json body = json::parse(req.body);
                  std::unique_lock<std::mutex> l(mu);
                  for (const auto& e : body["events"]) {
                    if (e["event"] == "started") started.insert(e["job_id"].get<int64_t>());
                    if (e["event"] == "exited") exited.insert(e["job_id"].get<int64_t>());
                  }
                  cv.notify_all();
                  cv.wait_for(l, std::chrono::milliseconds(body.value("wait_ms", 1000)),
                              [&] { return !pending_launch.empty() || !pending_kill.empty(); });
                  json a = {{"launch", pending_launch}, {"kill", pending_kill}};
                  pending_launch.clear();
                  pending_kill.clear();
                  res.set_content(a.dump(), "application/json");
                });
    server.Post(R"(/api/v1/agents/([^/]+)/logs)",
                [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    port = server.bind_to_any_port("127.0.0.1");
  }
};

long StatusField(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(strlen(field) + 1));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string suanli =
      argc > 1
          ? argv[1]
          : (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "suanli")
                .string();
  if (!std::filesystem::exists(suanli)) {
    fprintf(stderr, "suanli binary not found at %s (pass its path)\n", suanli.c_str());
    return 2;
  }
  Controller c;
  std::thread server([&] { c.server.listen_after_bind(); });
  std::string work =
      std::filesystem::current_path() / ("agent-footprint-" + std::to_string(getpid()));
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  std::string url = "http://127.0.0.1:" + std::to_string(c.port);
  pid_t agent = fork();
  if (agent == 0) {
    int fd = open((work + "/agent.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(suanli.c_str(), suanli.c_str(), "agent", "--url", url.c_str(), "--join-token", "bench",
          "--name", "bench-node", "--work-dir", (work + "/w").c_str(), "--accelerators",
          "nvidia-a100:8", nullptr);
    _exit(127);
  }
  {
    std::unique_lock<std::mutex> l(c.mu);
    if (!c.cv.wait_for(l, 30s, [&] { return c.registered; })) {
      fprintf(stderr, "agent did not register; see %s/agent.log\n", work.c_str());
      kill(agent, SIGKILL);
      c.server.stop();
      server.join();
      return 1;
    }
  }
  std::this_thread::sleep_for(3s);
  long idle_kb = StatusField(agent, "VmRSS:");
  long idle_threads = StatusField(agent, "Threads:");
  constexpr int kJobs = 50;
  auto t0 = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> l(c.mu);
    for (int i = 0; i < kJobs; ++i)
      c.pending_launch.push_back({{"job_id", 1000 + i},
                                  {"attempt", 1},
                                  {"task", 0},
                                  {"tasks", 1},
                                  {"command", {"sleep", "120"}},
                                  {"cpus", 0.02},
                                  {"mem_mb", 32},
                                  {"grace_s", 1},
                                  {"user", "nobody"}});
    c.cv.notify_all();
  }
  bool all_started;
  {
    std::unique_lock<std::mutex> l(c.mu);
    all_started = c.cv.wait_for(l, 60s, [&] { return c.started.size() == kJobs; });
  }
  double start_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::this_thread::sleep_for(3s);
  long busy_kb = StatusField(agent, "VmRSS:");
  long busy_threads = StatusField(agent, "Threads:");
  {
    std::lock_guard<std::mutex> l(c.mu);
    for (int i = 0; i < kJobs; ++i)
      c.pending_kill.push_back(
          {{"job_id", 1000 + i}, {"attempt", 1}, {"grace_s", 0}, {"reason", "CANCELLED"}});
    c.cv.notify_all();
  }
  t0 = std::chrono::steady_clock::now();
  {
    std::unique_lock<std::mutex> l(c.mu);
    c.cv.wait_for(l, 60s, [&] { return c.exited.size() == kJobs; });
  }
  double stop_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("agent RSS idle:          %6.1f MB  (target <= 20 MB), threads %ld\n", idle_kb / 1024.0,
         idle_threads);
  printf("agent RSS with %d jobs:  %6.1f MB  (target <= 30 MB), threads %ld, all started: %s\n",
         kJobs, busy_kb / 1024.0, busy_threads, all_started ? "yes" : "NO");
  printf("start %d jobs: %.2f s; cancel %d jobs: %.2f s (%zu exits reported)\n", kJobs, start_s,
         kJobs, stop_s, c.exited.size());
  kill(agent, SIGTERM);
  int st;
  waitpid(agent, &st, 0);
  c.server.stop();
  server.join();
  std::filesystem::remove_all(work);
  bool ok = all_started && idle_kb <= 20 * 1024 && busy_kb <= 30 * 1024;
  return ok ? 0 : 1;
}
