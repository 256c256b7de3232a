// The simulator and the real controller, fed the same trace, decide the same: the same
// preemptions and placements (nodes and devices) in the same order, and every job starts, is
// preempted, is lost with its node and ends at the same times. The controller runs with an
// in-memory store, a fake clock and fake agents that run each task for exactly its trace
// duration; the simulator replays the same workload with its own engine. Both drive the core
// through adapter::CheckCycle, so this test is what keeps "measured in `suanli sim`" meaning
// "what the server does", for every policy (`default` with its decayed usage included).
//
// Midway one node's agent falls silent: the controller declares the node DOWN after its timeout
// (the attempts on it end LOST, their gang-mates elsewhere are killed, the jobs requeue) and the
// simulator takes the node away at that instant; two hours on the agent registers again, empty.
//
// The fake agents also refuse to start a task on a device another task still uses: a launch that
// overtook the kill of the job preempted (or lost) for it fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "base/clock.h"
#include "core/policy.h"
#include "server/controller.h"
#include "sim/cluster_spec.h"
#include "sim/engine.h"
#include "sim/trace.h"
#include "sim/workload.h"
#include "store/store.h"

namespace suanli {
namespace {

using nlohmann::json;
using server::AgentEvent;
using server::Controller;
using server::PollRequest;
using server::TaskRef;
using store::JobState;

constexpr const char* kCluster = "4x4";  // 4 nodes of 4 GPUs: 8-GPU jobs are 2-task gangs
// The controller declares a node DOWN when it has been silent this long; the fake agents poll at
// every instant of the replay, so only the agent the scenario silences is ever late.
constexpr core::Time kNodeTimeoutMs = 5000;

// One node's agent falls silent; the controller declares the node DOWN (its jobs' attempts end
// LOST and are requeued, their gang-mates elsewhere killed) and later the agent comes back empty.
struct NodeLoss {
  int32_t node = 0;
  core::Time silent_at = 0;  // the agent's last poll
  core::Time back_at = 0;    // it registers again, running nothing
  core::Time down_at() const { return silent_at + kNodeTimeoutMs + 1; }
};

struct Scenario {
  core::ClusterState cluster;
  sim::Workload workload;
  NodeLoss loss;
};

// The committed Philly excerpt (300 jobs of 1-8 GPUs in 9 VCs) on 4 × 4 GPUs, VCs as tenants
// under one root, one VC with a guarantee and one with a hard limit.
Scenario PhillyExcerpt() {
  const char* dir = std::getenv("SUANLI_SOURCE_DIR");
  auto trace =
      sim::LoadTrace(std::string(dir ? dir : ".") + "/src/sim/testdata/philly_excerpt.csv");
  EXPECT_TRUE(trace.ok()) << trace.status().ToString();
  Scenario s;
  auto cluster = sim::ParseInlineCluster(kCluster);
  EXPECT_TRUE(cluster.ok());
  s.cluster = *cluster;
  sim::WorkloadOptions wo;
  wo.tenants_from_trace = true;
  auto w = sim::BuildWorkload(*trace, s.cluster, wo);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  s.workload = std::move(*w);
  // The controller always has a root tenant first; the VCs become its children.
  core::Tenant root;
  root.name = "root";
  auto& tenants = s.workload.tenants;
  tenants.insert(tenants.begin(), root);
  const size_t dims = core::kDimAccelBase + s.cluster.accel_types.size();
  for (size_t i = 1; i < tenants.size(); ++i) {
    tenants[i].parent = 0;
    tenants[i].weight = static_cast<double>(i % 3 + 1);
  }
  tenants[1].guarantee.assign(dims, core::kUnlimited);
  tenants[1].guarantee[core::kDimAccelBase] = 4000;
  tenants[2].limit.assign(dims, core::kUnlimited);
  tenants[2].limit[core::kDimAccelBase] = 4000;
  for (auto& sj : s.workload.jobs) sj.job.tenant += 1;
  return s;
}

// Records every decision the policy makes, with the nodes and devices of each placement, so the
// two sides' decisions can be compared one by one; with EQ_LOG set it also prints them and the
// state they were made from to stderr (for finding where the runs part).
class Recorded : public core::Policy {
 public:
  Recorded(std::unique_ptr<core::Policy> p, std::string tag, std::vector<std::string>* decisions)
      : p_(std::move(p)), tag_(std::move(tag)), decisions_(decisions) {}
  std::string_view name() const override { return p_->name(); }
  core::CycleResult Schedule(const core::ClusterState& s, core::Time now) override {
    core::CycleResult r = p_->Schedule(s, now);
    const bool log = std::getenv("EQ_LOG") != nullptr;
    if (log) fprintf(stderr, "%s t=%ld jobs%s\n", tag_.c_str(), (long)now, StateLine(s).c_str());
    const std::string at = "t=" + std::to_string(now);
    for (const auto& p : r.preemptions) Record(at + " preempt " + std::to_string(p.job), log);
    for (const auto& p : r.placements) {
      std::string line = at + " place " + std::to_string(p.job);
      for (const auto& t : p.tasks) {
        line += " n" + std::to_string(t.node) + ":";
        for (size_t i = 0; i < t.devices.size(); ++i) {
          line += (i ? "," : "") + std::to_string(t.devices[i]);
        }
      }
      Record(line, log);
    }
    return r;
  }

