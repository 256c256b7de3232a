#include "server/api.h"

#include <fcntl.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>

#include "base/free_port.h"
#include "server/executor.h"
#include "server/http_guard.h"
#include "server/json_input.h"
#include "server/rate_limit.h"
#include "server/requests.h"
#include "server/service_gateway.h"
#include "server/services.h"

namespace suanli::server {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxLogChunk = 1 << 20;

enum class Auth { kNone, kUser, kAgent };

using Handler = std::function<ApiReply(const httplib::Request&, const std::string& token)>;

struct Route {
  std::string method;
  std::string path;  // OpenAPI form
  Auth auth;
  Handler handler;
};

// "/api/v1/jobs/{id}/logs" -> "/api/v1/jobs/([0-9]+)/logs" (names: [A-Za-z0-9._-]).
std::string PatternFor(const std::string& path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '{') {
      size_t close = path.find('}', i);
      std::string name = path.substr(i + 1, close - i - 1);
      out += name == "id" ? "([0-9]+)" : "([A-Za-z0-9._-]+)";
      i = close + 1;
    } else {
      out += path[i++];
    }
  }
  return out;
}

Params QueryParams(const httplib::Request& req) {
  Params p;
  for (const auto& [k, v] : req.params) p.emplace(k, v);
  return p;
}

Result<int64_t> PathId(const httplib::Request& req) {
  try {
    return std::stoll(req.matches[1].str());
  } catch (const std::exception&) {
    return InvalidArgument("the id in the path is not a valid number");
  }
}

class Api {
 public:
  Api(Executor* ex, NodeSignals* signals, Metrics* metrics, ApiOptions options)
      : ex_(ex), signals_(signals), metrics_(metrics), options_(std::move(options)) {}

  std::vector<Route> Routes();

  // Runs `op` on the owner thread for an authenticated user.
  ApiReply AsUser(const std::string& token,
                  std::function<ApiReply(Controller&, const Principal&)> op) {
    return ex_->Call([token, op = std::move(op)](Controller& c) {
      auto p = c.Authenticate(token);
      if (!p.ok()) return ErrorReply(p.status());
      return op(c, *p);
    });
  }
  ApiReply AsAgent(const std::string& token, std::function<ApiReply(Controller&)> op) {
    return ex_->Call([token, op = std::move(op)](Controller& c) {
      if (!c.IsJoinToken(token)) {
        return ErrorReply(Unauthenticated("agents authenticate with the cluster join token"));
      }
      return op(c);
    });
  }

  ApiReply Poll(const httplib::Request& req, const std::string& token);
  ApiReply ReadLogs(const httplib::Request& req, const std::string& token);
  ApiReply UploadLogs(const httplib::Request& req, const std::string& token);

  Executor* ex_;
  NodeSignals* signals_;
  Metrics* metrics_;
  ApiOptions options_;
  std::mutex log_mu_;  // log files are appended by many HTTP threads
};

template <typename T>
ApiReply Fail(const Result<T>& r) {
  return ErrorReply(r.status());
}

