// The real HTTP server on 127.0.0.1:0: auth, validation, jobs, tenants, users, tokens, visibility.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "server/test_harness.h"

namespace suanli::server::testing {
namespace {

json SimpleJob(const std::string& name = "train") {
  return json{{"name", name}, {"command", {"python", "train.py"}}, {"cpus", 1}, {"mem_mb", 1024}};
}

TEST(ServerApiTest, HealthAndMetricsNeedNoToken) {
  TestServer s;
  Client anon = s.As("");
  Response h = anon.Get("/api/v1/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body["ok"], true);
  Response m = anon.Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.text.find("suanli_jobs_pending{tenant=\"root\"} 0"), std::string::npos);
  EXPECT_NE(m.text.find("suanli_scheduling_cycle_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.text.find("suanli_api_request_duration_seconds_count"), std::string::npos);
}

TEST(ServerApiTest, WritesTokenFilesWithPrivateModeAndUrl) {
  TestServer s;
  fs::path dir = s.options().data_dir;
  struct stat st {};
  ASSERT_EQ(stat((dir / "admin.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(stat((dir / "join.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(ReadFile(dir / "url"), s.server().url());
  EXPECT_EQ(ReadFile(dir / "join.token"), s.server().join_token());
  EXPECT_EQ(s.admin_token().rfind("sl_", 0), 0u);
}

TEST(ServerApiTest, RejectsMissingAndBadTokens) {
  TestServer s;
  Response none = s.As("").Get("/api/v1/jobs");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body["error"]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(s.As("sl_bogus").Get("/api/v1/whoami").status, 401);
  // The join token is for agents only.
  EXPECT_EQ(s.As(s.server().join_token()).Get("/api/v1/whoami").status, 401);
  Response who = s.Admin().Get("/api/v1/whoami");
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(who.body["user"], "admin");
  EXPECT_EQ(who.body["role"], "admin");
  EXPECT_EQ(who.body["tenant"], "root");
}

TEST(ServerApiTest, SubmitShowListAndIdempotency) {
  TestServer s;
  Client admin = s.Admin();
  json body = SimpleJob();
  body["idempotency_key"] = "k1";
  Response first = admin.Post("/api/v1/jobs", body);
  ASSERT_EQ(first.status, 201) << first.text;
  int64_t id = first.body["id"];
  EXPECT_EQ(first.body["state"], "PENDING");
  EXPECT_EQ(first.body["reason"], "no nodes registered yet");
  EXPECT_EQ(first.body["tenant"], "root");
  EXPECT_EQ(first.body["history"][0]["reason"], "submitted");
  Response again = admin.Post("/api/v1/jobs", body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["id"], id);
  Response other = admin.Post("/api/v1/jobs", SimpleJob("second"));
  ASSERT_EQ(other.status, 201);
  EXPECT_EQ(other.body["id"], id + 1);

  Response list = admin.Get("/api/v1/jobs");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["jobs"].size(), 2u);
  EXPECT_EQ(list.body["jobs"][0]["id"], id + 1);  // newest first
  Response shown = admin.Get("/api/v1/jobs/" + std::to_string(id));
  EXPECT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body["command"], json({"python", "train.py"}));
  EXPECT_EQ(admin.Get("/api/v1/jobs/999").status, 404);
  EXPECT_EQ(admin.Get("/api/v1/jobs/999").body["error"]["code"], "NOT_FOUND");
}

TEST(ServerApiTest, RejectsBadJobInputNamingTheField) {
  TestServer s;
  Client admin = s.Admin();
  auto expect_400 = [&](const std::string& body, const std::string& needle) {
    Response r = admin.PostRaw("/api/v1/jobs", body);
    EXPECT_EQ(r.status, 400) << body;
    std::string msg = r.body["error"]["message"];
    EXPECT_NE(msg.find(needle), std::string::npos) << msg;
  };
  expect_400("{not json", "not valid JSON");
  expect_400("[1,2]", "JSON object");
  expect_400(R"({"command":["x"],"colour":"red"})", "unknown field 'colour'");
  expect_400(R"({"command":["x"],"cpus":"four"})", "'cpus'");
  expect_400(R"({"command":["x"],"cpus":-1})", "'cpus'");
  expect_400(R"({"command":["x"],"mem_mb":1e30})", "'mem_mb'");
  expect_400(R"({"command":["x"],"gpus":1.5})", "'gpus'");
  expect_400(R"({"command":["x"],"tasks":0})", "'tasks'");
  expect_400(R"({"command":[1,2]})", "'command'");
  expect_400(R"({"cpus":1})", "command");
  expect_400(R"({"command":["x"],"shapes":[{"gpus":2,"wings":1}]})", "shapes[0].wings");
  expect_400(R"({"command":["x"],"tenant":"no such"})", "tenant");
  Response unknown_tenant =
      admin.Post("/api/v1/jobs", json{{"command", {"x"}}, {"tenant", "ghost"}});
  EXPECT_EQ(unknown_tenant.status, 404);
  std::string big(1100 * 1024, 'a');
  Response too_big = admin.PostRaw("/api/v1/jobs", R"({"name":")" + big + R"("})");
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.body["error"]["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(admin.Get("/api/v1/jobs?state=SLEEPING").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/jobs?limit=-3").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/jobs?colour=red").status, 400);
  EXPECT_EQ(admin.Get("/api/v1/no-such-route").status, 404);
  // Still alive and nothing was accepted.
  EXPECT_EQ(admin.Get("/api/v1/jobs?all=true").body["jobs"].size(), 0u);
}

TEST(ServerApiTest, TenantsUsersTokensAndVisibility) {
  TestServer s;
  Client admin = s.Admin();
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "uni"}, {"weight", 2}}).status, 201);
  Response phys = admin.Post(
      "/api/v1/tenants",
      json{{"name", "physics"}, {"parent", "uni"}, {"quota", {{"nvidia-a100", 8}, {"cpus", 64}}}});
  ASSERT_EQ(phys.status, 201) << phys.text;
  ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "chem"}, {"parent", "uni"}}).status, 201);
  EXPECT_EQ(admin.Post("/api/v1/tenants", json{{"name", "chem"}}).status, 409);
  EXPECT_EQ(admin.Post("/api/v1/tenants", json{{"name", "x"}, {"parent", "ghost"}}).status, 404);
  EXPECT_EQ(admin.Post("/api/v1/tenants", json{{"name", "x"}, {"weight", -1}}).status, 400);

  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "alice"}, {"tenant", "physics"}}).status,
            201);
  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "bob"}, {"tenant", "physics"}}).status, 201);
  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "carol"}, {"tenant", "chem"}}).status, 201);
  ASSERT_EQ(
      admin
          .Post("/api/v1/users", json{{"name", "uma"}, {"tenant", "uni"}, {"role", "tenant-admin"}})
          .status,
      201);
  EXPECT_EQ(admin.Post("/api/v1/users", json{{"name", "alice"}, {"tenant", "chem"}}).status, 409);
  EXPECT_EQ(admin.Post("/api/v1/users", json{{"name", "zed"}, {"tenant", "ghost"}}).status, 404);
  EXPECT_EQ(
      admin.Post("/api/v1/users", json{{"name", "zed"}, {"tenant", "uni"}, {"role", "god"}}).status,
      400);

  auto token_for = [&](const std::string& user) {
    Response r = admin.Post("/api/v1/tokens", json{{"user", user}});
    EXPECT_EQ(r.status, 201);
    return std::make_pair(r.body["id"].get<int64_t>(), r.body["token"].get<std::string>());
  };
  auto [alice_id, alice_tok] = token_for("alice");
  auto [bob_id, bob_tok] = token_for("bob");
  auto [carol_id, carol_tok] = token_for("carol");
  auto [uma_id, uma_tok] = token_for("uma");
  Client alice = s.As(alice_tok), bob = s.As(bob_tok), carol = s.As(carol_tok), uma = s.As(uma_tok);

  Response a_job = alice.Post("/api/v1/jobs", SimpleJob("a"));
  ASSERT_EQ(a_job.status, 201);
  EXPECT_EQ(a_job.body["tenant"], "physics");
  std::string a_path = "/api/v1/jobs/" + std::to_string(a_job.body["id"].get<int64_t>());
  Response c_job = carol.Post("/api/v1/jobs", SimpleJob("c"));
  ASSERT_EQ(c_job.status, 201);

  // Another tenant's job is invisible, not just forbidden.
  EXPECT_EQ(carol.Get(a_path).status, 404);
  EXPECT_EQ(carol.Post(a_path + "/cancel", json::object()).status, 404);
  EXPECT_EQ(carol.Get(a_path + "/logs").status, 404);
  EXPECT_EQ(carol.Get("/api/v1/jobs").body["jobs"].size(), 1u);
  // Same tenant: visible, but a member cancels only their own.
  EXPECT_EQ(bob.Get(a_path).status, 200);
  EXPECT_EQ(bob.Post(a_path + "/cancel", json::object()).status, 403);
  // Members may not submit elsewhere or create tenants/users.
  EXPECT_EQ(alice.Post("/api/v1/jobs", json{{"command", {"x"}}, {"tenant", "chem"}}).status, 404);
  EXPECT_EQ(alice.Post("/api/v1/tenants", json{{"name", "mine"}, {"parent", "physics"}}).status,
            403);
  EXPECT_EQ(alice.Post("/api/v1/users", json{{"name", "eve"}, {"tenant", "physics"}}).status, 403);
  // Nor create a service: its replicas would run above every batch job.
  Response svc = alice.Post("/api/v1/services",
                            json{{"name", "web"}, {"replicas", 1}, {"command", {"sleep", "9"}}});
  EXPECT_EQ(svc.status, 403) << svc.body.dump();
  EXPECT_NE(svc.body.dump().find("tenant-admin"), std::string::npos) << svc.body.dump();
  // The tenant-admin of uni sees both subtrees, creates below it, cannot create admins.
  EXPECT_EQ(uma.Get("/api/v1/jobs").body["jobs"].size(), 2u);
  EXPECT_EQ(uma.Post("/api/v1/tenants", json{{"name", "bio"}, {"parent", "uni"}}).status, 201);
  EXPECT_EQ(uma.Post("/api/v1/tenants", json{{"name", "top"}}).status, 403);
  EXPECT_EQ(uma.Post("/api/v1/users", json{{"name", "root2"}, {"tenant", "uni"}, {"role", "admin"}})
                .status,
            403);
  // Nor a peer of itself: tenant-admins only of the tenants below uni (members of uni are fine).
  EXPECT_EQ(
      uma.Post("/api/v1/users", json{{"name", "uma2"}, {"tenant", "uni"}, {"role", "tenant-admin"}})
          .status,
      403);
  EXPECT_EQ(uma.Post("/api/v1/users",
                     json{{"name", "pia"}, {"tenant", "physics"}, {"role", "tenant-admin"}})
                .status,
            201);
  EXPECT_EQ(uma.Post("/api/v1/users", json{{"name", "ulf"}, {"tenant", "uni"}}).status, 201);
  Response tenants = uma.Get("/api/v1/tenants");
  ASSERT_EQ(tenants.status, 200);
  EXPECT_EQ(tenants.body["tenants"].size(), 4u);  // uni, physics, chem, bio; not root
  Response member_tenants = alice.Get("/api/v1/tenants");
  ASSERT_EQ(member_tenants.body["tenants"].size(), 1u);
  EXPECT_EQ(member_tenants.body["tenants"][0]["name"], "physics");
  EXPECT_EQ(member_tenants.body["tenants"][0]["pending_jobs"], 1);
  EXPECT_DOUBLE_EQ(member_tenants.body["tenants"][0]["quota"]["nvidia-a100"].get<double>(), 8);
  // fair share: uni is the only root besides root (weights 2 vs 1), physics one of 3 children.
  EXPECT_NEAR(member_tenants.body["tenants"][0]["fair_share"].get<double>(), 2.0 / 3 * 1.0 / 3,
              1e-9);
  EXPECT_EQ(alice.Get("/api/v1/users").body["users"].size(), 1u);

  // Alice cancels her own job; cancelling again is a conflict.
  Response cancelled = alice.Post(a_path + "/cancel", json::object());
  ASSERT_EQ(cancelled.status, 200);
  EXPECT_EQ(cancelled.body["state"], "CANCELLED");
  EXPECT_EQ(alice.Post(a_path + "/cancel", json::object()).status, 409);
  EXPECT_EQ(alice.Get(a_path).body["state"], "CANCELLED");
  EXPECT_EQ(alice.Get("/api/v1/jobs?state=CANCELLED").body["jobs"].size(), 1u);

  // Tokens: a member cannot revoke another's token (invisible), can revoke their own.
  EXPECT_EQ(alice.Delete("/api/v1/tokens/" + std::to_string(carol_id)).status, 404);
  EXPECT_EQ(alice.Post("/api/v1/tokens", json{{"user", "carol"}}).status, 404);
  Response mine = alice.Post("/api/v1/tokens", json::object());
  ASSERT_EQ(mine.status, 201);
  EXPECT_EQ(mine.body["user"], "alice");
  EXPECT_EQ(alice.Delete("/api/v1/tokens/" + std::to_string(alice_id)).status, 200);
  Response revoked = alice.Get("/api/v1/whoami");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_NE(revoked.body["error"]["message"].get<std::string>().find("revoked"), std::string::npos);
  EXPECT_EQ(s.As(mine.body["token"]).Get("/api/v1/whoami").status, 200);
}

