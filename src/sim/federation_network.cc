#include "sim/federation_network.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "sim/cluster_spec.h"

namespace suanli::sim {
namespace {

using nlohmann::json;

// Far above any real center, low enough that a typo cannot exhaust memory.
constexpr int64_t kMaxNodes = 100000;
constexpr int64_t kMaxPerNode = 1024;

std::string Show(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// Reads one object's fields, each error prefixed with where the object is in the file.
class Fields {
 public:
  Fields(const json& j, std::string where) : j_(j), where_(std::move(where)) {}
  const std::string& where() const { return where_; }

  Result<std::string> Name(const char* key, bool required = true) const {
    if (!j_.contains(key)) {
      if (!required) return std::string();
      return InvalidArgument(where_ + ": '" + key + "' is missing");
    }
    if (!j_[key].is_string() || (required && j_[key].get<std::string>().empty())) {
      return InvalidArgument(where_ + ": '" + key + "' must be a non-empty string");
    }
    return j_[key].get<std::string>();
  }

  // A finite number >= `min`; `fallback` when absent and not required.
  Result<double> Number(const char* key, double min, bool required, double fallback = 0) const {
    if (!j_.contains(key)) {
      if (!required) return fallback;
      return InvalidArgument(where_ + ": '" + key + "' is missing");
    }
    if (!j_[key].is_number()) return InvalidArgument(where_ + ": '" + key + "' must be a number");
    double v = j_[key].get<double>();
    if (!std::isfinite(v) || v < min) {
      return InvalidArgument(where_ + ": '" + key + "' is " + j_[key].dump() + ", must be >= " +
                             Show(min) + (min == 0 ? " (a negative figure is nonsense)" : ""));
    }
    return v;
  }

  Result<int64_t> Count(const char* key, int64_t max) const {
    if (!j_.contains(key)) return InvalidArgument(where_ + ": '" + key + "' is missing");
    if (!j_[key].is_number_integer() || j_[key].get<int64_t>() < 1 ||
        j_[key].get<int64_t>() > max) {
      return InvalidArgument(where_ + ": '" + key + "' is " + j_[key].dump() +
                             ", must be a whole number from 1 to " + std::to_string(max));
    }
    return j_[key].get<int64_t>();
  }

 private:
  const json& j_;
  std::string where_;
};

std::string Where(const char* list, size_t i, const json& item) {
  std::string w = std::string(list) + "[" + std::to_string(i) + "]";
  if (item.is_object() && item.contains("name") && item["name"].is_string()) {
    w += " '" + item["name"].get<std::string>() + "'";
  }
  return w;
}

Result<const json*> List(const json& root, const char* key, bool required) {
  static const json kEmpty = json::array();
  if (!root.contains(key)) {
    if (required) return InvalidArgument(std::string("'") + key + "' is missing");
    return &kEmpty;
  }
  if (!root[key].is_array()) return InvalidArgument(std::string("'") + key + "' must be a list");
  return &root[key];
}

Result<federation::Link> ParseLink(const json& j, const std::string& where,
                                   federation::Link fallback) {
  if (!j.is_object()) return InvalidArgument(where + " must be an object");
  Fields f(j, where);
  federation::Link link;
  SUANLI_ASSIGN_OR_RETURN(link.gbps, f.Number("gbps", 0, false, fallback.gbps));
  if (link.gbps <= 0) return InvalidArgument(where + ": 'gbps' must be above 0");
  SUANLI_ASSIGN_OR_RETURN(link.egress_per_gb,
                          f.Number("egress_per_gb", 0, false, fallback.egress_per_gb));
  return link;
}

Status ParseRegions(const json& root, FederationNetwork& net) {
  SUANLI_ASSIGN_OR_RETURN(const json* list, List(root, "regions", true));
  double total = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    Fields f(item, Where("regions", i, item));
    if (!item.is_object()) return InvalidArgument(f.where() + " must be an object");
    RegionSpec r;
    SUANLI_ASSIGN_OR_RETURN(r.name, f.Name("name"));
    SUANLI_ASSIGN_OR_RETURN(r.demand_share, f.Number("demand_share", 0, false, 0));
    for (const auto& other : net.regions) {
      if (other.name == r.name) return InvalidArgument(f.where() + ": region named twice");
    }
    total += r.demand_share;
    net.regions.push_back(std::move(r));
  }
  if (net.regions.empty()) return InvalidArgument("'regions' is empty");
  if (total <= 0) {
    return InvalidArgument("no region has a demand_share above 0, so no job has a home region");
  }
  return Status::Ok();
}

bool KnownRegion(const FederationNetwork& net, const std::string& name) {
  return std::any_of(net.regions.begin(), net.regions.end(),
                     [&](const RegionSpec& r) { return r.name == name; });
}

Status ParseCenters(const json& root, FederationNetwork& net) {
  SUANLI_ASSIGN_OR_RETURN(const json* list, List(root, "centers", true));
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    Fields f(item, Where("centers", i, item));
    if (!item.is_object()) return InvalidArgument(f.where() + " must be an object");
    CenterSpec c;
    SUANLI_ASSIGN_OR_RETURN(c.name, f.Name("name"));
    if (net.CenterIndex(c.name) >= 0) return InvalidArgument(f.where() + ": center named twice");
    SUANLI_ASSIGN_OR_RETURN(c.region, f.Name("region"));
    if (!KnownRegion(net, c.region)) {
      return InvalidArgument(f.where() + ": region '" + c.region + "' is not in 'regions'");
    }
    SUANLI_ASSIGN_OR_RETURN(int64_t nodes, f.Count("nodes", kMaxNodes));
    SUANLI_ASSIGN_OR_RETURN(int64_t per_node, f.Count("accelerators_per_node", kMaxPerNode));
    c.nodes = static_cast<int32_t>(nodes);
    c.accelerators_per_node = static_cast<int32_t>(per_node);
    SUANLI_ASSIGN_OR_RETURN(c.type, f.Name("type", false));
    if (c.type.empty()) c.type = kUntypedAccel;
    SUANLI_ASSIGN_OR_RETURN(c.price_per_hour, f.Number("price_per_hour", 0, true));
    SUANLI_ASSIGN_OR_RETURN(c.watts_per_accelerator,
                            f.Number("watts_per_accelerator", 0, false, federation::kDefaultWatts));
    SUANLI_ASSIGN_OR_RETURN(c.electricity_per_kwh, f.Number("electricity_per_kwh", 0, false));
    SUANLI_ASSIGN_OR_RETURN(c.pue, f.Number("pue", 1.0, false, 1.0));
    SUANLI_ASSIGN_OR_RETURN(c.carbon_g_per_kwh, f.Number("carbon_g_per_kwh", 0, false));
    if (item.contains("carbon_curve")) {
      const json& curve = item["carbon_curve"];
      if (!curve.is_array() || curve.size() != 24) {
        return InvalidArgument(f.where() + ": 'carbon_curve' must list 24 hourly values (UTC)");
      }
      for (size_t h = 0; h < 24; ++h) {
        if (!curve[h].is_number() || !std::isfinite(curve[h].get<double>()) ||
            curve[h].get<double>() < 0) {
          return InvalidArgument(f.where() + ": 'carbon_curve'[" + std::to_string(h) +
                                 "] must be a number >= 0 (gCO2/kWh)");
        }
        c.carbon_curve.push_back(curve[h].get<double>());
      }
    }
    net.centers.push_back(std::move(c));
  }
  if (net.centers.empty()) return InvalidArgument("'centers' is empty");
  return Status::Ok();
}

Status ParseNetworkLinks(const json& root, FederationNetwork& net) {
  if (!root.contains("network")) return Status::Ok();
  const json& n = root["network"];
  if (!n.is_object()) return InvalidArgument("'network' must be an object");
  federation::Network& out = net.network;
  if (n.contains("within_region")) {
    SUANLI_ASSIGN_OR_RETURN(
        out.within_region,
        ParseLink(n["within_region"], "network.within_region", out.within_region));
  }
  if (n.contains("between_regions")) {
    SUANLI_ASSIGN_OR_RETURN(
        out.between_regions,
        ParseLink(n["between_regions"], "network.between_regions", out.between_regions));
  }
  SUANLI_ASSIGN_OR_RETURN(const json* links, List(n, "links", false));
  for (size_t i = 0; i < links->size(); ++i) {
    const json& item = (*links)[i];
    const std::string where = "network.links[" + std::to_string(i) + "]";
    if (!item.is_object()) return InvalidArgument(where + " must be an object");
    Fields f(item, where);
    SUANLI_ASSIGN_OR_RETURN(std::string from, f.Name("from"));
    SUANLI_ASSIGN_OR_RETURN(std::string to, f.Name("to"));
    for (const auto& r : {from, to}) {
      if (!KnownRegion(net, r)) {
        return InvalidArgument(where + ": region '" + r + "' is not in 'regions'");
      }
    }
    SUANLI_ASSIGN_OR_RETURN(federation::Link link, ParseLink(item, where, out.between_regions));
    if (out.links.count({from, to}) || out.links.count({to, from})) {
      return InvalidArgument(where + ": the link " + from + " - " + to + " is listed twice");
    }
    out.links[{from, to}] = link;
  }
  return Status::Ok();
}

Status ParseDatasets(const json& root, FederationNetwork& net) {
  SUANLI_ASSIGN_OR_RETURN(const json* list, List(root, "datasets", false));
  double total = 0;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& item = (*list)[i];
    Fields f(item, Where("datasets", i, item));
    if (!item.is_object()) return InvalidArgument(f.where() + " must be an object");
    DatasetSpec d;
    SUANLI_ASSIGN_OR_RETURN(d.dataset.name, f.Name("name"));
    for (const auto& other : net.datasets) {
      if (other.dataset.name == d.dataset.name) {
        return InvalidArgument(f.where() + ": dataset named twice");
      }
    }
    SUANLI_ASSIGN_OR_RETURN(d.dataset.home, f.Name("home"));
    int home = net.CenterIndex(d.dataset.home);
    if (home < 0) {
      return InvalidArgument(f.where() + ": home center '" + d.dataset.home +
                             "' is not in 'centers'");
    }
    SUANLI_ASSIGN_OR_RETURN(double tb, f.Number("size_tb", 0, true));
    d.dataset.size_bytes = static_cast<int64_t>(std::llround(tb * 1e12));
    SUANLI_ASSIGN_OR_RETURN(d.dataset.residency, f.Name("residency", false));
    if (!d.dataset.residency.empty()) {
      if (!KnownRegion(net, d.dataset.residency)) {
        return InvalidArgument(f.where() + ": residency region '" + d.dataset.residency +
                               "' is not in 'regions'");
      }
      if (net.centers[static_cast<size_t>(home)].region != d.dataset.residency) {
        return InvalidArgument(f.where() + ": its home '" + d.dataset.home + "' is in region '" +
                               net.centers[static_cast<size_t>(home)].region +
                               "', outside its residency region '" + d.dataset.residency + "'");
      }
    }
    SUANLI_ASSIGN_OR_RETURN(d.share, f.Number("share", 0, true));
    total += d.share;
    net.datasets.push_back(std::move(d));
  }
  if (total > 1 + 1e-9) {
    return InvalidArgument("the datasets' shares add up to " + Show(total) +
                           ", above 1 (each job needs at most one dataset)");
  }
  return Status::Ok();
}

}  // namespace

