// The client commands end to end against a fake controller on 127.0.0.1 that records each request.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/main.h"

namespace suanli::cli {
namespace {

using nlohmann::json;

struct Recorded {
  std::string method, path, body, auth;
  std::map<std::string, std::string> params;
};

class FakeController {
 public:
  FakeController() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      Recorded r{req.method, req.path, req.body, req.get_header_value("Authorization"), {}};
      for (const auto& [k, v] : req.params) r.params[k] = v;
      std::function<void(const Recorded&, httplib::Response&)> handler;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(r);
        handler = handler_;
      }
      if (handler) {
        handler(r, res);
      } else {
        res.status = 500;
      }
    };
    server_.Get(".*", record);
    server_.Post(".*", record);
    server_.Delete(".*", record);
    server_.Patch(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeController() {
    server_.stop();
    thread_.join();
  }
  void Handle(std::function<void(const Recorded&, httplib::Response&)> h) {
    std::lock_guard<std::mutex> lock(mu_);
    handler_ = std::move(h);
  }
  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Recorded> requests_;
  std::function<void(const Recorded&, httplib::Response&)> handler_;
};

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void Error(httplib::Response& res, int status, const std::string& code,
           const std::string& message) {
  Reply(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

struct CliResult {
  int code;
  std::string out, err;
};

class CommandsTest : public ::testing::Test {
 protected:
  CliResult Cli(std::vector<std::string> args, bool connect = true) {
    std::vector<std::string> argv = {"suanli"};
    argv.insert(argv.end(), args.begin(), args.end());
    // Connection flags go right after the subcommand path; for `tenant create` etc. after both
    // words.
    std::ostringstream out, err;
    auto env = [this, connect](const std::string& k) -> std::string {
      if (!connect) return "";
      if (k == "SUANLI_URL") return fake_.url();
      if (k == "SUANLI_TOKEN") return "sl_test";
      return "";
    };
    int code = cli::Run(argv, out, err, env);
    return {code, out.str(), err.str()};
  }
  FakeController fake_;
};

TEST_F(CommandsTest, SubmitPostsTheJobAndPrintsItsId) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    Reply(res, 201, {{"id", 42}, {"state", "PENDING"}});
  });
  auto r = Cli({"submit", "--gpus", "1", "--mem", "2G", "--time", "10m", "--idempotency-key", "k1",
                "--", "echo", "--not-a-flag", "hi"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  auto reqs = fake_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, "/api/v1/jobs");
  EXPECT_EQ(reqs[0].auth, "Bearer sl_test");
  EXPECT_EQ(json::parse(reqs[0].body),
            json::parse(R"({"command":["echo","--not-a-flag","hi"],"name":"echo",
      "gpus":1.0,"mem_mb":2048,"time_limit_s":600,"idempotency_key":"k1"})"));
}

TEST_F(CommandsTest, SubmitJsonPrintsTheJobObject) {
  fake_.Handle([](const Recorded&, httplib::Response& res) {
    Reply(res, 200, {{"id", 7}, {"state", "RUNNING"}});
  });
  auto r = Cli({"submit", "--json", "--", "true"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["id"], 7);
}

TEST_F(CommandsTest, LocalParseErrorsAreUsageErrorsAndSendNothing) {
  auto r = Cli({"submit", "--mem", "12Q", "--", "true"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("suanli submit: --mem: invalid size '12Q'"), std::string::npos) << r.err;
  EXPECT_TRUE(fake_.requests().empty());
  EXPECT_EQ(Cli({"queue", "--no-such-flag"}).code, kExitUsage);
  EXPECT_EQ(Cli({"show", "abc"}).code, kExitUsage);
  EXPECT_EQ(Cli({"usage", "--since", "last tuesday"}).code, kExitUsage);
  EXPECT_EQ(Cli({"user", "create", "bob", "--tenant", "t", "--role", "king"}).code, kExitUsage);
  EXPECT_TRUE(fake_.requests().empty());
}

TEST_F(CommandsTest, ServerErrorsMapToDocumentedExitCodes) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    if (r.path == "/api/v1/jobs/42") return Error(res, 404, "NOT_FOUND", "job 42 does not exist");
    if (r.path == "/api/v1/jobs/43") return Error(res, 401, "UNAUTHENTICATED", "token revoked");
    if (r.path == "/api/v1/jobs/44") return Error(res, 403, "PERMISSION_DENIED", "members cannot");
    if (r.path == "/api/v1/jobs") {
      return Error(res, 400, "INVALID_ARGUMENT",
                   "asks 16 x nvidia-a100 per task but the largest node has 8");
    }
    Error(res, 500, "INTERNAL", "boom");
  });
  auto nf = Cli({"show", "42"});
  EXPECT_EQ(nf.code, kExitNotFound);
  EXPECT_EQ(nf.err, "suanli show: job 42 does not exist\n");
  EXPECT_EQ(Cli({"show", "43"}).code, kExitAuth);
  EXPECT_EQ(Cli({"show", "44"}).code, kExitAuth);
  auto bad = Cli({"submit", "--gpus", "16", "--", "true"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_NE(bad.err.find("largest node has 8"), std::string::npos);
  EXPECT_EQ(Cli({"show", "45"}).code, kExitError);
}

TEST_F(CommandsTest, UnreachableServerIsItsOwnExitCode) {
  // A port the kernel just handed out and that is closed again: nothing listens there now.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  std::string dead_url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto r = Cli({"queue", "--url", dead_url, "--token", "t"});
  EXPECT_EQ(r.code, kExitUnreachable);
  EXPECT_NE(r.err.find("cannot reach the server at " + dead_url), std::string::npos) << r.err;
}

TEST_F(CommandsTest, MissingConnectionIsExplained) {
  auto r = Cli({"queue", "--data-dir", "/nonexistent-suanli-dir"}, /*connect=*/false);
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("no server address in /nonexistent-suanli-dir/url"), std::string::npos)
      << r.err;
}

TEST_F(CommandsTest, QueuePassesFiltersAndPrintsSlurmLikeColumns) {
  fake_.Handle([](const Recorded&, httplib::Response& res) {
    Reply(res, 200, json::parse(R"({"jobs":[
      {"id":7,"name":"train","tenant":"physics","user":"alice","state":"RUNNING","reason":null,
       "resources":{"cpus":1,"mem_mb":1024,"gpus":2,"gpu_type":"nvidia-a100","tasks":2},
       "nodes":["node-a","node-b"],"start_time":100.0,"end_time":190.0},
      {"id":8,"name":"eval","tenant":"physics","user":"bob","state":"PENDING",
       "reason":"tenant physics is at its quota 8/8","resources":{"cpus":1,"gpus":0,"tasks":1},
       "nodes":[],"start_time":null,"end_time":null}]})"));
  });
  auto r = Cli(
      {"queue", "--all", "--state", "pending,running", "--tenant", "physics", "--user", "alice"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ID  NAME   TENANT   USER   STATE    GPUS           NODES          TIME  REASON\n"
            "7   train  physics  alice  RUNNING  nvidia-a100:4  node-a,node-b  1:30\n"
            "8   eval   physics  bob    PENDING  -              -              0:00  tenant "
            "physics is at its "
            "quota 8/8\n");
  auto q = fake_.requests().at(0).params;
  EXPECT_EQ(q["all"], "true");
  EXPECT_EQ(q["state"], "PENDING,RUNNING");
  EXPECT_EQ(q["tenant"], "physics");
  EXPECT_EQ(q["user"], "alice");
  auto j = Cli({"queue", "--json"});
  EXPECT_EQ(json::parse(j.out)["jobs"].size(), 2u);
}

TEST_F(CommandsTest, ShowPrintsFieldsAndHistory) {
  fake_.Handle([](const Recorded&, httplib::Response& res) {
    Reply(res, 200,
          json::parse(R"({"id":9,"name":"t","state":"FAILED","reason":"exit code 3","tenant":"root",
      "user":"admin","resources":{"cpus":2,"mem_mb":2048,"gpus":0,"tasks":1},"nodes":["n1"],"exit_code":3,
      "signal":null,"command":["sh","-c","exit 3"],"submit_time":1767225600.0,"start_time":1767225601.0,
      "end_time":1767225602.0,"time_limit_s":3600,"priority":0,"attempt":1,"estimated_run_s":5400,
      "history":[{"state":"PENDING","time":1767225600.0,"reason":"submitted"},
                 {"state":"RUNNING","time":1767225601.0,"reason":"started on n1"},
                 {"state":"FAILED","time":1767225602.0,"reason":"exit code 3"}]})"));
  });
  auto r = Cli({"show", "9"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Job 9 (t)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  State:       FAILED\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Exit code:   3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Resources:   1 task x (2 cpus, 2G mem)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Command:     sh -c exit 3\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Time limit:  1:00:00\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  Est. run:    ~1:30:00 (learned from similar finished jobs)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    2026-01-01 00:00:01  RUNNING  started on n1\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(fake_.requests().at(0).path, "/api/v1/jobs/9");
}

TEST_F(CommandsTest, WaitSucceedsOnlyWhenEveryJobCompleted) {
  std::atomic<int> polls{0};
  fake_.Handle([&](const Recorded& r, httplib::Response& res) {
    int n = ++polls;
    if (r.path == "/api/v1/jobs/1") {
      Reply(res, 200, {{"id", 1}, {"state", n < 3 ? "RUNNING" : "COMPLETED"}, {"exit_code", 0}});
    } else {
      Reply(res, 200,
            {{"id", 2}, {"state", "FAILED"}, {"exit_code", 3}, {"reason", "exit code 3"}});
    }
  });
  auto ok = Cli({"wait", "1"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "job 1 COMPLETED exit_code=0\n");
  auto failed = Cli({"wait", "1", "2"});
  EXPECT_EQ(failed.code, kExitJobFailed);
  EXPECT_NE(failed.out.find("job 2 FAILED exit_code=3 (exit code 3)\n"), std::string::npos)
      << failed.out;
}

TEST_F(CommandsTest, WaitTreatsRequeuedLossAsNotFinished) {
  fake_.Handle([](const Recorded&, httplib::Response& res) {
    Reply(res, 200, {{"id", 1}, {"state", "LOST"}, {"requeue", true}});
  });
  auto r = Cli({"wait", "1", "--timeout", "300ms"});
  EXPECT_EQ(r.code, kExitTimeout);
  EXPECT_NE(r.err.find("timed out with 1 job(s) still running: 1"), std::string::npos) << r.err;
  fake_.Handle([](const Recorded&, httplib::Response& res) {
    Reply(res, 200, {{"id", 1}, {"state", "LOST"}, {"requeue", false}});
  });
  EXPECT_EQ(Cli({"wait", "1"}).code, kExitJobFailed);
}

TEST_F(CommandsTest, LogsFollowReadsWithOffsetsUntilTheJobEnds) {
  // The log grows "hel" -> "hello\n"; the job ends after the third request.
  std::atomic<int> calls{0};
  fake_.Handle([&](const Recorded& r, httplib::Response& res) {
    int n = ++calls;
    std::string all = n == 1 ? "hel" : "hello\n";
    size_t offset = std::stoul(r.params.at("offset"));
    res.status = 200;
    res.set_content(all.substr(std::min(offset, all.size())), "text/plain");
    res.set_header("X-Suanli-Next-Offset", std::to_string(all.size()));
    res.set_header("X-Suanli-Job-State", n >= 3 ? "COMPLETED" : "RUNNING");
  });
  auto r = Cli({"logs", "5", "-f", "--task", "1", "--stderr", "--poll-ms", "10"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello\n");
  auto reqs = fake_.requests();
  ASSERT_GE(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, "/api/v1/jobs/5/logs");
  EXPECT_EQ(reqs[0].params["task"], "1");
  EXPECT_EQ(reqs[0].params["stream"], "stderr");
  EXPECT_EQ(reqs[0].params["offset"], "0");
  EXPECT_EQ(reqs[1].params["offset"], "3");
}

TEST_F(CommandsTest, LogsJsonCarriesDataOffsetAndState) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    std::string all = "hello\n";
    size_t offset = std::stoul(r.params.at("offset"));
    res.status = 200;
    res.set_content(all.substr(std::min(offset, all.size())), "text/plain");
    res.set_header("X-Suanli-Next-Offset", std::to_string(all.size()));
    res.set_header("X-Suanli-Job-State", "COMPLETED");
  });
  auto r = Cli({"logs", "5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out),
            json::parse(R"({"job_id":5,"task":0,"stream":"stdout","data":"hello\n",
      "next_offset":6,"state":"COMPLETED"})"));
  EXPECT_EQ(Cli({"logs", "5", "--json", "-f"}).code, kExitUsage);
}

TEST_F(CommandsTest, CancelKeepsGoingAfterAFailure) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    if (r.path == "/api/v1/jobs/1/cancel")
      return Error(res, 409, "FAILED_PRECONDITION", "job 1 already ended");
    Reply(res, 200, {{"id", 2}, {"state", "CANCELLED"}});
  });
  auto r = Cli({"cancel", "1", "2"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_EQ(r.out, "job 2 CANCELLED\n");
  EXPECT_EQ(r.err, "suanli cancel: job 1 already ended\n");
  EXPECT_EQ(fake_.requests().size(), 2u);
}

TEST_F(CommandsTest, TenantUserTokenCommandsSendTheDocumentedBodies) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    if (r.path == "/api/v1/tokens") return Reply(res, 201, {{"id", 3}, {"token", "sl_abc"}});
    if (r.method == "DELETE") return Reply(res, 204, json());
    if (r.method == "GET" && r.path == "/api/v1/users") {
      return Reply(res, 200,
                   {{"users", {{{"name", "alice"}, {"tenant", "physics"}, {"role", "member"}}}}});
    }
    Reply(res, 201, json::parse(r.body));
  });
  ASSERT_EQ(Cli({"tenant", "create", "physics", "--parent", "uni", "--weight", "2", "--quota",
                 "nvidia-a100=8,cpus=64,mem=1G", "--budget", "1000"})
                .code,
            0);
  ASSERT_EQ(Cli({"user", "create", "alice", "--tenant", "physics", "--role", "member"}).code, 0);
  auto token = Cli({"token", "create", "--user", "alice"});
  ASSERT_EQ(token.code, 0);
  EXPECT_EQ(token.out, "sl_abc\n");
  EXPECT_NE(token.err.find("token id 3"), std::string::npos);
  EXPECT_EQ(json::parse(Cli({"token", "create", "--user", "alice", "--json"}).out)["token"],
            "sl_abc");
  ASSERT_EQ(Cli({"token", "revoke", "3"}).code, 0);
  auto users = Cli({"user", "list"});
  EXPECT_EQ(users.out, "NAME   TENANT   ROLE\nalice  physics  member\n");
  auto reqs = fake_.requests();
  EXPECT_EQ(json::parse(reqs[0].body), json::parse(R"({"name":"physics","parent":"uni","weight":2.0,
      "quota":{"nvidia-a100":8.0,"cpus":64.0,"mem_mb":1024.0},"budget_accel_hours":1000.0})"));
  EXPECT_EQ(json::parse(reqs[1].body),
            json::parse(R"({"name":"alice","tenant":"physics","role":"member"})"));
  EXPECT_EQ(json::parse(reqs[2].body), json::parse(R"({"user":"alice"})"));
  EXPECT_EQ(reqs[4].method, "DELETE");
  EXPECT_EQ(reqs[4].path, "/api/v1/tokens/3");
}