std::vector<Route> Api::Routes() {
  std::vector<Route> r;
  auto add = [&](std::string method, std::string path, Auth auth, Handler h) {
    r.push_back(Route{std::move(method), std::move(path), auth, std::move(h)});
  };
  add("GET", "/api/v1/healthz", Auth::kNone, [](const httplib::Request&, const std::string&) {
    return JsonReply(200, json{{"ok", true}});
  });
  // Served by the server before routing (it knows whether it leads: server.cc RouteByRole); this
  // route answers only where no server wraps the API, which then is the only controller.
  add("GET", "/api/v1/readyz", Auth::kNone, [](const httplib::Request&, const std::string&) {
    return JsonReply(200, json{{"role", "leader"}, {"leader", ""}});
  });
  add("GET", "/metrics", Auth::kNone, [this](const httplib::Request&, const std::string&) {
    return ex_->Call([](Controller& c) {
      ApiReply r;
      r.content_type = "text/plain; version=0.0.4";
      r.body = c.MetricsText();
      return r;
    });
  });
  add("POST", "/api/v1/jobs", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseSubmit(req.body);
        if (!parsed.ok()) return Fail(parsed);
        std::string key = parsed->spec.idempotency_key;
        return ex_
            ->PostSubmission(
                [tok, sub = std::move(parsed).value()](Controller& c) mutable {
                  auto p = c.Authenticate(tok);
                  if (!p.ok()) return ErrorReply(p.status());
                  return c.SubmitJob(*p, std::move(sub));
                },
                tok, key)
            .get();
      });
  add("GET", "/api/v1/jobs", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseJobList(QueryParams(req));
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(
            tok, [q = *parsed](Controller& c, const Principal& p) { return c.ListJobs(p, q); });
      });
  add("GET", "/api/v1/jobs/{id}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto id = PathId(req);
        if (!id.ok()) return Fail(id);
        return AsUser(tok,
                      [id = *id](Controller& c, const Principal& p) { return c.GetJob(p, id); });
      });
  // cancel, hold and release take one optional field, {"array": true}: every task of the array
  // whose id this is (scancel 123 of an array), not only the task with this id.
  add("POST", "/api/v1/jobs/{id}/cancel", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto id = PathId(req);
        if (!id.ok()) return Fail(id);
        auto whole = ParseArrayFlag(req.body);
        if (!whole.ok()) return Fail(whole);
        return AsUser(tok, [id = *id, whole = *whole](Controller& c, const Principal& p) {
          return c.CancelJobs(p, id, whole);
        });
      });
  for (bool hold : {true, false}) {
    add("POST", hold ? "/api/v1/jobs/{id}/hold" : "/api/v1/jobs/{id}/release", Auth::kUser,
        [this, hold](const httplib::Request& req, const std::string& tok) {
          auto id = PathId(req);
          if (!id.ok()) return Fail(id);
          auto whole = ParseArrayFlag(req.body);
          if (!whole.ok()) return Fail(whole);
          return AsUser(tok, [id = *id, whole = *whole, hold](Controller& c, const Principal& p) {
            return c.HoldJob(p, id, hold, whole);
          });
        });
  }
  add("GET", "/api/v1/jobs/{id}/logs", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) { return ReadLogs(req, tok); });
  add("POST", "/api/v1/services", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseServiceCreate(req.body);
        if (!parsed.ok()) return Fail(parsed);
        // The endpoint's port is picked here, off the owner thread; the gateway binds it.
        auto port = PickFreeTcpPort(options_.service_host);
        if (!port.ok()) return Fail(port);
        parsed->endpoint_port = *port;
        return AsUser(tok, [r = std::move(parsed).value()](Controller& c, const Principal& p) {
          return c.CreateService(p, r);
        });
      });
  add("GET", "/api/v1/services", Auth::kUser,
      [this](const httplib::Request&, const std::string& tok) {
        return AsUser(tok, [](Controller& c, const Principal& p) { return c.ListServices(p); });
      });
  add("GET", "/api/v1/services/{name}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        return AsUser(tok, [name = req.matches[1].str()](Controller& c, const Principal& p) {
          return c.GetService(p, name);
        });
      });
  add("PATCH", "/api/v1/services/{name}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseServiceUpdate(req.body);
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(tok, [name = req.matches[1].str(), u = std::move(parsed).value()](
                               Controller& c, const Principal& p) {
          return c.UpdateService(p, name, u);
        });
      });
  add("DELETE", "/api/v1/services/{name}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        return AsUser(tok, [name = req.matches[1].str()](Controller& c, const Principal& p) {
          return c.DeleteService(p, name);
        });
      });
  add("POST", "/api/v1/tenants", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseTenant(req.body);
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(
            tok, [t = *parsed](Controller& c, const Principal& p) { return c.CreateTenant(p, t); });
      });
  add("GET", "/api/v1/tenants", Auth::kUser,
      [this](const httplib::Request&, const std::string& tok) {
        return AsUser(tok, [](Controller& c, const Principal& p) { return c.ListTenants(p); });
      });
  add("PATCH", "/api/v1/tenants/{name}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseTenantUpdate(req.body);
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(
            tok, [name = req.matches[1].str(), u = std::move(parsed).value()](
                     Controller& c, const Principal& p) { return c.UpdateTenant(p, name, u); });
      });
  add("DELETE", "/api/v1/tenants/{name}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        return AsUser(tok, [name = req.matches[1].str()](Controller& c, const Principal& p) {
          return c.DeleteTenant(p, name);
        });
      });
  add("POST", "/api/v1/users", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseUser(req.body);
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(
            tok, [u = *parsed](Controller& c, const Principal& p) { return c.CreateUser(p, u); });
      });
  add("GET", "/api/v1/users", Auth::kUser, [this](const httplib::Request&, const std::string& tok) {
    return AsUser(tok, [](Controller& c, const Principal& p) { return c.ListUsers(p); });
  });
  add("POST", "/api/v1/tokens", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseTokenRequest(req.body);
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(
            tok, [u = *parsed](Controller& c, const Principal& p) { return c.CreateToken(p, u); });
      });
  add("DELETE", "/api/v1/tokens/{id}", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto id = PathId(req);
        if (!id.ok()) return Fail(id);
        return AsUser(
            tok, [id = *id](Controller& c, const Principal& p) { return c.RevokeToken(p, id); });
      });
  add("GET", "/api/v1/whoami", Auth::kUser,
      [this](const httplib::Request&, const std::string& tok) {
        return AsUser(tok, [](Controller& c, const Principal& p) { return c.WhoAmI(p); });
      });
  add("GET", "/api/v1/nodes", Auth::kUser, [this](const httplib::Request&, const std::string& tok) {
    return AsUser(tok, [](Controller& c, const Principal& p) { return c.ListNodes(p); });
  });
  for (bool draining : {true, false}) {
    add("POST", draining ? "/api/v1/nodes/{name}/drain" : "/api/v1/nodes/{name}/resume",
        Auth::kUser, [this, draining](const httplib::Request& req, const std::string& tok) {
          return AsUser(tok,
                        [name = req.matches[1].str(), draining](Controller& c, const Principal& p) {
                          return c.SetNodeDraining(p, name, draining);
                        });
        });
  }
  add("GET", "/api/v1/usage", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseUsage(QueryParams(req));
        if (!parsed.ok()) return Fail(parsed);
        return AsUser(tok,
                      [q = *parsed](Controller& c, const Principal& p) { return c.Usage(p, q); });
      });
  add("GET", "/api/v1/stats/overview", Auth::kUser,
      [this](const httplib::Request&, const std::string& tok) {
        return AsUser(tok, [](Controller& c, const Principal& p) { return c.Overview(p); });
      });
  add("GET", "/api/v1/stats/utilization", Auth::kUser,
      [this](const httplib::Request& req, const std::string& tok) {
        auto since = ParseSinceParam(QueryParams(req), "since");
        if (!since.ok()) return Fail(since);
        return AsUser(
            tok, [s = *since](Controller& c, const Principal& p) { return c.Utilization(p, s); });
      });
  add("POST", "/api/v1/agents/register", Auth::kAgent,
      [this](const httplib::Request& req, const std::string& tok) {
        auto parsed = ParseRegister(req.body);
        if (!parsed.ok()) return Fail(parsed);
        return AsAgent(
            tok, [r = std::move(parsed).value()](Controller& c) { return c.RegisterAgent(r); });
      });
  add("POST", "/api/v1/agents/{name}/poll", Auth::kAgent,
      [this](const httplib::Request& req, const std::string& tok) { return Poll(req, tok); });
  add("POST", "/api/v1/agents/{name}/logs", Auth::kAgent,
      [this](const httplib::Request& req, const std::string& tok) { return UploadLogs(req, tok); });
  return r;
}

