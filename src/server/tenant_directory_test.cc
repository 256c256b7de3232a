#include "server/tenant_directory.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

store::TenantRecord Tenant(std::string name, std::string parent, double weight = 1.0,
                           TimeMs created = 0) {
  store::TenantRecord t;
  t.name = std::move(name);
  t.parent = std::move(parent);
  t.weight = weight;
  t.created = created;
  return t;
}

Principal As(std::string user, std::string tenant, Role role) {
  return Principal{std::move(user), std::move(tenant), role};
}

// root -> {research -> {vision}, prod}, with an admin, a tenant-admin of research and a member.
class TenantDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_TRUE(dir.EnsureRootAndAdmin(1, &batch));
    dir.AddTenant(Tenant("research", "root", 3), &batch);
    dir.AddTenant(Tenant("prod", "root", 1), &batch);
    dir.AddTenant(Tenant("vision", "research"), &batch);
    ASSERT_TRUE(dir.CreateUser(admin, {"ra", "research", "tenant-admin"}, 2, &batch).ok());
    ASSERT_TRUE(dir.CreateUser(admin, {"vic", "vision", "member"}, 2, &batch).ok());
  }

  TenantDirectory dir;
  store::WriteBatch batch;
  Principal admin = As("admin", "root", Role::kAdmin);
  Principal research_admin = As("ra", "research", Role::kTenantAdmin);
  Principal member = As("vic", "vision", Role::kMember);
};

TEST_F(TenantDirectoryTest, FirstStartCreatesRootAndAdminOnceAndRecordsThem) {
  EXPECT_FALSE(dir.EnsureRootAndAdmin(5, &batch));
  ASSERT_EQ(batch.tenants.size(), 4u);
  EXPECT_EQ(batch.tenants[0].name, "root");
  ASSERT_EQ(batch.users.size(), 3u);
  EXPECT_EQ(batch.users[0].name, "admin");
  EXPECT_EQ(dir.IndexOf("root"), 0);
  EXPECT_EQ(dir.IndexOf("vision"), 3);
  EXPECT_EQ(dir.IndexOf("nobody"), -1);
}

TEST_F(TenantDirectoryTest, LoadKeepsTenantsInCreationOrderAndContinuesTokenIds) {
  TenantDirectory loaded;
  loaded.Load({Tenant("b", "root", 1, 20), Tenant("root", "", 1, 10), Tenant("a", "root", 1, 20)},
              {{"admin", "root", "admin", 10}}, {{7, "admin", Sha256Hex("old"), 10, false}}, "");
  ASSERT_EQ(loaded.tenants().size(), 3u);
  EXPECT_EQ(loaded.tenants()[0].name, "root");
  EXPECT_EQ(loaded.tenants()[1].name, "a");  // same time: by name
  EXPECT_EQ(loaded.tenants()[2].name, "b");
  EXPECT_TRUE(loaded.Authenticate("old").ok());
  auto issued = loaded.IssueToken(admin, "admin", 11, &batch);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->record.id, 8);
}

TEST_F(TenantDirectoryTest, TreeQueries) {
  EXPECT_TRUE(dir.InSubtree("vision", "root"));
  EXPECT_TRUE(dir.InSubtree("vision", "research"));
  EXPECT_TRUE(dir.InSubtree("research", "research"));
  EXPECT_FALSE(dir.InSubtree("prod", "research"));
  EXPECT_FALSE(dir.InSubtree("nobody", "root"));
  EXPECT_EQ(dir.Ancestry("vision"), (std::vector<std::string>{"vision", "research", "root"}));
  EXPECT_TRUE(dir.Ancestry("nobody").empty());
  EXPECT_DOUBLE_EQ(dir.FairShare("research"), 0.75);
  EXPECT_DOUBLE_EQ(dir.FairShare("vision"), 0.75);
  EXPECT_DOUBLE_EQ(dir.FairShare("prod"), 0.25);
}

TEST_F(TenantDirectoryTest, VisibilityFollowsRoleAndSubtree) {
  EXPECT_EQ(dir.VisibleTenants(admin, "").size(), 4u);
  EXPECT_EQ(dir.VisibleTenants(research_admin, ""),
            (std::vector<std::string>{"research", "vision"}));
  EXPECT_EQ(dir.VisibleTenants(member, ""), (std::vector<std::string>{"vision"}));
  EXPECT_EQ(dir.VisibleTenants(admin, "research"),
            (std::vector<std::string>{"research", "vision"}));
  // A tenant-admin never manages an admin, even one inside their subtree.
  store::UserRecord admin_in_research{"boss", "research", "admin", 0};
  EXPECT_FALSE(dir.CanManageUser(research_admin, admin_in_research));
  EXPECT_TRUE(dir.CanManageUser(research_admin, dir.users().at("vic")));
  EXPECT_FALSE(dir.CanManageUser(member, dir.users().at("ra")));
  EXPECT_TRUE(dir.CanManageUser(member, dir.users().at("vic")));
}

