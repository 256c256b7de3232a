// Property tests on random clusters and workloads (seeded, so failures reproduce): a tiny
// simulator applies every decision and checks it, for every policy.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "core/policy.h"
#include "core/test_support.h"

namespace suanli::core {
namespace {

using namespace testing;  // NOLINT

struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int64_t Uniform(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % (hi - lo + 1));
  }
};

struct Scenario {
  ClusterState cluster;
  std::vector<Job> jobs;       // by arrival
  std::map<JobId, Time> work;  // true duration at speed 1
};

Scenario RandomScenario(uint64_t seed) {
  Rng rng{seed};
  Scenario sc;
  const int types = static_cast<int>(rng.Uniform(1, 2));
  std::vector<std::string> names = {"gpu-a", "gpu-b"};
  names.resize(types);
  sc.cluster = MakeCluster(static_cast<int>(rng.Uniform(2, 6)), static_cast<int>(rng.Uniform(2, 8)),
                           names, static_cast<int>(rng.Uniform(1, 2)), 2);
  sc.cluster.tenants = {Tenant{.name = "t0", .weight = 1}, Tenant{.name = "t1", .weight = 2},
                        Tenant{.name = "t2", .parent = 1}};
  const int num_jobs = static_cast<int>(rng.Uniform(10, 40));
  for (int i = 0; i < num_jobs; ++i) {
    const int64_t kind = rng.Uniform(0, 9);
    int64_t milli = kind < 2 ? 250 * rng.Uniform(1, 3) : 1000 * rng.Uniform(1, 4);
    Job j = MakeJob(i + 1, milli, static_cast<int32_t>(rng.Uniform(1, 3)),
                    rng.Uniform(0, 20) * kMin, static_cast<int32_t>(rng.Uniform(0, 2)));
    if (kind == 9) j.shapes[0].per_task.accel_milli = 0;  // cpu only
    j.priority = static_cast<int32_t>(rng.Uniform(0, 2));
    j.checkpointable = rng.Uniform(0, 1) == 1;
    j.time_limit = rng.Uniform(0, 1) ? rng.Uniform(5, 120) * kMin : 0;
    const Time work = rng.Uniform(1, 100) * kMin;
    j.oracle_duration = work;
    if (j.time_limit > 0) j.time_limit = std::max(j.time_limit, work);
    if (rng.Uniform(0, 3) == 0 && milli >= 2000) {
      Shape alt = j.shapes[0];
      alt.per_task.accel_milli = milli / 2000 * 1000;
      alt.speed = 0.6;
      j.shapes.push_back(alt);
    }
    if (types == 2) j.type_speed = {{1, 1.5}};
    if (!CheckFeasible(sc.cluster, j).ok()) continue;
    sc.work[j.id] = work;
    sc.jobs.push_back(j);
  }
  std::stable_sort(sc.jobs.begin(), sc.jobs.end(),
                   [](const Job& a, const Job& b) { return a.submit_time < b.submit_time; });
  return sc;
}

// Checks that the running allocations never exceed any node or device.
void CheckNoOversubscription(const ClusterState& s, const std::string& where) {
  for (size_t n = 0; n < s.nodes.size(); ++n) {
    int64_t cpu = 0, mem = 0;
    std::vector<int64_t> dev(s.nodes[n].devices.size(), 0);
    for (const Job& j : s.jobs) {
      if (j.phase != JobPhase::kRunning) continue;
      for (const auto& t : j.allocation) {
        if (t.node != static_cast<int32_t>(n)) continue;
        cpu += t.res.cpu_milli;
        mem += t.res.mem_mb;
        for (int32_t d : t.devices) {
          ASSERT_GE(d, 0) << where;
          ASSERT_LT(d, static_cast<int32_t>(dev.size())) << where;
          dev[d] += t.res.accel_milli / static_cast<int64_t>(t.devices.size());
          ASSERT_EQ(s.nodes[n].devices[d].type, t.type) << where;
        }
      }
    }
    ASSERT_LE(cpu, s.nodes[n].cpu_milli) << where;
    ASSERT_LE(mem, s.nodes[n].mem_mb) << where;
    for (size_t d = 0; d < dev.size(); ++d)
      ASSERT_LE(dev[d], s.nodes[n].devices[d].total_milli) << where;
  }
}

