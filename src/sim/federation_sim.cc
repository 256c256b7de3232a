#include "sim/federation_sim.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "core/duration_predictor.h"
#include "core/policy.h"
#include "federation/routing.h"
#include "sim/engine.h"

namespace suanli::sim {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;
constexpr int64_t kDefaultRunS = 3600;  // JobAsk's own default, for jobs nothing is known like
constexpr size_t kRejectedExamples = 5;

// splitmix64: a well-mixed 64-bit value from a seed and a job's index, so draws do not depend on
// the order anything else is drawn in.
double Unit(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + stream * 0xBF58476D1CE4E5B9ULL + index;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
}

// Mean grid intensity over [from, to) ms, hour by hour on the curve (whole days at its mean).
double MeanCarbon(const CenterSpec& c, core::Time from, core::Time to) {
  if (c.carbon_curve.size() != 24 || to <= from) return c.carbon_g_per_kwh;
  const auto hour_ms = static_cast<core::Time>(kMsPerHour);
  double day_mean = 0;
  for (double v : c.carbon_curve) day_mean += v / 24.0;
  const core::Time day_ms = 24 * hour_ms;
  const core::Time days = (to - from) / day_ms;
  double weighted = day_mean * static_cast<double>(days * day_ms);
  for (core::Time t = from + days * day_ms; t < to;) {
    const core::Time next = std::min(to, (t / hour_ms + 1) * hour_ms);
    weighted +=
        c.carbon_curve[static_cast<size_t>((t / hour_ms) % 24)] * static_cast<double>(next - t);
    t = next;
  }
  return weighted / static_cast<double>(to - from);
}

struct Placed {
  int center = -1;
  size_t index = 0;       // in that center's engine
  core::Time submit = 0;  // at the federation
};

class Federation {
 public:
  Federation(const Workload& w, const std::vector<JobDemand>& demand, const FederationNetwork& net,
             FederationPolicy policy, const EngineOptions& engine)
      : w_(w), demand_(demand), net_(net), policy_(policy), engine_options_(engine) {
    for (const auto& d : net.datasets) datasets_[d.dataset.name] = d.dataset;
    held_.resize(net.centers.size());
    load_.assign(net.centers.size(), 0);
    for (const auto& d : net.datasets) {
      held_[static_cast<size_t>(net.CenterIndex(d.dataset.home))].push_back(d.dataset.name);
    }
  }

  Result<FederationRun> Run() {
    for (size_t c = 0; c < net_.centers.size(); ++c) {
      core::PolicyConfig config;
      config.name = net_.scheduler;
      config.explain_pending = false;
      SUANLI_ASSIGN_OR_RETURN(auto policy, core::MakePolicy(config));
      policies_.push_back(std::move(policy));
      engines_.push_back(std::make_unique<LiveEngine>(w_.tenants, CenterCluster(net_, c),
                                                      *policies_.back(), engine_options_));
    }
    run_.policy = FederationPolicyName(policy_);
    placed_.assign(w_.jobs.size(), Placed{});
    for (size_t j = 0; j < w_.jobs.size(); ++j) SUANLI_RETURN_IF_ERROR(Submit(j));
    std::vector<RunOutcome> outcomes;
    for (size_t c = 0; c < engines_.size(); ++c) {
      auto outcome = engines_[c]->Finish();
      if (!outcome.ok()) {
        return Status(outcome.status().code(),
                      "center " + net_.centers[c].name + ": " + outcome.status().message());
      }
      outcomes.push_back(std::move(outcome).value());
    }
    Account(outcomes);
    return std::move(run_);
  }

 private:
  // Brings every center up to `now` and teaches the federation's run-time estimate what
  // finished meanwhile (as the broker hears of completions from its centers).
  Status AdvanceTo(core::Time now) {
    for (auto& e : engines_) {
      SUANLI_RETURN_IF_ERROR(e->RunBefore(now));
      for (size_t idx : e->TakeFinished()) {
        const SimJob& sj = e->workload().jobs[idx];
        predictor_.Observe(Facts(sj), sj.work_ms);
      }
    }
    return Status::Ok();
  }