TEST(ServerApiTest, StateSurvivesRestart) {
  std::string dir = TempDir("restart");
  int64_t id = 0;
  std::string admin_token;
  {
    TestServer s(dir);
    admin_token = s.admin_token();
    Client admin = s.Admin();
    ASSERT_EQ(admin.Post("/api/v1/tenants", json{{"name", "physics"}}).status, 201);
    json body = SimpleJob("durable");
    body["idempotency_key"] = "once";
    Response r = admin.Post("/api/v1/jobs", body);
    ASSERT_EQ(r.status, 201);
    id = r.body["id"];
    ASSERT_EQ(admin.Post("/api/v1/jobs", SimpleJob("gone")).status, 201);
    ASSERT_EQ(
        admin.Post("/api/v1/jobs/" + std::to_string(id + 1) + "/cancel", json::object()).status,
        200);
  }
  TestServer s(dir);
  EXPECT_EQ(s.admin_token(), admin_token);  // the same token keeps working
  Client admin = s.Admin();
  Response r = admin.Get("/api/v1/jobs/" + std::to_string(id));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["name"], "durable");
  EXPECT_EQ(r.body["state"], "PENDING");
  EXPECT_EQ(admin.Get("/api/v1/jobs/" + std::to_string(id + 1)).body["state"], "CANCELLED");
  json body = SimpleJob("durable");
  body["idempotency_key"] = "once";
  Response again = admin.Post("/api/v1/jobs", body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["id"], id);
  Response next = admin.Post("/api/v1/jobs", SimpleJob("new"));
  EXPECT_EQ(next.body["id"], id + 2);  // ids are never reused
  EXPECT_EQ(admin.Get("/api/v1/tenants").body["tenants"].size(), 2u);
}