// Replays the scenario; returns a log of every decision, and whether every job finished.
std::string Replay(const Scenario& sc, const std::string& policy_name, const std::string& placement,
                   bool* all_done) {
  PolicyConfig config;
  config.name = policy_name;
  config.placement = placement;
  auto made = MakePolicy(config);
  EXPECT_TRUE(made.ok());
  Policy& policy = **made;
  ClusterState s = sc.cluster;
  std::map<JobId, double> remaining;  // ms at speed 1
  std::map<JobId, double> rate;
  std::map<JobId, Job> done;
  std::string log;
  size_t next = 0;
  Time now = 0;
  for (int cycle = 0; cycle < 5000; ++cycle) {
    while (next < sc.jobs.size() && sc.jobs[next].submit_time <= now) {
      s.jobs.push_back(sc.jobs[next]);
      remaining[sc.jobs[next].id] = static_cast<double>(sc.work.at(sc.jobs[next].id));
      ++next;
    }
    CycleResult r = policy.Schedule(s, now);
    for (const auto& p : r.preemptions) {
      auto it =
          std::find_if(s.jobs.begin(), s.jobs.end(), [&](const Job& j) { return j.id == p.job; });
      EXPECT_NE(it, s.jobs.end());
      EXPECT_EQ(it->phase, JobPhase::kRunning);
      if (!it->checkpointable) remaining[it->id] = static_cast<double>(sc.work.at(it->id));
      it->phase = JobPhase::kPending;
      it->allocation.clear();
      it->start_time = kUnknownTime;
      it->queued_since = now;
      ++it->preemptions;
      log += "P" + std::to_string(p.job) + "@" + std::to_string(now) + " ";
    }
    for (const auto& p : r.placements) {
      auto it =
          std::find_if(s.jobs.begin(), s.jobs.end(), [&](const Job& j) { return j.id == p.job; });
      EXPECT_NE(it, s.jobs.end());
      EXPECT_EQ(it->phase, JobPhase::kPending);
      EXPECT_EQ(p.tasks.size(), static_cast<size_t>(it->shapes[p.shape_index].tasks));
      it->phase = JobPhase::kRunning;
      it->start_time = now;
      it->shape_index = p.shape_index;
      it->allocation = p.tasks;
      double type_speed = 1.0;
      for (const auto& [t, f] : it->type_speed) {
        if (t == p.tasks[0].type) type_speed = f;
      }
      rate[p.job] = it->shapes[p.shape_index].speed * type_speed;
      log += "S" + std::to_string(p.job) + "@" + std::to_string(now) + ":";
      for (const auto& t : p.tasks) {
        log += std::to_string(t.node) + "/";
        for (int32_t d : t.devices) log += std::to_string(d) + ",";
      }
      log += " ";
    }
    CheckNoOversubscription(s, policy_name + " at " + std::to_string(now) + " log " +
                                   log.substr(log.size() > 300 ? log.size() - 300 : 0));
    // Every pending job is explained.
    size_t pending = 0;
    for (const Job& j : s.jobs) pending += j.phase == JobPhase::kPending;
    EXPECT_EQ(r.pending.size(), pending) << policy_name;
    for (const auto& p : r.pending) EXPECT_FALSE(p.Reason(now).empty());
    // Advance to the next completion or arrival.
    Time next_t = next < sc.jobs.size() ? sc.jobs[next].submit_time : -1;
    for (const Job& j : s.jobs) {
      if (j.phase != JobPhase::kRunning) continue;
      const Time end = now + static_cast<Time>(remaining[j.id] / rate[j.id] + 0.999);
      if (next_t < 0 || end < next_t) next_t = end;
    }
    if (next_t < 0) {
      if (s.jobs.empty()) break;
      next_t = now + kMin;  // nothing running: let time pass (aging, reservations)
    }
    const Time dt = std::max<Time>(next_t - now, 0);
    for (auto it = s.jobs.begin(); it != s.jobs.end();) {
      if (it->phase == JobPhase::kRunning) {
        remaining[it->id] -= static_cast<double>(dt) * rate[it->id];
        it->attained_service_ms += static_cast<double>(dt) * 1.0;
        if (remaining[it->id] <= 0.5) {
          log += "E" + std::to_string(it->id) + "@" + std::to_string(next_t) + " ";
          done[it->id] = *it;
          it = s.jobs.erase(it);
          continue;
        }
      }
      ++it;
    }
    now = next_t;
    if (next >= sc.jobs.size() && s.jobs.empty()) break;
  }
  *all_done = done.size() == sc.jobs.size();
  return log;
}

TEST(PropertyTest, NoOversubscriptionEveryJobRunsAndReplaysAreIdentical) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const Scenario sc = RandomScenario(seed);
    for (const std::string& name : PolicyNames()) {
      bool done_a = false, done_b = false;
      const std::string a = Replay(sc, name, "auto", &done_a);
      const std::string b = Replay(sc, name, "auto", &done_b);
      EXPECT_TRUE(done_a) << name << " seed " << seed << " left jobs unfinished";
      EXPECT_EQ(a, b) << name << " seed " << seed << " is not deterministic";
    }
    for (const std::string& placement : PlacementNames()) {
      bool done = false;
      Replay(sc, "backfill", placement, &done);
      EXPECT_TRUE(done) << placement << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace suanli::core