 private:
  void Record(const std::string& line, bool log) {
    decisions_->push_back(line);
    if (log) fprintf(stderr, "%s %s\n", tag_.c_str(), line.c_str());
  }

  // Each job's phase and service, tenants' usage and nodes as the policy saw them.
  static std::string StateLine(const core::ClusterState& s) {
    std::string line;
    std::vector<const core::Job*> js;
    for (const auto& j : s.jobs) js.push_back(&j);
    std::sort(js.begin(), js.end(), [](auto a, auto b) { return a->id < b->id; });
    for (auto* j : js) {
      line += " " + std::to_string(j->id) + (j->phase == core::JobPhase::kRunning ? "R" : "P") +
              std::to_string(static_cast<int64_t>(j->attained_service_ms)) + "/" +
              std::to_string(j->ran_ms) + "/" + std::to_string(j->queued_since) + "/" +
              std::to_string(j->preemptions) + "/" + std::to_string(j->start_time);
    }
    for (const auto& t : s.tenants) line += " u" + std::to_string(t.decayed_usage);
    for (const auto& n : s.nodes) {
      line += " n" + std::to_string(n.schedulable) + ":" + std::to_string(n.cpu_milli);
      for (const auto& d : n.devices) line += "," + std::to_string(d.total_milli);
    }
    return line;
  }