ApiReply Api::Poll(const httplib::Request& req, const std::string& token) {
  std::string node = req.matches[1].str();
  auto parsed = ParsePoll(req.body);
  if (!parsed.ok()) return Fail(parsed);
  // Read the node's signal before the poll, so work queued after it wakes the wait below.
  uint64_t seen = signals_->Sequence(node);
  int64_t wait_ms = parsed->wait_ms;
  ApiReply r = AsAgent(
      token, [node, p = std::move(parsed).value()](Controller& c) { return c.PollAgent(node, p); });
  if (r.status != 200 || r.has_work || wait_ms <= 0) return r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  signals_->WaitPast(node, seen, deadline);
  return AsAgent(token, [node](Controller& c) { return c.TakeWork(node); });
}

ApiReply Api::ReadLogs(const httplib::Request& req, const std::string& token) {
  auto id = PathId(req);
  if (!id.ok()) return Fail(id);
  auto parsed = ParseLogRead(QueryParams(req));
  if (!parsed.ok()) return Fail(parsed);
  auto path = std::make_shared<std::string>();
  ApiReply r = AsUser(token, [id = *id, q = *parsed, path](Controller& c, const Principal& p) {
    return c.CheckLogRead(p, id, q, path.get());
  });
  if (r.status != 200) return r;
  std::string data;
  std::ifstream in(*path, std::ios::binary);
  if (in) {
    in.seekg(0, std::ios::end);
    int64_t size = in.tellg();
    if (parsed->offset < size) {
      size_t n = static_cast<size_t>(std::min<int64_t>(size - parsed->offset, kMaxLogChunk));
      data.resize(n);
      in.seekg(parsed->offset);
      in.read(data.data(), static_cast<std::streamsize>(n));
      data.resize(static_cast<size_t>(in.gcount()));
    }
  }
  r.headers.emplace_back("X-Suanli-Next-Offset",
                         std::to_string(parsed->offset + int64_t(data.size())));
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(data);
  return r;
}

