#include "sim/federation_network.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace suanli::sim {
namespace {

using nlohmann::json;

json Tiny() {
  return json::parse(R"({
    "regions": [{"name": "east", "demand_share": 1}, {"name": "west"}],
    "centers": [
      {"name": "e", "region": "east", "nodes": 1, "accelerators_per_node": 8,
       "type": "nvidia-a800", "price_per_hour": 10, "pue": 1.3, "carbon_g_per_kwh": 700},
      {"name": "w", "region": "west", "nodes": 2, "accelerators_per_node": 8,
       "type": "ascend-910b", "price_per_hour": 5, "carbon_g_per_kwh": 300}],
    "network": {"between_regions": {"gbps": 10, "egress_per_gb": 0.5},
                "links": [{"from": "east", "to": "west", "gbps": 40}]},
    "datasets": [{"name": "d", "home": "e", "size_tb": 1, "share": 0.5, "residency": "east"}]
  })");
}

Result<FederationNetwork> Parse(const json& j) {
  return ParseFederationNetwork(j.dump(), "net.json");
}

std::string ErrorOf(const json& j) {
  auto net = Parse(j);
  EXPECT_FALSE(net.ok());
  return net.ok() ? "" : net.status().message();
}

TEST(FederationNetworkTest, ParsesEveryField) {
  auto net = Parse(Tiny());
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  ASSERT_EQ(net->regions.size(), 2u);
  EXPECT_EQ(net->regions[1].demand_share, 0);
  ASSERT_EQ(net->centers.size(), 2u);
  EXPECT_EQ(net->centers[1].nodes, 2);
  EXPECT_EQ(net->centers[1].price_per_hour, 5);
  EXPECT_EQ(net->centers[1].pue, 1.0);  // default
  EXPECT_EQ(net->centers[0].pue, 1.3);
  EXPECT_EQ(net->network.Between("west", "east").gbps, 40);            // either order
  EXPECT_EQ(net->network.Between("west", "east").egress_per_gb, 0.5);  // from between_regions
  ASSERT_EQ(net->datasets.size(), 1u);
  EXPECT_EQ(net->datasets[0].dataset.size_bytes, 1000000000000);
  EXPECT_EQ(net->datasets[0].dataset.residency, "east");
  EXPECT_EQ(net->scheduler, "default");
}

TEST(FederationNetworkTest, CentersShareOneNumberingOfTypes) {
  auto net = Parse(Tiny());
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->AccelTypes(), (std::vector<std::string>{"ascend-910b", "nvidia-a800"}));
  core::ClusterState e = CenterCluster(*net, 0);
  ASSERT_EQ(e.nodes.size(), 1u);
  EXPECT_EQ(e.accel_types, net->AccelTypes());
  EXPECT_EQ(e.accel_types[e.nodes[0].devices[0].type], "nvidia-a800");
  core::ClusterState all = UnionCluster(*net);
  EXPECT_EQ(all.nodes.size(), 3u);
  EXPECT_EQ(all.accel_types[all.nodes[2].devices[0].type], "ascend-910b");
}

TEST(FederationNetworkTest, UnknownCenterInADatasetIsNamed) {
  json j = Tiny();
  j["datasets"][0]["home"] = "nowhere";
  EXPECT_EQ(ErrorOf(j), "net.json: datasets[0] 'd': home center 'nowhere' is not in 'centers'");
}

TEST(FederationNetworkTest, NegativePriceIsNamed) {
  json j = Tiny();
  j["centers"][1]["price_per_hour"] = -1;
  EXPECT_EQ(ErrorOf(j),
            "net.json: centers[1] 'w': 'price_per_hour' is -1, must be >= 0 (a negative figure is "
            "nonsense)");
}

TEST(FederationNetworkTest, ResidencyRegionThatDoesNotExistIsNamed) {
  json j = Tiny();
  j["datasets"][0]["residency"] = "mars";
  EXPECT_EQ(ErrorOf(j), "net.json: datasets[0] 'd': residency region 'mars' is not in 'regions'");
}

TEST(FederationNetworkTest, OtherBadInputIsNamed) {
  json j = Tiny();
  j["datasets"][0]["residency"] = "west";  // its home is in the east
  EXPECT_NE(ErrorOf(j).find("outside its residency region 'west'"), std::string::npos);
  j = Tiny();
  j["centers"][0]["region"] = "north";
  EXPECT_NE(ErrorOf(j).find("centers[0] 'e': region 'north' is not in 'regions'"),
            std::string::npos);
  j = Tiny();
  j["centers"][0]["carbon_curve"] = json::array({1, 2, 3});
  EXPECT_NE(ErrorOf(j).find("'carbon_curve' must list 24 hourly values"), std::string::npos);
  j = Tiny();
  j["centers"][0]["nodes"] = 0;
  EXPECT_NE(ErrorOf(j).find("centers[0] 'e': 'nodes' is 0"), std::string::npos);
  j = Tiny();
  j["centers"][1]["name"] = "e";
  EXPECT_NE(ErrorOf(j).find("centers[1] 'e': center named twice"), std::string::npos);
  j = Tiny();
  j["datasets"][0]["share"] = 1.5;
  EXPECT_NE(ErrorOf(j).find("shares add up to 1.5, above 1"), std::string::npos);
  j = Tiny();
  j["network"]["links"][0]["to"] = "south";
  EXPECT_NE(ErrorOf(j).find("network.links[0]: region 'south' is not in 'regions'"),
            std::string::npos);
  j = Tiny();
  j["regions"][0]["demand_share"] = 0;
  EXPECT_NE(ErrorOf(j).find("no region has a demand_share above 0"), std::string::npos);
  auto bad = ParseFederationNetwork("{not json", "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "x.json: is not valid JSON");
}

TEST(FederationNetworkTest, TheShippedEightHubNetworkParses) {
  const char* root = std::getenv("SUANLI_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  auto net = LoadFederationNetwork(std::string(root) + "/examples/federation/8-hubs.json");
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ(net->centers.size(), 8u);
  EXPECT_EQ(net->regions.size(), 8u);
}

}  // namespace
}  // namespace suanli::sim
