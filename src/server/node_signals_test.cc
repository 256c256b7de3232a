#include "server/node_signals.h"

#include <gtest/gtest.h>

namespace suanli::server {
namespace {

// Polls read a node's sequence before they are authenticated: reading must not create entries,
// or unauthenticated polls for random node names would grow memory without bound.
TEST(NodeSignalsTest, ReadingUnknownNodesAddsNothing) {
  NodeSignals s;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s.Sequence("random-" + std::to_string(i)), 0u);
  s.WaitPast("ghost", 0, std::chrono::steady_clock::now() + std::chrono::milliseconds(1));
  EXPECT_EQ(s.size(), 0u);
  s.Notify("n1");
  EXPECT_EQ(s.Sequence("n1"), 1u);
  EXPECT_EQ(s.size(), 1u);
  // A wait that started at 0 returns at once once the node was notified.
  auto start = std::chrono::steady_clock::now();
  s.WaitPast("n1", 0, start + std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace suanli::server