TEST_F(CommandsTest, TenantBudgetPeriodIsSentAndListed) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    if (r.method == "POST") return Reply(res, 201, json::parse(r.body));
    Reply(res, 200, json::parse(R"({"tenants":[
      {"name":"root","parent":null,"weight":1,"quota":{},"limit":{},"budget_accel_hours":-1,
       "budget_period":"month","budget_used_accel_hours":0,"allocated":{},"pending_jobs":0,
       "running_jobs":0,"fair_share":1,"usage_accel_hours":0},
      {"name":"lab","parent":"root","weight":1,"quota":{},"limit":{},"budget_accel_hours":500,
       "budget_period":"day","budget_used_accel_hours":12.3456,"allocated":{},"pending_jobs":2,
       "running_jobs":1,"fair_share":0.5,"usage_accel_hours":40}]})"));
  });
  ASSERT_EQ(Cli({"tenant", "create", "lab", "--budget", "500", "--budget-period", "day"}).code, 0);
  EXPECT_EQ(json::parse(fake_.requests().at(0).body),
            json::parse(R"({"name":"lab","budget_accel_hours":500.0,"budget_period":"day"})"));
  // An unknown period is a usage error, refused before anything is sent.
  auto bad = Cli({"tenant", "create", "lab", "--budget", "5", "--budget-period", "fortnight"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_NE(bad.err.find("--budget-period"), std::string::npos) << bad.err;
  EXPECT_EQ(fake_.requests().size(), 1u);

  auto list = Cli({"tenant", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out,
            "NAME  PARENT  WEIGHT  QUOTA  LIMIT  ALLOCATED  PENDING  RUNNING  FAIR_SHARE  "
            "ACCEL_HOURS  BUDGET     PERIOD\n"
            "root  -       1       -      -      -          0        0        1           0"
            "            -          month\n"
            "lab   root    1       -      -      -          2        1        0.5         40"
            "           12.35/500  day\n");
}

TEST_F(CommandsTest, TenantUpdatePatchesOnlyTheGivenSettings) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    if (r.path == "/api/v1/tenants/ghost") {
      return Error(res, 404, "NOT_FOUND", "tenant 'ghost' does not exist");
    }
    if (r.path == "/api/v1/tenants/uni") {
      return Error(res, 403, "PERMISSION_DENIED", "tenant-admins change only the tenants below");
    }
    Reply(res, 200, json::parse(r.body));
  });
  auto ok = Cli({"tenant", "update", "lab", "--budget", "50", "--budget-period", "week"});
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out, "updated tenant lab\n");
  auto clear = Cli({"tenant", "update", "lab", "--quota", "none", "--budget", "none", "--weight",
                    "0.5", "--limit", "cpus=8"});
  ASSERT_EQ(clear.code, 0) << clear.err;
  auto reqs = fake_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "PATCH");
  EXPECT_EQ(reqs[0].path, "/api/v1/tenants/lab");
  EXPECT_EQ(json::parse(reqs[0].body),
            json::parse(R"({"budget_accel_hours":50.0,"budget_period":"week"})"));
  EXPECT_EQ(
      json::parse(reqs[1].body),
      json::parse(R"({"quota":{},"budget_accel_hours":-1,"weight":0.5,"limit":{"cpus":8.0}})"));

  // Nothing to change, or a value that does not parse: usage errors, nothing sent.
  EXPECT_EQ(Cli({"tenant", "update", "lab"}).code, kExitUsage);
  EXPECT_EQ(Cli({"tenant", "update", "lab", "--weight", "0"}).code, kExitUsage);
  EXPECT_EQ(Cli({"tenant", "update", "lab", "--budget-period", "year"}).code, kExitUsage);
  EXPECT_EQ(fake_.requests().size(), 2u);
  auto missing = Cli({"tenant", "update", "ghost", "--weight", "2"});
  EXPECT_EQ(missing.code, kExitNotFound);
  EXPECT_EQ(missing.err, "suanli tenant update: tenant 'ghost' does not exist\n");
  EXPECT_EQ(Cli({"tenant", "update", "uni", "--weight", "2"}).code, kExitAuth);
}

