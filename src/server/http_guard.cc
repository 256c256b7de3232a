#include "server/http_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <thread>
#include <tuple>
#include <vector>

#include "server/reply.h"

namespace suanli::server {
namespace {

using Clock = std::chrono::steady_clock;

// httplib's ThreadPool, made elastic: `base` threads wait from the start; a job that finds no
// idle thread gets a new one, up to `max`; a thread made on demand exits after a while idle.
class ElasticPool final : public httplib::TaskQueue {
 public:
  ElasticPool(size_t base, size_t max) : max_(std::max(base, max)) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < base; ++i) Spawn(false);
  }
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    JoinFinished();
    jobs_.push_back(std::move(fn));
    if (idle_ < jobs_.size() && threads_.size() < max_) Spawn(true);
    cv_.notify_one();
  }

  void shutdown() override {
    std::map<std::thread::id, std::thread> threads;
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
      threads.swap(threads_);
    }
    cv_.notify_all();
    for (auto& [id, t] : threads) t.join();
  }

 private:
  // Under mu_. When no thread can be made (the process is out of them), the job waits for one.
  void Spawn(bool extra) {
    try {
      std::thread t([this, extra] { Work(extra); });
      std::thread::id id = t.get_id();
      threads_.emplace(id, std::move(t));
    } catch (const std::system_error&) {
    }
  }

  // Under mu_: threads that left their loop are joined (each is past its last use of mu_).
  void JoinFinished() {
    for (std::thread::id id : finished_) {
      auto it = threads_.find(id);
      if (it == threads_.end()) continue;
      it->second.join();
      threads_.erase(it);
    }
    finished_.clear();
  }

  void Work(bool extra) {
    std::unique_lock lock(mu_);
    for (;;) {
      ++idle_;
      auto ready = [&] { return !jobs_.empty() || shutdown_; };
      bool woke = true;
      if (extra) {
        woke = cv_.wait_for(lock, std::chrono::seconds(10), ready);
      } else {
        cv_.wait(lock, ready);
      }
      --idle_;
      if (jobs_.empty()) {
        if (shutdown_ || !woke) break;
        continue;
      }
      std::function<void()> fn = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      fn();
      fn = nullptr;
      lock.lock();
    }
    if (!shutdown_) finished_.push_back(std::this_thread::get_id());
  }

  const size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread::id> finished_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

enum class Wait { kReady, kTimeout, kStopped };

// Waits until `fd` has `events` (or an error), the stop pipe is readable, or `deadline`.
Wait WaitFor(int fd, short events, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) return Wait::kTimeout;
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, static_cast<int>(left.count()) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Wait::kStopped;
    if (stop_fd >= 0 && (fds[1].revents & POLLIN)) return Wait::kStopped;
    if (fds[0].revents != 0) return Wait::kReady;
  }
}

// An address as text ("::ffff:10.0.0.1" as "10.0.0.1", so a client counts once) and its port.
std::pair<std::string, int> AddressOf(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    return {host, ntohs(a->sin_port)};
  }
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      ::inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], host, sizeof(host));
    } else {
      ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    }
    return {host, ntohs(a->sin6_port)};
  }
  return {"", -1};
}