  std::unique_ptr<core::Policy> p_;
  std::string tag_;
  std::vector<std::string>* decisions_;
};

struct Outcome {
  core::Time first_start = core::kUnknownTime;
  core::Time end = core::kUnknownTime;
  int32_t preemptions = 0;
  int32_t node_losses = 0;  // runs ended LOST with their node
  bool operator==(const Outcome& o) const {
    return first_start == o.first_start && end == o.end && preemptions == o.preemptions &&
           node_losses == o.node_losses;
  }
};

std::string Describe(const Outcome& o) {
  return "start " + std::to_string(o.first_start) + " end " + std::to_string(o.end) +
         " preempted " + std::to_string(o.preemptions) + " lost " + std::to_string(o.node_losses);
}

// The simulator's outcome, or nothing when the scenario's loss is unusable for this policy: it ends
// no run, or a job starts or ends while the node is silent but not yet DOWN (the world cannot hear
// of a run that ends on the silent node then, while the simulator knows of the loss only when the
// controller declares it).
struct Simulated {
  std::vector<Outcome> jobs;           // by job id
  std::vector<std::string> decisions;  // every preemption and placement, in order
};

std::optional<Simulated> Simulate(const Scenario& s, const std::string& policy_name) {
  core::PolicyConfig pc;
  pc.name = policy_name;
  auto policy = core::MakePolicy(pc);
  EXPECT_TRUE(policy.ok());
  Simulated out;
  Recorded logged(std::move(*policy), "S", &out.decisions);
  sim::EngineOptions eo;
  eo.node_events = {{s.loss.down_at(), s.loss.node, false}, {s.loss.back_at, s.loss.node, true}};
  auto run = sim::RunEngine(s.workload, s.cluster, logged, eo);
  EXPECT_TRUE(run.ok()) << run.status().ToString();
  if (run.ok() && std::getenv("EQ_LOG")) {
    fprintf(stderr, "S node %d silent at t=%ld: %d runs lost\n", s.loss.node,
            (long)s.loss.silent_at, run->node_losses);
  }
  if (!run.ok() || run->node_losses == 0) return std::nullopt;
  auto silent = [&](core::Time t) { return t > s.loss.silent_at && t <= s.loss.down_at(); };
  for (const auto& j : run->jobs) {
    if (silent(j.end) || silent(j.first_start)) return std::nullopt;
    out.jobs.push_back({j.first_start, j.end, j.preemptions, j.node_losses});
  }
  return out;
}

// A node's agent falls silent after one of the arrivals from the 100th on (the queue is long by
// then): the first arrival and node for which the simulator loses running jobs with it. Its last
// poll is at that arrival's instant, so the controller sees no instant the simulator does not (an
// extra pass would decide differently under a policy whose priorities move with time). The node
// is back two hours after it is declared DOWN.
Simulated ChooseLossAndSimulate(Scenario& s, const std::string& policy) {
  const auto& jobs = s.workload.jobs;
  for (size_t k = 100; k < jobs.size(); ++k) {
    for (int32_t node = 0; node < static_cast<int32_t>(s.cluster.nodes.size()); ++node) {
      s.loss.node = node;
      s.loss.silent_at = jobs[k].job.submit_time;
      s.loss.back_at = s.loss.down_at() + 2 * 3600 * 1000;
      if (auto out = Simulate(s, policy)) return *out;
    }
  }
  ADD_FAILURE() << policy << ": no arrival after which losing a node ends a run cleanly";
  return {};
}

// The world around a real controller: agents that run every task for its job's remaining work.
class World {
 public:
  World(const Scenario& s, const std::string& policy_name, bool incremental_view)
      : s_(s), clock_(s.workload.jobs.empty() ? 0 : s.workload.jobs[0].job.submit_time) {
    dir_ = std::filesystem::temp_directory_path() /
           ("suanli-equivalence-" + std::to_string(::getpid()) + "-" + policy_name +
            (incremental_view ? "-kept" : "-rebuilt"));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = store::NewMemoryStore();
    server::ControllerOptions o;
    o.data_dir = dir_.string();
    o.node_timeout_ms = kNodeTimeoutMs;
    o.starting_timeout_ms = 1LL << 50;
    o.max_pass_interval_ms = 1LL << 50;  // a pass at event times only, as the simulator cycles
    o.sample_interval_ms = 1LL << 50;
    o.min_pass_interval_ms = 1;  // one pass per instant, as the simulator runs one cycle
    o.strict_decisions = true;
    o.incremental_view = incremental_view;
    core::PolicyConfig pc;
    pc.name = policy_name;
    auto policy = core::MakePolicy(pc);
    EXPECT_TRUE(policy.ok());
    c_ = std::make_unique<Controller>(
        o, db_.get(), &clock_, std::make_unique<Recorded>(std::move(*policy), "C", &decisions_),
        nullptr, nullptr);
    EXPECT_TRUE(c_->Load().ok());
    Commit();
  }
  ~World() { std::filesystem::remove_all(dir_); }

