// Services (#16) through the real CLI and `suanli up`: a service of 3 replicas (a small HTTP
// server written for the test, on the $PORT its agent picked) keeps answering at its one endpoint
// while a replica is killed and while it is updated; a command that exits at once goes to
// CRASHLOOP with its last logs and is not restarted at full speed; a controller restart keeps
// every replica without starting duplicates.
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "support/up_fixture.h"

namespace suanli::it {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Answers every GET with its version ($V) and replica index; /healthz is 200.
const char* kServer = R"PY(
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = ("v=%s r=%s\n" % (os.environ.get("V", "1"), os.environ["SUANLI_REPLICA"])).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
)PY";

class ServicesTest : public UpTest {
 protected:
  json Show(const std::string& name) {
    auto out = up().Cli({"service", "show", name, "--json"});
    EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
    return json::parse(out.out, nullptr, false);
  }
  // Waits until `name` has `n` healthy replicas, all at `version`.
  json WaitHealthy(const std::string& name, int n, int version, std::chrono::milliseconds t = 40s) {
    json s;
    bool ok = PollUntil(
        [&] {
          s = Show(name);
          if (s.is_discarded() || s.value("healthy_replicas", 0) != n) return false;
          for (const auto& r : s["replicas"]) {
            if (r["state"] == "REPLACING" || r.value("version", json()) != version) return false;
          }
          return true;
        },
        t);
    EXPECT_TRUE(ok) << "service " << name << " never had " << n << " healthy replicas at version "
                    << version << ": " << s.dump();
    return s;
  }
  // The job's pid as its agent recorded it (tasks/JOB.ATTEMPT.0/pid).
  pid_t JobPid(int64_t job, int attempt) {
    std::ifstream in(dir() + "/data/agent-work/tasks/" + std::to_string(job) + "." +
                     std::to_string(attempt) + ".0/pid");
    std::string word;
    long pid = 0;
    in >> word >> pid;
    return static_cast<pid_t>(pid);
  }
  void Delete(const std::string& name) {
    auto out = up().Cli({"service", "delete", name});
    EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
    // Its replicas are gone before `up` stops (they would outlive it otherwise).
    json left;
    EXPECT_TRUE(PollUntil(
        [&] {
          auto r = up().Admin().Get("jobs");
          left = r.json();
          return r.status == 200 && left["jobs"].empty();
        },
        20s))
        << left.dump();
  }
};

// Requests the endpoint without pause from another thread, counting what did not answer 200.
struct Load {
  explicit Load(const std::string& endpoint) {
    std::string hostport = endpoint.substr(std::string("http://").size());
    host = hostport.substr(0, hostport.rfind(':'));
    port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
    thread = std::thread([this] {
      httplib::Client c(host, port);
      c.set_read_timeout(5, 0);
      while (!stop) {
        auto r = c.Get("/");
        std::lock_guard lock(mu);
        ++total;
        if (!r || r->status != 200) {
          ++failed;
          last_error = r ? std::to_string(r->status) + " " + r->body : httplib::to_string(r.error());
        } else {
          bodies.insert(r->body);
        }
        std::this_thread::sleep_for(5ms);
      }
    });
  }
  ~Load() { Stop(); }
  void Stop() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
  std::string host;
  int port = 0;
  std::atomic<bool> stop{false};
  std::mutex mu;
  int total = 0, failed = 0;
  std::string last_error;
  std::set<std::string> bodies;
  std::thread thread;
};

TEST_F(ServicesTest, EndpointKeepsAnsweringWhileAReplicaIsKilledAndWhileItIsUpdated) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  auto created = up().Cli({"service", "create", "web", "--replicas", "3", "--cpus", "0.1",
                           "--health", "http:/healthz", "--", "python3", "-c", kServer});
  ASSERT_EQ(created.exit.exit_code, 0) << created.Describe();
  const std::string endpoint = Trim(created.out);
  ASSERT_EQ(endpoint.rfind("http://127.0.0.1:", 0), 0u) << endpoint;
  json s = WaitHealthy("web", 3, 1);
  std::set<std::string> addresses;
  for (const auto& r : s["replicas"]) addresses.insert(r["address"].get<std::string>());
  EXPECT_EQ(addresses.size(), 3u) << s.dump();  // each replica has its own port

  Load load(endpoint);
  std::this_thread::sleep_for(500ms);
  // Kill replica 0's process: its replica is restarted, the others answer meanwhile.
  const int64_t killed_job = s["replicas"][0]["job_id"];
  pid_t pid = JobPid(killed_job, 1);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(PollUntil(
      [&] {
        json now = Show("web");
        return now["replicas"][0].value("job_id", json()) != killed_job &&
               now.value("healthy_replicas", 0) == 3;
      },
      40s))
      << Show("web").dump();
  EXPECT_EQ(Show("web")["replicas"][0]["restarts"], 1);

  // A new version rolls over one replica at a time; the endpoint answers throughout.
  auto updated = up().Cli({"service", "update", "web", "--env", "V=2"});
  ASSERT_EQ(updated.exit.exit_code, 0) << updated.Describe();
  WaitHealthy("web", 3, 2, 60s);
  std::this_thread::sleep_for(500ms);
  load.Stop();
  EXPECT_EQ(load.failed, 0) << load.failed << " of " << load.total
                            << " requests failed; last: " << load.last_error;
  EXPECT_GT(load.total, 50);
  // Every replica answered, under both versions.
  for (const char* body : {"v=1 r=0\n", "v=1 r=1\n", "v=1 r=2\n", "v=2 r=0\n", "v=2 r=1\n",
                           "v=2 r=2\n"}) {
    EXPECT_TRUE(load.bodies.count(body)) << "never answered: " << body;
  }
  Delete("web");
}

