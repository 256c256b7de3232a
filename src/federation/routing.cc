#include "federation/routing.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

namespace suanli::federation {
namespace {

constexpr TimeMs kHourMs = 3600 * 1000;

std::string Fixed(double v, int digits) {
  // std::to_string has six digits; a short fixed form reads better in reasons.
  double scale = std::pow(10.0, digits);
  long long r = std::llround(v * scale);
  std::string s = std::to_string(r / static_cast<long long>(scale));
  if (digits > 0) {
    std::string frac = std::to_string(std::llabs(r % static_cast<long long>(scale)));
    while (frac.size() < static_cast<size_t>(digits)) frac = "0" + frac;
    if (r < 0 && r / static_cast<long long>(scale) == 0) s = "-" + s;
    s += "." + frac;
  }
  return s;
}

std::string Seconds(double s) { return Fixed(s, 0) + " s"; }

// Mean grid intensity over [start, start + run), an hour at a time (at most a day's curve).
double MeanCarbon(const CenterState& c, TimeMs start, int64_t run_s) {
  if (c.carbon_curve.size() != 24) return c.carbon_g_per_kwh;
  int64_t hours = std::clamp<int64_t>((run_s + 3599) / 3600, 1, 24);
  double sum = 0;
  for (int64_t h = 0; h < hours; ++h) sum += c.CarbonAt(start + h * kHourMs);
  return sum / static_cast<double>(hours);
}

// The fastest way to bring `ds` to `to` from a center that holds it and is up; nullopt when no
// such center exists.
struct Copy {
  double seconds = 0;
  double egress = 0;
};
std::optional<Copy> BestCopy(const Dataset& ds, const CenterState& to,
                             const std::vector<CenterState>& centers, const Network& net) {
  std::optional<Copy> best;
  for (const auto& from : centers) {
    if (!from.up || &from == &to) continue;
    if (std::find(from.datasets.begin(), from.datasets.end(), ds.name) == from.datasets.end()) {
      continue;
    }
    Link link = net.Between(from.region, to.region);
    double gb = static_cast<double>(ds.size_bytes) / 1e9;
    Copy c{gb * 8 / std::max(link.gbps, 1e-6), gb * link.egress_per_gb};
    if (!best || c.seconds < best->seconds ||
        (c.seconds == best->seconds && c.egress < best->egress)) {
      best = c;
    }
  }
  return best;
}

// Scores `ask` on one pool of `c`, the data part (staging, egress, copies) already in `base`.
CenterScore ScorePool(const JobAsk& ask, const CenterState& c, const AccelPool& pool,
                      CenterScore base, TimeMs now) {
  CenterScore s = std::move(base);
  s.pool = pool.type;
  if (ask.gpus_per_node > pool.largest_node) {
    s.why_not = "needs " + std::to_string(ask.gpus_per_node) + " " + pool.type +
                " on one node; its largest node has " + std::to_string(pool.largest_node);
    return s;
  }
  if (ask.gpus() > pool.total) {
    s.why_not = "needs " + std::to_string(ask.gpus()) + " " + pool.type + "; it has " +
                std::to_string(pool.total);
    return s;
  }
  double run_h = static_cast<double>(ask.run_s) / 3600.0;
  double gpus = static_cast<double>(ask.gpus());
  s.wait_s = EstimateWaitS(pool, ask.gpus(), now);
  s.start_s = std::max(s.wait_s, s.staging_s);
  s.finish_s = s.start_s + static_cast<double>(ask.run_s);
  s.compute_cost = pool.price_per_hour * gpus * run_h;
  s.cost = s.compute_cost + s.egress_cost;
  double watts = pool.watts_per_device > 0 ? pool.watts_per_device : kDefaultWatts;
  s.energy_kwh = gpus * watts / 1000.0 * run_h * std::max(c.pue, 1.0);
  TimeMs start_at = now + static_cast<TimeMs>(s.start_s * 1000);
  s.carbon_kg = s.energy_kwh * MeanCarbon(c, start_at, ask.run_s) / 1000.0;
  if (ask.deadline > 0 && now + static_cast<TimeMs>(s.finish_s * 1000) > ask.deadline) {
    s.why_not = "would finish in " + Seconds(s.finish_s) + ", after the deadline (in " +
                Seconds(static_cast<double>(ask.deadline - now) / 1000) + ")";
    return s;
  }
  if (ask.max_price > 0 && s.cost > ask.max_price) {
    s.why_not = "costs " + Fixed(s.cost, 2) + ", over the price cap " + Fixed(ask.max_price, 2);
    return s;
  }
  s.eligible = true;
  return s;
}

// a before b under the objective (ties: sooner, then cheaper; the caller keeps the given order).
bool Better(Objective o, const CenterScore& a, const CenterScore& b) {
  switch (o) {
    case Objective::kCheapest:
      if (a.cost != b.cost) return a.cost < b.cost;
      return a.finish_s < b.finish_s;
    case Objective::kGreenest:
      if (a.carbon_kg != b.carbon_kg) return a.carbon_kg < b.carbon_kg;
      return a.finish_s < b.finish_s;
    case Objective::kEarliest:
      if (a.finish_s != b.finish_s) return a.finish_s < b.finish_s;
      return a.cost < b.cost;
  }
  return false;
}

CenterScore ScoreCenter(const JobAsk& ask, const CenterState& c,
                        const std::vector<CenterState>& centers,
                        const std::map<std::string, Dataset>& datasets, const Network& net,
                        TimeMs now) {
  CenterScore s;
  s.center = c.name;
  if (!c.up) {
    s.why_not = "center is DOWN (its lease expired)";
    return s;
  }
  if (ask.interactive && !ask.home_region.empty() && c.region != ask.home_region) {
    s.why_not = "interactive work stays in its home region " + ask.home_region;
    return s;
  }
  for (const auto& name : ask.datasets) {
    const Dataset& ds = datasets.at(name);  // Route checked every name
    if (!ds.residency.empty() && c.region != ds.residency) {
      s.why_not = "dataset " + name + " must stay in region " + ds.residency;
      return s;
    }
    if (std::find(c.datasets.begin(), c.datasets.end(), name) != c.datasets.end()) continue;
    std::optional<Copy> copy = BestCopy(ds, c, centers, net);
    if (!copy) {
      s.why_not = "dataset " + name + " is not here and no center that holds it is up";
      return s;
    }
    s.staging_s += copy->seconds;  // copied one after another
    s.egress_cost += copy->egress;
    s.copies.push_back(name);
  }
  if (ask.gpus() == 0) {  // CPU work: any center will do, priced at nothing here
    s.start_s = s.staging_s;
    s.finish_s = s.start_s + static_cast<double>(ask.run_s);
    s.cost = s.egress_cost;
    s.eligible = true;
    return s;
  }
  std::optional<CenterScore> best;
  std::string why_not;
  for (const auto& pool : c.pools) {
    if (!ask.gpu_type.empty() && pool.type != ask.gpu_type) continue;
    CenterScore p = ScorePool(ask, c, pool, s, now);
    if (!p.eligible) {
      if (why_not.empty()) why_not = p.why_not;
      if (!best || !best->eligible) best = p;
      continue;
    }
    if (!best || !best->eligible || Better(ask.objective, p, *best)) best = p;
  }
  if (!best) {
    s.why_not = ask.gpu_type.empty() ? "has no accelerators" : "has no " + ask.gpu_type;
    return s;
  }
  if (!best->eligible) best->why_not = why_not;
  return *best;
}

std::string Describe(const CenterScore& s) {
  return s.center + " (" + (s.pool.empty() ? "cpu" : s.pool) + "): starts in " +
         Seconds(s.start_s) + ", finishes in " + Seconds(s.finish_s) + ", costs " +
         Fixed(s.cost, 2) + ", " + Fixed(s.carbon_kg, 2) + " kg CO2";
}

// The explanation when nothing is eligible: the size limit alone if that is what stops every
// center (such a job can never run), else every center's reason.
Status NoneEligible(const JobAsk& ask, const std::vector<CenterScore>& scores,
                    const std::vector<CenterState>& centers) {
  int64_t largest = 0;
  std::string where;
  for (const auto& c : centers) {
    for (const auto& p : c.pools) {
      if (!ask.gpu_type.empty() && p.type != ask.gpu_type) continue;
      if (p.largest_node > largest) {
        largest = p.largest_node;
        where = c.name + "'s " + p.type;
      }
    }
  }
  if (largest == 0 && !ask.gpu_type.empty() && ask.gpus_per_node > 0) {
    return InvalidArgument("no center of the federation has " + ask.gpu_type);
  }
  if (ask.gpus_per_node > largest) {
    std::string type = ask.gpu_type.empty() ? "accelerators" : ask.gpu_type;
    return InvalidArgument(
        "no center can ever hold this job: it needs " + std::to_string(ask.gpus_per_node) + " " +
        type + " on one node, and the largest node of any center has " +
        std::to_string(largest) + (where.empty() ? "" : " (" + where + ")"));
  }
  std::string all;
  for (const auto& s : scores) all += (all.empty() ? "" : "; ") + s.center + ": " + s.why_not;
  if (scores.empty()) all = "no center has joined the federation";
  return FailedPrecondition("no center can take the job now: " + all);
}

}  // namespace

Result<Objective> ParseObjective(const std::string& text) {
  if (text == "earliest" || text.empty()) return Objective::kEarliest;
  if (text == "cheapest") return Objective::kCheapest;
  if (text == "greenest") return Objective::kGreenest;
  return InvalidArgument("objective '" + text + "' must be earliest, cheapest or greenest");
}

std::string ObjectiveName(Objective o) {
  switch (o) {
    case Objective::kCheapest:
      return "cheapest";
    case Objective::kGreenest:
      return "greenest";
    case Objective::kEarliest:
      return "earliest";
  }
  return "earliest";
}

const AccelPool* CenterState::Pool(const std::string& type) const {
  for (const auto& p : pools) {
    if (p.type == type) return &p;
  }
  return nullptr;
}

double CenterState::CarbonAt(TimeMs at) const {
  if (carbon_curve.size() != 24) return carbon_g_per_kwh;
  int64_t hour = ((at / kHourMs) % 24 + 24) % 24;
  return carbon_curve[static_cast<size_t>(hour)];
}

Link Network::Between(const std::string& from, const std::string& to) const {
  if (auto it = links.find({from, to}); it != links.end()) return it->second;
  if (auto it = links.find({to, from}); it != links.end()) return it->second;
  return from == to ? within_region : between_regions;
}

double EstimateWaitS(const AccelPool& pool, int64_t gpus, TimeMs now) {
  int64_t free = std::max<int64_t>(0, pool.total - pool.allocated);
  int64_t need = std::max<int64_t>(0, pool.queued) + gpus;  // the queue ahead goes first
  if (free >= need) return 0;
  TimeMs last = now;
  for (const auto& r : pool.releases) {
    free += std::max<int64_t>(0, r.devices);
    last = std::max(last, r.at);
    if (free >= need) return static_cast<double>(std::max<TimeMs>(0, r.at - now)) / 1000.0;
  }
  // Past the known releases (the queue ahead needs more than every running job frees): assume the
  // pool keeps turning over at the pace of its known profile, a whole pool per span.
  double span_s = std::max(3600.0, static_cast<double>(last - now) / 1000.0);
  double rounds = std::ceil(static_cast<double>(need - free) /
                            static_cast<double>(std::max<int64_t>(1, pool.total)));
  return span_s * (1 + rounds);
}

Result<Decision> Route(const JobAsk& ask, const std::vector<CenterState>& centers,
                       const std::map<std::string, Dataset>& datasets, const Network& network,
                       TimeMs now, const RoutingOptions& options) {
  if (ask.gpus_per_node < 0 || ask.nodes < 1 || ask.run_s < 0) {
    return InvalidArgument("a job needs at least one node and no negative counts");
  }
  std::set<std::string> regions;
  for (const auto& c : centers) regions.insert(c.region);
  for (const auto& name : ask.datasets) {
    auto it = datasets.find(name);
    if (it == datasets.end()) return InvalidArgument("unknown dataset '" + name + "'");
    const std::string& res = it->second.residency;
    if (!res.empty() && !regions.count(res)) {
      return FailedPrecondition("dataset " + name + " must stay in region " + res +
                                ", where no center has joined");
    }
  }
  Decision d;
  d.scores.reserve(centers.size());
  for (const auto& c : centers) {
    d.scores.push_back(ScoreCenter(ask, c, centers, datasets, network, now));
  }
  for (size_t i = 0; i < d.scores.size(); ++i) {
    if (!d.scores[i].eligible) continue;
    if (d.chosen < 0 || Better(ask.objective, d.scores[i], d.winner())) {
      d.chosen = static_cast<int>(i);
    }
  }
  if (d.chosen < 0) return NoneEligible(ask, d.scores, centers);
  size_t eligible = 0;
  for (const auto& s : d.scores) eligible += s.eligible ? 1 : 0;
  if (ask.objective == Objective::kEarliest) {
    double earliest = d.winner().finish_s;
    double slack =
        std::max(options.slack_min_s, options.slack_share * static_cast<double>(ask.run_s));
    int cheapest = d.chosen;
    size_t within = 0;
    for (size_t i = 0; i < d.scores.size(); ++i) {
      const CenterScore& s = d.scores[i];
      if (!s.eligible || s.finish_s > earliest + slack) continue;
      ++within;
      const CenterScore& c = d.scores[static_cast<size_t>(cheapest)];
      if (s.cost < c.cost) cheapest = static_cast<int>(i);
    }
    d.chosen = cheapest;
    d.reason = "earliest finish: " + Describe(d.winner()) + "; the cheapest of " +
               std::to_string(within) + " of " + std::to_string(eligible) +
               " eligible centers finishing within " + Seconds(slack) + " of the earliest";
  } else {
    d.reason = ObjectiveName(ask.objective) + ": " + Describe(d.winner()) + "; best of " +
               std::to_string(eligible) + " eligible centers";
  }
  return d;
}

}  // namespace suanli::federation
