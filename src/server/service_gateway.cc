#include "server/service_gateway.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <strings.h>
#include <unistd.h>

#include <future>
#include <set>
#include <nlohmann/json.hpp>
#include <vector>

#include "server/executor.h"

namespace suanli::server {

using nlohmann::json;

namespace {

bool SplitAddress(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = address.substr(0, colon);
  try {
    *port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
    return false;
  }
  return *port > 0 && *port < 65536;
}

// Headers that belong to one connection, not to the request (RFC 9110 7.6.1).
bool HopByHop(const std::string& name) {
  static const char* const kNames[] = {"connection", "keep-alive", "proxy-connection",
                                       "transfer-encoding", "upgrade", "te", "trailer",
                                       "content-length", "host"};
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* n : kNames) {
    if (lower == n) return true;
  }
  return false;
}

bool SameName(const std::string& a, const char* b) {
  return strcasecmp(a.c_str(), b) == 0;
}

}  // namespace

// One service's endpoint: its listening server, the healthy replicas it forwards to, a pool of
// kept-alive connections per replica, and the requests forwarded since the last report.
struct ServiceGateway::Endpoint {
  std::string name;
  int port = 0;
  httplib::Server http;
  std::thread listener;
  std::mutex mu;
  std::vector<std::string> healthy;  // addresses
  std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle;
  std::atomic<uint64_t> next{0};
  std::atomic<int64_t> forwarded{0};

  std::unique_ptr<httplib::Client> TakeClient(const std::string& address) {
    {
      std::lock_guard lock(mu);
      auto& pool = idle[address];
      if (!pool.empty()) {
        auto c = std::move(pool.back());
        pool.pop_back();
        return c;
      }
    }
    std::string host;
    int port = 0;
    if (!SplitAddress(address, &host, &port)) return nullptr;
    auto c = std::make_unique<httplib::Client>(host, port);
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);
    c->set_connection_timeout(1, 0);
    c->set_read_timeout(60, 0);
    c->set_write_timeout(10, 0);
    return c;
  }
  void GiveBack(const std::string& address, std::unique_ptr<httplib::Client> c) {
    std::lock_guard lock(mu);
    auto& pool = idle[address];
    if (pool.size() < 64) pool.push_back(std::move(c));
  }

  void Forward(const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> targets;
    {
      std::lock_guard lock(mu);
      targets = healthy;
    }
    if (targets.empty()) {
      res.status = 503;
      res.set_content("service " + name + " has no healthy replica\n", "text/plain");
      return;
    }
    httplib::Request out;
    out.method = req.method;
    out.path = req.target.empty() ? req.path : req.target;
    for (const auto& [k, v] : req.headers) {
      if (!HopByHop(k)) out.headers.emplace(k, v);
    }
    out.headers.emplace("X-Forwarded-For", req.remote_addr);
    out.body = req.body;
    const uint64_t first = next.fetch_add(1);
    std::string last_error;
    // Each healthy replica at most once, starting with this request's turn.
    for (size_t i = 0; i < targets.size(); ++i) {
      const std::string& address = targets[(first + i) % targets.size()];
      auto client = TakeClient(address);
      if (!client) continue;
      httplib::Result r = client->send(out);
      if (!r) {
        last_error = address + ": " + httplib::to_string(r.error());
        // Dead or restarting: the next one answers. A request that may have reached the replica
        // (it failed after being written) is tried again elsewhere only when repeating it is
        // harmless (HTTP's idempotent methods): a POST to a model must not run twice.
        const bool not_delivered =
            r.error() == httplib::Error::Connection || r.error() == httplib::Error::Write;
        const bool idempotent = out.method == "GET" || out.method == "HEAD" ||
                                out.method == "OPTIONS" || out.method == "PUT" ||
                                out.method == "DELETE";
        if (not_delivered || idempotent) continue;
        break;
      }
      res.status = r->status;
      for (const auto& [k, v] : r->headers) {
        if (!HopByHop(k) && !SameName(k, "content-type")) {
          res.headers.emplace(k, v);
        }
      }
      res.set_header("X-Suanli-Replica", address);
      std::string type = r->get_header_value("Content-Type");
      res.body = std::move(r->body);
      if (!type.empty()) res.set_header("Content-Type", type);
      forwarded.fetch_add(1);
      GiveBack(address, std::move(client));
      return;
    }
    res.status = 502;
    res.set_content("service " + name + ": no replica answered (" + last_error + ")\n",
                    "text/plain");
  }
};

ServiceGateway::ServiceGateway(Executor* executor, std::string host, int64_t period_ms)
    : executor_(executor), host_(std::move(host)), period_ms_(period_ms) {}

ServiceGateway::~ServiceGateway() { Stop(); }

