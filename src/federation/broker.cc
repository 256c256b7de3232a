// Broker::Start: the data dir, its store and tokens, the HTTP server and the background thread.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include "federation/broker_impl.h"
#include "federation/files.h"

namespace suanli::federation {

namespace fs = std::filesystem;

namespace {

// 32 random bytes from the kernel (std::random_device reads /dev/urandom on Linux), in hex.
std::string NewToken(const std::string& prefix) {
  std::random_device rd;
  static const char* kHex = "0123456789abcdef";
  std::string t = prefix;
  for (int i = 0; i < 32; ++i) {
    unsigned v = rd() & 0xff;
    t += kHex[v >> 4];
    t += kHex[v & 15];
  }
  return t;
}

// A token kept from an earlier run, else a new one; written 0600.
Result<std::string> EnsureToken(const fs::path& p, const std::string& prefix) {
  std::string t = ReadTrimmedFile(p.string());
  if (t.empty()) t = NewToken(prefix);
  SUANLI_RETURN_IF_ERROR(WriteFileDurably(p.string(), t, 0600));
  return t;
}

}  // namespace

int64_t BrokerImpl::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status BrokerImpl::Init(const BrokerOptions& o) {
  options_ = o;
  if (o.lease_timeout_ms <= 0) return InvalidArgument("--lease-timeout must be positive");
  if (o.requeue_running_after_ms < 0)
    return InvalidArgument("--requeue-after must not be negative");
  state_ = BrokerState(o.lease_timeout_ms, o.requeue_running_after_ms);
  fs::path dir(o.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create data dir " + o.data_dir + ": " + ec.message());
  // The store keeps the centers' tokens: only the broker's user may read the directory.
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Internal("cannot make data dir " + o.data_dir + " private: " + std::strerror(errno));
  }
  lock_fd_ = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT, 0600);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return FailedPrecondition("another suanli broker is using data dir " + o.data_dir);
  }
  size_t colon = o.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      port = std::stoi(o.listen.substr(colon + 1), &used);
      if (used != o.listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument("--listen must be HOST:PORT with a port 0-65535, got '" + o.listen +
                           "'");
  }
  std::string host = o.listen.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";

  auto opened = store::OpenSqliteStore((dir / "broker.db").string(), /*synchronous_full=*/true);
  if (!opened.ok())
    return Status(opened.status().code(),
                  "cannot open the broker's store: " + opened.status().message());
  store_ = std::move(opened).value();
  SUANLI_ASSIGN_OR_RETURN(store::Snapshot snap, store_->Load());
  SUANLI_RETURN_IF_ERROR(state_.Load(snap.meta));
  // Centers known from the store count as heard from now: one silent for a whole lease after
  // this start is DOWN, and the jobs waiting there are moved.
  const int64_t now = NowMs();
  for (auto& [name, c] : state_.centers()) c.last_report = now;
  state_.UpdateLeases(now);

  admin_token_path_ = (dir / "admin.token").string();
  SUANLI_ASSIGN_OR_RETURN(admin_token_, EnsureToken(admin_token_path_, "slb_"));
  SUANLI_ASSIGN_OR_RETURN(join_token_, EnsureToken(dir / "join.token", "slj_"));

  http_ = std::make_unique<httplib::Server>();
  const size_t threads = static_cast<size_t>(std::max(4, o.http_threads));
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_tcp_nodelay(true);
  RegisterRoutes();
  int bound =
      port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return Unavailable("cannot listen on " + o.listen);
  std::string url_host = host == "0.0.0.0" ? "127.0.0.1" : host;
  url_ = "http://" + url_host + ":" + std::to_string(bound);
  SUANLI_RETURN_IF_ERROR(WriteFileDurably((dir / "url").string(), url_, 0644));
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  for (int i = 0; i < 5000 && !http_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ticker_ = std::thread([this] {
    std::unique_lock lock(tick_mu_);
    while (!stopping_) {
      lock.unlock();
      Tick();
      lock.lock();
      tick_cv_.wait_for(lock, std::chrono::milliseconds(options_.tick_ms));
    }
  });
  spdlog::info("suanli broker listening on {} (data dir {}, {} centers and {} jobs loaded)", url_,
               o.data_dir, state_.centers().size(), state_.jobs().size());
  return Status::Ok();
}

void BrokerImpl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(tick_mu_);
    stopping_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
  http_.reset();
  store_.reset();
  if (lock_fd_ >= 0) {
    ::flock(lock_fd_, LOCK_UN);
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

Status BrokerImpl::CommitLocked(std::map<std::string, std::string> meta) {
  store::WriteBatch batch;
  batch.meta = std::move(meta);
  return store_->Commit(batch);
}

Status BrokerImpl::CommitJobLocked(const BrokerJob& job) {
  return CommitLocked({{BrokerState::JobKey(job.id), JobRecordJson(job).dump()}});
}

Result<std::unique_ptr<Broker>> Broker::Start(const BrokerOptions& options) {
  auto b = std::make_unique<BrokerImpl>();
  Status st = b->Init(options);
  if (!st.ok()) {
    b->Stop();
    return st;
  }
  return std::unique_ptr<Broker>(std::move(b));
}

}  // namespace suanli::federation
