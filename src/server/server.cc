// Server::Start: wires the store, the controller, its owner thread and the HTTP server.
#include "server/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/policy.h"
#include "server/api.h"
#include "server/controller.h"
#include "server/executor.h"
#include "server/prices.h"

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
    SUANLI_ASSIGN_OR_RETURN(std::unique_ptr<core::Policy> policy, core::MakePolicy(pc));
    SUANLI_RETURN_IF_ERROR(store::ValidateStoreUri(o.store_uri));
    auto opened = store::OpenStore(o.store_uri, (dir / "suanli.db").string());
    if (!opened.ok()) {
      return Status(opened.status().code(), "cannot open the store: " + opened.status().message());
    }
    store_ = std::move(opened).value();

    ControllerOptions co;
    co.data_dir = o.data_dir;
    co.node_timeout_ms = o.node_timeout_ms;
    co.heartbeat_ms = std::clamp<int64_t>(o.node_timeout_ms / 5, 100, 1000);
    co.prices = prices;
    co.starting_timeout_ms = o.starting_timeout_ms;
    co.strict_decisions = o.strict_decisions;
    controller_ = std::make_unique<Controller>(co, store_.get(), SystemClock::Get(),
                                               std::move(policy), &signals_, &metrics_);
    SUANLI_RETURN_IF_ERROR(controller_->Load());
    admin_token_path_ = (dir / "admin.token").string();
    SUANLI_ASSIGN_OR_RETURN(std::string admin,
                            controller_->EnsureAdminToken(ReadFileTrimmed(admin_token_path_)));
    SUANLI_ASSIGN_OR_RETURN(join_token_,
                            controller_->EnsureJoinToken(ReadFileTrimmed(dir / "join.token")));
    SUANLI_RETURN_IF_ERROR(store_->Commit(controller_->TakeBatch()));
    SUANLI_RETURN_IF_ERROR(WriteFileAtomic(admin_token_path_, admin, 0600));
    SUANLI_RETURN_IF_ERROR(WriteFileAtomic(dir / "join.token", join_token_, 0600));

    executor_ = std::make_unique<Executor>(controller_.get(), store_.get(), &metrics_);
    http_ = std::make_unique<httplib::Server>();
    int threads = std::max(8, o.http_threads);
    http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http_->set_payload_max_length(1 << 20);
    http_->set_tcp_nodelay(true);  // small JSON replies: no Nagle + delayed-ACK stalls
    http_->set_keep_alive_max_count(10000);
    http_->set_read_timeout(70, 0);
    http_->set_write_timeout(70, 0);
    RegisterApi(*http_, executor_.get(), &signals_, &metrics_, ApiOptions{o.data_dir, o.web_dir});

    auto [host, port] = listen;
    int bound =
        port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
    if (bound <= 0) return Unavailable("cannot listen on " + o.listen);
    RaiseListenBacklog(bound);
    std::string url_host = host == "0.0.0.0" ? "127.0.0.1" : host == "::" ? "::1" : host;
    if (url_host.find(':') != std::string::npos) url_host = "[" + url_host + "]";
    url_ = "http://" + url_host + ":" + std::to_string(bound);
    SUANLI_RETURN_IF_ERROR(WriteFileAtomic(dir / "url", url_, 0644));

    executor_->Start();
    listener_ = std::thread([this] { http_->listen_after_bind(); });
    // httplib's stop() is a no-op until the accept loop runs: wait for it, so an early Stop()
    // cannot leave the listener blocked in accept().
    for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    spdlog::info("suanli server listening on {} (data dir {}, policy {})", url_, o.data_dir,
                 o.policy);
    return Status::Ok();
  }

  std::string url() const override { return url_; }
  std::string join_token() const override { return join_token_; }
  std::string admin_token_path() const override { return admin_token_path_; }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    signals_.Shutdown();  // releases agents' long polls
    if (http_) http_->stop();
    if (listener_.joinable()) listener_.join();
    if (executor_) executor_->Stop();  // commits what was accepted
    executor_.reset();
    http_.reset();
    controller_.reset();
    store_.reset();
    if (lock_fd_ >= 0) {
      ::flock(lock_fd_, LOCK_UN);
      ::close(lock_fd_);
      lock_fd_ = -1;
    }
    spdlog::info("suanli server stopped");
  }

 private:
  ServerOptions options_;
  NodeSignals signals_;
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  std::string url_, join_token_, admin_token_path_;
  int lock_fd_ = -1;
  bool stopped_ = false;
};

}  // namespace

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
