// Account mapping against this machine's real account database: Debian always has root (0),
// daemon (1), bin (2) and nobody (65534, group nogroup).
#include "agent/account.h"

#include <gtest/gtest.h>

namespace suanli::agent {
namespace {

AccountPolicy Policy() {
  AccountPolicy p;
  p.fallback = "nobody";
  return p;
}

TEST(Account, SystemAccountsBelowMinUidFallBack) {
  for (const char* user : {"daemon", "bin"}) {
    auto acc = ResolveAccount(user, Policy(), true);
    ASSERT_TRUE(acc.ok()) << acc.status().ToString();
    EXPECT_EQ(acc->name, "nobody") << user;
    EXPECT_EQ(acc->uid, 65534u);
    EXPECT_NE(acc->note.find(std::string("account '") + user + "'"), std::string::npos)
        << acc->note;
    EXPECT_NE(acc->note.find("below --min-uid 1000"), std::string::npos) << acc->note;
    EXPECT_NE(acc->note.find("running as 'nobody'"), std::string::npos) << acc->note;
  }
}

TEST(Account, MinUidIsConfigurable) {
  AccountPolicy p = Policy();
  p.min_uid = 1;
  auto acc = ResolveAccount("daemon", p, true);
  ASSERT_TRUE(acc.ok()) << acc.status().ToString();
  EXPECT_EQ(acc->name, "daemon");
  EXPECT_EQ(acc->uid, 1u);
  EXPECT_TRUE(acc->note.empty()) << acc->note;
  acc = ResolveAccount("bin", p, true);  // uid 2 >= 1 too
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(acc->name, "bin");
}

TEST(Account, RegularAccountRunsAsItself) {
  // nobody is uid 65534, above the default minimum: it stands in for a regular person here.
  AccountPolicy p = Policy();
  p.fallback = "daemon";  // the fallback is the admin's choice, not checked against --min-uid
  auto acc = ResolveAccount("nobody", p, true);
  ASSERT_TRUE(acc.ok()) << acc.status().ToString();
  EXPECT_EQ(acc->name, "nobody");
  EXPECT_TRUE(acc->note.empty());
  acc = ResolveAccount("bin", p, true);
  ASSERT_TRUE(acc.ok()) << acc.status().ToString();
  EXPECT_EQ(acc->name, "daemon") << "a low fallback account is still allowed";
}

TEST(Account, RootStillNeedsAllowRoot) {
  AccountPolicy p = Policy();
  auto acc = ResolveAccount("root", p, true);
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(acc->name, "nobody");
  EXPECT_NE(acc->note.find("--allow-root"), std::string::npos) << acc->note;
  p.allow_root = true;
  acc = ResolveAccount("root", p, true);
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(acc->name, "root") << "root is allowed explicitly, below --min-uid or not";
}

TEST(Account, AllowedGroupAdmitsOnlyMembers) {
  AccountPolicy p = Policy();
  p.min_uid = 0;
  p.allowed_group = "nogroup";
  auto acc = ResolveAccount("nobody", p, true);  // primary group nogroup
  ASSERT_TRUE(acc.ok()) << acc.status().ToString();
  EXPECT_EQ(acc->name, "nobody");
  EXPECT_TRUE(acc->note.empty()) << acc->note;
  acc = ResolveAccount("daemon", p, true);  // group daemon only
  ASSERT_TRUE(acc.ok()) << acc.status().ToString();
  EXPECT_EQ(acc->name, "nobody");
  EXPECT_NE(acc->note.find("account 'daemon' is not in the group 'nogroup' (--allowed-group)"),
            std::string::npos)
      << acc->note;
  p.allowed_group = "no-such-group-suanli";
  acc = ResolveAccount("nobody", p, true);
  ASSERT_TRUE(acc.ok());
  EXPECT_NE(acc->note.find("'no-such-group-suanli' (--allowed-group) does not exist"),
            std::string::npos)
      << acc->note;
}

TEST(Account, UnknownUserFallsBack) {
  auto acc = ResolveAccount("no-such-user-suanli", Policy(), true);
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(acc->name, "nobody");
  EXPECT_NE(acc->note.find("has no account on this node"), std::string::npos) << acc->note;
}

}  // namespace
}  // namespace suanli::agent
