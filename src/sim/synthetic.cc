#include "sim/synthetic.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "sim/csv.h"

namespace suanli::sim {

bool IsSyntheticSpec(const std::string& spec) { return spec.rfind("synthetic", 0) == 0; }

Result<Trace> GenerateSyntheticTrace(const std::string& spec) {
  std::map<std::string, double> p = {{"jobs", 1000},       {"tenants", 4},   {"seed", 1},
                                     {"interarrival", 60}, {"median", 1800}, {"sigma", 1.8},
                                     {"max_gpus", 16}};
  std::string args = spec.size() > 10 && spec[9] == ':' ? spec.substr(10) : "";
  if (spec != "synthetic" && args.empty()) {
    return InvalidArgument("synthetic trace spec '" + spec + "' is not synthetic[:key=value,...]");
  }
  size_t start = 0;
  while (start < args.size()) {
    size_t comma = args.find(',', start);
    std::string item =
        args.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = item.find('=');
    std::string key = eq == std::string::npos ? item : item.substr(0, eq);
    auto v = eq == std::string::npos ? std::nullopt : ParseDouble(item.substr(eq + 1));
    if (!p.count(key) || !v || *v < 0) {
      return InvalidArgument("synthetic trace: '" + item +
                             "' is not one of jobs, tenants, seed, interarrival, median, sigma, "
                             "max_gpus = a number >= 0");
    }
    p[key] = *v;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (p["jobs"] < 1 || p["tenants"] < 1 || p["median"] <= 0 || p["max_gpus"] < 1) {
    return InvalidArgument("synthetic trace needs jobs, tenants, median and max_gpus >= 1");
  }
  std::mt19937_64 rng(static_cast<uint64_t>(p["seed"]));
  auto unit = [&rng] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
  const std::vector<std::pair<int64_t, double>> kGpuMix = {{1, 0.80}, {2, 0.06},  {4, 0.06},
                                                           {8, 0.05}, {16, 0.02}, {32, 0.01}};
  Trace t;
  t.source = spec;
  double clock = 0;
  const int64_t n = static_cast<int64_t>(p["jobs"]);
  for (int64_t i = 0; i < n; ++i) {
    TraceJob j;
    j.line = i + 2;
    j.id = "syn-" + std::to_string(i);
    j.tenant = "t" + std::to_string(static_cast<int64_t>(unit() * p["tenants"]));
    j.submit_s = static_cast<int64_t>(clock);
    clock += -std::log(unit()) * p["interarrival"];
    // Box-Muller normal for the log-normal duration.
    double z = std::sqrt(-2 * std::log(unit())) * std::cos(2 * M_PI * unit());
    j.duration_s =
        std::clamp<int64_t>(std::llround(p["median"] * std::exp(p["sigma"] * z)), 1, 7 * 24 * 3600);
    double u = unit(), acc = 0;
    j.num_gpus = 1;
    for (const auto& [g, prob] : kGpuMix) {
      acc += prob;
      if (u <= acc) {
        j.num_gpus = g;
        break;
      }
    }
    j.num_gpus = std::min<int64_t>(j.num_gpus, static_cast<int64_t>(p["max_gpus"]));
    t.jobs.push_back(std::move(j));
  }
  t.data_rows = n;
  return t;
}

}  // namespace suanli::sim
