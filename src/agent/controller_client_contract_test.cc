// One suite for both ControllerClients: the HTTP one against a local server playing the
// controller's agent routes (stopped to be unreachable, started again on the same port), and the
// fake the session tests use. Both must answer the same and fail the same way.
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <thread>

#include "agent/controller_client.h"
#include "agent/testing/fake_controller_client.h"

namespace suanli::agent {
namespace {

ControllerClient::Registered Reply() {
  ControllerClient::Registered r;
  r.node = "node-a";
  r.heartbeat_ms = 250;
  r.fence_ms = 3000;
  return r;
}

KillOrder Cancel7() { return {7, 1, -1, "CANCELLED"}; }

// The controller's agent routes as docs/api.md describes them, reduced to what the client parses.
class LocalController {
 public:
  LocalController() {
    Up();
    client = std::make_unique<HttpControllerClient>(
        "http://127.0.0.1:" + std::to_string(port_) + "/api/v1", "join-token");
  }
  ~LocalController() { Down(); }
  void Up() {
    server_ = std::make_unique<httplib::Server>();
    // One request per connection: stop() would otherwise wait out the keep-alive timeout (5 s).
    server_->set_keep_alive_max_count(1);
    server_->Post("/api/v1/agents/register", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"node":"node-a","heartbeat_ms":250,"fence_ms":3000})",
                      "application/json");
    });
    server_->Post("/api/v1/agents/node-a/poll", [this](const httplib::Request&,
                                                       httplib::Response& res) {
      if (forget_) {
        forget_ = false;
        res.status = 404;
        res.set_content(R"({"error":{"message":"unknown node node-a"}})", "application/json");
        return;
      }
      nlohmann::json kill = nlohmann::json::array();
      if (kill_) kill.push_back({{"job_id", 7}, {"attempt", 1}, {"reason", "CANCELLED"}});
      kill_ = false;
      res.set_content(nlohmann::json{{"launch", nlohmann::json::array()}, {"kill", kill}}.dump(),
                      "application/json");
    });
    server_->Post("/api/v1/agents/node-a/logs",
                  [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    // The socket listens from here on; connections wait in its backlog until the accept loop runs.
    if (port_ == 0) {
      port_ = server_->bind_to_any_port("127.0.0.1");
    } else {
      ASSERT_TRUE(server_->bind_to_port("127.0.0.1", port_));
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::yield();  // stop() needs it running
  }
  void Down() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }
  void QueueKill(const KillOrder&) { kill_ = true; }
  void ForgetNode() { forget_ = true; }
  std::unique_ptr<ControllerClient> client;

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool kill_ = false, forget_ = false;
};

class FakeController {
 public:
  FakeController() : fake(new FakeControllerClient()), client(fake) { fake->reply = Reply(); }
  void Up() { fake->Set(FakeControllerClient::Reachability::kUp); }
  void Down() { fake->Set(FakeControllerClient::Reachability::kRefusing); }
  void QueueKill(const KillOrder& k) {
    PollAnswer a;
    a.kill.push_back(k);
    fake->answers.push_back(a);
  }
  void ForgetNode() { fake->ForgetNode(); }
  FakeControllerClient* fake;
  std::unique_ptr<ControllerClient> client;
};

template <typename Impl>
class ControllerClientContract : public ::testing::Test {
 protected:
  ControllerClient& c() { return *impl_.client; }
  Result<PollAnswer> Poll() {
    std::vector<std::string> errors;
    auto a = c().Poll("node-a", nlohmann::json{{"wait_ms", 250}}, 250, &errors);
    EXPECT_TRUE(errors.empty());
    return a;
  }
  Impl impl_;
};

using Implementations = ::testing::Types<LocalController, FakeController>;
TYPED_TEST_SUITE(ControllerClientContract, Implementations);

TYPED_TEST(ControllerClientContract, RegistersPollsForOrdersAndUploadsLogs) {
  auto r = this->c().Register(nlohmann::json{{"name", "node-a"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->node, "node-a");
  EXPECT_EQ(r->heartbeat_ms, 250);
  EXPECT_EQ(r->fence_ms, 3000);
  this->impl_.QueueKill(Cancel7());
  auto a = this->Poll();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->kill.size(), 1u);
  EXPECT_EQ(a->kill[0].job_id, 7);
  EXPECT_EQ(a->kill[0].reason, "CANCELLED");
  auto quiet = this->Poll();
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(quiet->kill.empty()) << "an order is given once";
  EXPECT_TRUE(this->c().UploadLog("node-a", {7, 1, 0}, "stdout", 0, "hello\n").ok());
}

TYPED_TEST(ControllerClientContract, UnreachableIsUnavailableNamingTheRouteThenWorksAgain) {
  ASSERT_TRUE(this->c().Register(nlohmann::json{{"name", "node-a"}}).ok());
  this->impl_.Down();
  auto r = this->c().Register(nlohmann::json{{"name", "node-a"}});
  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("/agents/register: Connection"), std::string::npos)
      << r.status().message();
  auto a = this->Poll();
  ASSERT_EQ(a.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(a.status().message().find("/agents/node-a/poll"), std::string::npos);
  Status up = this->c().UploadLog("node-a", {7, 1, 0}, "stdout", 0, "x");
  EXPECT_EQ(up.code(), StatusCode::kUnavailable);
  EXPECT_NE(up.message().find("/agents/node-a/logs"), std::string::npos);
  this->impl_.Up();
  EXPECT_TRUE(this->c().Register(nlohmann::json{{"name", "node-a"}}).ok());
  EXPECT_TRUE(this->Poll().ok()) << "the same client reconnects";
}

TYPED_TEST(ControllerClientContract, ANodeTheControllerForgotIsNotFound) {
  this->impl_.ForgetNode();
  auto a = this->Poll();
  ASSERT_EQ(a.status().code(), StatusCode::kNotFound);
  EXPECT_NE(a.status().message().find("unknown node node-a"), std::string::npos)
      << a.status().message();
  EXPECT_TRUE(this->Poll().ok());
}

}  // namespace
}  // namespace suanli::agent
