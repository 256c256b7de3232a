#pragma once
// The HTTP server's defence against slow, idle and oversized clients (issue #17, part 6).
//
// cpp-httplib 0.11 (Debian 12) serves each connection on one thread of its task queue, from
// accept to close, and reads requests with a per-recv timeout only: a client trickling a byte
// every few seconds, or sending half a header and waiting, holds its thread indefinitely, and
// with a fixed pool of 128 threads about 150 such sockets stopped the API answering anyone.
// Long-polling agents hold a thread each by design, so the pool cannot simply be small and busy.
// GuardedServer keeps httplib's parser and routing but owns each connection's life:
//
//  - An elastic pool: `base_threads` wait from the start, more are made on demand, one per open
//    connection, up to `max_connections` (idle extra threads exit). A connection never waits
//    behind others for a thread: it gets one at once, or is refused at once.
//  - Admission at accept: past `max_connections` open connections a new one is answered 503, past
//    `max_connections_per_source` from one address 429, each with Retry-After, and closed.
//  - Its own Stream under httplib's parser: a request (header and body) must arrive whole within
//    `request_timeout_ms` of its first byte, and a fresh connection must start one within that
//    time too (an idle kept-alive one within `keep_alive_timeout_ms`); its header may be at most
//    `max_header_bytes` and its body `max_body_bytes`. Past a limit the read fails at once and
//    the client gets 408 or 431 and the connection closes, instead of waiting for more.
//  - CheckRequestHead (before the body is read) refuses a Content-Length that is not a decimal
//    number (-1) or is larger than the body limit (2^63) with 400/413, without reading a body.
//  - A half-closed client (it sent its request, then shut its side) still gets its reply:
//    httplib's own stream refuses to write to a socket whose peer sent FIN.
//  - A connection closed after a refusal drains what the client still sends for a moment
//    before closing, so the kernel does not answer with a reset that could drop the reply.
#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace suanli::server {

struct HttpLimits {
  size_t base_threads = 128;           // started at once; agents' long polls hold one each
  size_t max_connections = 4096;       // open at once, over all clients; past it: 503
  size_t max_connections_per_source = 256;  // from one IP address; 0 = no cap; past it: 429
  int64_t request_timeout_ms = 10000;  // a request's header and body, from its first byte
  int64_t keep_alive_timeout_ms = 5000;  // an idle kept-alive connection waits this long
  int64_t write_timeout_ms = 30000;      // a reply the client does not read
  size_t max_header_bytes = 64 * 1024;   // request line and headers
  size_t max_body_bytes = 1 << 20;
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(HttpLimits limits);
  ~GuardedServer() override;

  const HttpLimits& limits() const { return limits_; }
  // Wakes every connection waiting for a request and stops the accept loop (httplib's stop()
  // alone leaves idle connections to their timeouts).
  void Shutdown();

  // For a pre-routing handler, on the connection's thread: refuses (Handled, the reply set, the
  // connection to close) a request whose Content-Length is not a number or is over the body
  // limit, before httplib reads any body. Unhandled otherwise.
  HandlerResponse CheckRequestHead(const httplib::Request& req, httplib::Response& res) const;
  // For the error handler: when the request failed because a limit of this connection was hit
  // (header too large, too slow), the status and message to answer; false otherwise.
  static bool CurrentLimitError(int* status, std::string* message);

  struct Stats {
    size_t open = 0;          // connections open now
    uint64_t refused = 0;     // refused at accept (either cap)
    uint64_t timed_out = 0;   // requests that did not arrive in time
    uint64_t oversized = 0;   // headers or bodies over their limits
  };
  Stats stats() const;

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool Admit(const std::string& source, int* status, std::string* message);
  void Release(const std::string& source);

  HttpLimits limits_;
  int stop_pipe_[2] = {-1, -1};  // readable once Shutdown() ran
  mutable std::mutex mu_;
  size_t open_ = 0;
  std::map<std::string, size_t> per_source_;
  std::atomic<uint64_t> refused_{0}, timed_out_{0}, oversized_{0};
};

}  // namespace suanli::server
