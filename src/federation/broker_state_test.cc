#include "federation/broker_state.h"

#include <gtest/gtest.h>

namespace suanli::federation {
namespace {

using nlohmann::json;

json GoodReport(const std::string& name = "east-1") {
  return json{{"center", name},
              {"region", "east"},
              {"url", "http://127.0.0.1:1"},
              {"token", "t"},
              {"pue", 1.2},
              {"pools",
               {{{"type", "nvidia-a100"},
                 {"total", 16},
                 {"allocated", 8},
                 {"queued", 4},
                 {"largest_node", 8},
                 {"price_per_hour", 2.5}}}}};
}

TEST(BrokerStateTest, ReportParsesPoolsAndSeenJobs) {
  json j = GoodReport();
  j["jobs"] = {{{"key", "broker:3"}, {"id", 41}, {"state", "PENDING"}}};
  auto r = ParseReport(j);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->pools.size(), 1u);
  EXPECT_EQ(r->pools[0].total, 16);
  EXPECT_EQ(r->pools[0].largest_node, 8);
  EXPECT_DOUBLE_EQ(r->pools[0].price_per_hour, 2.5);
  ASSERT_EQ(r->jobs.size(), 1u);
  EXPECT_EQ(r->jobs[0].id, 41);
  // What ReportJson writes, ParseReport reads back the same.
  auto again = ParseReport(ReportJson(*r));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pools[0].queued, 4);
  EXPECT_EQ(again->jobs[0].key, "broker:3");
}

TEST(BrokerStateTest, NonsenseReportsAreRefusedNamingTheField) {
  struct Case {
    std::function<void(json&)> spoil;
    std::string named;
  } cases[] = {
      {[](json& j) { j["pools"][0]["total"] = -4; }, "pools[0].total"},
      {[](json& j) { j["pools"][0]["price_per_hour"] = -1.5; }, "pools[0].price_per_hour"},
      {[](json& j) { j["pools"][0]["allocated"] = 20; }, "pools[0].allocated"},
      {[](json& j) { j["pools"][0]["queued"] = 1.5; }, "pools[0].queued"},
      {[](json& j) { j["pools"][0].erase("type"); }, "pools[0].type"},
      {[](json& j) { j["pue"] = 0.5; }, "pue"},
      {[](json& j) { j["carbon_g_per_kwh"] = -3; }, "carbon_g_per_kwh"},
      {[](json& j) { j.erase("center"); }, "center"},
      {[](json& j) { j["center"] = "bad name/"; }, "center"},
      {[](json& j) { j.erase("url"); }, "url"},
  };
  for (const auto& c : cases) {
    json j = GoodReport();
    c.spoil(j);
    auto r = ParseReport(j);
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("'" + c.named), std::string::npos) << r.status().message();
  }
}

TEST(BrokerStateTest, LeaseExpiresAfterTheTimeoutAndARenewalBringsItBack) {
  BrokerState s(3000);
  s.ApplyReport(*ParseReport(GoodReport()), 1000);
  EXPECT_TRUE(s.CenterUp("east-1"));  // at once, not at the next lease pass
  EXPECT_TRUE(s.RoutingCenters()[0].up);
  EXPECT_EQ(s.UpdateLeases(1000), std::vector<std::string>{"+east-1"});
  EXPECT_TRUE(s.UpdateLeases(1000).empty());  // told once
  EXPECT_TRUE(s.UpdateLeases(4000).empty());  // exactly the timeout: still up
  EXPECT_TRUE(s.CenterUp("east-1"));
  EXPECT_EQ(s.UpdateLeases(4001), std::vector<std::string>{"-east-1"});
  EXPECT_FALSE(s.CenterUp("east-1"));
  EXPECT_FALSE(s.RoutingCenters()[0].up);
  s.ApplyReport(*ParseReport(GoodReport()), 5000);
  EXPECT_TRUE(s.CenterUp("east-1"));
  EXPECT_EQ(s.UpdateLeases(5000), std::vector<std::string>{"+east-1"});
}

BrokerJob Forwarded(int64_t id, const std::string& center, const std::string& last_state) {
  BrokerJob j;
  j.id = id;
  j.body = json{{"command", {"true"}}, {"gpus", 1}};
  j.state = ForwardState::kForwarded;
  j.center = center;
  j.center_job_id = 100 + id;
  j.last_state = last_state;
  return j;
}