  core::DurationFacts Facts(const SimJob& sj) const {
    return {.tenant = w_.tenants[static_cast<size_t>(sj.job.tenant)].name,
            .user = sj.job.user,
            .name = {},
            .accel_milli = sj.accel_milli};
  }

  Result<federation::JobAsk> Ask(size_t j) const {
    const SimJob& sj = w_.jobs[j];
    const core::Shape& shape = sj.job.shapes[0];
    federation::JobAsk ask;
    ask.nodes = shape.tasks;
    ask.gpus_per_node =
        (shape.per_task.accel_milli + core::kMilliPerDevice - 1) / core::kMilliPerDevice;
    if (shape.accel_types.size() > 1) {
      return InvalidArgument("job " + sj.name + " (line " + std::to_string(sj.line) +
                             ") accepts several accelerator types; the federation routes a job "
                             "to one type only");
    }
    if (shape.accel_types.size() == 1) {
      ask.gpu_type = net_.AccelTypes()[static_cast<size_t>(shape.accel_types[0])];
    }
    const core::Time estimate = predictor_.Predict(Facts(sj));
    ask.run_s =
        estimate == core::kUnknownTime ? kDefaultRunS : std::max<int64_t>(1, estimate / 1000);
    ask.home_region = net_.regions[static_cast<size_t>(demand_[j].region)].name;
    if (demand_[j].dataset >= 0) {
      ask.datasets.push_back(net_.datasets[static_cast<size_t>(demand_[j].dataset)].dataset.name);
    }
    ask.objective = federation::Objective::kEarliest;
    return ask;
  }

  // What each center reports now: the state the broker would hold.
  std::vector<federation::CenterState> States(core::Time now, const core::Shape& shape) {
    std::vector<federation::CenterState> out;
    out.reserve(net_.centers.size());
    for (size_t c = 0; c < net_.centers.size(); ++c) {
      const CenterSpec& spec = net_.centers[c];
      LiveView view = engines_[c]->View(now, shape);
      load_[c] = static_cast<double>(view.allocated_devices + view.queued_devices);
      federation::CenterState s;
      s.name = spec.name;
      s.region = spec.region;
      s.electricity_per_kwh = spec.electricity_per_kwh;
      s.pue = spec.pue;
      s.carbon_g_per_kwh = spec.carbon_g_per_kwh;
      s.carbon_curve = spec.carbon_curve;
      s.datasets = held_[c];
      federation::AccelPool pool;
      pool.type = spec.type;
      pool.total = int64_t{spec.nodes} * spec.accelerators_per_node;
      // Busy for this shape: what it cannot use now, scattered free devices included.
      pool.allocated = std::max(view.allocated_devices, pool.total - view.usable_devices);
      pool.queued = view.queued_devices;
      pool.largest_node = spec.accelerators_per_node;
      pool.price_per_hour = spec.price_per_hour;
      pool.watts_per_device = spec.watts_per_accelerator;
      pool.releases.reserve(view.releases.size());
      for (const auto& [at, devices] : view.releases) pool.releases.push_back({at, devices});
      s.pools.push_back(std::move(pool));
      out.push_back(std::move(s));
    }
    return out;
  }

  // (allocated + queued) / capacity, from the center's plain counts.
  double Load(int c) const {
    const CenterSpec& spec = net_.centers[static_cast<size_t>(c)];
    return load_[static_cast<size_t>(c)] /
           static_cast<double>(std::max(1, spec.nodes * spec.accelerators_per_node));
  }

  // The baseline's pick among `candidates` (eligible indices): lowest load, ties by order.
  int LeastLoaded(const std::vector<int>& candidates) const {
    int best = -1;
    for (int i : candidates) {
      if (best < 0 || Load(i) < Load(best)) best = i;
    }
    return best;
  }

