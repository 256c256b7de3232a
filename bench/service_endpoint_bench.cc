// Services (#16): what the stable endpoint adds to a request, and how long a killed replica takes
// to serve again. Controller and agent in one process (as `suanli up`), a service of 2 replicas of
// a small keep-alive HTTP server (python3), on loopback.
//
//   build/bench/service_endpoint_bench [N=1000]
// Prints p50/p99 of N sequential GETs straight to one replica and through the endpoint (both over
// one kept-alive connection), then kills replica 0's process and times kill -> its new job
// RUNNING -> the service counts it healthy again (backoff 1 s, probes every 500 ms included).
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "local_platform.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* kServer = R"PY(
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        # One write: headers and body apart would wait on Nagle and the delayed ACK (40 ms).
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
)PY";

// Milliseconds of each of `n` GETs of "/" on one connection to host:port; empty on an error.
std::vector<double> Time(const std::string& host, int port, int n) {
  httplib::Client c(host, port);
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  std::vector<double> ms;
  for (int i = 0; i < n + 50; ++i) {
    auto t0 = Clock::now();
    auto r = c.Get("/");
    double d = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!r || r->status != 200) {
      std::fprintf(stderr, "GET %s:%d failed\n", host.c_str(), port);
      return {};
    }
    if (i >= 50) ms.push_back(d);  // the first ones warm up connections and the proxy's pool
  }
  return ms;
}

bool SplitUrl(const std::string& url, std::string* host, int* port) {
  std::string hp = url.substr(url.find("//") + 2);
  size_t colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  *host = hp.substr(0, colon);
  *port = std::atoi(hp.substr(colon + 1).c_str());
  return *port > 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace suanli;
  using bench::Percentile;
  int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  if (n <= 0) {
    std::fprintf(stderr, "usage: %s [N>0]\n", argv[0]);
    return 2;
  }
  auto platform = bench::LocalPlatform::Start();
  if (!platform) return 1;
  cli::ApiClient& api = *platform->api;
  auto created = api.Post("services", {{"name", "bench"},
                                       {"replicas", 2},
                                       {"cpus", 1},  // a CPU quota of 0.1 throttles python
                                       {"health", "http:/"},
                                       {"command", {"python3", "-c", kServer}}});
  if (!created.ok()) {
    std::fprintf(stderr, "create: %s\n", created.status().ToString().c_str());
    return 1;
  }
  auto wait_healthy = [&](int64_t not_job, nlohmann::json* out) {
    for (int i = 0; i < 3000; ++i) {
      auto s = api.Get("services/bench");
      if (s.ok() && s->value("healthy_replicas", 0) == 2 &&
          (*s)["replicas"][0].value("job_id", nlohmann::json()) != not_job) {
        *out = *s;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  std::fprintf(stderr, "bench: waiting for 2 healthy replicas\n");
  nlohmann::json s;
  if (!wait_healthy(-1, &s)) {
    std::fprintf(stderr, "the service never had 2 healthy replicas\n");
    return 1;
  }
  std::string host, endpoint_host;
  int port = 0, endpoint_port = 0;
  if (!SplitUrl("http://" + s["replicas"][0]["address"].get<std::string>(), &host, &port) ||
      !SplitUrl(s["endpoint"].get<std::string>(), &endpoint_host, &endpoint_port)) {
    std::fprintf(stderr, "bad addresses: %s\n", s.dump().c_str());
    return 1;
  }
  std::fprintf(stderr, "bench: timing %s:%d and %s:%d\n", host.c_str(), port, endpoint_host.c_str(),
               endpoint_port);
  auto direct = Time(host, port, n);
  auto proxied = Time(endpoint_host, endpoint_port, n);
  if (direct.empty() || proxied.empty()) return 1;
  std::printf("service endpoint, %d sequential GETs over one kept-alive connection (loopback)\n",
              n);
  std::printf("  straight to a replica:   p50 %.3f ms  p99 %.3f ms\n", Percentile(direct, 50),
              Percentile(direct, 99));
  std::printf("  through the endpoint:    p50 %.3f ms  p99 %.3f ms\n", Percentile(proxied, 50),
              Percentile(proxied, 99));
  std::printf("  endpoint overhead:       p50 %.3f ms  p99 %.3f ms\n",
              Percentile(proxied, 50) - Percentile(direct, 50),
              Percentile(proxied, 99) - Percentile(direct, 99));

  // Restart: kill replica 0's process, time until its new job runs and is healthy.
  const int64_t job = s["replicas"][0]["job_id"];
  long pid = 0;
  {
    std::ifstream in(platform->dir + "/agent-work/tasks/" + std::to_string(job) + ".1.0/pid");
    std::string word;
    in >> word >> pid;
  }
  if (pid <= 0 || ::kill(static_cast<pid_t>(pid), SIGKILL) != 0) {
    std::fprintf(stderr, "cannot kill replica 0 (job %lld)\n", static_cast<long long>(job));
    return 1;
  }
  auto t0 = Clock::now();
  double running_ms = -1;
  for (int i = 0; i < 3000 && running_ms < 0; ++i) {
    auto now = api.Get("services/bench");
    if (now.ok()) {
      const auto& r = (*now)["replicas"][0];
      if (r.value("job_id", nlohmann::json()) != job && r.value("job_state", "") == "RUNNING") {
        running_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      }
    }
    if (running_ms < 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!wait_healthy(job, &s)) {
    std::fprintf(stderr, "replica 0 never came back\n");
    return 1;
  }
  double healthy_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::printf("replica restart after SIGKILL (first failure: 1 s backoff)\n");
  std::printf("  kill -> new job RUNNING: %.0f ms;  kill -> healthy again: %.0f ms\n", running_ms,
              healthy_ms);
  (void)api.Delete("services/bench");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::string dir = platform->dir;
  platform.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
