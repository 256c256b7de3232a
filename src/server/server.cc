// Server::Start: wires the store, the controller, its owner thread and the HTTP server.
#include "server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/policy.h"
#include "server/api.h"
#include "server/controller.h"
#include "server/executor.h"
#include "server/service_gateway.h"
#include "server/http_guard.h"
#include "server/prices.h"
#include "server/rate_limit.h"
#include "server/tenant_directory.h"

namespace suanli::server {

namespace fs = std::filesystem;

namespace {

std::string ReadFileTrimmed(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Writes atomically (temp file + rename) with the given mode, so a crash never leaves half a token.
Status WriteFileAtomic(const fs::path& p, const std::string& content, mode_t mode) {
  fs::path tmp = p;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) return Internal("cannot write " + tmp.string() + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  std::string data = content + "\n";
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), p.c_str()) != 0) {
    return Internal("cannot write " + p.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::pair<std::string, int>> SplitListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgument("--listen must be HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument("--listen port must be 0-65535, got '" + listen.substr(colon + 1) + "'");
  }
  return std::make_pair(host, port);
}

// cpp-httplib 0.11 listens with a backlog of 5, so a burst of clients connecting at once overflows
// it (connection resets and 1 s SYN retries). Linux lets listen() be called again on a listening
// socket to raise the backlog; find our socket by its port.
void RaiseListenBacklog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int p = addr.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
            : addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                         : -1;
    if (p == port) ::listen(fd, 1024);
  }
}

// Each open connection holds a descriptor (two while a refusal drains): raise the soft limit
// toward the hard one so `max_connections` can be reached (a login shell's soft limit is 1024).
void RaiseDescriptorLimit(int max_connections) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  rlim_t want = static_cast<rlim_t>(max_connections) * 2 + 1024;
  if (lim.rlim_cur >= want || lim.rlim_cur == RLIM_INFINITY) return;
  lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur < want) {
    spdlog::warn("open files are limited to {} (ulimit -n): fewer than {} connections fit",
                 lim.rlim_cur, max_connections);
  }
}

class ServerImpl final : public Server {
 public:
  ~ServerImpl() override { Stop(); }

  Status Init(const ServerOptions& o) {
    options_ = o;
    fs::path dir(o.data_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Internal("cannot create data dir " + o.data_dir + ": " + ec.message());
    // The data dir holds the database (token hashes, every job's env), job logs and the admin
    // and join tokens: only the server's user may read it.
    if (::chmod(dir.c_str(), 0700) != 0) {
      return Internal("cannot make data dir " + o.data_dir +
                      " private (chmod 0700): " + std::string(strerror(errno)));
    }
    lock_fd_ = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT, 0600);
    if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return FailedPrecondition("another suanli server is using data dir " + o.data_dir);
    }
    SUANLI_ASSIGN_OR_RETURN(auto listen, SplitListen(o.listen));
    if (o.node_timeout_ms <= 0) return InvalidArgument("--node-timeout must be positive");
    if (o.starting_timeout_ms <= 0) return InvalidArgument("starting_timeout_ms must be positive");
    SUANLI_ASSIGN_OR_RETURN(core::PriceTable prices, LoadPriceTable(o.prices_file, o.data_dir));
    core::PolicyConfig pc;
    pc.name = o.policy;
    SUANLI_RETURN_IF_ERROR(core::MakePolicy(pc).status());  // a bad name fails the start
    SUANLI_RETURN_IF_ERROR(store::ValidateStoreUri(o.store_uri));
    auto opened = store::OpenStore(o.store_uri, (dir / "suanli.db").string());
    if (!opened.ok()) {
      return Status(opened.status().code(), "cannot open the store: " + opened.status().message());
    }
    store_ = std::move(opened).value();

