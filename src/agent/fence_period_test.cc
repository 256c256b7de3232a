// How long the agent waits, cut off from the controller, before it stops its tasks by itself.
#include <gtest/gtest.h>

#include "agent/controller_client.h"

namespace suanli::agent {
namespace {

ControllerClient::Registered Reply(int heartbeat_ms, int64_t fence_ms = -1,
                                   int64_t node_timeout_ms = -1) {
  ControllerClient::Registered r;
  r.heartbeat_ms = heartbeat_ms;
  r.fence_ms = fence_ms;
  r.node_timeout_ms = node_timeout_ms;
  return r;
}

TEST(FencePeriod, TheControllersFencePeriodWins) {
  EXPECT_EQ(FencePeriodMs(Reply(1000, 2500, 10000)), 2500);
  EXPECT_EQ(FencePeriodMs(Reply(1000, 0)), 0) << "the controller may turn fencing off";
}

TEST(FencePeriod, EightyPercentOfASentNodeTimeout) {
  EXPECT_EQ(FencePeriodMs(Reply(1000, -1, 10000)), 8000);
  EXPECT_EQ(FencePeriodMs(Reply(1000, -1, 60000)), 48000);
  EXPECT_EQ(FencePeriodMs(Reply(100, -1, 500)), 400);
}

TEST(FencePeriod, DerivedFromTheHeartbeatBelowTheNodeTimeout) {
  // The controller's heartbeat is node timeout / 5 (clamped to 100..1000 ms): 4 heartbeats stay
  // below its node timeout.
  EXPECT_EQ(FencePeriodMs(Reply(300)), 1200);
  EXPECT_EQ(FencePeriodMs(Reply(100)), 400);
  // A 1 s heartbeat is the clamp: the default 10 s node timeout or longer, so the 8 s default.
  EXPECT_EQ(FencePeriodMs(Reply(1000)), kDefaultFenceMs);
  EXPECT_EQ(FencePeriodMs(Reply(5000)), kDefaultFenceMs);
  EXPECT_LT(kDefaultFenceMs, 10000) << "below the controller's default node timeout";
}

}  // namespace
}  // namespace suanli::agent