std::string SizeText(size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string SecondsText(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// The stream httplib parses requests from and writes replies to, for one connection: reads obey
// the current request's deadline and byte budget; writes do not care whether the client has
// shut its sending side.
class GuardedStream final : public httplib::Stream {
 public:
  enum class Limit { kNone, kTimeout, kHeader, kBody };

  GuardedStream(int sock, int stop_fd, const HttpLimits& limits, std::string remote_ip,
                int remote_port)
      : sock_(sock),
        stop_fd_(stop_fd),
        limits_(limits),
        remote_ip_(std::move(remote_ip)),
        remote_port_(remote_port) {}

  bool is_readable() const override {
    return pos_ < len_ || WaitFor(sock_, POLLIN, stop_fd_, deadline_) == Wait::kReady;
  }
  bool is_writable() const override {
    return WaitFor(sock_, POLLOUT, stop_fd_, WriteDeadline()) == Wait::kReady;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (limit_ != Limit::kNone) return -1;
    if (budget_ == 0) {
      limit_ = head_done_ ? Limit::kBody : Limit::kHeader;
      return -1;
    }
    while (pos_ == len_) {
      Wait w = WaitFor(sock_, POLLIN, stop_fd_, deadline_);
      if (w != Wait::kReady) {
        if (w == Wait::kTimeout) limit_ = Limit::kTimeout;
        return -1;
      }
      ssize_t n = ::recv(sock_, buf_, sizeof(buf_), MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min({size, len_ - pos_, budget_});
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    budget_ -= n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    auto deadline = WriteDeadline();
    for (;;) {
      if (WaitFor(sock_, POLLOUT, stop_fd_, deadline) != Wait::kReady) return -1;
      ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (n > 0) written_ += static_cast<size_t>(n);
      return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) addr.ss_family = 0;
    std::tie(ip, port) = AddressOf(addr);
  }
  socket_t socket() const override { return sock_; }

  // Waits up to `wait_ms` for the first byte of the next request.
  Wait WaitForRequest(int64_t wait_ms) const {
    if (pos_ < len_) return Wait::kReady;  // pipelined behind the last one
    return WaitFor(sock_, POLLIN, stop_fd_, Clock::now() + std::chrono::milliseconds(wait_ms));
  }
  // A request starts: its header must come within the budget, all of it before the deadline.
  void BeginRequest() {
    deadline_ = Clock::now() + std::chrono::milliseconds(limits_.request_timeout_ms);
    budget_ = limits_.max_header_bytes;
    head_done_ = false;
    written_ = 0;
  }
  // Its header is read: what follows is the body (chunk framing allowed for).
  void BeginBody() {
    head_done_ = true;
    budget_ = limits_.max_body_bytes + 64 * 1024;
  }

  Limit limit() const { return limit_; }
  size_t written() const { return written_; }
  bool close_after() const { return close_after_ || limit_ != Limit::kNone; }
  void CloseAfterReply() { close_after_ = true; }

  // The status and message for the limit this request hit.
  std::pair<int, std::string> LimitError() const {
    switch (limit_) {
      case Limit::kTimeout:
        return {408, "the request did not arrive within " +
                         SecondsText(limits_.request_timeout_ms)};
      case Limit::kHeader:
        return {431, "the request header is larger than " + SizeText(limits_.max_header_bytes)};
      case Limit::kBody:
        return {413, "the request body is larger than " + SizeText(limits_.max_body_bytes)};
      case Limit::kNone:
        break;
    }
    return {400, "bad request"};
  }

 private:
  Clock::time_point WriteDeadline() const {
    return Clock::now() + std::chrono::milliseconds(limits_.write_timeout_ms);
  }

  const int sock_;
  const int stop_fd_;
  const HttpLimits& limits_;
  const std::string remote_ip_;
  const int remote_port_;
  char buf_[4096];
  size_t pos_ = 0, len_ = 0;
  Clock::time_point deadline_ = Clock::now();
  size_t budget_ = 0;
  bool head_done_ = false;
  size_t written_ = 0;
  Limit limit_ = Limit::kNone;
  bool close_after_ = false;
};

thread_local GuardedStream* t_stream = nullptr;

const char* Reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
  }
  return "Error";
}

// A whole reply written straight to the socket, for a connection httplib never sees or that
// failed before httplib could answer.
void WriteCanned(int sock, int status, const std::string& message, bool retry_after,
                 int64_t timeout_ms) {
  StatusCode code = status == 413 || status == 429 || status == 431 ? StatusCode::kResourceExhausted
                    : status == 503                                 ? StatusCode::kUnavailable
                                                                    : StatusCode::kInvalidArgument;
  std::string body = ErrorBody(Status(code, message));
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n" +
                    "Content-Type: application/json\r\n" +
                    "Content-Length: " + std::to_string(body.size()) + "\r\n" +
                    (retry_after ? "Retry-After: 1\r\n" : "") + "Connection: close\r\n\r\n" + body;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t off = 0;
  while (off < out.size()) {
    if (WaitFor(sock, POLLOUT, -1, deadline) != Wait::kReady) return;
    ssize_t n = ::send(sock, out.data() + off, out.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Closes after a refusal: stops sending, then reads and drops what the client still sends for a
// moment (a close with unread data makes the kernel answer with a reset, which can destroy the
// reply before the client reads it).
void LingeringClose(int sock, int stop_fd, int64_t ms) {
  ::shutdown(sock, SHUT_WR);
  auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  char scratch[4096];
  size_t drained = 0;
  while (drained < (1u << 20) && WaitFor(sock, POLLIN, stop_fd, deadline) == Wait::kReady) {
    ssize_t n = ::recv(sock, scratch, sizeof(scratch), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(sock);
}

// The client's address and port.
std::pair<std::string, int> PeerOf(int sock) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {"", -1};
  return AddressOf(addr);
}

}  // namespace

GuardedServer::GuardedServer(HttpLimits limits) : limits_(limits) {
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
  size_t max_threads = limits_.max_connections + 64;  // refusals run on a thread too
  size_t base = std::min(limits_.base_threads, max_threads);
  new_task_queue = [base, max_threads] { return new ElasticPool(base, max_threads); };
  set_payload_max_length(limits_.max_body_bytes);
  set_keep_alive_timeout(std::max<int64_t>(1, limits_.keep_alive_timeout_ms / 1000));
  set_read_timeout(std::chrono::milliseconds(limits_.request_timeout_ms));
  set_write_timeout(std::chrono::milliseconds(limits_.write_timeout_ms));
}

GuardedServer::~GuardedServer() {
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void GuardedServer::Shutdown() {
  if (stop_pipe_[1] >= 0) {
    char c = 's';
    (void)!::write(stop_pipe_[1], &c, 1);
  }
  stop();
}

bool GuardedServer::Admit(const std::string& source, int* status, std::string* message) {
  std::lock_guard lock(mu_);
  if (open_ >= limits_.max_connections) {
    *status = 503;
    *message = "the server has " + std::to_string(open_) +
               " connections open, its limit; try again shortly";
    return false;
  }
  size_t& mine = per_source_[source];
  if (limits_.max_connections_per_source > 0 && mine >= limits_.max_connections_per_source) {
    *status = 429;
    *message = "too many connections from " + source + ": at most " +
               std::to_string(limits_.max_connections_per_source) + " at once";
    if (mine == 0) per_source_.erase(source);
    return false;
  }
  ++mine;
  ++open_;
  return true;
}

void GuardedServer::Release(const std::string& source) {
  std::lock_guard lock(mu_);
  --open_;
  auto it = per_source_.find(source);
  if (it != per_source_.end() && --it->second == 0) per_source_.erase(it);
}

GuardedServer::Stats GuardedServer::stats() const {
  Stats s;
  {
    std::lock_guard lock(mu_);
    s.open = open_;
  }
  s.refused = refused_;
  s.timed_out = timed_out_;
  s.oversized = oversized_;
  return s;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  auto [source, port] = PeerOf(sock);
  int status = 0;
  std::string message;
  if (!Admit(source, &status, &message)) {
    ++refused_;
    WriteCanned(sock, status, message, /*retry_after=*/true, 1000);
    LingeringClose(sock, stop_pipe_[0], 200);
    return false;
  }
  GuardedStream strm(sock, stop_pipe_[0], limits_, source, port);
  t_stream = &strm;
  bool ret = false, refused = false;
  size_t left = std::max<size_t>(1, keep_alive_max_count_);
  for (bool first = true; left > 0 && svr_sock_ != INVALID_SOCKET; first = false, --left) {
    Wait w = strm.WaitForRequest(first ? limits_.request_timeout_ms : limits_.keep_alive_timeout_ms);
    if (w != Wait::kReady) {
      if (first && w == Wait::kTimeout) ++timed_out_;
      break;
    }
    strm.BeginRequest();
    bool closed = false;
    ret = process_request(strm, left == 1, closed, nullptr);
    if (strm.limit() != GuardedStream::Limit::kNone) {
      ++(strm.limit() == GuardedStream::Limit::kTimeout ? timed_out_ : oversized_);
      if (strm.written() == 0) {  // httplib gave up before answering (the request line)
        auto [st, msg] = strm.LimitError();
        WriteCanned(sock, st, msg, false, limits_.write_timeout_ms);
      }
    }
    if (strm.close_after()) refused = true;
    if (!ret || closed || strm.close_after()) break;
  }
  t_stream = nullptr;
  if (refused) {
    LingeringClose(sock, stop_pipe_[0], 1000);
  } else {
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }
  Release(source);
  return ret;
}

httplib::Server::HandlerResponse GuardedServer::CheckRequestHead(const httplib::Request& req,
                                                                 httplib::Response& res) const {
  if (t_stream) t_stream->BeginBody();
  auto refuse = [&](int status, Status st) {
    res.status = status;
    res.set_header("Connection", "close");
    res.set_content(ErrorBody(st), "application/json");
    if (t_stream) t_stream->CloseAfterReply();  // the body, if any, is never read
    return HandlerResponse::Handled;
  };
  size_t lengths = req.headers.count("Content-Length");
  if (lengths > 0) {
    auto range = req.headers.equal_range("Content-Length");
    std::string value = range.first->second;
    bool digits = !value.empty();
    for (char c : value) digits = digits && c >= '0' && c <= '9';
    for (auto it = range.first; it != range.second; ++it) digits = digits && it->second == value;
    if (!digits) {
      return refuse(400, InvalidArgument("the Content-Length header must be one decimal number "
                                         "of bytes"));
    }
    size_t first = value.find_first_not_of('0');
    std::string significant = first == std::string::npos ? "0" : value.substr(first);
    if (significant.size() > 15 || std::stoull(significant) > limits_.max_body_bytes) {
      return refuse(413, ResourceExhausted("the request body is larger than " +
                                           SizeText(limits_.max_body_bytes)));
    }
    if (req.has_header("Transfer-Encoding")) {
      return refuse(400, InvalidArgument("a request has Content-Length or Transfer-Encoding, "
                                         "not both"));
    }
  }
  return HandlerResponse::Unhandled;
}

bool GuardedServer::CurrentLimitError(int* status, std::string* message) {
  if (!t_stream || t_stream->limit() == GuardedStream::Limit::kNone) return false;
  auto [st, msg] = t_stream->LimitError();
  *status = st;
  *message = msg;
  return true;
}

}  // namespace suanli::server