TEST(ServerApiTest, SecondServerOnSameDataDirIsRefused) {
  TestServer s;
  ServerOptions o = s.options();
  auto second = Server::Start(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("another suanli server"), std::string::npos);
}

TEST(ServerApiTest, UnknownPolicyFailsToStart) {
  ServerOptions o;
  o.data_dir = TempDir("policy");
  o.listen = "127.0.0.1:0";
  o.policy = "astrology";
  auto s = Server::Start(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("astrology"), std::string::npos);
}

TEST(ServerApiTest, DashboardPlaceholderWhenNotBuilt) {
  TestServer s;
  httplib::Client c(s.server().url());
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("dashboard is not built"), std::string::npos);
}

}  // namespace
}  // namespace suanli::server::testing

namespace suanli::server::testing {
namespace {

// A tenant-admin in the root tenant has the built-in admin in their subtree; they still must not
// mint or revoke an admin's tokens (that would make them admin), nor see admins in the user list.
TEST(ServerApiTest, TenantAdminCannotManageAdminUsers) {
  TestServer s;
  Client admin = s.Admin();
  ASSERT_EQ(
      admin
          .Post("/api/v1/users", json{{"name", "ra"}, {"tenant", "root"}, {"role", "tenant-admin"}})
          .status,
      201);
  ASSERT_EQ(admin.Post("/api/v1/users", json{{"name", "m"}, {"tenant", "root"}}).status, 201);
  Response ra_tok = admin.Post("/api/v1/tokens", json{{"user", "ra"}});
  ASSERT_EQ(ra_tok.status, 201);
  Response admin_tok = admin.Post("/api/v1/tokens", json{{"user", "admin"}});
  ASSERT_EQ(admin_tok.status, 201);
  Client ra = s.As(ra_tok.body["token"]);

  EXPECT_EQ(ra.Post("/api/v1/tokens", json{{"user", "admin"}}).status, 404);
  EXPECT_EQ(
      ra.Delete("/api/v1/tokens/" + std::to_string(admin_tok.body["id"].get<int64_t>())).status,
      404);
  EXPECT_EQ(s.As(admin_tok.body["token"]).Get("/api/v1/whoami").status, 200);
  Response users = ra.Get("/api/v1/users");
  ASSERT_EQ(users.status, 200);
  for (const auto& u : users.body["users"]) EXPECT_NE(u["role"], "admin") << u.dump();
  // Non-admin users of the subtree (and themselves) stay manageable.
  EXPECT_EQ(ra.Post("/api/v1/tokens", json{{"user", "m"}}).status, 201);
  EXPECT_EQ(ra.Post("/api/v1/tokens", json::object()).status, 201);
}

}  // namespace
}  // namespace suanli::server::testing
