// The API's resource limits against hostile clients (issue #17, parts 6 and 9), over real
// sockets on loopback: idle and slow clients, oversized and malformed requests, half-closes,
// per-source connection caps, per-token rate limits and pending-job caps.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "server/rate_limit.h"
#include "server/test_harness.h"

namespace suanli::server::testing {
namespace {

using Clock = std::chrono::steady_clock;

int Port(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

// A raw TCP connection to the server, from `source` (any 127.x.y.z is local on Linux).
int Connect(int port, const char* source = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (source) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until the server closes or `timeout_ms` passes.
std::string ReadAll(int fd, int timeout_ms = 5000) {
  std::string out;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int StatusOf(const std::string& reply) {
  if (reply.rfind("HTTP/1.1 ", 0) != 0 || reply.size() < 12) return 0;
  return std::stoi(reply.substr(9, 3));
}

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Raises the open-files limit to `want`; false when the hard limit is lower.
bool RaiseFileLimit(rlim_t want) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur >= want) return true;
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < want) return false;
  lim.rlim_cur = want;
  return ::setrlimit(RLIMIT_NOFILE, &lim) == 0;
}

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { port_ = Port(server_.server().url()); }
  // A server with `configure` applied to its options.
  template <typename F>
  void StartWith(F configure) {
    server_.Stop();
    configure(server_.mutable_options());
    server_.Start();
    port_ = Port(server_.server().url());
  }
  TestServer server_;
  int port_ = 0;
};

TEST_F(LimitsTest, ThousandIdleHalfHeadersDoNotStopOthers) {
  constexpr int kIdle = 1000;
  if (!RaiseFileLimit(4 * kIdle + 512)) {
    GTEST_SKIP() << "cannot raise the open-files limit (ulimit -n) to " << 4 * kIdle + 512
                 << ": the hard limit is lower";
  }
  // No per-source cap: the 1,000 sockets come from the same address as the ordinary client,
  // so this checks the threads and timeouts alone.
  StartWith([](ServerOptions& o) { o.max_connections_per_source = 0; });
  std::vector<int> idle;
  for (int i = 0; i < kIdle; ++i) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    ASSERT_TRUE(SendAll(fd, "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nX-Half: "));
    idle.push_back(fd);
  }
  Client anon = server_.As("");
  Client admin = server_.Admin();
  for (int round = 0; round < 3; ++round) {
    auto t0 = Clock::now();
    Response health = anon.Get("/api/v1/healthz");
    double health_ms = MsSince(t0);
    t0 = Clock::now();
    Response who = admin.Get("/api/v1/whoami");
    double who_ms = MsSince(t0);
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(who.status, 200);
    EXPECT_LT(health_ms, 1000);
    EXPECT_LT(who_ms, 1000);
    std::printf("with %d half-header sockets open: GET /healthz %.1f ms, GET /whoami %.1f ms\n",
                kIdle, health_ms, who_ms);
  }
  // They were all still held open meanwhile (none answered yet: the timeout is 10 s).
  int still_open = 0;
  for (int fd : idle) {
    pollfd p{fd, POLLIN, 0};
    still_open += ::poll(&p, 1, 0) == 0;
  }
  EXPECT_EQ(still_open, kIdle);
  for (int fd : idle) ::close(fd);
}