ApiReply Api::UploadLogs(const httplib::Request& req, const std::string& token) {
  std::string node = req.matches[1].str();
  auto parsed = ParseLogUpload(req.body);
  if (!parsed.ok()) return Fail(parsed);
  auto target = std::make_shared<LogTarget>();
  ApiReply r = AsAgent(token, [node, up = *parsed, target](Controller& c) {
    return c.CheckLogUpload(node, up, target.get());
  });
  if (r.status != 204 || target->path.empty()) return r;
  std::lock_guard lock(log_mu_);
  std::error_code ec;
  fs::create_directories(fs::path(target->path).parent_path(), ec);
  int64_t size =
      fs::exists(target->path, ec) ? static_cast<int64_t>(fs::file_size(target->path, ec)) : 0;
  if (parsed->offset > size) {
    return ErrorReply(FailedPrecondition("log offset " + std::to_string(parsed->offset) +
                                         " is past the stored end; expected offset " +
                                         std::to_string(size)));
  }
  // Bytes before the stored end were received already (a retried upload): append only the rest.
  size_t skip = static_cast<size_t>(size - parsed->offset);
  if (skip < parsed->data.size()) {
    // Job output may hold secrets: log files are private to the server's user (0600).
    int fd = ::open(target->path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return ErrorReply(Internal("cannot open log file " + target->path));
    const char* p = parsed->data.data() + skip;
    size_t left = parsed->data.size() - skip;
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return ErrorReply(Internal("cannot write log file " + target->path));
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    ::close(fd);
  }
  ApiReply ok;
  ok.status = 204;
  return ok;
}

void Send(httplib::Response& res, const ApiReply& r) {
  res.status = r.status;
  for (const auto& [k, v] : r.headers) res.set_header(k, v);
  if (r.status != 204) res.set_content(r.body, r.content_type);
}

}  // namespace

std::vector<RouteInfo> ApiRoutes() {
  Api api(nullptr, nullptr, nullptr, {});
  std::vector<RouteInfo> out;
  for (const auto& r : api.Routes()) out.push_back({r.method, r.path});
  return out;
}

std::string ResolveWebDir(const std::string& configured) {
  std::error_code ec;
  auto has_index = [&](const fs::path& d) { return fs::exists(d / "index.html", ec); };
  if (!configured.empty()) return has_index(configured) ? configured : "";
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) {
    buf[n] = '\0';
    fs::path beside = fs::path(buf).parent_path() / ".." / "web" / "dist";
    if (has_index(beside)) return fs::weakly_canonical(beside, ec).string();
  }
  if (const char* src = std::getenv("SUANLI_SOURCE_DIR")) {
    fs::path d = fs::path(src) / "web" / "dist";
    if (has_index(d)) return d.string();
  }
  return "";
}

