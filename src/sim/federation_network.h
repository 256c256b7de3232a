#pragma once
// The network of computing centers `suanli sim --federation FILE.json` replays a trace on:
// regions with their share of the demand, centers (a uniform cluster each, its price, power and
// carbon), the inter-region network and the datasets jobs need. Parsing checks every reference
// and every figure and names the one that is wrong, so a bad file never becomes a quiet result.
//
// The file (see examples/federation/8-hubs.json):
//   {"seed": 1, "scheduler": "default", "routing": {"slack_share": 0.1, "slack_min_s": 60},
//    "regions":  [{"name": "yangtze-delta", "demand_share": 0.3}, ...],
//    "centers":  [{"name": "wuhu", "region": "yangtze-delta", "nodes": 16,
//                  "accelerators_per_node": 8, "type": "nvidia-a800",
//                  "price_per_hour": 12.0, "watts_per_accelerator": 400,
//                  "electricity_per_kwh": 0.65, "pue": 1.3,
//                  "carbon_g_per_kwh": 562 | "carbon_curve": [24 hourly values]}, ...],
//    "network":  {"within_region": {"gbps": 100, "egress_per_gb": 0},
//                 "between_regions": {"gbps": 10, "egress_per_gb": 0.3},
//                 "links": [{"from": "a", "to": "b", "gbps": 20, "egress_per_gb": 0.2}]},
//    "datasets": [{"name": "corpus", "home": "wuhu", "size_tb": 2, "share": 0.2,
//                  "residency": "yangtze-delta"}]}
// Any other key (e.g. "comment", "sources") is ignored, so a file can cite where its figures
// come from.
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/model.h"
#include "federation/routing.h"

namespace suanli::sim {

struct RegionSpec {
  std::string name;
  double demand_share = 0;  // relative weight of jobs submitted from here
};

struct CenterSpec {
  std::string name;
  std::string region;
  int32_t nodes = 0;
  int32_t accelerators_per_node = 0;
  std::string type;
  double price_per_hour = 0;  // per accelerator-hour, what the user pays
  double watts_per_accelerator = federation::kDefaultWatts;
  double electricity_per_kwh = 0;
  double pue = 1.0;
  double carbon_g_per_kwh = 0;
  std::vector<double> carbon_curve;  // 24 hourly values (UTC) or empty
};

struct DatasetSpec {
  federation::Dataset dataset;
  double share = 0;  // of jobs that need it (each job needs at most one dataset)
};

struct FederationNetwork {
  std::string source;
  uint64_t seed = 1;                   // draws each job's home region and dataset
  std::string scheduler = "default";   // the core policy every center runs
  federation::RoutingOptions routing;  // the broker's rule options (earliest's cost slack)
  std::vector<RegionSpec> regions;
  std::vector<CenterSpec> centers;
  federation::Network network;
  std::vector<DatasetSpec> datasets;

  int CenterIndex(const std::string& name) const;  // -1 when unknown
  std::vector<std::string> AccelTypes() const;     // every center's type, sorted, once each
};

Result<FederationNetwork> ParseFederationNetwork(const std::string& text,
                                                 const std::string& source);
Result<FederationNetwork> LoadFederationNetwork(const std::string& path);

// The cluster of center `index`: its nodes, with accelerator types numbered as in AccelTypes()
// so one job's type constraint means the same in every center.
core::ClusterState CenterCluster(const FederationNetwork& net, size_t index);
// Every center's nodes in one cluster, to build the jobs once (gang shapes, feasibility).
core::ClusterState UnionCluster(const FederationNetwork& net);

}  // namespace suanli::sim