TEST_F(LimitsTest, SlowAndIdleClientsTimeOutQuickly) {
  StartWith([](ServerOptions& o) { o.http_request_timeout_ms = 300; });
  // Half a header, then nothing.
  int half = Connect(port_);
  ASSERT_GE(half, 0);
  ASSERT_TRUE(SendAll(half, "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n"));
  // A byte every 50 ms: each read is quick, the request never completes.
  int trickle = Connect(port_);
  ASSERT_GE(trickle, 0);
  // Connected, nothing sent.
  int silent = Connect(port_);
  ASSERT_GE(silent, 0);
  auto t0 = Clock::now();
  std::string request = "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  for (int i = 0; i < 30; ++i) {
    if (!SendAll(trickle, std::string(1, request[i % request.size()]))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string half_reply = ReadAll(half, 3000);
  std::string trickle_reply = ReadAll(trickle, 3000);
  std::string silent_reply = ReadAll(silent, 3000);
  EXPECT_EQ(StatusOf(half_reply), 408) << half_reply;
  EXPECT_NE(half_reply.find("did not arrive within 300 ms"), std::string::npos) << half_reply;
  EXPECT_EQ(StatusOf(trickle_reply), 408) << trickle_reply;
  EXPECT_EQ(silent_reply, "");  // closed without a word: it asked nothing
  EXPECT_LT(MsSince(t0), 3000);
  for (int fd : {half, trickle, silent}) ::close(fd);
  EXPECT_EQ(server_.As("").Get("/api/v1/healthz").status, 200);
}

// Opens `n` connections from `source`, each answered once (so the server counts it) and then
// left holding half a header; empty when `source` cannot be bound here.
std::vector<int> HoldCounted(int port, int n, const char* source) {
  std::vector<int> held;
  for (int i = 0; i < n; ++i) {
    int fd = Connect(port, source);
    if (fd < 0) break;
    char buf[512];
    if (!SendAll(fd, "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n") ||
        ::recv(fd, buf, sizeof(buf), 0) <= 0 ||
        !SendAll(fd, "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n")) {
      ADD_FAILURE() << "connection " << i << " from " << source << " was not served";
    }
    held.push_back(fd);
  }
  if (static_cast<int>(held.size()) < n) {
    for (int fd : held) ::close(fd);
    held.clear();
  }
  return held;
}

// One more connection from `source`, with a whole request: the reply it gets.
std::string OneMore(int port, const char* source) {
  int fd = Connect(port, source);
  if (fd < 0) return "";
  SendAll(fd, "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string reply = ReadAll(fd, 5000);
  ::close(fd);
  return reply;
}

TEST_F(LimitsTest, ConnectionsPerSourceAreCapped) {
  StartWith([](ServerOptions& o) { o.max_connections_per_source = 8; });
  std::vector<int> held = HoldCounted(port_, 8, "127.0.0.2");
  if (held.empty()) GTEST_SKIP() << "cannot bind 127.0.0.2 here";
  auto t0 = Clock::now();
  std::string refused = OneMore(port_, "127.0.0.2");
  EXPECT_EQ(StatusOf(refused), 429) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("too many connections from 127.0.0.2: at most 8"), std::string::npos)
      << refused;
  EXPECT_LT(MsSince(t0), 2000);
  // Another address is served meanwhile.
  EXPECT_EQ(server_.As("").Get("/api/v1/healthz").status, 200);
  for (int fd : held) ::close(fd);
}

TEST_F(LimitsTest, ConnectionsOverAllAreCapped) {
  StartWith([](ServerOptions& o) { o.max_connections = 4; });
  std::vector<int> held = HoldCounted(port_, 4, "127.0.0.1");
  ASSERT_EQ(held.size(), 4u);
  std::string refused = OneMore(port_, "127.0.0.1");
  EXPECT_EQ(StatusOf(refused), 503) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  for (int fd : held) ::close(fd);
  // Closed ones free their places.
  std::string served;
  for (int i = 0; i < 100 && StatusOf(served) != 200; ++i) {
    served = OneMore(port_, "127.0.0.1");
    if (StatusOf(served) != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(StatusOf(served), 200) << served;
}

TEST_F(LimitsTest, ContentLengthOutOfRangeIsAnsweredAtOnce) {
  for (const auto& [length, status] : std::vector<std::pair<std::string, int>>{
           {"9223372036854775808", 413},
           {"18446744073709551616", 413},
           {"2000000", 413},
           {"-1", 400},
           {"12, 12", 400},
           {"0x10", 400}}) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    auto t0 = Clock::now();
    ASSERT_TRUE(SendAll(fd, "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: " + length +
                                "\r\nContent-Type: application/json\r\n\r\n"));
    std::string reply = ReadAll(fd, 5000);
    EXPECT_EQ(StatusOf(reply), status) << length << ": " << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
    EXPECT_LT(MsSince(t0), 2000) << length;
    ::close(fd);
  }
}

TEST_F(LimitsTest, OversizedHeaderIsAnsweredAtOnce) {
  // One endless header line, and a request line too long: both answered before they end.
  for (const std::string& start :
       {std::string("GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\nX-Big: "),
        std::string("GET /api/v1/healthz?q=")}) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    auto t0 = Clock::now();
    ASSERT_TRUE(SendAll(fd, start + std::string(100 * 1024, 'a')));
    std::string reply = ReadAll(fd, 5000);
    EXPECT_EQ(StatusOf(reply), 431) << reply.substr(0, 300);
    EXPECT_NE(reply.find("larger than 64 KiB"), std::string::npos) << reply.substr(0, 300);
    EXPECT_LT(MsSince(t0), 2000);
    ::close(fd);
  }
  // Many small headers add up the same way.
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string many = "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i) many += "X-" + std::to_string(i) + ": " + std::string(40, 'b') + "\r\n";
  SendAll(fd, many);
  EXPECT_EQ(StatusOf(ReadAll(fd, 5000)), 431);
  ::close(fd);
}

TEST_F(LimitsTest, HalfClosedClientStillGetsItsReply) {
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ::shutdown(fd, SHUT_WR);
  std::string reply = ReadAll(fd, 5000);
  EXPECT_EQ(StatusOf(reply), 200) << reply;
  EXPECT_NE(reply.find("\"ok\":true"), std::string::npos) << reply;
  ::close(fd);
  // With a body too.
  fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string body = R"({"name":"t1"})";
  ASSERT_TRUE(SendAll(fd, "POST /api/v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                              server_.admin_token() + "\r\nContent-Type: application/json\r\n" +
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                              body));
  ::shutdown(fd, SHUT_WR);
  reply = ReadAll(fd, 5000);
  EXPECT_EQ(StatusOf(reply), 201) << reply;
  ::close(fd);
}

TEST_F(LimitsTest, KeepAliveAndPipeliningStillWork) {
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string one = "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(SendAll(fd, one + one + "GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n"
                                      "Connection: close\r\n\r\n"));
  std::string replies = ReadAll(fd, 5000);
  size_t count = 0;
  for (size_t at = replies.find("HTTP/1.1 200"); at != std::string::npos;
       at = replies.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 3u) << replies;
  ::close(fd);
}

