#pragma once
// Test support (header only, used by *_test.cc): a real server on 127.0.0.1:0 in a temp data dir,
// an HTTP client that speaks JSON, and a fake agent that drives the agent protocol.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "server/server.h"

namespace suanli::server::testing {

using nlohmann::json;
namespace fs = std::filesystem;

inline std::string TempDir(const std::string& tag) {
  static std::atomic<int> n{0};
  fs::path dir = fs::temp_directory_path() /
                 ("suanli-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

struct Response {
  int status = 0;
  json body;
  std::string text;
  httplib::Headers headers;
};

class Client {
 public:
  Client(const std::string& url, std::string token) : http_(url), token_(std::move(token)) {
    http_.set_read_timeout(30, 0);
  }
  Response Get(const std::string& path) { return Wrap(http_.Get(path, Headers())); }
  Response Post(const std::string& path, const json& body) { return PostRaw(path, body.dump()); }
  Response PostRaw(const std::string& path, const std::string& body) {
    return Wrap(http_.Post(path, Headers(), body, "application/json"));
  }
  Response Delete(const std::string& path) { return Wrap(http_.Delete(path, Headers())); }
  Response Patch(const std::string& path, const json& body) {
    return Wrap(http_.Patch(path, Headers(), body.dump(), "application/json"));
  }
  void set_token(std::string t) { token_ = std::move(t); }

 private:
  httplib::Headers Headers() const {
    httplib::Headers h;
    if (!token_.empty()) h.emplace("Authorization", "Bearer " + token_);
    return h;
  }
  static Response Wrap(const httplib::Result& r) {
    Response out;
    if (!r) {
      ADD_FAILURE() << "HTTP request failed: " << httplib::to_string(r.error());
      return out;
    }
    out.status = r->status;
    out.text = r->body;
    out.headers = r->headers;
    out.body = json::parse(r->body, nullptr, false);
    return out;
  }
  httplib::Client http_;
  std::string token_;
};

// A running server on a fresh data dir (or a given one, to test restarts).
class TestServer {
 public:
  explicit TestServer(std::string data_dir = "", int64_t node_timeout_ms = 10000,
                      std::string policy = "default") {
    options_.data_dir = data_dir.empty() ? TempDir("server") : data_dir;
    options_.listen = "127.0.0.1:0";
    options_.node_timeout_ms = node_timeout_ms;
    options_.policy = policy;
    options_.web_dir = "/nonexistent-suanli-web";
    options_.http_threads = 32;
    options_.strict_decisions = true;  // every test also checks every scheduling decision
    Start();
  }
  ~TestServer() {
    if (server_) server_->Stop();
  }
  void Start() {
    auto s = Server::Start(options_);
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    server_ = std::move(s).value();
  }
  void Stop() {
    if (server_) server_->Stop();
    server_.reset();
  }
  std::string admin_token() const { return ReadFile(fs::path(options_.data_dir) / "admin.token"); }
  Client Admin() const { return Client(server_->url(), admin_token()); }
  Client As(const std::string& token) const { return Client(server_->url(), token); }
  Server& server() { return *server_; }
  const ServerOptions& options() const { return options_; }
  ServerOptions& mutable_options() { return options_; }  // then Stop() + Start()

 private:
  ServerOptions options_;
  std::unique_ptr<Server> server_;
};

// Speaks the agent protocol for one node, as the test tells it to.
class FakeAgent {
 public:
  FakeAgent(TestServer& s, std::string name, int gpus, std::string type = "nvidia-a100",
            double cpus = 16, int64_t mem_mb = 64000)
      : client_(s.server().url(), s.server().join_token()), name_(std::move(name)) {
    reg_ = json{{"name", name_}, {"cpus", cpus}, {"mem_mb", mem_mb}, {"address", "127.0.0.1"}};
    json devices = json::array();
    for (int i = 0; i < gpus; ++i) {
      devices.push_back(json{{"index", i},
                             {"type", type},
                             {"uuid", name_ + "-GPU-" + std::to_string(i)},
                             {"memory_mb", 81920},
                             {"island", 0}});
    }
    reg_["devices"] = devices;
  }
  Response Register(const json& running = json::array()) {
    json body = reg_;
    body["running"] = running;
    return client_.Post("/api/v1/agents/register", body);
  }
  // One poll; events and running as given.
  Response Poll(const std::vector<json>& events = {}, const json& running = json::array(),
                int wait_ms = 0) {
    json ev = json::array();
    for (const auto& e : events) ev.push_back(e);
    return client_.Post("/api/v1/agents/" + name_ + "/poll",
                        json{{"wait_ms", wait_ms}, {"events", ev}, {"running", running}});
  }
  // Polls until a launch (or kill, with want_kill) arrives or `tries` polls pass.
  json PollFor(const char* what, int tries = 50) {
    for (int i = 0; i < tries; ++i) {
      Response r = Poll({}, json::array(), 200);
      if (r.status != 200) return json();
      if (!r.body[what].empty()) return r.body[what];
    }
    return json::array();
  }
  static json Event(int64_t job, int attempt, int task, const std::string& event, int exit_code = 0,
                    const std::string& reason = "") {
    json e{{"job_id", job}, {"attempt", attempt}, {"task", task}, {"event", event}};
    if (event == "exited") e["exit_code"] = exit_code;
    if (!reason.empty()) e["reason"] = reason;
    return e;
  }
  Client& client() { return client_; }
  const std::string& name() const { return name_; }

 private:
  Client client_;
  std::string name_;
  json reg_;
};

// Waits until `pred(job json)` holds, polling GET /jobs/{id}.
template <typename Pred>
json WaitForJob(Client& c, int64_t id, Pred pred, int timeout_ms = 5000) {
  json last;
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    Response r = c.Get("/api/v1/jobs/" + std::to_string(id));
    last = r.body;
    if (r.status == 200 && pred(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "job " << id << " never reached the expected state; last: " << last.dump();
  return last;
}

}  // namespace suanli::server::testing