  std::vector<Outcome> Run() {
    SetUpTenantsAndNodes();
    const auto& jobs = s_.workload.jobs;
    remaining_.resize(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) remaining_[i] = static_cast<double>(jobs[i].work_ms);
    const NodeLoss& loss = s_.loss;
    std::set<core::Time> marks = {loss.silent_at, loss.down_at(), loss.back_at};
    size_t next = 0;
    while (next < jobs.size() || !ends_.empty()) {
      core::Time t = next < jobs.size() ? jobs[next].job.submit_time : ends_.begin()->first;
      if (!ends_.empty()) t = std::min(t, ends_.begin()->first);
      if (!marks.empty()) t = std::min(t, *marks.begin());
      marks.erase(t);
      clock_.Set(t);
      if (t == loss.down_at()) LoseSilentRuns(t);
      while (!ends_.empty() && ends_.begin()->first == t) {
        auto [id, attempt] = ends_.begin()->second;
        ends_.erase(ends_.begin());
        Exit(id, attempt, 0);
      }
      if (t == loss.back_at) Revive(loss.node);
      Deliver();
      while (next < jobs.size() && jobs[next].job.submit_time == t) Submit(jobs[next++]);
      Commit();
      c_->Tick();
      Exchange(t);
      if (t == loss.silent_at) Silence(loss.node);
      if (::testing::Test::HasFatalFailure()) break;
    }
    return Outcomes();
  }

  int64_t gangs_launched() const { return gangs_launched_; }
  const std::vector<std::string>& decisions() const { return decisions_; }
  int64_t kills() const { return kills_; }

 private:
  struct Task {
    core::JobId job = 0;
    int32_t attempt = 0;
    int32_t task = 0;
    std::vector<int32_t> devices;
  };
  struct Agent {
    std::vector<Task> running;
    std::vector<AgentEvent> events;  // to report on the next poll
    bool silent = false;             // lost: polls no more until it comes back
  };

  void Commit() { ASSERT_TRUE(db_->Commit(c_->TakeBatch()).ok()); }

  void SetUpTenantsAndNodes() {
    const server::Principal admin{"admin", "root", server::Role::kAdmin};
    for (size_t n = 0; n < s_.cluster.nodes.size(); ++n) {
      ASSERT_EQ(c_->RegisterAgent(Registration(n)).status, 200);
      agents_[s_.cluster.nodes[n].name];
    }
    auto to_map = [&](const core::DimVector& v) {
      std::map<std::string, double> m;
      for (size_t d = core::kDimAccelBase; d < v.size(); ++d) {
        if (v[d] >= 0) m[s_.cluster.accel_types[d - core::kDimAccelBase]] = v[d] / 1000.0;
      }
      return m;
    };
    for (size_t i = 1; i < s_.workload.tenants.size(); ++i) {
      const core::Tenant& t = s_.workload.tenants[i];
      store::TenantRecord rec;
      rec.name = t.name;
      rec.parent = "root";
      rec.weight = t.weight;
      rec.quota = to_map(t.guarantee);
      rec.limit = to_map(t.limit);
      auto reply = c_->CreateTenant(admin, rec);
      ASSERT_EQ(reply.status, 201) << reply.body;
    }
    Commit();
  }

  server::RegisterRequest Registration(size_t n) const {
    const core::Node& node = s_.cluster.nodes[n];
    server::RegisterRequest reg;
    reg.node.name = node.name;
    reg.node.cpus = node.cpu_milli / 1000.0;
    reg.node.mem_mb = node.mem_mb;
    for (size_t d = 0; d < node.devices.size(); ++d) {
      reg.node.devices.push_back(
          {static_cast<int32_t>(d), s_.cluster.accel_types[0], "", 81920, node.devices[d].island});
    }
    return reg;
  }

  // After its last poll the node's agent says nothing more: the runs on it will never report an
  // end (the scenario checks that none was due before the controller declares the node DOWN).
  void Silence(int32_t n) {
    Agent& agent = agents_[s_.cluster.nodes[n].name];
    agent.silent = true;
    for (const Task& t : agent.running) {
      silent_runs_.insert({t.job, t.attempt});
      std::erase_if(ends_, [&](const auto& e) { return e.second == std::pair(t.job, t.attempt); });
    }
  }