TEST_F(LimitsTest, RateLimitPerToken) {
  StartWith([](ServerOptions& o) {
    o.rate_limit_per_s = 0.5;
    o.rate_limit_burst = 3;
  });
  Client admin = server_.Admin();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(admin.Get("/api/v1/whoami").status, 200) << i;
  Response limited = admin.Get("/api/v1/whoami");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["error"]["code"], "RESOURCE_EXHAUSTED");
  EXPECT_NE(limited.body["error"]["message"].get<std::string>().find("rate limit"),
            std::string::npos);
  ASSERT_TRUE(limited.headers.count("Retry-After"));
  int retry = std::stoi(limited.headers.find("Retry-After")->second);
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 2);
  // Unauthenticated health checks and other tokens are not this token's bucket.
  EXPECT_EQ(server_.As("").Get("/api/v1/healthz").status, 200);
  Response other = server_.As("not-a-token").Get("/api/v1/whoami");
  EXPECT_EQ(other.status, 401);
}

TEST_F(LimitsTest, PendingJobsCappedPerUserAndTenant) {
  StartWith([](ServerOptions& o) {
    o.max_pending_per_user = 2;
    o.max_pending_per_tenant = 3;
  });
  Client admin = server_.Admin();
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "lab"}}).status, 201);
  auto user = [&](const std::string& name) {
    EXPECT_EQ(admin.Post("/api/v1/users", json{{"name", name}, {"tenant", "lab"}}).status, 201);
    Response t = admin.Post("/api/v1/tokens", json{{"user", name}});
    return server_.As(t.body["token"].get<std::string>());
  };
  Client alice = user("alice"), bob = user("bob");
  json job{{"command", json::array({"true"})}, {"cpus", 1}};  // no nodes: they stay PENDING
  std::vector<int64_t> ids;
  for (int i = 0; i < 2; ++i) {
    Response r = alice.Post("/api/v1/jobs", job);
    ASSERT_EQ(r.status, 201) << r.text;
    ids.push_back(r.body["id"].get<int64_t>());
  }
  Response over = alice.Post("/api/v1/jobs", job);
  EXPECT_EQ(over.status, 429);
  EXPECT_NE(over.text.find("user 'alice' has 2 pending jobs"), std::string::npos) << over.text;
  EXPECT_NE(over.text.find("--max-pending-per-user 2"), std::string::npos) << over.text;
  EXPECT_EQ(bob.Post("/api/v1/jobs", job).status, 201);
  Response tenant_full = bob.Post("/api/v1/jobs", job);
  EXPECT_EQ(tenant_full.status, 429);
  EXPECT_NE(tenant_full.text.find("tenant 'lab' has 3 pending jobs"), std::string::npos)
      << tenant_full.text;
  // Ending one frees a place.
  EXPECT_EQ(alice.Post("/api/v1/jobs/" + std::to_string(ids[0]) + "/cancel", json::object()).status,
            200);
  EXPECT_EQ(bob.Post("/api/v1/jobs", job).status, 201);
  // Other tenants are not affected.
  EXPECT_EQ(admin.Post("/api/v1/jobs", job).status, 201);
}