TEST_F(CommandsTest, UsageTableAndCsv) {
  fake_.Handle([](const Recorded& r, httplib::Response& res) {
    if (r.params.count("format") && r.params.at("format") == "csv") {
      res.status = 200;
      res.set_content("key,jobs\nphysics,3\n", "text/csv");
      return;
    }
    Reply(res, 200,
          json::parse(R"({"rows":[{"key":"physics","jobs":3,"cpu_s":7200,"mem_mb_s":3686400,
      "accel_s":{"nvidia-a100":36000},"cost":12.345}],"total":{"jobs":3,"cpu_s":7200,"mem_mb_s":3686400,
      "accel_s":{"nvidia-a100":36000},"cost":12.345}})"));
  });
  auto table = Cli({"usage", "--since", "2026-01-01", "--by", "tenant"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out,
            "TENANT   JOBS  CPU_HOURS  MEM_GB_HOURS  ACCEL_HOURS        COST\n"
            "physics  3     2.00       1.00          nvidia-a100=10.00  12.35\n"
            "TOTAL    3     2.00       1.00          nvidia-a100=10.00  12.35\n");
  EXPECT_EQ(fake_.requests().at(0).params["since"], "2026-01-01");
  auto csv = Cli({"usage", "--csv"});
  EXPECT_EQ(csv.out, "key,jobs\nphysics,3\n");
}

TEST_F(CommandsTest, NodesTable) {
  fake_.Handle([](const Recorded&, httplib::Response& res) {
    Reply(res, 200, json::parse(R"({"nodes":[{"name":"n1","state":"UP","cpus":16,"mem_mb":65536,
      "devices":[{"index":0,"type":"nvidia-a100"},{"index":1,"type":"nvidia-a100"}],
      "allocated":{"cpus":4,"mem_mb":8192,"gpus":1},"jobs":[7],"last_heartbeat":null}]})"));
  });
  auto r = Cli({"nodes"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME  STATE  CPUS  MEM     ACCELERATORS   ACCEL_USED  JOBS  HEARTBEAT\n"
            "n1    UP     4/16  8G/64G  nvidia-a100:2  1/2         7     -\n");
}

}  // namespace
}  // namespace suanli::cli