  // The controller declares the silent node DOWN at this instant: its runs are over, a
  // checkpointable job keeping the work it did up to now (as the simulator keeps it).
  void LoseSilentRuns(core::Time t) {
    for (const auto& [id, attempt] : silent_runs_) {
      auto& run = runs_[id];
      if (run.attempt != attempt || !run.live) continue;
      run.live = false;
      const size_t idx = static_cast<size_t>(id - 1);
      if (s_.workload.jobs[idx].job.checkpointable) {
        remaining_[idx] = std::max(0.0, remaining_[idx] - static_cast<double>(t - run.start));
      }
    }
    silent_runs_.clear();
  }

  // The node's agent restarts, running nothing, and registers again.
  void Revive(int32_t n) {
    Agent& agent = agents_[s_.cluster.nodes[n].name];
    agent = Agent{};
    ASSERT_EQ(c_->RegisterAgent(Registration(static_cast<size_t>(n))).status, 200);
  }

  void Submit(const sim::SimJob& sj) {
    const core::Job& j = sj.job;
    server::SubmitRequest req;
    req.tenant = s_.workload.tenants[j.tenant].name;
    req.spec.name = "job";
    req.spec.command = {"true"};
    req.spec.preemptible = j.preemptible;
    req.spec.checkpointable = j.checkpointable;
    req.spec.grace_s = 0;
    const core::Shape& shape = j.shapes[0];
    req.spec.main.tasks = shape.tasks;
    req.spec.main.cpus = shape.per_task.cpu_milli / 1000.0;
    req.spec.main.mem_mb = shape.per_task.mem_mb;
    req.spec.main.gpus = shape.per_task.accel_milli / 1000.0;
    req.spec.main.gpu_type = shape.accel_types.empty() ? "" : s_.cluster.accel_types[0];
    auto reply = c_->SubmitJob(server::Principal{j.user, req.tenant, server::Role::kAdmin}, req);
    ASSERT_EQ(reply.status, 201) << reply.body;
    ASSERT_EQ(json::parse(reply.body)["id"].get<core::JobId>(), j.id) << "ids must match";
  }

  // Every task of (id, attempt) exits; a preempted attempt keeps the work it did when the job
  // checkpoints (as the simulator does).
  void Exit(core::JobId id, int32_t attempt, int code) {
    for (auto& [name, agent] : agents_) {
      std::erase_if(agent.running, [&](const Task& t) {
        if (t.job != id || t.attempt != attempt) return false;
        agent.events.push_back(AgentEvent{TaskRef{id, attempt, t.task}, "exited", code, {}, ""});
        return true;
      });
    }
  }

  PollRequest PollOf(Agent& agent) {
    PollRequest poll;
    poll.wait_ms = 0;
    poll.events = std::move(agent.events);
    agent.events.clear();
    for (const Task& t : agent.running) poll.running.push_back(TaskRef{t.job, t.attempt, t.task});
    return poll;
  }

  // Every agent that is not silent polls (its heartbeat) and reports what it has to say, without
  // acting on the replies' work yet.
  void Deliver() {
    for (auto& [name, agent] : agents_) {
      if (agent.silent) continue;
      auto reply = c_->PollAgent(name, PollOf(agent));
      ASSERT_EQ(reply.status, 200) << reply.body;
      Pending(name, json::parse(reply.body));
    }
  }

  void Pending(const std::string& node, const json& body) {
    for (const auto& k : body["kill"]) kills_in_.push_back({node, k});
    for (const auto& l : body["launch"]) launches_in_.push_back({node, l});
  }

