#pragma once
// Where a job should run in a network of computing centers: the broker's routing rule, pure like
// core (state and "now" in, a decision out), so the broker (`suanli broker`) and the federation
// simulator (`suanli sim --federation`) decide with the very same code.
//
// A decision filters the centers that can hold the job at all (accelerator type and count, up,
// residency of its datasets, the latency class of interactive work), then scores each by the
// job's objective, counting queue wait, data staging time and egress cost, the compute price and
// the energy and carbon of the expected run. Every center's score and the reason for the winner
// are kept, so `suanli show` on the broker can say why a job went where it went.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace suanli::federation {

using TimeMs = int64_t;

enum class Objective { kEarliest, kCheapest, kGreenest };
Result<Objective> ParseObjective(const std::string& text);  // "earliest" | "cheapest" | "greenest"
std::string ObjectiveName(Objective o);

// Devices freed at a moment in a center's schedule (running jobs' expected ends).
struct Release {
  TimeMs at = 0;
  int64_t devices = 0;
};

// One accelerator type in one center, as the center reports it.
struct AccelPool {
  std::string type;              // "nvidia-a100", "ascend-910b"
  int64_t total = 0;             // devices
  int64_t allocated = 0;         // devices in use now
  int64_t queued = 0;            // devices asked by the center's pending jobs
  int64_t largest_node = 0;      // most devices of this type on one node
  double price_per_hour = 0;     // per device-hour, what the user pays
  double watts_per_device = 0;   // board power; 0 = kDefaultWatts
  std::vector<Release> releases;  // ordered by time
};

inline constexpr double kDefaultWatts = 400;

struct CenterState {
  std::string name;
  std::string region;
  bool up = true;
  std::vector<AccelPool> pools;
  double electricity_per_kwh = 0;  // the center's price of power (reported, for cost views)
  double pue = 1.0;                // facility power / IT power
  double carbon_g_per_kwh = 0;     // grid intensity; used when no curve is given
  std::vector<double> carbon_curve;  // 24 hourly values (UTC hours), optional
  std::vector<std::string> datasets;  // held here (registered homes and cached copies)

  const AccelPool* Pool(const std::string& type) const;
  // Grid intensity at `at` (the curve's hour, else the flat figure).
  double CarbonAt(TimeMs at) const;
};

struct Dataset {
  std::string name;
  std::string home;        // the center it was registered at
  int64_t size_bytes = 0;
  std::string residency;   // region it must stay in; empty = may move
};

struct Link {
  double gbps = 10;          // usable bandwidth between two regions
  double egress_per_gb = 0;  // price of moving one GB out of the source region
};

// Inter-region bandwidth and egress prices; a pair not listed uses `between_regions`, and data
// inside one region moves at `within_region`.
struct Network {
  Link within_region{100, 0};
  Link between_regions{10, 0.05};
  std::map<std::pair<std::string, std::string>, Link> links;  // (from, to), either order
  Link Between(const std::string& from, const std::string& to) const;
};

struct JobAsk {
  std::string gpu_type;  // empty = any type
  int64_t gpus_per_node = 0;
  int64_t nodes = 1;
  int64_t run_s = 3600;  // expected run (time limit or learned estimate)
  std::vector<std::string> datasets;
  Objective objective = Objective::kEarliest;
  TimeMs deadline = 0;     // finish by this; 0 = none
  double max_price = 0;    // total cost cap; 0 = none
  bool interactive = false;  // stays in the home region (latency)
  std::string home_region;
  int64_t gpus() const { return gpus_per_node * nodes; }
};

struct CenterScore {
  std::string center;
  bool eligible = false;
  std::string why_not;  // when not eligible
  std::string pool;     // accelerator type it would run on
  double wait_s = 0;    // until the devices are free there
  double staging_s = 0; // copying the job's missing datasets there
  double start_s = 0;   // max(wait, staging)
  double finish_s = 0;  // start + run
  double compute_cost = 0;
  double egress_cost = 0;
  double cost = 0;      // compute + egress
  double energy_kwh = 0;
  double carbon_kg = 0;
  std::vector<std::string> copies;  // datasets to stage there
};

struct Decision {
  std::vector<CenterScore> scores;  // one per center, in the order given
  int chosen = -1;                  // index into scores
  std::string reason;
  const CenterScore& winner() const { return scores[static_cast<size_t>(chosen)]; }
};

struct RoutingOptions {
  // Earliest completion is the default objective, and a few minutes either way rarely matter to
  // the one who waits while the bill does: centers finishing within this share of the job's run
  // (at least `slack_min_s`) of the earliest count as equally early, and the cheapest of them wins.
  double slack_share = 0.10;
  double slack_min_s = 60;
};

// When `gpus` devices of `pool` are free for a new job, `now` being the moment of the report:
// walks the center's release profile after the queue ahead of it (first come, first served).
double EstimateWaitS(const AccelPool& pool, int64_t gpus, TimeMs now);

// Scores every center for `ask` and picks one. An error (InvalidArgument or FailedPrecondition)
// when no center is eligible, naming why: an unknown dataset, a job larger than any center's
// largest node, residency no eligible center satisfies, a deadline or price cap none meets.
Result<Decision> Route(const JobAsk& ask, const std::vector<CenterState>& centers,
                       const std::map<std::string, Dataset>& datasets, const Network& network,
                       TimeMs now, const RoutingOptions& options = {});

}  // namespace suanli::federation