int FederationNetwork::CenterIndex(const std::string& name) const {
  for (size_t i = 0; i < centers.size(); ++i) {
    if (centers[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> FederationNetwork::AccelTypes() const {
  std::set<std::string> types;
  for (const auto& c : centers) types.insert(c.type);
  return {types.begin(), types.end()};
}

Result<FederationNetwork> ParseFederationNetwork(const std::string& text,
                                                 const std::string& source) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto fail = [&](const Status& st) { return Status(st.code(), source + ": " + st.message()); };
  if (root.is_discarded()) return fail(InvalidArgument("is not valid JSON"));
  if (!root.is_object()) return fail(InvalidArgument("must be a JSON object"));
  FederationNetwork net;
  net.source = source;
  if (root.contains("seed")) {
    if (!root["seed"].is_number_unsigned()) {
      return fail(InvalidArgument("'seed' must be a whole number >= 0"));
    }
    net.seed = root["seed"].get<uint64_t>();
  }
  if (root.contains("scheduler")) {
    if (!root["scheduler"].is_string())
      return fail(InvalidArgument("'scheduler' must be a string"));
    net.scheduler = root["scheduler"].get<std::string>();
  }
  if (root.contains("routing")) {
    const json& r = root["routing"];
    if (!r.is_object()) return fail(InvalidArgument("'routing' must be an object"));
    Fields f(r, "routing");
    auto share = f.Number("slack_share", 0, false, net.routing.slack_share);
    if (!share.ok()) return fail(share.status());
    auto min_s = f.Number("slack_min_s", 0, false, net.routing.slack_min_s);
    if (!min_s.ok()) return fail(min_s.status());
    net.routing.slack_share = *share;
    net.routing.slack_min_s = *min_s;
  }
  for (auto* step : {ParseRegions, ParseCenters, ParseNetworkLinks, ParseDatasets}) {
    Status st = step(root, net);
    if (!st.ok()) return fail(st);
  }
  return net;
}

Result<FederationNetwork> LoadFederationNetwork(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read the federation file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseFederationNetwork(ss.str(), path);
}

core::ClusterState CenterCluster(const FederationNetwork& net, size_t index) {
  const CenterSpec& c = net.centers[index];
  core::ClusterState cluster = UniformCluster(c.nodes, c.accelerators_per_node, c.type);
  const std::vector<std::string> types = net.AccelTypes();
  const auto t =
      static_cast<core::AccelType>(std::find(types.begin(), types.end(), c.type) - types.begin());
  for (auto& node : cluster.nodes) {
    for (auto& d : node.devices) d.type = t;
  }
  cluster.accel_types = types;
  return cluster;
}

core::ClusterState UnionCluster(const FederationNetwork& net) {
  core::ClusterState all;
  for (size_t i = 0; i < net.centers.size(); ++i) {
    core::ClusterState c = CenterCluster(net, i);
    if (all.accel_types.empty()) all.accel_types = c.accel_types;
    for (auto& node : c.nodes) {
      node.name = net.centers[i].name + "/" + node.name;
      all.nodes.push_back(std::move(node));
    }
  }
  return all;
}

}  // namespace suanli::sim