  // Polls every agent until the controller has nothing more to say at this instant: kills are
  // obeyed at once, launches start at once and fail the test if a device is still in use.
  void Exchange(core::Time t) {
    for (int round = 0; round < 100; ++round) {
      bool told = false;  // the agents reported something this round
      for (auto& [name, agent] : agents_) {
        if (agent.silent) continue;
        told = told || !agent.events.empty();
        auto reply = c_->PollAgent(name, PollOf(agent));
        ASSERT_EQ(reply.status, 200) << reply.body;
        Pending(name, json::parse(reply.body));
      }
      if (!told && kills_in_.empty() && launches_in_.empty()) return;
      // Launches first: an agent may start a task before it handles a kill in the same reply,
      // so a launch the controller sent with a victim's kill would find the device busy.
      for (const auto& [node, l] : launches_in_) Launch(node, l, t);
      launches_in_.clear();
      for (const auto& [node, k] : kills_in_) Kill(node, k, t);
      kills_in_.clear();
      Commit();
      c_->Tick();  // hands out launches that waited for a victim to stop
    }
    FAIL() << "the controller kept sending work at t=" << t;
  }

  void Kill(const std::string& node, const json& k, core::Time t) {
    const core::JobId id = k["job_id"].get<core::JobId>();
    const int32_t attempt = k["attempt"].get<int32_t>();
    auto& run = runs_[id];
    if (run.attempt == attempt && run.live) {
      run.live = false;
      ++kills_;
      const size_t idx = static_cast<size_t>(id - 1);
      if (s_.workload.jobs[idx].job.checkpointable) {
        remaining_[idx] = std::max(0.0, remaining_[idx] - static_cast<double>(t - run.start));
      }
      std::erase_if(ends_, [&](const auto& e) { return e.second == std::pair(id, attempt); });
    }
    std::erase_if(agents_[node].running, [&](const Task& task) {
      if (task.job != id || task.attempt != attempt) return false;
      agents_[node].events.push_back(
          AgentEvent{TaskRef{id, attempt, task.task}, "exited", {}, 15, "killed"});
      return true;
    });
  }

  void Launch(const std::string& node, const json& l, core::Time t) {
    Task task{l["job_id"].get<core::JobId>(), l["attempt"].get<int32_t>(), l["task"].get<int32_t>(),
              l["devices"].get<std::vector<int32_t>>()};
    Agent& agent = agents_[node];
    for (const Task& other : agent.running) {
      for (int32_t d : task.devices) {
        ASSERT_EQ(std::count(other.devices.begin(), other.devices.end(), d), 0)
            << "t=" << t << ": job " << task.job << " launched on device " << d << " of " << node
            << " while job " << other.job << " still runs there";
      }
    }
    agent.running.push_back(task);
    agent.events.push_back(
        AgentEvent{TaskRef{task.job, task.attempt, task.task}, "started", {}, {}, ""});
    auto& run = runs_[task.job];
    if (run.attempt != task.attempt) {
      run = {task.attempt, t, true};
      const size_t idx = static_cast<size_t>(task.job - 1);
      const auto run_ms = static_cast<core::Time>(std::ceil(remaining_[idx] - 1e-9));
      ends_.insert({t + std::max<core::Time>(run_ms, 0), {task.job, task.attempt}});
    }
    if (l["tasks"].get<int>() > 1 && task.task == 0) ++gangs_launched_;
  }

  std::vector<Outcome> Outcomes() {
    std::vector<Outcome> out;
    for (const auto& sj : s_.workload.jobs) {
      auto rec = db_->GetJob(sj.job.id);
      Outcome o;
      if (rec.ok() && rec->has_value()) {
        const store::JobRecord& job = **rec;
        for (const auto& h : job.history) {
          if (h.state == JobState::kStarting && o.first_start == core::kUnknownTime) {
            o.first_start = h.time;
          }
          o.preemptions += h.state == JobState::kPreempted ? 1 : 0;
          o.node_losses += h.state == JobState::kLost ? 1 : 0;
        }
        if (job.state == JobState::kCompleted) o.end = job.end_time;
      }
      out.push_back(o);
    }
    return out;
  }