  int Choose(const federation::Decision& d, const std::vector<federation::CenterState>& states,
             const federation::JobAsk& ask) {
    std::vector<int> eligible;
    for (size_t i = 0; i < d.scores.size(); ++i) {
      if (d.scores[i].eligible) eligible.push_back(static_cast<int>(i));
    }
    switch (policy_) {
      case FederationPolicy::kDefault:
        return d.chosen;
      case FederationPolicy::kLocalOnly: {
        std::vector<int> local;
        for (int i : eligible) {
          if (states[static_cast<size_t>(i)].region == ask.home_region) local.push_back(i);
        }
        if (local.empty()) {
          ++run_.spilled;
          return LeastLoaded(eligible);
        }
        return LeastLoaded(local);
      }
      case FederationPolicy::kRoundRobin: {
        const size_t n = d.scores.size();
        for (size_t k = 0; k < n; ++k) {
          const size_t i = (next_ + k) % n;
          if (d.scores[i].eligible) {
            next_ = i + 1;
            return static_cast<int>(i);
          }
        }
        return -1;
      }
      case FederationPolicy::kLeastLoaded:
        return LeastLoaded(eligible);
      case FederationPolicy::kCheapest: {
        // The lowest price among the centers where the job fits now (no wait), else among all.
        int best = -1;
        for (bool need_room : {true, false}) {
          for (int i : eligible) {
            if (need_room && d.scores[static_cast<size_t>(i)].wait_s > 0) continue;
            if (best < 0 || states[static_cast<size_t>(i)].pools[0].price_per_hour <
                                states[static_cast<size_t>(best)].pools[0].price_per_hour) {
              best = i;
            }
          }
          if (best >= 0) break;
        }
        return best;
      }
    }
    return d.chosen;
  }

  Status Submit(size_t j) {
    const SimJob& sj = w_.jobs[j];
    const core::Time now = sj.job.submit_time;
    SUANLI_RETURN_IF_ERROR(AdvanceTo(now));
    SUANLI_ASSIGN_OR_RETURN(federation::JobAsk ask, Ask(j));
    std::vector<federation::CenterState> states = States(now, sj.job.shapes[0]);
    auto decision = federation::Route(ask, states, datasets_, net_.network, now, net_.routing);
    if (!decision.ok()) {
      ++run_.rejected;
      if (run_.rejected_examples.size() < kRejectedExamples) {
        run_.rejected_examples.push_back(sj.name + ": " + decision.status().message());
      }
      return Status::Ok();
    }
    const int c = Choose(*decision, states, ask);
    if (c < 0) return Internal("no eligible center chosen for job " + sj.name);
    const auto center = static_cast<size_t>(c);
    const federation::CenterScore& score = decision->scores[center];
    // The copies the rule planned, and any copy of the job's data still on its way there.
    auto staging_ms = static_cast<core::Time>(std::ceil(score.staging_s * 1000));
    for (const auto& name : ask.datasets) {
      auto it = ready_.find({c, name});
      if (it != ready_.end()) staging_ms = std::max(staging_ms, it->second - now);
    }
    run_.egress_cost += score.egress_cost;
    for (const auto& name : score.copies) {
      const federation::Dataset& ds = datasets_.at(name);
      if (!ds.residency.empty() && net_.centers[center].region != ds.residency) {
        ++run_.residency_violations;
      }
      held_[center].push_back(name);
      ready_[{c, name}] = now + staging_ms;
      run_.data_moved_tb += static_cast<double>(ds.size_bytes) / 1e12;
      ++run_.copies;
    }
    if (staging_ms > 0) ++run_.staged_jobs;
    SimJob routed = sj;
    routed.job.submit_time = now + staging_ms;
    placed_[j] = {c, engines_[center]->Submit(std::move(routed)), now};
    ++run_.jobs;
    return Status::Ok();
  }

