// PATCH /api/v1/tenants/{name} over real HTTP: what it changes, that the change is stored, its
// validation, and who may make it (the same rules as creating tenants).
#include <gtest/gtest.h>

#include "server/test_harness.h"

namespace suanli::server::testing {
namespace {

json Named(const Response& list, const std::string& name) {
  for (const auto& t : list.body["tenants"]) {
    if (t["name"] == name) return t;
  }
  ADD_FAILURE() << "no tenant " << name << " in " << list.text;
  return json();
}

TEST(TenantUpdateTest, ChangesOnlyTheGivenSettingsAndTheyAreStored) {
  std::string dir = TempDir("tenant-update");
  {
    TestServer s(dir);
    Client admin = s.Admin();
    ASSERT_EQ(admin
                  .Post("/api/v1/tenants", json{{"name", "physics"},
                                                {"weight", 2},
                                                {"quota", {{"nvidia-a100", 8}}},
                                                {"limit", {{"cpus", 64}}}})
                  .status,
              201);
    Response r = admin.Patch("/api/v1/tenants/physics", json{{"budget_accel_hours", 100},
                                                             {"budget_period", "week"},
                                                             {"quota", {{"nvidia-a100", 4}}}});
    ASSERT_EQ(r.status, 200) << r.text;
    EXPECT_EQ(r.body["name"], "physics");
    EXPECT_EQ(r.body["budget_period"], "week");
    EXPECT_DOUBLE_EQ(r.body["budget_accel_hours"].get<double>(), 100);
    EXPECT_DOUBLE_EQ(r.body["budget_used_accel_hours"].get<double>(), 0);
    EXPECT_DOUBLE_EQ(r.body["quota"]["nvidia-a100"].get<double>(), 4);
    EXPECT_DOUBLE_EQ(r.body["weight"].get<double>(), 2);  // not given: kept
    EXPECT_DOUBLE_EQ(r.body["limit"]["cpus"].get<double>(), 64);
    EXPECT_DOUBLE_EQ(
        r.body["budget_resets_at"].get<double>() - r.body["budget_period_start"].get<double>(),
        7 * 24 * 3600.0);
    ASSERT_EQ(
        admin.Patch("/api/v1/tenants/physics", json{{"weight", 0.5}, {"limit", json::object()}})
            .status,
        200);
  }
  TestServer s(dir);  // a restart reloads what was acknowledged
  Client admin = s.Admin();
  json t = Named(admin.Get("/api/v1/tenants"), "physics");
  EXPECT_TRUE(t["parent"].is_null());  // still a top-level tenant
  EXPECT_DOUBLE_EQ(t["weight"].get<double>(), 0.5);
  EXPECT_TRUE(t["limit"].empty());
  EXPECT_DOUBLE_EQ(t["quota"]["nvidia-a100"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(t["budget_accel_hours"].get<double>(), 100);
  EXPECT_EQ(t["budget_period"], "week");
}

TEST(TenantUpdateTest, BadFieldsAndUnknownTenantsAreRefusedNamingThem) {
  TestServer s;
  Client admin = s.Admin();
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "physics"}}).status, 201);
  auto message = [&](const std::string& path, const json& body, int status) {
    Response r = admin.Patch(path, body);
    EXPECT_EQ(r.status, status) << body.dump() << ": " << r.text;
    return r.body["error"]["message"].get<std::string>();
  };
  const std::string path = "/api/v1/tenants/physics";
  EXPECT_EQ(message(path, json{{"budget_period", "yearly"}}, 400),
            "field 'budget_period' must be day, week, month or total, not 'yearly'");
  EXPECT_NE(message(path, json{{"weight", 0}}, 400).find("'weight'"), std::string::npos);
  EXPECT_NE(message(path, json{{"budget_accel_hours", "lots"}}, 400).find("budget_accel_hours"),
            std::string::npos);
  EXPECT_NE(message(path, json{{"quota", {{"bad type!", 1}}}}, 400).find("resource type"),
            std::string::npos);
  EXPECT_EQ(message(path, json{{"parent", "elsewhere"}}, 400), "unknown field 'parent'");
  EXPECT_EQ(message(path, json::object(), 400),
            "give at least one of weight, quota, limit, budget_accel_hours, budget_period");
  EXPECT_EQ(message("/api/v1/tenants/ghost", json{{"weight", 2}}, 404),
            "tenant 'ghost' does not exist");
  // Nothing above changed the tenant.
  json t = Named(admin.Get("/api/v1/tenants"), "physics");
  EXPECT_DOUBLE_EQ(t["weight"].get<double>(), 1);
  EXPECT_EQ(t["budget_period"], "month");
}

TEST(TenantUpdateTest, AdminsAnyTenantAdminsOnlyBelowTheirOwnMembersNone) {
  TestServer s;
  Client admin = s.Admin();
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "uni"}}).status, 201);
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "physics"}, {"parent", "uni"}}).status,
            201);
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "chem"}}).status, 201);
  ASSERT_EQ(
      admin
          .Post("/api/v1/users", json{{"name", "uma"}, {"tenant", "uni"}, {"role", "tenant-admin"}})
          .status,
      201);
  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "alice"}, {"tenant", "physics"}}).status,
            201);
  Client uma = s.As(admin.Post("/api/v1/tokens", json{{"user", "uma"}}).body["token"]);
  Client alice = s.As(admin.Post("/api/v1/tokens", json{{"user", "alice"}}).body["token"]);
  const json change{{"budget_accel_hours", 5}};

  Response member = alice.Patch("/api/v1/tenants/physics", change);
  EXPECT_EQ(member.status, 403) << member.text;
  Response own = uma.Patch("/api/v1/tenants/uni", change);
  EXPECT_EQ(own.status, 403) << own.text;
  EXPECT_NE(own.text.find("below their own"), std::string::npos) << own.text;
  Response outside = uma.Patch("/api/v1/tenants/chem", change);
  EXPECT_EQ(outside.status, 404) << outside.text;  // invisible, as if it did not exist
  EXPECT_NE(outside.text.find("tenant 'chem' does not exist"), std::string::npos);
  Response below = uma.Patch("/api/v1/tenants/physics", change);
  EXPECT_EQ(below.status, 200) << below.text;
  EXPECT_EQ(admin.Patch("/api/v1/tenants/uni", change).status, 200);
  EXPECT_EQ(admin.Patch("/api/v1/tenants/root", change).status, 200);
  Response none = s.As("").Patch("/api/v1/tenants/physics", change);
  EXPECT_EQ(none.status, 401);

  Response list = admin.Get("/api/v1/tenants");
  EXPECT_DOUBLE_EQ(Named(list, "physics")["budget_accel_hours"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(Named(list, "uni")["budget_accel_hours"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(Named(list, "chem")["budget_accel_hours"].get<double>(), -1);
}

}  // namespace
}  // namespace suanli::server::testing