TEST_F(ServicesTest, ACommandThatExitsAtOnceCrashLoopsWithItsLastLogsAndBacksOff) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  auto created = up().Cli({"service", "create", "broken", "--cpus", "0.1", "--", "sh", "-c",
                           "echo cannot bind >&2; exit 3"});
  ASSERT_EQ(created.exit.exit_code, 0) << created.Describe();
  json s;
  ASSERT_TRUE(PollUntil(
      [&] {
        s = Show("broken");
        return s["replicas"][0]["state"] == "CRASHLOOP";
      },
      30s))
      << s.dump();
  EXPECT_EQ(s["replicas"][0]["last_exit"], "FAILED: exited with code 3") << s.dump();
  auto logs = up().Cli({"service", "logs", "broken", "--stderr"});
  EXPECT_EQ(logs.exit.exit_code, 0) << logs.Describe();
  EXPECT_NE(logs.out.find("cannot bind"), std::string::npos) << logs.Describe();
  // Backoff doubles (1, 2, 4, 8 s ...): in the next 6 s at most two more starts, not dozens.
  const int before = s["replicas"][0]["restarts"];
  std::this_thread::sleep_for(6s);
  const int after = Show("broken")["replicas"][0]["restarts"];
  EXPECT_LE(after - before, 2) << "restarts went from " << before << " to " << after;
  // A bad request is refused naming what is wrong.
  auto bad = up().Cli({"service", "create", "x", "--replicas", "5", "--max-replicas", "2", "--",
                       "true"});
  EXPECT_EQ(bad.exit.exit_code, 2) << bad.Describe();
  EXPECT_NE(bad.err.find("must satisfy"), std::string::npos) << bad.Describe();
  Delete("broken");
}

TEST_F(ServicesTest, AControllerRestartKeepsEveryReplicaWithoutDuplicates) {
  START_UP();
  ASSERT_TRUE(HasUpNode(up()));
  auto created = up().Cli({"service", "create", "web", "--replicas", "2", "--cpus", "0.1",
                           "--health", "http:/healthz", "--", "python3", "-c", kServer});
  ASSERT_EQ(created.exit.exit_code, 0) << created.Describe();
  json before = WaitHealthy("web", 2, 1);
  ASSERT_TRUE(up().Terminate().has_value());
  START_UP();
  json after = WaitHealthy("web", 2, 1);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(after["replicas"][i]["job_id"], before["replicas"][i]["job_id"]) << after.dump();
    EXPECT_EQ(after["replicas"][i]["address"], before["replicas"][i]["address"]);
  }
  EXPECT_EQ(after["endpoint"], before["endpoint"]);
  auto jobs = up().Admin().Get("jobs");
  ASSERT_EQ(jobs.status, 200);
  EXPECT_EQ(jobs.json()["jobs"].size(), 2u) << jobs.json().dump();
  httplib::Client c(after["endpoint"].get<std::string>());
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  Delete("web");
}

TEST_F(ServicesTest, BatchUsesIdleAcceleratorsAndIsPreemptedWhenTheServiceNeedsThemNeverTheReverse) {
  START_UP({"--accelerators", "nvidia-a100:2"});
  ASSERT_TRUE(HasUpNode(up()));
  auto created = up().Cli({"service", "create", "infer", "--replicas", "1", "--min-replicas", "1",
                           "--max-replicas", "2", "--gpus", "1", "--gpu-type", "nvidia-a100",
                           "--cpus", "0.1", "--health", "http:/healthz", "--", "python3", "-c",
                           kServer});
  ASSERT_EQ(created.exit.exit_code, 0) << created.Describe();
  WaitHealthy("infer", 1, 1);
  // The idle accelerator goes to batch work.
  int64_t batch = Submit({"--gpus", "1", "--gpu-type", "nvidia-a100", "--cpus", "0.1", "--", "sleep",
                          "300"});
  WaitForState(batch, "RUNNING");
  // The service wants it back: the batch job is preempted (and requeued), the replica starts.
  auto scaled = up().Cli({"service", "update", "infer", "--replicas", "2"});
  ASSERT_EQ(scaled.exit.exit_code, 0) << scaled.Describe();
  WaitHealthy("infer", 2, 1);
  json job = Job(batch);
  bool preempted = false;
  for (const auto& h : job["history"]) preempted = preempted || h["state"] == "PREEMPTED";
  EXPECT_TRUE(preempted) << job.dump();
  EXPECT_EQ(job["state"], "PENDING") << job.dump();
  // Never the reverse: batch work of the highest batch priority preempts no replica.
  int64_t urgent = Submit({"--gpus", "1", "--gpu-type", "nvidia-a100", "--cpus", "0.1",
                           "--priority", "1000000", "--", "sleep", "300"});
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(Job(urgent)["state"], "PENDING") << Job(urgent).dump();
  json s = Show("infer");
  EXPECT_EQ(s["healthy_replicas"], 2) << s.dump();
  for (const auto& r : s["replicas"]) EXPECT_EQ(r["restarts"], 0) << s.dump();
  for (int64_t id : {batch, urgent}) {
    auto r = up().Admin().Post("jobs/" + std::to_string(id) + "/cancel", json::object());
    EXPECT_EQ(r.status, 200) << r.Describe();
  }
  Delete("infer");
}

}  // namespace
}  // namespace suanli::it
