// BridgeIndex: which session a stock client's MESSAGE belongs to, and where a late one goes.

#include "switch/im/bridge_index.hpp"

#include <gtest/gtest.h>

namespace ims::sw::im {
namespace {

TEST(BridgeIndex, AKeyLeadsToItsLiveSessionOnItsCore) {
  BridgeIndex idx;
  ASSERT_TRUE(idx.add("bob", "alice", {1, "im-1"}));
  const auto found = idx.find("bob", "alice", 0);
  const auto* live = std::get_if<BridgeIndex::LiveRef>(&found);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->core, 1u);
  EXPECT_EQ(live->session, "im-1");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(idx.find("alice", "bob", 0)))
      << "the key has a direction: who writes to whom";
}

TEST(BridgeIndex, ASecondLiveSessionCannotTakeAKeyHeld) {
  BridgeIndex idx;
  ASSERT_TRUE(idx.add("bob", "alice", {0, "im-1"}));
  EXPECT_FALSE(idx.add("bob", "alice", {0, "im-2"}));
  EXPECT_TRUE(idx.add("bob", "alice", {0, "im-1"})) << "its own holder may claim it again";
  idx.remove("bob", "alice", "im-2");
  EXPECT_EQ(idx.size(), 1u) << "only the holder releases it";
  idx.remove("bob", "alice", "im-1");
  EXPECT_EQ(idx.size(), 0u);
}

TEST(BridgeIndex, AnEndedSessionsKeyLeadsToTheAgentUntilItsTime) {
  BridgeIndex idx;
  ASSERT_TRUE(idx.add("kim", "5001", {0, "im-1"}));
  idx.ended("kim", "5001", "im-1", "q1", 1000);
  const auto found = idx.find("kim", "5001", 999);
  const auto* ended = std::get_if<BridgeIndex::Ended>(&found);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->agent, "q1");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(idx.find("kim", "5001", 1000)));
  EXPECT_EQ(idx.size(), 0u) << "an expired entry is dropped";
}

TEST(BridgeIndex, ANewSessionReplacesALateWindow) {
  BridgeIndex idx;
  ASSERT_TRUE(idx.add("kim", "5001", {0, "im-1"}));
  idx.ended("kim", "5001", "im-1", "q1", 5000);
  ASSERT_TRUE(idx.add("kim", "5001", {0, "im-2"}));
  EXPECT_TRUE(std::holds_alternative<BridgeIndex::LiveRef>(idx.find("kim", "5001", 0)));
  idx.ended("kim", "5001", "im-1", "q1", 9000);  // the old session cannot take it back
  EXPECT_TRUE(std::holds_alternative<BridgeIndex::LiveRef>(idx.find("kim", "5001", 0)));
}

}  // namespace
}  // namespace ims::sw::im
