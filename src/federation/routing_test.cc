#include "federation/routing.h"

#include <gtest/gtest.h>

namespace suanli::federation {
namespace {

constexpr TimeMs kNow = 1'000'000'000;

AccelPool A100(int64_t total, int64_t allocated, double price) {
  AccelPool p;
  p.type = "nvidia-a100";
  p.total = total;
  p.allocated = allocated;
  p.largest_node = 8;
  p.price_per_hour = price;
  return p;
}

CenterState Center(std::string name, std::string region, AccelPool pool, double carbon = 500) {
  CenterState c;
  c.name = std::move(name);
  c.region = std::move(region);
  c.pools = {std::move(pool)};
  c.carbon_g_per_kwh = carbon;
  return c;
}

JobAsk Ask(int64_t gpus, Objective o = Objective::kEarliest) {
  JobAsk a;
  a.gpu_type = "nvidia-a100";
  a.gpus_per_node = gpus;
  a.run_s = 3600;
  a.objective = o;
  return a;
}

TEST(RoutingTest, WaitIsZeroWhenFreeDevicesCoverTheQueueAndTheJob) {
  AccelPool p = A100(16, 8, 1);
  EXPECT_EQ(EstimateWaitS(p, 8, kNow), 0);
  p.queued = 4;
  p.releases = {{kNow + 600'000, 2}, {kNow + 1'200'000, 8}};
  // 8 free, 12 needed: the first release brings 10, the second 18.
  EXPECT_DOUBLE_EQ(EstimateWaitS(p, 8, kNow), 1200);
}

TEST(RoutingTest, WaitBeyondTheKnownReleasesGrowsWithTheDeficit) {
  AccelPool p = A100(8, 8, 1);
  p.queued = 8;
  p.releases = {{kNow + 7'200'000, 8}};
  double one = EstimateWaitS(p, 8, kNow);   // needs 16, profile frees 8
  p.queued = 24;
  double three = EstimateWaitS(p, 8, kNow);  // needs 32
  EXPECT_GT(one, 7200);
  EXPECT_GT(three, one);
}

TEST(RoutingTest, CheapestPicksTheCheapCenterAndEarliestTheIdleOne) {
  std::vector<CenterState> centers = {Center("east", "east", A100(16, 16, 3.0)),
                                      Center("west", "west", A100(16, 0, 1.0)),
                                      Center("idle-dear", "north", A100(16, 0, 5.0))};
  centers[0].pools[0].releases = {{kNow + 3'600'000, 16}};
  auto cheap = Route(Ask(8, Objective::kCheapest), centers, {}, {}, kNow);
  ASSERT_TRUE(cheap.ok()) << cheap.status().ToString();
  EXPECT_EQ(cheap->winner().center, "west");
  EXPECT_DOUBLE_EQ(cheap->winner().compute_cost, 8.0);
  EXPECT_EQ(cheap->scores.size(), 3u);

  // Earliest: west and idle-dear both start now; among the equally early the cheaper wins.
  auto early = Route(Ask(8), centers, {}, {}, kNow);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->winner().center, "west");
  EXPECT_NE(early->reason.find("earliest finish"), std::string::npos) << early->reason;
  EXPECT_DOUBLE_EQ(early->scores[0].wait_s, 3600);

  // Make the cheap one busy: earliest goes to the idle dear one, cheapest stays.
  centers[1].pools[0].allocated = 16;
  centers[1].pools[0].releases = {{kNow + 36'000'000, 16}};
  early = Route(Ask(8), centers, {}, {}, kNow);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->winner().center, "idle-dear");
  cheap = Route(Ask(8, Objective::kCheapest), centers, {}, {}, kNow);
  EXPECT_EQ(cheap->winner().center, "west");
}

TEST(RoutingTest, GreenestUsesTheCarbonCurveOverTheRun) {
  CenterState coal = Center("coal", "north", A100(8, 0, 1.0), 800);
  CenterState hydro = Center("hydro", "west", A100(8, 0, 2.0), 900);
  hydro.carbon_curve.assign(24, 100.0);  // the curve wins over the flat figure
  hydro.pue = 1.1;
  auto d = Route(Ask(8, Objective::kGreenest), {coal, hydro}, {}, {}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->winner().center, "hydro");
  // 8 x 400 W x 1 h x PUE 1.1 = 3.52 kWh at 100 g/kWh.
  EXPECT_NEAR(d->winner().energy_kwh, 3.52, 1e-9);
  EXPECT_NEAR(d->winner().carbon_kg, 0.352, 1e-9);
}

TEST(RoutingTest, ResidencyKeepsAJobInItsDataRegionAndDataNeverLeaves) {
  std::vector<CenterState> centers = {Center("sh", "east", A100(16, 16, 3.0)),
                                      Center("gz", "west", A100(16, 0, 1.0))};
  centers[0].datasets = {"patients"};
  std::map<std::string, Dataset> ds = {{"patients", {"patients", "sh", 2'000'000'000'000, "east"}},
                                       {"public", {"public", "sh", 100'000'000'000, ""}}};
  centers[0].datasets.push_back("public");
  JobAsk ask = Ask(8, Objective::kCheapest);
  ask.datasets = {"patients"};
  auto d = Route(ask, centers, ds, {}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->winner().center, "sh");
  EXPECT_FALSE(d->scores[1].eligible);
  EXPECT_NE(d->scores[1].why_not.find("must stay in region east"), std::string::npos);

  // A movable dataset is staged: 100 GB over 10 Gbit/s is 80 s and 0.05 per GB of egress.
  ask.datasets = {"public"};
  d = Route(ask, centers, ds, {}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->winner().center, "gz");
  EXPECT_DOUBLE_EQ(d->winner().staging_s, 80);
  EXPECT_DOUBLE_EQ(d->winner().egress_cost, 5);
  EXPECT_EQ(d->winner().copies, std::vector<std::string>{"public"});
  EXPECT_TRUE(d->scores[0].copies.empty());

  // The only center of its region is down: nothing may take it, and the error says why.
  ask.datasets = {"patients"};
  centers[0].up = false;
  d = Route(ask, centers, ds, {}, kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("sh: center is DOWN"), std::string::npos);
  EXPECT_NE(d.status().message().find("gz: dataset patients must stay in region east"),
            std::string::npos);
}

TEST(RoutingTest, BadAsksNameWhatIsWrong) {
  std::vector<CenterState> centers = {Center("a", "east", A100(16, 0, 1.0))};
  JobAsk big = Ask(16);
  auto d = Route(big, centers, {}, {}, kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("largest node of any center has 8 (a's nvidia-a100)"),
            std::string::npos)
      << d.status().ToString();

  JobAsk unknown = Ask(1);
  unknown.datasets = {"nope"};
  d = Route(unknown, centers, {}, {}, kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("unknown dataset 'nope'"), std::string::npos);

  JobAsk ascend = Ask(1);
  ascend.gpu_type = "ascend-910b";
  d = Route(ascend, centers, {}, {}, kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("no center of the federation has ascend-910b"), std::string::npos);

  EXPECT_FALSE(ParseObjective("fastest").ok());
  EXPECT_EQ(*ParseObjective("greenest"), Objective::kGreenest);
  EXPECT_FALSE(Route(Ask(1), {}, {}, {}, kNow).ok());
}

TEST(RoutingTest, DeadlineAndPriceCapRuleCentersOut) {
  std::vector<CenterState> centers = {Center("busy-cheap", "east", A100(8, 8, 1.0)),
                                      Center("idle-dear", "west", A100(8, 0, 4.0))};
  centers[0].pools[0].releases = {{kNow + 7'200'000, 8}};
  JobAsk ask = Ask(8, Objective::kCheapest);
  ask.deadline = kNow + 2 * 3'600'000;  // busy-cheap would finish in 3 h
  auto d = Route(ask, centers, {}, {}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->winner().center, "idle-dear");
  EXPECT_NE(d->scores[0].why_not.find("after the deadline"), std::string::npos);
  ask.max_price = 10;  // idle-dear costs 32
  d = Route(ask, centers, {}, {}, kNow);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("over the price cap 10.00"), std::string::npos)
      << d.status().ToString();
}

TEST(RoutingTest, InteractiveWorkStaysHomeAndTiesKeepTheGivenOrder) {
  std::vector<CenterState> centers = {Center("b", "west", A100(8, 0, 1.0)),
                                      Center("a", "west", A100(8, 0, 1.0)),
                                      Center("home", "east", A100(8, 0, 2.0))};
  auto d = Route(Ask(1, Objective::kCheapest), centers, {}, {}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->winner().center, "b");  // equal scores: the first given wins, every time
  JobAsk inter = Ask(1, Objective::kCheapest);
  inter.interactive = true;
  inter.home_region = "east";
  d = Route(inter, centers, {}, {}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->winner().center, "home");
}

}  // namespace
}  // namespace suanli::federation