  void Account(const std::vector<RunOutcome>& outcomes) {
    const size_t n = net_.centers.size();
    run_.centers.resize(n);
    for (size_t c = 0; c < n; ++c) {
      run_.centers[c].name = net_.centers[c].name;
      run_.centers[c].region = net_.centers[c].region;
      run_.centers[c].capacity =
          int64_t{net_.centers[c].nodes} * net_.centers[c].accelerators_per_node;
    }
    std::vector<double> jct;
    double wait_sum = 0;
    core::Time first = 0, last = 0;
    bool any = false;
    for (size_t j = 0; j < placed_.size(); ++j) {
      const Placed& p = placed_[j];
      if (p.center < 0) continue;
      const auto c = static_cast<size_t>(p.center);
      const JobOutcome& o = outcomes[c].jobs[p.index];
      CenterResult& cr = run_.centers[c];
      ++cr.jobs;
      if (!any || p.submit < first) first = p.submit;
      any = true;
      if (o.end == core::kUnknownTime) continue;
      ++run_.finished;
      last = std::max(last, o.end);
      jct.push_back(static_cast<double>(o.end - p.submit) / 1000.0);
      wait_sum += static_cast<double>(o.first_start - p.submit) / 1000.0;
      const CenterSpec& spec = net_.centers[c];
      const double devices = static_cast<double>(w_.jobs[j].accel_milli) / core::kMilliPerDevice;
      const double run_h = static_cast<double>(o.end - o.submit - o.pending_ms) / kMsPerHour;
      const double energy = devices * spec.watts_per_accelerator / 1000.0 * run_h * spec.pue;
      cr.gpu_h += devices * run_h;
      cr.cost += spec.price_per_hour * devices * run_h;
      cr.energy_kwh += energy;
      cr.carbon_kg += energy * MeanCarbon(spec, o.first_start, o.end) / 1000.0;
    }
    const double span_ms = static_cast<double>(std::max<core::Time>(1, last - first));
    std::vector<double> util;
    for (size_t c = 0; c < n; ++c) {
      CenterResult& cr = run_.centers[c];
      const RunOutcome& o = outcomes[c];
      double integral = 0;  // accelerator-milli × ms
      for (size_t k = 0; k < o.allocation_steps.size(); ++k) {
        const core::Time from = o.allocation_steps[k].first;
        const core::Time to =
            k + 1 < o.allocation_steps.size() ? o.allocation_steps[k + 1].first : o.end;
        integral += static_cast<double>(o.allocation_steps[k].second) *
                    static_cast<double>(std::max<core::Time>(0, to - from));
      }
      cr.utilization =
          o.capacity_milli > 0 ? integral / (static_cast<double>(o.capacity_milli) * span_ms) : 0;
      util.push_back(cr.utilization);
      run_.preemptions += o.preemptions;
      run_.compute_cost += cr.cost;
      run_.energy_kwh += cr.energy_kwh;
      run_.carbon_kg += cr.carbon_kg;
    }
    run_.total_cost = run_.compute_cost + run_.egress_cost;
    run_.makespan_s = span_ms / 1000.0;
    if (!jct.empty()) {
      double sum = 0;
      for (double v : jct) sum += v;
      run_.jct_s.mean = sum / static_cast<double>(jct.size());
      run_.avg_wait_s = wait_sum / static_cast<double>(jct.size());
      run_.jct_s.p50 = Percentile(jct, 50);
      run_.jct_s.p95 = Percentile(jct, 95);
      run_.jct_s.p99 = Percentile(jct, 99);
      run_.jct_s.max = *std::max_element(jct.begin(), jct.end());
    }
    double mean = 0;
    for (double u : util) mean += u / static_cast<double>(util.size());
    double var = 0;
    for (double u : util) var += (u - mean) * (u - mean) / static_cast<double>(util.size());
    run_.utilization_cv = mean > 0 ? std::sqrt(var) / mean : 0;
    const double lo = *std::min_element(util.begin(), util.end());
    const double hi = *std::max_element(util.begin(), util.end());
    run_.utilization_max_min = lo > 0 ? hi / lo : 0;
  }

  const Workload& w_;
  const std::vector<JobDemand>& demand_;
  const FederationNetwork& net_;
  FederationPolicy policy_;
  EngineOptions engine_options_;
  std::map<std::string, federation::Dataset> datasets_;
  std::vector<std::unique_ptr<core::Policy>> policies_;
  std::vector<std::unique_ptr<LiveEngine>> engines_;
  std::vector<std::vector<std::string>> held_;               // datasets per center, copies too
  std::map<std::pair<int, std::string>, core::Time> ready_;  // when a copy has arrived
  core::DurationPredictor predictor_;
  std::vector<Placed> placed_;  // by workload index
  std::vector<double> load_;    // allocated + queued devices per center, at the last report
  size_t next_ = 0;             // round-robin's next center
  FederationRun run_;
};

}  // namespace