TEST(BrokerStateTest, OnlyJobsNotStartedOnADownCenterAreMovedAndStartedOnesShowLost) {
  BrokerState s(3000);
  s.ApplyReport(*ParseReport(GoodReport("a")), 1000);
  s.ApplyReport(*ParseReport(GoodReport("b")), 1000);
  s.PutJob(Forwarded(1, "a", "PENDING"));
  s.PutJob(Forwarded(2, "a", "RUNNING"));
  s.PutJob(Forwarded(3, "a", "COMPLETED"));
  s.PutJob(Forwarded(4, "b", "PENDING"));
  s.PutJob(Forwarded(5, "a", ""));  // forwarded, never reported yet: not known to have started
  s.UpdateLeases(1000);
  EXPECT_TRUE(s.ToMove(1000).empty());
  s.ApplyReport(*ParseReport(GoodReport("b")), 4500);  // b renews, a does not
  s.UpdateLeases(4500);
  EXPECT_EQ(s.ToMove(4500), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(s.ToMove(1'000'000), (std::vector<int64_t>{1, 5})) << "no requeue delay: never";
  EXPECT_EQ(s.jobs().at(2).VisibleState(false), "LOST");
  EXPECT_EQ(s.jobs().at(3).VisibleState(false), "COMPLETED");
  EXPECT_EQ(s.jobs().at(2).VisibleState(true), "RUNNING");
}

TEST(BrokerStateTest, AJobRunningOnACenterDownLongerThanTheRequeueDelayMovesUnlessItSaidNo) {
  BrokerState s(3000, 10'000);  // DOWN 3 s after its last report; requeued 10 s after that
  s.ApplyReport(*ParseReport(GoodReport("a")), 1000);
  s.PutJob(Forwarded(1, "a", "RUNNING"));
  BrokerJob no = Forwarded(2, "a", "RUNNING");
  no.body["requeue"] = false;
  s.PutJob(no);
  s.PutJob(Forwarded(3, "a", "COMPLETED"));
  s.UpdateLeases(5000);
  ASSERT_FALSE(s.CenterUp("a"));
  EXPECT_TRUE(s.ToMove(13'999).empty()) << "DOWN at 4 s: not yet 10 s of it";
  EXPECT_EQ(s.ToMove(14'000), (std::vector<int64_t>{1})) << "requeue false stays; ended stays";
  s.ApplyReport(*ParseReport(GoodReport("a")), 14'500);  // back: nothing moves
  EXPECT_TRUE(s.ToMove(20'000).empty());
  BrokerState fresh(3000, 10'000);  // a running job whose center this state has no time for
  fresh.PutJob(Forwarded(4, "gone", "RUNNING"));
  EXPECT_TRUE(fresh.ToMove(1'000'000'000).empty()) << "never requeued from the epoch";
}

TEST(BrokerStateTest, AReportUpdatesTheLastStateOfTheJobsItListsByTheirKey) {
  BrokerState s(3000);
  BrokerJob j = Forwarded(7, "east-1", "PENDING");
  j.attempt = 1;  // moved once: its key here is broker:7:1
  s.PutJob(j);
  json r = GoodReport();
  r["jobs"] = {{{"key", "broker:7"}, {"id", 1}, {"state", "RUNNING"}},
               {{"key", "broker:7:1"}, {"id", 2}, {"state", "COMPLETED"}}};
  s.ApplyReport(*ParseReport(r), 10);
  EXPECT_EQ(s.jobs().at(7).last_state, "COMPLETED");
  EXPECT_EQ(s.jobs().at(7).ForwardKey(), "broker:7:1");
}

TEST(BrokerStateTest, MovedCopiesAreCancelledOnlyOnTheCenterTheyWereLeftOn) {
  BrokerState s(3000);
  BrokerJob j = Forwarded(9, "b", "PENDING");
  j.attempt = 1;
  j.moved = {{"a", 0, 42, false}};
  s.PutJob(j);
  BrokerJob done = Forwarded(10, "b", "PENDING");
  done.moved = {{"a", 0, 43, true}};
  s.PutJob(done);
  auto cancel = s.ToCancel("a");
  ASSERT_EQ(cancel.size(), 1u);
  EXPECT_EQ(cancel[0].first, 9);
  EXPECT_EQ(CopyKey(9, cancel[0].second), "broker:9");
  EXPECT_TRUE(s.ToCancel("b").empty());
}

TEST(BrokerStateTest, RecordsRoundTripThroughTheStoresMeta) {
  BrokerState s(3000);
  s.ApplyReport(*ParseReport(GoodReport()), 0);
  ASSERT_TRUE(ParseOverride(json{{"prices", {{"nvidia-a100", 1.1}}}, {"pue", 1.05}},
                            &s.centers()["east-1"].override_)
                  .ok());
  BrokerJob j = Forwarded(12, "east-1", "PENDING");
  j.user_key = "mine";
  j.moved = {{"west-1", 0, 5, false}};
  j.scores = json::array({json{{"center", "east-1"}}});
  s.PutJob(j);
  BrokerJob f;
  f.id = 13;
  f.body = json{{"command", {"x"}}};
  f.center = "east-1";
  s.PutJob(f);
  std::map<std::string, std::string> meta{
      {BrokerState::CenterKey("east-1"), s.CenterRecord(s.centers()["east-1"]).dump()},
      {BrokerState::JobKey(12), JobRecordJson(s.jobs().at(12)).dump()},
      {BrokerState::JobKey(13), JobRecordJson(s.jobs().at(13)).dump()},
      {"unrelated", "x"}};
  BrokerState loaded(3000);
  ASSERT_TRUE(loaded.Load(meta).ok());
  EXPECT_EQ(loaded.centers().at("east-1").report.url, "http://127.0.0.1:1");
  EXPECT_DOUBLE_EQ(loaded.RoutingCenters()[0].pue, 1.05);
  EXPECT_EQ(loaded.jobs().at(12).moved.size(), 1u);
  EXPECT_EQ(loaded.jobs().at(12).state, ForwardState::kForwarded);
  EXPECT_EQ(loaded.Forwarding(), std::vector<int64_t>{13});
  EXPECT_EQ(loaded.FindUserKey("mine"), std::optional<int64_t>(12));
  EXPECT_EQ(loaded.NextJobId(), 14);  // ids are never reused after a restart
}

TEST(BrokerStateTest, OverridesReplaceTheReportedFiguresAndBadOnesAreNamed) {
  BrokerState s(3000);
  s.ApplyReport(*ParseReport(GoodReport()), 0);
  CenterOverride& o = s.centers()["east-1"].override_;
  ASSERT_TRUE(ParseOverride(json{{"prices", {{"nvidia-a100", 2.1}}},
                                 {"pue", 1.15},
                                 {"electricity", 0.32},
                                 {"carbon", 520}},
                            &o)
                  .ok());
  CenterState c = s.RoutingCenters()[0];
  EXPECT_DOUBLE_EQ(c.pools[0].price_per_hour, 2.1);
  EXPECT_DOUBLE_EQ(c.pue, 1.15);
  EXPECT_DOUBLE_EQ(c.electricity_per_kwh, 0.32);
  EXPECT_DOUBLE_EQ(c.carbon_g_per_kwh, 520);
  Status bad = ParseOverride(json{{"prices", {{"nvidia-a100", -2}}}}, &o);
  EXPECT_NE(bad.message().find("prices.nvidia-a100"), std::string::npos) << bad.message();
  bad = ParseOverride(json{{"pue", 0.9}}, &o);
  EXPECT_NE(bad.message().find("'pue'"), std::string::npos) << bad.message();
  bad = ParseOverride(json{{"colour", 1}}, &o);
  EXPECT_NE(bad.message().find("'colour'"), std::string::npos) << bad.message();
  EXPECT_DOUBLE_EQ(*o.pue, 1.15);  // a refused update changes nothing
}

TEST(BrokerStateTest, ASubmissionGivesTheRoutingAskAndTheCentersBody) {
  auto s = ParseSubmission(json{{"command", {"train"}},
                                {"gpus", 1.5},
                                {"tasks", 2},
                                {"gpu_type", "nvidia-a100"},
                                {"time_limit_s", 7200},
                                {"objective", "cheapest"},
                                {"deadline", 2000000000},
                                {"max_price", 90},
                                {"idempotency_key", "k1"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ask.gpus_per_node, 2);  // a share of a device still needs one here
  EXPECT_EQ(s->ask.nodes, 2);
  EXPECT_EQ(s->ask.run_s, 7200);
  EXPECT_EQ(s->ask.objective, Objective::kCheapest);
  EXPECT_EQ(s->ask.deadline, int64_t{2000000000} * 1000);
  EXPECT_DOUBLE_EQ(s->ask.max_price, 90);
  EXPECT_EQ(s->user_key, "k1");
  for (const char* k : {"objective", "deadline", "max_price", "idempotency_key"}) {
    EXPECT_FALSE(s->body.contains(k)) << k;
  }
  EXPECT_EQ(s->body["gpus"], 1.5);
  BrokerJob job;
  job.body = s->body;
  job.routing = s->routing;
  auto ask = AskOf(job);
  ASSERT_TRUE(ask.ok());
  EXPECT_EQ(ask->objective, Objective::kCheapest);

  auto bad = ParseSubmission(json{{"command", {"x"}}, {"objective", "fastest"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fastest"), std::string::npos);
  bad = ParseSubmission(json{{"command", {"x"}}, {"max_price", -1}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'max_price'"), std::string::npos);
}

}  // namespace
}  // namespace suanli::federation
