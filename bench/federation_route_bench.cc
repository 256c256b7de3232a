// How long the broker's routing rule takes for one job (issue #15 asks <= 5 ms p50 with 50
// centers): 50 centers in 8 regions, two accelerator pools each with a 64-entry release profile,
// 20 datasets (a quarter of them bound to a region), and 20,000 asks of every objective, size and
// data need, routed one at a time. Prints p50/p99/max and the decisions' spread over centers.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <vector>

#include "federation/routing.h"

using namespace suanli::federation;

int main() {
  constexpr int kCenters = 50;
  constexpr int kRegions = 8;
  constexpr int kAsks = 20000;
  constexpr TimeMs kNow = 1'800'000'000'000;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const char* types[] = {"nvidia-a100", "ascend-910b"};
  std::vector<CenterState> centers;
  for (int i = 0; i < kCenters; ++i) {
    CenterState c;
    c.name = "c" + std::to_string(i);
    c.region = "r" + std::to_string(i % kRegions);
    c.pue = 1.1 + 0.4 * u(rng);
    c.carbon_g_per_kwh = 100 + 700 * u(rng);
    if (i % 3 == 0) {
      for (int h = 0; h < 24; ++h) c.carbon_curve.push_back(c.carbon_g_per_kwh * (0.6 + 0.8 * u(rng)));
    }
    for (const char* t : types) {
      AccelPool p;
      p.type = t;
      p.total = 8 * (16 + static_cast<int64_t>(u(rng) * 240));
      p.allocated = static_cast<int64_t>(p.total * u(rng));
      p.queued = static_cast<int64_t>(p.total * u(rng));
      p.largest_node = 8;
      p.price_per_hour = 1 + 3 * u(rng);
      for (int r = 0; r < 64; ++r) {
        p.releases.push_back({kNow + static_cast<TimeMs>((r + 1) * 600'000 * (0.5 + u(rng))),
                              1 + static_cast<int64_t>(u(rng) * 16)});
      }
      std::sort(p.releases.begin(), p.releases.end(),
                [](const Release& a, const Release& b) { return a.at < b.at; });
      c.pools.push_back(std::move(p));
    }
    centers.push_back(std::move(c));
  }
  std::map<std::string, Dataset> datasets;
  for (int d = 0; d < 20; ++d) {
    Dataset ds{"ds" + std::to_string(d), "c" + std::to_string(d * 2),
               static_cast<int64_t>(1e9 * (1 + u(rng) * 2000)),
               d % 4 == 0 ? "r" + std::to_string((d * 2) % kRegions) : ""};
    datasets[ds.name] = ds;
    centers[static_cast<size_t>(d * 2)].datasets.push_back(ds.name);
  }
  Network net;
  for (int a = 0; a < kRegions; ++a) {
    for (int b = a + 1; b < kRegions; ++b) {
      net.links[{"r" + std::to_string(a), "r" + std::to_string(b)}] = {1 + 40 * u(rng),
                                                                       0.01 + 0.1 * u(rng)};
    }
  }
  std::vector<double> us;
  us.reserve(kAsks);
  std::map<std::string, int> chosen;
  int refused = 0;
  for (int i = 0; i < kAsks; ++i) {
    JobAsk ask;
    ask.gpu_type = i % 5 == 0 ? "" : types[i % 2];
    ask.gpus_per_node = 1 << (i % 4);
    ask.nodes = i % 7 == 0 ? 4 : 1;
    ask.run_s = 600 + static_cast<int64_t>(u(rng) * 86400);
    ask.objective = static_cast<Objective>(i % 3);
    if (i % 4 == 0) ask.datasets.push_back("ds" + std::to_string(i % 20));
    auto t0 = std::chrono::steady_clock::now();
    auto d = Route(ask, centers, datasets, net, kNow);
    auto t1 = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    if (d.ok()) {
      ++chosen[d->winner().center];
    } else {
      ++refused;
    }
  }
  std::sort(us.begin(), us.end());
  std::printf("federation_route_bench: %d asks over %d centers in %d regions\n", kAsks, kCenters,
              kRegions);
  std::printf("  route p50 %.1f us, p99 %.1f us, max %.1f us\n", us[us.size() / 2],
              us[us.size() * 99 / 100], us.back());
  std::printf("  %zu centers chosen at least once, %d asks refused (no eligible center)\n",
              chosen.size(), refused);
  return 0;
}