std::string FederationPolicyName(FederationPolicy p) {
  switch (p) {
    case FederationPolicy::kLocalOnly:
      return "local-only";
    case FederationPolicy::kRoundRobin:
      return "round-robin";
    case FederationPolicy::kLeastLoaded:
      return "least-loaded";
    case FederationPolicy::kCheapest:
      return "cheapest";
    case FederationPolicy::kDefault:
      return "default";
  }
  return "default";
}

Result<std::vector<FederationPolicy>> ParseFederationPolicies(
    const std::vector<std::string>& names) {
  const std::vector<FederationPolicy> all = {
      FederationPolicy::kLocalOnly, FederationPolicy::kRoundRobin, FederationPolicy::kLeastLoaded,
      FederationPolicy::kCheapest, FederationPolicy::kDefault};
  std::vector<FederationPolicy> out;
  for (const auto& name : names) {
    if (name == "all") {
      out.insert(out.end(), all.begin(), all.end());
      continue;
    }
    bool found = false;
    for (FederationPolicy p : all) {
      if (FederationPolicyName(p) == name) {
        out.push_back(p);
        found = true;
      }
    }
    if (!found) {
      return InvalidArgument("federation policy '" + name +
                             "' is unknown; known: local-only, round-robin, least-loaded, "
                             "cheapest, default, all");
    }
  }
  if (out.empty()) out.push_back(FederationPolicy::kDefault);
  return out;
}

std::vector<JobDemand> DrawDemand(const FederationNetwork& net, const Workload& workload) {
  double region_total = 0;
  for (const auto& r : net.regions) region_total += r.demand_share;
  std::vector<JobDemand> out(workload.jobs.size());
  for (size_t j = 0; j < workload.jobs.size(); ++j) {
    // Keyed by the trace line, so a job's draw is the same whatever else the trace holds.
    const auto key = static_cast<uint64_t>(workload.jobs[j].line);
    double u = Unit(net.seed, 1, key) * region_total;
    int region = -1;
    for (size_t r = 0; r < net.regions.size(); ++r) {
      if (net.regions[r].demand_share <= 0) continue;
      region = static_cast<int>(r);  // the last with demand takes the rounding remainder
      if (u < net.regions[r].demand_share) break;
      u -= net.regions[r].demand_share;
    }
    out[j].region = region;
    double v = Unit(net.seed, 2, key);
    for (size_t d = 0; d < net.datasets.size(); ++d) {
      if (v < net.datasets[d].share) {
        out[j].dataset = static_cast<int>(d);
        break;
      }
      v -= net.datasets[d].share;
    }
  }
  return out;
}

Result<FederationRun> RunFederationPolicy(const Workload& workload,
                                          const std::vector<JobDemand>& demand,
                                          const FederationNetwork& net, FederationPolicy policy,
                                          const EngineOptions& engine) {
  Federation f(workload, demand, net, policy, engine);
  return f.Run();
}

Result<FederationReport> RunFederation(const Trace& trace, const FederationNetwork& net,
                                       const FederationOptions& options) {
  SUANLI_ASSIGN_OR_RETURN(Workload w, BuildWorkload(trace, UnionCluster(net), options.workload));
  FederationReport report;
  report.trace = trace.source;
  report.network = net.source;
  report.trace_jobs = static_cast<int64_t>(trace.jobs.size());
  report.infeasible = static_cast<int64_t>(w.infeasible.size());
  const std::vector<JobDemand> demand = DrawDemand(net, w);
  for (FederationPolicy p : options.policies) {
    SUANLI_ASSIGN_OR_RETURN(FederationRun run,
                            RunFederationPolicy(w, demand, net, p, options.engine));
    report.runs.push_back(std::move(run));
  }
  return report;
}

}  // namespace suanli::sim