void ServiceGateway::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void ServiceGateway::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& [name, ep] : endpoints_) {
    ep->http.stop();
    if (ep->listener.joinable()) ep->listener.join();
  }
  endpoints_.clear();
}

void ServiceGateway::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(period_ms_), [&] { return stopping_; });
      if (stopping_) return;
    }
    try {
      Round();
    } catch (const std::exception& e) {
      spdlog::error("service gateway: {}", e.what());
    }
  }
}

void ServiceGateway::Round() {
  ApiReply targets = executor_->Call([](Controller& c) { return c.ServiceTargets(); });
  if (targets.status != 200) return;  // a standby, or the store is lost
  json t = json::parse(targets.body, nullptr, false);
  if (t.is_discarded()) return;
  if (t.value("services", json::array()).empty() && endpoints_.empty()) return;  // nothing to do
  std::set<std::string> seen;
  struct Probe {
    std::string service;
    int64_t job;
    std::string address;
    std::future<std::pair<bool, std::string>> result;
  };
  std::vector<Probe> probes;
  // What each endpoint forwards to once this round's probes are in: a replica that answers its
  // health check now serves now, before the controller has heard of it.
  std::map<std::string, std::vector<std::string>> healthy_after;
  for (const auto& s : t.value("services", json::array())) {
    std::string name = s.value("name", "");
    int port = s.value("port", 0);
    seen.insert(name);
    auto& ep = endpoints_[name];
    if (!ep && port > 0) {
      auto e = std::make_shared<Endpoint>();
      e->name = name;
      e->port = port;
      auto handler = [raw = e.get()](const httplib::Request& req, httplib::Response& res) {
        raw->Forward(req, res);
      };
      e->http.Get(".*", handler);
      e->http.Post(".*", handler);
      e->http.Put(".*", handler);
      e->http.Patch(".*", handler);
      e->http.Delete(".*", handler);
      e->http.Options(".*", handler);
      e->http.set_tcp_nodelay(true);
      if (!e->http.bind_to_port(host_, port)) {
        // Tried again every round (the port may be held for a while by another process); said
        // once, not every round.
        if (bind_failed_.insert(name).second) {
          spdlog::error("service {}: cannot listen on {}:{} for its endpoint; retrying", name,
                        host_, port);
        }
      } else {
        e->listener = std::thread([raw = e.get()] { raw->http.listen_after_bind(); });
        spdlog::info("service {}: endpoint http://{}:{}", name, host_, port);
        bind_failed_.erase(name);
        ep = e;
      }
    }
    const std::string health = s.value("health", "");
    auto& routes = healthy_after[name];
    for (const auto& r : s.value("replicas", json::array())) {
      std::string address = r.value("address", "");
      if (health.empty()) {  // no check: every running replica serves
        if (r.value("healthy", false)) routes.push_back(address);
        continue;
      }
      probes.push_back(Probe{name, r.value("job", int64_t{0}), address,
                             std::async(std::launch::async, [address, health] {
                               std::string host;
                               int port = 0;
                               if (!SplitAddress(address, &host, &port)) {
                                 return std::make_pair(false, "bad address " + address);
                               }
                               httplib::Client c(host, port);
                               c.set_connection_timeout(0, 500000);
                               c.set_read_timeout(2, 0);
                               auto r = c.Get(health);
                               if (!r) {
                                 return std::make_pair(false, "GET " + health + ": " +
                                                                  httplib::to_string(r.error()));
                               }
                               if (r->status < 200 || r->status > 299) {
                                 return std::make_pair(false, "GET " + health + " answered " +
                                                                  std::to_string(r->status));
                               }
                               return std::make_pair(true, std::string());
                             })});
    }
  }
  // Services deleted: their endpoints close.
  for (auto it = endpoints_.begin(); it != endpoints_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second) {
      it->second->http.stop();
      if (it->second->listener.joinable()) it->second->listener.join();
    }
    it = endpoints_.erase(it);
  }
  json report = json::object();
  std::map<std::string, json> by_service;
  for (auto& p : probes) {
    auto [ok, error] = p.result.get();
    by_service[p.service]["probes"].push_back(json{{"job", p.job}, {"ok", ok}, {"error", error}});
    if (ok) healthy_after[p.service].push_back(p.address);
  }
  for (auto& [name, routes] : healthy_after) {
    auto it = endpoints_.find(name);
    if (it == endpoints_.end() || !it->second) continue;
    std::lock_guard lock(it->second->mu);
    it->second->healthy = std::move(routes);
  }
  for (auto& [name, ep] : endpoints_) {
    if (ep) by_service[name]["requests"] = ep->forwarded.exchange(0);
  }
  json services = json::array();
  for (auto& [name, j] : by_service) {
    j["name"] = name;
    services.push_back(j);
  }
  report["services"] = services;
  executor_->Call([report](Controller& c) { return c.ReportServiceProbes(report); });
}

}  // namespace suanli::server
