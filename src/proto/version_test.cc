#include "proto/version.h"

#include <gtest/gtest.h>

namespace suanli::proto {
namespace {

using nlohmann::json;

TEST(ProtocolVersion, ParsesMajorDotMinorAndRejectsAnythingElse) {
  auto v = ParseVersion("1.1");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, (ProtocolVersion{1, 1}));
  EXPECT_EQ(ParseVersion("12.30")->ToString(), "12.30");
  for (const char* bad : {"", "1", "1.", ".1", "1.1.1", "a.b", "-1.0", "1.x", " 1.1"}) {
    auto r = ParseVersion(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("'protocol'"), std::string::npos) << r.status().message();
  }
}

TEST(ProtocolVersion, AMessageWithoutTheFieldIsOnePointZero) {
  EXPECT_EQ(*VersionOf(json::object()), (ProtocolVersion{1, 0}));
  EXPECT_EQ(*VersionOf(json{{"protocol", nullptr}}), (ProtocolVersion{1, 0}));
  EXPECT_EQ(*VersionOf(json{{"protocol", "1.4"}}), (ProtocolVersion{1, 4}));
  auto r = VersionOf(json{{"protocol", 1.1}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("must be a string"), std::string::npos);
}

TEST(ProtocolVersion, AcceptsTheSameMajorFromOneMinorOlderToAnyNewer) {
  const ProtocolVersion ours{1, 3};
  for (int minor : {2, 3, 4, 17}) {
    EXPECT_TRUE(CheckCompatible({1, minor}, ours, "agent", "controller").ok()) << minor;
  }
  Status old = CheckCompatible({1, 1}, ours, "agent", "controller");
  EXPECT_EQ(old.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(old.message(),
            "agent speaks protocol 1.1 (too old); this controller speaks 1.3 and accepts 1.2 or "
            "newer 1.x");
  Status other = CheckCompatible({2, 3}, ours, "controller", "agent");
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(other.message(),
            "controller speaks protocol 2.3 (another major version); this agent speaks 1.3 and "
            "accepts 1.2 or newer 1.x");
  // Today's build accepts today's unversioned agents.
  EXPECT_TRUE(CheckCompatible(kUnversioned, kCurrentVersion, "agent", "controller").ok());
}

TEST(ProtocolVersion, OnlyANewerMinorMayCarryFieldsWeDoNotKnow) {
  EXPECT_TRUE(MayCarryUnknownFields({1, 2}, {1, 1}));
  EXPECT_FALSE(MayCarryUnknownFields({1, 1}, {1, 1}));
  EXPECT_FALSE(MayCarryUnknownFields({1, 0}, {1, 1}));
  EXPECT_FALSE(MayCarryUnknownFields({2, 5}, {1, 1}));
}

}  // namespace
}  // namespace suanli::proto