TEST_F(LimitsTest, AnArrayCountsAsTheJobsItMakesAgainstThePendingCap) {
  StartWith([](ServerOptions& o) { o.max_pending_per_user = 5; });
  Client admin = server_.Admin();
  json job{{"command", json::array({"true"})}, {"cpus", 1}};  // no nodes: they stay PENDING
  job["array"] = "0-9";
  Response big = admin.Post("/api/v1/jobs", job);
  EXPECT_EQ(big.status, 429) << big.text;
  EXPECT_NE(big.text.find("this array would add 10"), std::string::npos) << big.text;
  EXPECT_EQ(admin.Get("/api/v1/jobs").body["jobs"].size(), 0u) << "nothing of it was kept";
  job["array"] = "0-4";  // exactly up to the cap
  EXPECT_EQ(admin.Post("/api/v1/jobs", job).status, 201);
  job.erase("array");
  EXPECT_EQ(admin.Post("/api/v1/jobs", job).status, 429);
}

TEST_F(LimitsTest, NamesAndArgumentsWithControlCharactersAreRefused) {
  Client admin = server_.Admin();
  auto submit = [&](json extra) {
    json job{{"command", json::array({"echo", "hi"})}, {"cpus", 1}};
    for (auto& [k, v] : extra.items()) job[k] = v;
    return admin.Post("/api/v1/jobs", job);
  };
  struct Case {
    json extra;
    std::string field;
  };
  std::vector<Case> cases = {
      {{{"name", std::string("a\0b", 3)}}, "'name'"},
      {{{"name", "two\nlines"}}, "'name'"},
      {{{"name", "evil\u202Egnp.exe"}}, "'name'"},
      {{{"name", "x\u2066y"}}, "'name'"},
      {{{"command", json::array({"echo", std::string("a\0b", 3)})}}, "'command[1]'"},
      {{{"command", std::string("echo a\0b", 8)}}, "'command'"},
      {{{"env", {{"A=B", "c"}}}}, "'env'"},
      {{{"env", {{std::string("A\0B", 3), "c"}}}}, "'env'"},
      {{{"env", {{"A", std::string("c\0d", 3)}}}}, "'env.A'"},
  };
  for (const auto& c : cases) {
    Response r = submit(c.extra);
    EXPECT_EQ(r.status, 400) << c.extra.dump();
    EXPECT_NE(r.text.find(c.field), std::string::npos) << c.extra.dump() << " -> " << r.text;
  }
  Response tenant = admin.Post("/api/v1/tenants", json{{"name", std::string("t\0x", 3)}});
  EXPECT_EQ(tenant.status, 400);
  Response user = admin.Post("/api/v1/users", json{{"name", "u\nv"}, {"tenant", "root"}});
  EXPECT_EQ(user.status, 400);
  EXPECT_EQ(user.text.find('\n'), std::string::npos);
  // Nothing of those was stored; an ordinary name with newlines allowed in args still works.
  Response ok = submit(json{{"name", "train-ü"}, {"command", json::array({"echo", "a\nb"})}});
  EXPECT_EQ(ok.status, 201) << ok.text;
  Response list = admin.Get("/api/v1/jobs?all=true");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["jobs"].size(), 1u) << list.text;
}

TEST(RateLimitTest, ParsesRatesAndRefillsBuckets) {
  EXPECT_DOUBLE_EQ(ParseRateLimit("100/s")->per_second, 100);
  EXPECT_DOUBLE_EQ(ParseRateLimit("600/min")->per_second, 10);
  EXPECT_DOUBLE_EQ(ParseRateLimit("36/h")->per_second, 0.01);
  EXPECT_DOUBLE_EQ(ParseRateLimit("5")->per_second, 5);
  EXPECT_DOUBLE_EQ(ParseRateLimit("off")->per_second, 0);
  for (const char* bad : {"", "x/s", "-1/s", "1/day", "1e400", "/s"}) {
    EXPECT_FALSE(ParseRateLimit(bad).ok()) << bad;
  }
  RateLimiter limiter(RateLimit{2, 0});  // burst: one second's worth
  int64_t retry = 0;
  EXPECT_TRUE(limiter.Take("a", 10.0, &retry));
  EXPECT_TRUE(limiter.Take("a", 10.0, &retry));
  EXPECT_FALSE(limiter.Take("a", 10.0, &retry));
  EXPECT_EQ(retry, 1);
  EXPECT_TRUE(limiter.Take("b", 10.0, &retry));  // another token, another bucket
  EXPECT_TRUE(limiter.Take("a", 10.5, &retry));  // refilled at 2/s
  EXPECT_FALSE(limiter.Take("a", 10.5, &retry));
  EXPECT_TRUE(RateLimiter(RateLimit{}).Take("a", 0, &retry));  // off
}

}  // namespace
}  // namespace suanli::server::testing