void RegisterApi(httplib::Server& http, Executor* executor, NodeSignals* signals, Metrics* metrics,
                 const ApiOptions& options) {
  auto api = std::make_shared<Api>(executor, signals, metrics, options);
  for (auto& route : api->Routes()) {
    auto handler = [api, route](const httplib::Request& req, httplib::Response& res) {
      auto t0 = std::chrono::steady_clock::now();
      std::string token;
      if (route.auth != Auth::kNone) token = BearerToken(req.get_header_value("Authorization"));
      ApiReply reply;
      int64_t retry_after_s = 0;
      RateLimiter* limiter = api->options_.rate_limiter;
      if (route.auth == Auth::kUser && limiter &&
          !limiter->Take(token, std::chrono::duration<double>(t0.time_since_epoch()).count(),
                         &retry_after_s)) {
        reply = ErrorReply(ResourceExhausted(
            "rate limit: this token may make " + limiter->describe() + "; retry after " +
            std::to_string(retry_after_s) + " s"));
        reply.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
        Send(res, reply);
        return;
      }
      try {
        reply = route.handler(req, token);
      } catch (const std::exception& e) {
        spdlog::error("{} {} failed with an exception: {}", req.method, req.path, e.what());
        reply = ErrorReply(Internal("internal error"));
      }
      Send(res, reply);
      if (api->metrics_) {
        api->metrics_->api_latency.Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
    };
    std::string pattern = PatternFor(route.path);
    if (route.method == "GET") http.Get(pattern, handler);
    if (route.method == "POST") http.Post(pattern, handler);
    if (route.method == "DELETE") http.Delete(pattern, handler);
    if (route.method == "PATCH") http.Patch(pattern, handler);
  }
  std::string web = ResolveWebDir(options.web_dir);
  if (!web.empty()) {
    http.set_mount_point("/", web);
  } else {
    http.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          "<!doctype html><html><head><title>Suanli</title></head><body><h1>Suanli</h1>"
          "<p>The dashboard is not built. Run <code>make web</code> (or pass "
          "<code>--web-dir</code>), then reload. The REST API is at <code>/api/v1</code>.</p>"
          "</body></html>",
          "text/html; charset=utf-8");
    });
  }
  httplib::Server::HandlerWithResponse on_error = [web](const httplib::Request& req,
                                                        httplib::Response& res) {
    int limit_status = 0;
    std::string limit_message;
    if (GuardedServer::CurrentLimitError(&limit_status, &limit_message)) {
      // The request broke a limit of the connection (too slow, header too large): say which.
      res.status = limit_status;
      res.set_header("Connection", "close");
      res.set_content(ErrorBody(Status(limit_status == 408 ? StatusCode::kInvalidArgument
                                                           : StatusCode::kResourceExhausted,
                                       limit_message)),
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    bool api_path = req.path.rfind("/api/", 0) == 0 || req.path == "/metrics";
    if (res.status == 404 && !api_path && !web.empty() && req.method == "GET") {
      // The dashboard routes in the browser: unknown paths get its index page.
      std::ifstream in(fs::path(web) / "index.html", std::ios::binary);
      std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      res.status = 200;
      res.set_content(html, "text/html; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    Status st;
    if (res.status == 413) {
      st = ResourceExhausted("request body is larger than 1 MiB");
    } else if (res.status == 404) {
      st = NotFound("no route " + req.method + " " + req.path);
    } else if (res.status == 405) {
      st = InvalidArgument("method " + req.method + " is not allowed on " + req.path);
    } else {
      st = Status(res.status >= 500 ? StatusCode::kInternal : StatusCode::kInvalidArgument,
                  "HTTP " + std::to_string(res.status));
    }
    res.set_content(ErrorBody(st), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  http.set_error_handler(on_error);
}

}  // namespace suanli::server