TEST_F(TenantDirectoryTest, CreatingTenantsChecksRoleParentAndName) {
  EXPECT_EQ(dir.CheckCreate(member, Tenant("x", "vision")).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(dir.CheckCreate(research_admin, Tenant("x", "")).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(dir.CheckCreate(research_admin, Tenant("x", "prod")).code(), StatusCode::kNotFound);
  EXPECT_EQ(dir.CheckCreate(admin, Tenant("x", "missing")).code(), StatusCode::kNotFound);
  EXPECT_EQ(dir.CheckCreate(admin, Tenant("prod", "root")).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(dir.CheckCreate(research_admin, Tenant("x", "vision")).ok());
}

TEST_F(TenantDirectoryTest, UpdatingATenantAppliesOnlyTheGivenFieldsAndKeepsItsPlace) {
  TenantUpdate u;
  u.fields = {"weight"};
  u.values.weight = 9;
  u.values.parent = "prod";  // never read
  EXPECT_EQ(dir.Updated(research_admin, "research", u).status().code(),
            StatusCode::kPermissionDenied);  // their own tenant
  EXPECT_EQ(dir.Updated(research_admin, "prod", u).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(dir.Updated(member, "vision", u).status().code(), StatusCode::kPermissionDenied);
  auto t = dir.Updated(research_admin, "vision", u);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->weight, 9);
  EXPECT_EQ(t->parent, "research");
  EXPECT_EQ(dir.Find("vision")->weight, 1);  // not stored until Replace
  dir.Replace(*t, &batch);
  EXPECT_EQ(dir.Find("vision")->weight, 9);
  EXPECT_EQ(batch.tenants.back().name, "vision");
}

TEST_F(TenantDirectoryTest, UsersAreCreatedOnlyWhereTheCallerMay) {
  EXPECT_EQ(dir.CreateUser(member, {"u", "vision", "member"}, 3, &batch).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(dir.CreateUser(research_admin, {"u", "prod", "member"}, 3, &batch).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(dir.CreateUser(research_admin, {"u", "vision", "admin"}, 3, &batch).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(dir.CreateUser(admin, {"vic", "prod", "member"}, 3, &batch).status().code(),
            StatusCode::kAlreadyExists);
  auto u = dir.CreateUser(research_admin, {"u", "vision", "member"}, 3, &batch);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(batch.users.back().name, "u");
}

TEST_F(TenantDirectoryTest, TenantAdminsCreateAndManageOnlyBelowThemselves) {
  // Members of their own tenant and below, tenant-admins only of tenants below: no peers.
  auto peer = dir.CreateUser(research_admin, {"ra2", "research", "tenant-admin"}, 3, &batch);
  EXPECT_EQ(peer.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(peer.status().message().find("only of the tenants below"), std::string::npos);
  EXPECT_TRUE(dir.CreateUser(research_admin, {"rm", "research", "member"}, 3, &batch).ok());
  EXPECT_TRUE(dir.CreateUser(research_admin, {"va", "vision", "tenant-admin"}, 3, &batch).ok());
  // An admin may still give a tenant a second tenant-admin; that peer is not the first's to
  // manage (no token minted or revoked for it, not listed), but the first manages itself.
  ASSERT_TRUE(dir.CreateUser(admin, {"ra2", "research", "tenant-admin"}, 3, &batch).ok());
  EXPECT_FALSE(dir.CanManageUser(research_admin, dir.users().at("ra2")));
  EXPECT_EQ(dir.IssueToken(research_admin, "ra2", 4, &batch).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(dir.CanManageUser(research_admin, dir.users().at("ra")));
  EXPECT_TRUE(dir.IssueToken(research_admin, "", 4, &batch).ok());
  EXPECT_TRUE(dir.CanManageUser(research_admin, dir.users().at("rm")));
  EXPECT_TRUE(dir.CanManageUser(research_admin, dir.users().at("va")));
  // The tenant-admin of vision cannot reach up to research's.
  Principal vision_admin = As("va", "vision", Role::kTenantAdmin);
  EXPECT_FALSE(dir.CanManageUser(vision_admin, dir.users().at("ra")));
  EXPECT_EQ(dir.CreateUser(vision_admin, {"x", "research", "member"}, 3, &batch).status().code(),
            StatusCode::kNotFound);
}

TEST_F(TenantDirectoryTest, TokensAuthenticateUntilRevoked) {
  EXPECT_EQ(dir.Authenticate("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(dir.Authenticate("sl_nope").status().code(), StatusCode::kUnauthenticated);
  auto issued = dir.IssueToken(research_admin, "vic", 4, &batch);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(batch.tokens.back().sha256_hex, Sha256Hex(issued->token));
  auto p = dir.Authenticate(issued->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->user, "vic");
  EXPECT_EQ(p->tenant, "vision");
  EXPECT_EQ(p->role, Role::kMember);
  EXPECT_EQ(dir.ActiveTokenCount("vic"), 1);
  // Invisible users and tokens read as absent.
  EXPECT_EQ(dir.IssueToken(member, "ra", 4, &batch).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(dir.RevokeToken(member, 999, &batch).status().code(), StatusCode::kNotFound);
  auto revoked = dir.RevokeToken(member, issued->record.id, &batch);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(batch.tokens.back().revoked);
  EXPECT_EQ(dir.Authenticate(issued->token).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(dir.ActiveTokenCount("vic"), 0);
}

TEST_F(TenantDirectoryTest, AdminAndJoinTokensAreKeptWhileValid) {
  std::string admin_token = dir.EnsureAdminToken("", 5, &batch);
  EXPECT_EQ(dir.EnsureAdminToken(admin_token, 6, &batch), admin_token);
  EXPECT_NE(dir.EnsureAdminToken("sl_stale", 6, &batch), "sl_stale");
  EXPECT_FALSE(dir.IsJoinToken(""));
  std::string join = dir.EnsureJoinToken("", &batch);
  EXPECT_TRUE(dir.IsJoinToken(join));
  EXPECT_EQ(batch.meta.at("join_token_sha256"), Sha256Hex(join));
  EXPECT_EQ(dir.EnsureJoinToken(join, &batch), join);
  EXPECT_FALSE(dir.Authenticate(join).ok());  // a join token is not a user's token
  // Another controller of the same store, whose data dir has no (or a stale) join.token: the
  // cluster's token is kept for the agents that hold it, and this controller does not know it.
  EXPECT_EQ(dir.EnsureJoinToken("", &batch), "");
  EXPECT_EQ(dir.EnsureJoinToken("sj_stale", &batch), "");
  EXPECT_TRUE(dir.IsJoinToken(join));
}

TEST_F(TenantDirectoryTest, TheLastActiveAdminTokenCannotBeRevoked) {
  std::string first = dir.EnsureAdminToken("", 5, &batch);
  const int64_t first_id = batch.tokens.back().id;
  auto only = dir.RevokeToken(admin, first_id, &batch);
  EXPECT_EQ(only.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(only.status().message().find("last active admin token"), std::string::npos);
  EXPECT_TRUE(dir.Authenticate(first).ok());

  // Another admin's token elsewhere: the first may go, that one then may not.
  dir.AddTenant(Tenant("ops", "root"), &batch);
  ASSERT_TRUE(dir.CreateUser(admin, {"oa", "ops", "admin"}, 6, &batch).ok());
  auto second = dir.IssueToken(admin, "oa", 6, &batch);
  ASSERT_TRUE(second.ok());
  // Deleting ops is allowed while the built-in admin holds an active token...
  EXPECT_TRUE(dir.CheckDelete(admin, "ops").ok());
  ASSERT_TRUE(dir.RevokeToken(admin, first_id, &batch).ok());
  EXPECT_FALSE(dir.Authenticate(first).ok());
  // ...and refused once ops holds the last ones (deleting it would revoke them).
  EXPECT_EQ(dir.CheckDelete(admin, "ops").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(dir.RevokeToken(admin, second->record.id, &batch).status().code(),
            StatusCode::kFailedPrecondition);
  // Revoking an admin's token that is already revoked stays a no-op, not an error.
  EXPECT_TRUE(dir.RevokeToken(admin, first_id, &batch).ok());
  // Non-admin tokens are never held back.
  auto vic = dir.IssueToken(admin, "vic", 7, &batch);
  ASSERT_TRUE(vic.ok());
  EXPECT_TRUE(dir.RevokeToken(admin, vic->record.id, &batch).ok());
}

TEST_F(TenantDirectoryTest, RevokeAllTokensRevokesOnlyThatUsersActiveOnes) {
  std::string a1 = dir.EnsureAdminToken("", 5, &batch);
  std::string a2 = dir.EnsureAdminToken("", 5, &batch);
  auto vic = dir.IssueToken(admin, "vic", 5, &batch);
  ASSERT_TRUE(vic.ok());
  store::WriteBatch out;
  EXPECT_EQ(dir.RevokeAllTokens("admin", &out), 2);
  EXPECT_EQ(out.tokens.size(), 2u);
  EXPECT_FALSE(dir.Authenticate(a1).ok());
  EXPECT_FALSE(dir.Authenticate(a2).ok());
  EXPECT_TRUE(dir.Authenticate(vic->token).ok());
  EXPECT_EQ(dir.RevokeAllTokens("admin", &out), 0);
}

}  // namespace
}  // namespace suanli::server
