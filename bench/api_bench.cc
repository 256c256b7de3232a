// Controller figures: job submission throughput over HTTP on loopback with durability on
// (SQLite WAL, synchronous=FULL, group commit; or with --postgres a throw-away PostgreSQL server
// with fsync on), and controller memory holding 1,000,000 finished and 100,000 pending job
// records. Prints figures; not a test.
//
//   api_bench                 both figures with the defaults
//   api_bench --jobs N --clients C --finished F --pending P
//   api_bench --submit-only --postgres
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "core/policy.h"
#include "pg_test_server.h"
#include "server/controller.h"
#include "server/server.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace suanli;

namespace {

std::string TempDir(const std::string& tag) {
  fs::path d = fs::temp_directory_path() / ("suanli-bench-" + tag + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

int64_t StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(std::strlen(field)));
  }
  return -1;
}

void SubmitThroughput(int jobs, int clients, bool with_node, bool postgres) {
  std::string dir = TempDir("submit");
  server::ServerOptions o;
  o.data_dir = dir;
  std::unique_ptr<pgtest::PgTestServer> pg;
  if (postgres) {
    // fsync on: an acknowledged job is on the database server's disk, as in production.
    auto started = pgtest::PgTestServer::Start(
        pgtest::PgTestServerOptions{.fsync = std::getenv("BENCH_PG_NOFSYNC") == nullptr});
    if (!started.ok()) {
      std::fprintf(stderr, "postgresql failed: %s\n", started.status().ToString().c_str());
      return;
    }
    pg = std::move(started).value();
    auto uri = pg->CreateDatabase("bench");
    if (!uri.ok()) {
      std::fprintf(stderr, "postgresql failed: %s\n", uri.status().ToString().c_str());
      return;
    }
    o.store_uri = *uri;
  }
  o.listen = "127.0.0.1:0";
  o.web_dir = "/nonexistent";
  o.http_threads = std::max(64, clients * 2);
  auto started = server::Server::Start(o);
  if (!started.ok()) {
    std::fprintf(stderr, "server failed: %s\n", started.status().ToString().c_str());
    return;
  }
  auto& srv = *started;
  std::ifstream tf(fs::path(dir) / "admin.token");
  std::string token;
  tf >> token;
  if (with_node) {
    // A registered 8-GPU node, so every batch also runs real scheduling passes over the queue.
    httplib::Client agent(srv->url());
    nlohmann::json devices = nlohmann::json::array();
    for (int i = 0; i < 8; ++i) devices.push_back({{"index", i}, {"type", "nvidia-a100"}});
    nlohmann::json reg{
        {"name", "bench-node"}, {"cpus", 64}, {"mem_mb", 512000}, {"devices", devices}};
    auto r = agent.Post("/api/v1/agents/register",
                        httplib::Headers{{"Authorization", "Bearer " + srv->join_token()}},
                        reg.dump(), "application/json");
    if (!r || r->status != 200) std::fprintf(stderr, "node registration failed\n");
  }
  std::atomic<int> next{0}, ok{0}, failed{0};
  std::vector<double> latencies_ms(jobs, 0);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client http(srv->url());
      http.set_keep_alive(true);
      http.set_tcp_nodelay(true);
      httplib::Headers h{{"Authorization", "Bearer " + token}};
      while (true) {
        int i = next++;
        if (i >= jobs) break;
        nlohmann::json body{{"name", "bench"},
                            {"command", {"sleep", "1"}},
                            {"cpus", 1},
                            {"mem_mb", 512},
                            {"idempotency_key", "bench-" + std::to_string(i)}};
        auto s = std::chrono::steady_clock::now();
        auto r = http.Post("/api/v1/jobs", h, body.dump(), "application/json");
        latencies_ms[i] =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
        if (r && r->status == 201) {
          ++ok;
        } else {
          if (failed++ < 3) {
            std::fprintf(stderr, "  submit failed: %s\n",
                         r ? (std::to_string(r->status) + " " + r->body).c_str()
                           : httplib::to_string(r.error()).c_str());
          }
        }
      }
      (void)c;
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf(
      "submit over HTTP (loopback, %s, group commit%s)\n",
      postgres ? "PostgreSQL fsync=on synchronous_commit=on" : "SQLite WAL synchronous=FULL",
      with_node ? ", one 8-GPU node registered: scheduling passes run" : ", no nodes");
  std::printf("  clients=%d jobs=%d accepted=%d failed=%d\n", clients, jobs, ok.load(),
              failed.load());
  std::printf("  throughput: %.0f jobs/s  (target >= 5000)\n", ok.load() / secs);
  std::printf("  latency ms: p50 %.2f  p99 %.2f  max %.2f\n", latencies_ms[jobs / 2],
              latencies_ms[std::min(jobs - 1, jobs * 99 / 100)], latencies_ms.back());
  {
    httplib::Client http(srv->url());
    auto m = http.Get("/metrics");
    if (m) {
      std::istringstream lines(m->body);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("suanli_store_commit", 0) == 0 ||
            line.rfind("suanli_scheduling_cycle_duration_seconds_sum", 0) == 0 ||
            line.rfind("suanli_scheduling_cycle_duration_seconds_count", 0) == 0) {
          std::printf("  %s\n", line.c_str());
        }
      }
    }
  }
  srv->Stop();
  // Durability check: every accepted job is in the store after the stop.
  auto store = store::OpenStore(o.store_uri, (fs::path(dir) / "suanli.db").string());
  if (store.ok()) {
    auto snap = (*store)->Load();
    if (snap.ok())
      std::printf("  stored after stop: %zu active jobs (every accepted one)\n",
                  snap->active_jobs.size());
  }
  fs::remove_all(dir);
}

