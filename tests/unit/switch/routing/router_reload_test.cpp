#include <gtest/gtest.h>

#include "switch/routing/router.hpp"
#include "tests/unit/switch/routing/router_fixture.hpp"

namespace ims::sw::routing {
namespace {

using namespace ims::sw::routing::test;  // NOLINT(google-build-using-namespace): test helpers
using directory::DirectoryData;
using directory::Distribution;

TEST(QueueRouter, RoundRobinCursorSurvivesAReload) {
  DirectoryData d = agents({agent("a", 5), agent("b", 5), agent("c", 5)},
                           {queue("2001", {"a", "b", "c"}, Distribution::RoundRobin)});
  Router t(d);
  for (const char* l : {"a", "b", "c"}) ready(t.r, l);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 0)), "b");
  const auto again = build(d);
  t.r.set_directory(*again);
  EXPECT_EQ(offered_to(t.r.request("2001", "i3", 0)), "c");
}

TEST(QueueRouter, SetDirectoryKeepsLiveStateOfAgentsStillPresent) {
  Router t(agents({agent("a", 1), agent("b")}, {queue("2001", {"a", "b"})}));
  ready(t.r, "a", 7);
  t.r.session_started("a");
  t.r.set_presence("b", Presence::NotReady, "training", 8);
  const auto next = build(agents({agent("a", 2), agent("c")}, {queue("2001", {"a", "c"})}));
  const auto reloaded = t.r.set_directory(*next);
  EXPECT_TRUE(reloaded.dropped.empty());
  const auto a = t.r.agent("a");
  EXPECT_EQ(a->presence, Presence::Ready);
  EXPECT_EQ(a->sessions, 1u);
  EXPECT_EQ(a->capacity, 2u);
  EXPECT_EQ(a->idle_since_ms, 7);
  EXPECT_TRUE(a->free);  // capacity grew
  EXPECT_FALSE(t.r.agent("b"));
  EXPECT_EQ(t.r.agent("c")->presence, Presence::NotReady);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 9)), "a");
}

TEST(QueueRouter, SetDirectoryDropsInteractionsOfVanishedQueues) {
  Router t(agents({agent("a")}, {queue("2001", {"a"}), queue("2002", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2002", "ringing", 0)), "a");
  (void)t.r.request("2002", "waiting", 1);
  (void)t.r.request("2001", "stays", 2);
  const auto next = build(agents({agent("a")}, {queue("2001", {"a"})}));
  const auto reloaded = t.r.set_directory(*next);
  EXPECT_EQ(reloaded.dropped, (std::vector<std::string>{"ringing", "waiting"}));
  EXPECT_FALSE(t.r.queue("2002", 3));
  EXPECT_FALSE(t.r.interaction("waiting"));
  // The reservation for "ringing" is released, so a takes the one still waiting.
  EXPECT_TRUE(has_offer(reloaded.effects, "stays", "a"));
  EXPECT_EQ(t.r.agent("a")->reservations, 1u);
}

TEST(QueueRouter, ConnectedSessionOutlivesItsQueue) {
  Router t(agents({agent("a")}, {queue("2001", {"a"}), queue("2002", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2002", "i1", 0)), "a");
  ASSERT_TRUE(t.r.answered("i1", 1));
  const auto next = build(agents({agent("a")}, {queue("2001", {"a"})}));
  EXPECT_TRUE(t.r.set_directory(*next).dropped.empty());
  EXPECT_EQ(t.r.agent("a")->sessions, 1u);
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 2)), 1u);  // a is at capacity
  const Effects fx = t.r.leave("i1", LeaveReason::Ended, 3);
  EXPECT_TRUE(has_offer(fx, "i2", "a"));
}

TEST(QueueRouter, AgentLeavingTheDirectoryMidOfferIsPassedOver) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"})}));
  ready(t.r, "a", 1);
  ready(t.r, "b", 2);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 3)), "a");
  const auto without_a = build(agents({agent("b")}, {queue("2001", {"b"})}));
  EXPECT_TRUE(t.r.set_directory(*without_a).dropped.empty());
  EXPECT_FALSE(t.r.agent("a"));
  EXPECT_EQ(t.r.interaction("i1")->agent, "a");  // its offer is still ringing
  EXPECT_TRUE(has_offer(t.r.declined("i1"), "i1", "b"));
}

TEST(QueueRouter, AgentBackInTheDirectoryMidOfferCountsTheSession) {
  DirectoryData both = agents({agent("a", 2), agent("b")}, {queue("2001", {"a", "b"})});
  Router t(both);
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  const auto without_a = build(agents({agent("b")}, {queue("2001", {"b"})}));
  (void)t.r.set_directory(*without_a);
  const auto again = build(both);
  (void)t.r.set_directory(*again);
  EXPECT_EQ(t.r.agent("a")->reservations, 0u);  // a new record: the reservation is gone
  ASSERT_TRUE(t.r.answered("i1", 1));
  EXPECT_EQ(t.r.agent("a")->sessions, 1u);
  EXPECT_EQ(t.r.agent("a")->reservations, 0u);
  (void)t.r.leave("i1", LeaveReason::Ended, 2);
  EXPECT_EQ(t.r.agent("a")->sessions, 0u);
}

}  // namespace
}  // namespace ims::sw::routing
