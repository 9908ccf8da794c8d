#include "switch/im/live_sessions.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace ims::sw::im {
namespace {

using Taken = LiveSessions::Taken;

TEST(LiveSessions, CountsBothPartiesUntilGivenBack) {
  LiveSessions live;
  EXPECT_EQ(live.take("alice", "bob", 10, 2), Taken::Ok);
  EXPECT_EQ(live.total(), 1u);
  EXPECT_EQ(live.of("alice"), 1u);
  EXPECT_EQ(live.of("bob"), 1u);
  live.give_back("alice", "bob");
  EXPECT_EQ(live.total(), 0u);
  EXPECT_EQ(live.of("alice"), 0u);
  EXPECT_EQ(live.of("bob"), 0u);
}

TEST(LiveSessions, TargetAtCapacityAndSwitchFullAreRefusedWithoutCounting) {
  LiveSessions live;
  ASSERT_EQ(live.take("alice", "bob", 3, 1), Taken::Ok);
  EXPECT_EQ(live.take("carol", "bob", 3, 1), Taken::TargetFull);
  EXPECT_EQ(live.of("carol"), 0u);
  ASSERT_EQ(live.take("carol", "dave", 3, 1), Taken::Ok);
  ASSERT_EQ(live.take("erin", "frank", 3, 1), Taken::Ok);
  EXPECT_EQ(live.take("gina", "hank", 3, 1), Taken::SwitchFull);
  EXPECT_EQ(live.total(), 3u);
}

TEST(LiveSessions, ASessionWithOneselfCountsOnce) {
  LiveSessions live;
  ASSERT_EQ(live.take("alice", "alice", 10, 5), Taken::Ok);
  EXPECT_EQ(live.of("alice"), 1u);
  live.give_back("alice", "alice");
  EXPECT_EQ(live.of("alice"), 0u);
}

TEST(LiveSessions, TheLimitHoldsAcrossThreads) {
  // Two SIP cores taking places at once never get more than the switch's limit between them.
  LiveSessions live;
  std::atomic<int> granted{0};
  auto work = [&](const std::string& who) {
    for (int i = 0; i < 500; ++i)
      if (live.take(who + std::to_string(i), "t" + std::to_string(i), 300, 10) == Taken::Ok)
        ++granted;
  };
  std::thread a(work, "a"), b(work, "b");
  a.join();
  b.join();
  EXPECT_EQ(granted.load(), 300);
  EXPECT_EQ(live.total(), 300u);
}

}  // namespace
}  // namespace ims::sw::im
