#include "server/auth.h"

#include <gtest/gtest.h>

#include <set>

namespace suanli::server {
namespace {

TEST(AuthTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuthTest, TokensAreRandomAndPrefixed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = GenerateToken();
    EXPECT_EQ(t.rfind("sl_", 0), 0u);
    EXPECT_EQ(t.size(), 3u + 64u);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(GenerateToken("sj_").rfind("sj_", 0), 0u);
}

TEST(AuthTest, BearerHeaderParsing) {
  EXPECT_EQ(BearerToken("Bearer sl_abc"), "sl_abc");
  EXPECT_EQ(BearerToken("Bearer  sl_abc "), "sl_abc");
  EXPECT_EQ(BearerToken("Basic dXNlcg=="), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(AuthTest, RolesAndSecretComparison) {
  EXPECT_EQ(ParseRole("tenant-admin"), Role::kTenantAdmin);
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_EQ(RoleName(Role::kMember), "member");
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
}

}  // namespace
}  // namespace suanli::server