store::JobRecord MakeJob(int64_t id, store::JobState state) {
  store::JobRecord j;
  j.id = id;
  j.tenant = id % 3 == 0 ? "physics" : id % 3 == 1 ? "chem" : "bio";
  j.user = "user" + std::to_string(id % 100);
  j.state = state;
  j.submit_time = 1763877600000 + id;
  j.spec.name = "train-" + std::to_string(id);
  j.spec.command = {"python", "train.py", "--epochs", "10"};
  j.spec.main.cpus = 4;
  j.spec.main.mem_mb = 16384;
  j.spec.main.gpus = 1;
  j.spec.main.gpu_type = "nvidia-a100";
  j.spec.time_limit_s = 3600;
  j.reason = store::IsTerminal(state) ? "exited with code 0" : "";
  j.history.push_back({store::JobState::kPending, j.submit_time, "submitted"});
  if (store::IsTerminal(state)) {
    j.attempt = 1;
    j.start_time = j.submit_time + 1000;
    j.end_time = j.start_time + 60000;
    j.exit_code = 0;
    store::TaskPlacement t;
    t.node = "node-" + std::to_string(id % 64);
    t.devices = {static_cast<int32_t>(id % 8)};
    t.cpus = 4;
    t.mem_mb = 16384;
    t.accel_milli = 1000;
    t.gpu_type = "nvidia-a100";
    t.started = t.exited = true;
    t.exit_code = 0;
    j.placement.push_back(t);
    j.history.push_back({store::JobState::kStarting, j.start_time, "placed on " + t.node});
    j.history.push_back({store::JobState::kRunning, j.start_time + 200, "started on " + t.node});
    j.history.push_back({state, j.end_time, "exited with code 0"});
  }
  return j;
}

void ControllerMemory(int64_t finished, int64_t pending) {
  std::string dir = TempDir("memory");
  std::string db = (fs::path(dir) / "suanli.db").string();
  // Fill the store in a child process so the parent's RSS is the controller's alone.
  auto t0 = std::chrono::steady_clock::now();
  pid_t child = fork();
  if (child == 0) {
    auto store = store::OpenSqliteStore(db, false);
    if (!store.ok()) _exit(1);
    const int64_t kBatch = 20000;
    for (int64_t start = 1; start <= finished + pending; start += kBatch) {
      store::WriteBatch b;
      for (int64_t id = start; id < start + kBatch && id <= finished + pending; ++id) {
        b.jobs.push_back(
            MakeJob(id, id <= finished ? store::JobState::kCompleted : store::JobState::kPending));
      }
      if (!(*store)->Commit(b).ok()) _exit(2);
    }
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  double fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("filling the store failed\n");
    return;
  }
  int64_t before_kb = StatusKb("VmRSS:");
  auto store = store::OpenSqliteStore(db, true);
  if (!store.ok()) return;
  server::ControllerOptions co;
  co.data_dir = dir;
  core::PolicyConfig pc;
  auto policy = core::MakePolicy(pc);
  if (!policy.ok()) return;
  auto load0 = std::chrono::steady_clock::now();
  server::Controller controller(co, store->get(), SystemClock::Get(), std::move(policy).value(),
                                nullptr, nullptr);
  Status st = controller.Load();
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load0).count();
  if (!st.ok()) {
    std::printf("load failed: %s\n", st.ToString().c_str());
    return;
  }
  int64_t rss_kb = StatusKb("VmRSS:");
  int64_t hwm_kb = StatusKb("VmHWM:");
  std::printf("controller memory (store filled with %lld finished + %lld pending jobs in %.1f s)\n",
              static_cast<long long>(finished), static_cast<long long>(pending), fill_s);
  std::printf("  active jobs in memory: %zu (loaded in %.2f s)\n", controller.active_job_count(),
              load_s);
  std::printf(
      "  RSS: %.1f MB (process before the controller: %.1f MB, peak %.1f MB)  (target <= 300 MB)\n",
      rss_kb / 1024.0, before_kb / 1024.0, hwm_kb / 1024.0);
  std::printf("  database size: %.1f MB\n", fs::file_size(db) / 1048576.0);
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 20000, clients = 64;
  int64_t finished = 1000000, pending = 100000;
  bool do_submit = true, do_memory = true, with_node = false, postgres = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::stoll(argv[++i]) : 0LL; };
    if (a == "--jobs")
      jobs = static_cast<int>(next());
    else if (a == "--clients")
      clients = static_cast<int>(next());
    else if (a == "--finished")
      finished = next();
    else if (a == "--pending")
      pending = next();
    else if (a == "--submit-only")
      do_memory = false;
    else if (a == "--memory-only")
      do_submit = false;
    else if (a == "--with-node")
      with_node = true;
    else if (a == "--postgres")
      postgres = true;
    else {
      std::fprintf(stderr,
                   "usage: api_bench [--jobs N] [--clients C] [--finished F] [--pending P] "
                   "[--submit-only|--memory-only] [--with-node] [--postgres]\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  if (do_memory) ControllerMemory(finished, pending);
  if (do_submit) SubmitThroughput(jobs, clients, with_node, postgres);
  return 0;
}