  struct Attempt {
    int32_t attempt = 0;
    core::Time start = 0;
    bool live = false;
  };
  const Scenario& s_;
  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> db_;
  std::unique_ptr<Controller> c_;
  std::map<std::string, Agent> agents_;
  std::vector<double> remaining_;
  std::map<core::JobId, Attempt> runs_;
  std::multimap<core::Time, std::pair<core::JobId, int32_t>> ends_;
  std::set<std::pair<core::JobId, int32_t>> silent_runs_;  // on the silent node
  std::vector<std::pair<std::string, json>> kills_in_, launches_in_;
  int64_t gangs_launched_ = 0;
  int64_t kills_ = 0;
  std::vector<std::string> decisions_;  // the controller's policy's, as Recorded writes them
};

void ExpectSameDecisions(const std::string& policy, bool expect_preemptions) {
  Scenario s = PhillyExcerpt();
  ASSERT_GE(s.workload.jobs.size(), 250u);
  Simulated sim = ChooseLossAndSimulate(s, policy);
  const std::vector<Outcome>& simulated = sim.jobs;
  ASSERT_FALSE(simulated.empty());
  // The controller keeps its core view between passes (as the simulator does) or rebuilds it
  // every pass: the same decisions either way.
  for (bool kept : {true, false}) {
    SCOPED_TRACE(kept ? "controller keeps its core view" : "controller rebuilds its core view");
    World world(s, policy, kept);
    std::vector<Outcome> served = world.Run();
    ASSERT_EQ(simulated.size(), served.size());
    int64_t preemptions = 0, losses = 0, differ = 0;
    for (size_t i = 0; i < simulated.size(); ++i) {
      preemptions += simulated[i].preemptions;
      losses += simulated[i].node_losses;
      if (simulated[i] == served[i]) continue;
      if (++differ <= 10) {
        ADD_FAILURE() << policy << ": job " << i + 1 << " simulated " << Describe(simulated[i])
                      << "; served " << Describe(served[i]);
      }
    }
    // Every decision, with the nodes and devices of each placement, in the same order.
    EXPECT_GE(sim.decisions.size(), simulated.size()) << "at least one placement per job";
    const auto& decided = world.decisions();
    size_t same = 0;
    while (same < sim.decisions.size() && same < decided.size() &&
           sim.decisions[same] == decided[same]) {
      ++same;
    }
    EXPECT_TRUE(same == sim.decisions.size() && same == decided.size())
        << policy << ": decision " << same << " of " << sim.decisions.size()
        << " differs: simulated '" << (same < sim.decisions.size() ? sim.decisions[same] : "(none)")
        << "', served '" << (same < decided.size() ? decided[same] : "(none)") << "'";
    EXPECT_EQ(differ, 0) << "of " << simulated.size() << " jobs";
    EXPECT_GT(world.gangs_launched(), 0) << "the scenario must exercise gangs";
    EXPECT_GT(losses, 0) << "the scenario must lose running jobs with their node";
    if (expect_preemptions) {
      EXPECT_GT(preemptions, 0) << "the scenario must exercise preemption";
      EXPECT_EQ(world.kills(), preemptions);
    }
  }
}

TEST(equivalence, DefaultWithDecayedUsage) { ExpectSameDecisions("default", true); }
TEST(equivalence, FifoGangsAndQuotas) { ExpectSameDecisions("fifo", false); }
TEST(equivalence, BackfillWithReservations) { ExpectSameDecisions("backfill", false); }
TEST(equivalence, FairShareAcrossTenants) { ExpectSameDecisions("fair", false); }
TEST(equivalence, LasPreempts) { ExpectSameDecisions("las", true); }
TEST(equivalence, SjfByLearnedEstimates) { ExpectSameDecisions("sjf", false); }
TEST(equivalence, SrtfPreemptsByEstimates) { ExpectSameDecisions("srtf", true); }

}  // namespace
}  // namespace suanli