    controller_options_.data_dir = o.data_dir;
    controller_options_.node_timeout_ms = o.node_timeout_ms;
    controller_options_.heartbeat_ms = std::clamp<int64_t>(o.node_timeout_ms / 5, 100, 1000);
    controller_options_.prices = prices;
    controller_options_.starting_timeout_ms = o.starting_timeout_ms;
    controller_options_.strict_decisions = o.strict_decisions;
    controller_options_.max_array_tasks = o.max_array_tasks;
    controller_options_.max_pending_per_user = o.max_pending_per_user;
    controller_options_.max_pending_per_tenant = o.max_pending_per_tenant;
    admin_token_path_ = (dir / "admin.token").string();
    // The controller is made on becoming the leader (a standby holds no state of its own).
    executor_ = std::make_unique<Executor>(nullptr, store_.get(), &metrics_);
    executor_->OnStoreLost([this](const Status& why) { LoseLeadership(why); });
    if (o.max_connections < 1 || o.max_connections_per_source < 0) {
      return InvalidArgument("--max-connections must be positive and --max-connections-per-source "
                             "0 or more");
    }
    if (o.http_request_timeout_ms <= 0) {
      return InvalidArgument("--http-request-timeout must be positive");
    }
    if (o.max_pending_per_user < 0 || o.max_pending_per_tenant < 0) {
      return InvalidArgument("--max-pending-per-user/--max-pending-per-tenant must be 0 or more");
    }
    // One thread per open connection (http_guard.h): slow and idle clients time out on their own
    // thread and never hold others' replies back.
    HttpLimits limits;
    limits.base_threads = static_cast<size_t>(std::max(8, o.http_threads));
    limits.max_connections = static_cast<size_t>(o.max_connections);
    limits.max_connections_per_source = static_cast<size_t>(o.max_connections_per_source);
    limits.request_timeout_ms = o.http_request_timeout_ms;
    RaiseDescriptorLimit(o.max_connections);
    http_ = std::make_unique<GuardedServer>(limits);
    http_->set_tcp_nodelay(true);  // small JSON replies: no Nagle + delayed-ACK stalls
    http_->set_keep_alive_max_count(10000);
    http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (http_->CheckRequestHead(req, res) == httplib::Server::HandlerResponse::Handled) {
        return httplib::Server::HandlerResponse::Handled;
      }
      return RouteByRole(req, res);
    });
    rate_limiter_ = std::make_unique<RateLimiter>(RateLimit{o.rate_limit_per_s, o.rate_limit_burst});
    ApiOptions api_options{o.data_dir, o.web_dir};
    service_bind_host_ = listen.first;
    service_url_host_ = listen.first == "0.0.0.0" || listen.first.empty() ? "127.0.0.1"
                                                                          : listen.first;
    api_options.service_host = service_bind_host_;
    if (rate_limiter_->enabled()) api_options.rate_limiter = rate_limiter_.get();
    RegisterApi(*http_, executor_.get(), &signals_, &metrics_, api_options);

    auto [host, port] = listen;
    int bound =
        port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
    if (bound <= 0) return Unavailable("cannot listen on " + o.listen);
    RaiseListenBacklog(bound);
    std::string url_host = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
    if (url_host.find(':') != std::string::npos) url_host = "[" + url_host + "]";
    url_ = "http://" + url_host + ":" + std::to_string(bound);

    SUANLI_ASSIGN_OR_RETURN(store::LeaderInfo leader, store_->TryLead(url_));
    if (leader.is_me) {
      SUANLI_RETURN_IF_ERROR(BecomeLeader(leader));
    } else {
      SetLeaderUrl(leader.url);
      spdlog::info("standing by: {} leads (epoch {}); polling for the lease every {} ms",
                   leader.url.empty() ? "no controller yet" : leader.url, leader.epoch,
                   o.lead_poll_ms);
      standby_ = std::thread([this] { StandBy(); });
    }
    SUANLI_RETURN_IF_ERROR(WriteFileAtomic(dir / "url", url_, 0644));

    listener_ = std::thread([this] { http_->listen_after_bind(); });
    // httplib's stop() is a no-op until the accept loop runs: wait for it, so an early Stop()
    // cannot leave the listener blocked in accept().
    for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    spdlog::info("suanli server listening on {} (data dir {}, policy {}, {})", url_, o.data_dir,
                 o.policy, leading_ ? "leader" : "standby");
    return Status::Ok();
  }

  std::string url() const override { return url_; }
  std::string join_token() const override {
    std::lock_guard lock(role_mu_);
    return join_token_;
  }
  std::string admin_token_path() const override { return admin_token_path_; }
  bool leading() const override { return leading_; }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    {
      std::lock_guard lock(role_mu_);
      stopping_ = true;
    }
    role_cv_.notify_all();
    std::thread standby;
    {
      std::lock_guard lock(role_mu_);
      standby = std::move(standby_);
    }
    if (standby.joinable()) standby.join();
    signals_.Shutdown();  // releases agents' long polls
    if (http_) http_->Shutdown();
    if (listener_.joinable()) listener_.join();
    if (gateway_) gateway_->Stop();  // before the executor it asks
    gateway_.reset();
    if (executor_) executor_->Stop();  // commits what was accepted
    executor_.reset();
    http_.reset();
    controller_.reset();
    retired_.clear();
    store_.reset();
    if (lock_fd_ >= 0) {
      ::flock(lock_fd_, LOCK_UN);
      ::close(lock_fd_);
      lock_fd_ = -1;
    }
    spdlog::info("suanli server stopped");
  }

 private:
  // Loads the state from the store into a new controller and serves it: on start when no other
  // controller leads, when a standby wins the lease, and when a leader that lost its store finds
  // it again (its old controller's memory ran ahead of the store and is thrown away).
  Status BecomeLeader(const store::LeaderInfo& lease) {
    fs::path dir(options_.data_dir);
    core::PolicyConfig pc;
    pc.name = options_.policy;
    SUANLI_ASSIGN_OR_RETURN(std::unique_ptr<core::Policy> policy, core::MakePolicy(pc));
    auto controller =
        std::make_unique<Controller>(controller_options_, store_.get(), SystemClock::Get(),
                                     std::move(policy), &signals_, &metrics_);
    SUANLI_RETURN_IF_ERROR(controller->Load());
    controller->SetServiceHost(service_url_host_);
    SUANLI_ASSIGN_OR_RETURN(std::string admin,
                            controller->EnsureAdminToken(ReadFileTrimmed(admin_token_path_)));
    SUANLI_ASSIGN_OR_RETURN(std::string join,
                            controller->EnsureJoinToken(ReadFileTrimmed(dir / "join.token")));
    SUANLI_RETURN_IF_ERROR(store_->Commit(controller->TakeBatch()));
    SUANLI_RETURN_IF_ERROR(WriteFileAtomic(admin_token_path_, admin, 0600));
    if (join.empty()) {
      // Several controllers share the store: the join token was made by another one. Copy its
      // join.token here to let a local agent join through this controller.
      spdlog::warn(
          "the store's join token came from another controller; {}/join.token is not "
          "written (copy it from that controller's data dir)",
          options_.data_dir);
    } else {
      SUANLI_RETURN_IF_ERROR(WriteFileAtomic(dir / "join.token", join, 0600));
    }
    {
      std::lock_guard lock(role_mu_);
      join_token_ = join;
      leader_url_ = url_;
      lost_reason_.clear();
    }
    if (!controller_) {
      executor_->SetController(controller.get());
      executor_->Start();
      gateway_ = std::make_unique<ServiceGateway>(executor_.get(), service_bind_host_);
      gateway_->Start();
    } else {
      // The executor may still be on the old controller until its next batch: keep it alive.
      executor_->Resume(controller.get());
      retired_.push_back(std::move(controller_));
    }
    controller_ = std::move(controller);
    leading_ = true;
    spdlog::info("leading at epoch {}", lease.epoch);
    return Status::Ok();
  }

  // On the executor's thread, after a commit failed: stop serving (every request gets 503 with the
  // reason, nothing is acknowledged) and try to lead again as a standby does. The lease comes
  // back with the store unless another controller took it meanwhile; this one then stands by.
  void LoseLeadership(const Status& why) {
    spdlog::error("lost the store ({}); refusing requests until it is back", why.ToString());
    leading_ = false;
    std::lock_guard lock(role_mu_);
    lost_reason_ = why.message();
    leader_url_.clear();
    if (stopping_) return;
    if (standby_.joinable()) standby_.join();  // it ended when it took over
    standby_ = std::thread([this] { StandBy(); });
  }

  // Asks for the lease until it wins it or the server stops. Taking over loads the state the
  // last leader committed; when that fails (the store went away again) it keeps asking.
  void StandBy() {
    std::unique_lock lock(role_mu_);
    while (!stopping_) {
      role_cv_.wait_for(lock, std::chrono::milliseconds(options_.lead_poll_ms));
      if (stopping_) return;
      lock.unlock();
      auto lease = store_->TryLead(url_);
      if (lease.ok() && lease->is_me) {
        auto t0 = std::chrono::steady_clock::now();
        Status st = BecomeLeader(*lease);
        if (st.ok()) {
          spdlog::info("leading again in {} ms (state loaded from the store)",
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - t0)
                           .count());
          return;
        }
        spdlog::warn("taking the lead failed, trying again: {}", st.ToString());
      } else if (lease.ok()) {
        SetLeaderUrl(lease->url);
      } else {
        spdlog::warn("standby cannot reach the store: {}", lease.status().ToString());
      }
      lock.lock();
    }
  }

  void SetLeaderUrl(const std::string& url) {
    std::lock_guard lock(role_mu_);
    leader_url_ = url;
  }

  // Before any route: a standby serves only its health and sends everything else to the leader
  // (307 keeps the method and body, so a POST is retried there as it was sent).
  httplib::Server::HandlerResponse RouteByRole(const httplib::Request& req,
                                               httplib::Response& res) {
    const bool leading = leading_;
    std::string leader, lost;
    {
      std::lock_guard lock(role_mu_);
      leader = leader_url_;
      lost = lost_reason_;
    }
    if (req.path == "/api/v1/readyz") {
      nlohmann::json body{{"leader", leader}, {"role", leading ? "leader" : "standby"}};
      if (!lost.empty()) body["reason"] = "the store is unreachable: " + lost;
      res.status = leading ? 200 : 503;
      res.set_content(body.dump(), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (leading || req.path == "/api/v1/healthz")
      return httplib::Server::HandlerResponse::Unhandled;
    std::string error = !lost.empty() ? "this controller cannot reach its store (" + lost +
                                            "); it serves again once the store is back"
                        : leader.empty() ? "this controller is a standby and no leader is known yet"
                                         : "this controller is a standby; the leader is " + leader;
    nlohmann::json body{{"error", error}, {"leader", leader}};
    if (leader.empty() || leader == url_) {
      res.status = 503;
      res.set_header("Retry-After", "1");
    } else {
      res.status = 307;
      res.set_header("Location", leader + req.target);
    }
    res.set_content(body.dump(), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }

  ServerOptions options_;
  NodeSignals signals_;
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  ControllerOptions controller_options_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ServiceGateway> gateway_;  // services' endpoints and health checks
  std::string service_bind_host_ = "127.0.0.1", service_url_host_ = "127.0.0.1";
  std::vector<std::unique_ptr<Controller>> retired_;  // replaced after a lost store
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<RateLimiter> rate_limiter_;  // used by http_'s threads: declared before it
  std::unique_ptr<GuardedServer> http_;
  std::thread listener_;
  std::thread standby_;
  std::atomic<bool> leading_{false};
  mutable std::mutex
      role_mu_;  // guards leader_url_, join_token_ and stopping_ (standby thread vs HTTP)
  std::condition_variable role_cv_;
  bool stopping_ = false;
  std::string leader_url_;
  std::string lost_reason_;  // why this controller stopped leading ("" while it leads or stands by)
  std::string url_, join_token_, admin_token_path_;
  int lock_fd_ = -1;
  bool stopped_ = false;
};

}  // namespace

Result<AdminTokenReset> ResetAdminToken(store::Store& store, const std::string& data_dir,
                                        bool revoke_old) {
  SUANLI_ASSIGN_OR_RETURN(store::Snapshot snap, store.Load());
  TenantDirectory directory;
  auto join = snap.meta.find("join_token_sha256");
  directory.Load(std::move(snap.tenants), std::move(snap.users), std::move(snap.tokens),
                 join == snap.meta.end() ? "" : join->second);
  const TimeMs now = SystemClock::Get()->NowMs();
  store::WriteBatch batch;
  directory.EnsureRootAndAdmin(now, &batch);
  AdminTokenReset reset;
  if (revoke_old) reset.revoked = directory.RevokeAllTokens(TenantDirectory::kAdminUser, &batch);
  std::string token = directory.EnsureAdminToken("", now, &batch);
  reset.token_id = batch.tokens.back().id;
  SUANLI_RETURN_IF_ERROR(store.Commit(batch));
  reset.path = (fs::path(data_dir) / "admin.token").string();
  SUANLI_RETURN_IF_ERROR(WriteFileAtomic(reset.path, token, 0600));
  return reset;
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto s = std::make_unique<ServerImpl>();
  Status st = s->Init(options);
  if (!st.ok()) {
    s->Stop();
    return st;
  }
  return std::unique_ptr<Server>(std::move(s));
}

}  // namespace suanli::server
