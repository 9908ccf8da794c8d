#include "switch/routing/router.hpp"

#include <gtest/gtest.h>

#include <array>

#include "tests/unit/switch/routing/router_fixture.hpp"

namespace ims::sw::routing {
namespace {

using namespace ims::sw::routing::test;  // NOLINT(google-build-using-namespace): test helpers
using directory::DirectoryData;
using directory::Distribution;

// --- distributions -------------------------------------------------------------------------------

TEST(QueueRouter, LongestIdleOffersTheAgentIdleLongest) {
  Router t(agents({agent("a"), agent("b"), agent("c")}, {queue("2001", {"a", "b", "c"})}));
  ready(t.r, "a", 30);
  ready(t.r, "b", 10);
  ready(t.r, "c", 20);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 100)), "b");
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 100)), "c");
  EXPECT_EQ(offered_to(t.r.request("2001", "i3", 100)), "a");
}

TEST(QueueRouter, LongestIdleBreaksTiesByLoginAndCountsSessionEnds) {
  Router t(agents({agent("c"), agent("b"), agent("a")}, {queue("2001", {"c", "b", "a"})}));
  for (const char* l : {"a", "b", "c"}) ready(t.r, l, 10);
  t.r.session_started("a");
  t.r.session_ended("a", 50);  // a is idle since 50 now
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 100)), "b");
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 100)), "c");
  EXPECT_EQ(offered_to(t.r.request("2001", "i3", 100)), "a");
}

TEST(QueueRouter, RoundRobinContinuesAfterTheLastOffered) {
  Router t(agents({agent("a", 5), agent("b", 5), agent("c", 5)},
                  {queue("2001", {"a", "b", "c"}, Distribution::RoundRobin)}));
  for (const char* l : {"c", "b", "a"}) ready(t.r, l);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 0)), "b");
  EXPECT_EQ(offered_to(t.r.request("2001", "i3", 0)), "c");
  EXPECT_EQ(offered_to(t.r.request("2001", "i4", 0)), "a");  // wraps
  t.r.set_presence("b", Presence::NotReady, "lunch", 0);
  EXPECT_EQ(offered_to(t.r.request("2001", "i5", 0)), "c");  // the next free after a
  EXPECT_EQ(offered_to(t.r.request("2001", "i6", 0)), "a");
}

TEST(QueueRouter, LeastBusyPrefersFewestSessionsThenLongestIdle) {
  Router t(agents({agent("a", 3), agent("b", 3), agent("c", 3)},
                  {queue("2001", {"a", "b", "c"}, Distribution::LeastBusy)}));
  ready(t.r, "a", 1);
  ready(t.r, "b", 30);
  ready(t.r, "c", 20);
  t.r.session_started("a");
  t.r.session_started("a");
  t.r.session_started("b");
  t.r.session_started("c");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 100)), "c");  // 1 session, idle longer than b
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 100)), "b");  // c now has 1 + 1 reservation
  EXPECT_EQ(offered_to(t.r.request("2001", "i3", 100)), "a");  // all at 2: a idle longest
}

TEST(QueueRouter, SkillExpressionMembersJoinTheListedOnes) {
  Queue q = queue("2001", {"x"});
  q.skills = *directory::SkillExpr::parse("billing>=3");
  Router t(
      agents({agent("x"), agent("y", 1, {{"billing", 4}}), agent("z", 1, {{"billing", 2}})}, {q}));
  const auto view = t.r.queue("2001", 0);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->members, 2u);
  EXPECT_EQ(t.r.agent("y")->queues, std::vector<std::string>{"2001"});
  EXPECT_TRUE(t.r.agent("z")->queues.empty());
  ready(t.r, "z");
  EXPECT_EQ(waiting_at(t.r.request("2001", "i1", 0)), 1u);  // z is not a member
  const Effects fx = t.r.set_presence("y", Presence::Ready, "", 0);
  EXPECT_EQ(fx.offers.size(), 0u);  // y is not reachable yet
  EXPECT_TRUE(has_offer(t.r.set_reachable("y", true, 0), "i1", "y"));
}

// --- who is free ---------------------------------------------------------------------------------

TEST(QueueRouter, SkipsAgentsAtCapacityNotReadyOrUnreachable) {
  Router t(agents({agent("full", 1), agent("away"), agent("gone"), agent("ok")},
                  {queue("2001", {"full", "away", "gone", "ok"})}));
  ready(t.r, "full", 0);
  t.r.session_started("full");
  ready(t.r, "away", 1);
  t.r.set_presence("away", Presence::NotReady, "break", 2);
  ready(t.r, "gone", 3);
  t.r.set_reachable("gone", false, 4);
  ready(t.r, "ok", 5);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 10)), "ok");
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 10)), 1u);
  const auto away = t.r.agent("away");
  EXPECT_EQ(away->presence, Presence::NotReady);
  EXPECT_EQ(away->reason, "break");
  EXPECT_FALSE(away->free);
}

TEST(QueueRouter, AReservationCountsAgainstCapacity) {
  Router t(agents({agent("a", 1)}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 0)), 1u);  // a is reserved for i1
  EXPECT_EQ(t.r.agent("a")->reservations, 1u);
}

TEST(QueueRouter, AgentWithCapacityTakesSeveralWaitingWhenItFrees) {
  Router t(agents({agent("a", 2)}, {queue("2001", {"a"})}));
  EXPECT_EQ(waiting_at(t.r.request("2001", "i1", 0)), 1u);
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 0)), 2u);
  EXPECT_EQ(waiting_at(t.r.request("2001", "i3", 0)), 3u);
  t.r.set_reachable("a", true, 0);
  const Effects fx = t.r.set_presence("a", Presence::Ready, "", 0);
  ASSERT_EQ(fx.offers.size(), 2u);
  EXPECT_EQ(fx.offers[0].interaction, "i1");
  EXPECT_EQ(fx.offers[1].interaction, "i2");
  EXPECT_EQ(positions(fx), (Positions{{"i3", 1}}));
}

// --- waiting, positions and fairness -------------------------------------------------------------

TEST(QueueRouter, WaitingInteractionsGetPositionsInArrivalOrder) {
  Router t(agents({agent("a")}, {queue("2001", {"a"})}));
  EXPECT_EQ(waiting_at(t.r.request("2001", "i1", 0)), 1u);
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 5)), 2u);
  t.r.set_reachable("a", true, 10);
  const Effects fx = t.r.set_presence("a", Presence::Ready, "", 10);
  ASSERT_EQ(fx.offers.size(), 1u);
  EXPECT_EQ(fx.offers[0].interaction, "i1");
  EXPECT_EQ(fx.offers[0].queue, "2001");
  EXPECT_EQ(positions(fx), (Positions{{"i2", 1}}));
  const auto q = t.r.queue("2001", 20);
  ASSERT_EQ(q->waiting.size(), 1u);
  EXPECT_EQ(q->waiting[0].interaction, "i2");
  EXPECT_EQ(q->longest_wait_ms, 15);
  EXPECT_EQ(q->offered_now, 1u);
}

TEST(QueueRouter, LeaveWhileWaitingMovesThoseBehindUp) {
  Router t(agents({agent("a")}, {queue("2001", {"a"})}));
  for (const char* i : {"i1", "i2", "i3"}) (void)t.r.request("2001", i, 0);
  const Effects fx = t.r.leave("i2", LeaveReason::Abandoned, 40);
  EXPECT_EQ(positions(fx), (Positions{{"i3", 2}}));
  EXPECT_TRUE(t.r.leave("i3", LeaveReason::Abandoned, 40).positions.empty());  // the tail
  EXPECT_EQ(t.r.queue("2001", 40)->counters.abandoned, 2u);
  EXPECT_FALSE(t.r.interaction("i2"));
}

TEST(QueueRouter, FreedAgentTakesTheLongestWaitingAcrossItsQueues) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"}), queue("2002", {"a"})}));
  EXPECT_EQ(waiting_at(t.r.request("2002", "early", 1)), 1u);
  EXPECT_EQ(waiting_at(t.r.request("2001", "late", 2)), 1u);
  ready(t.r, "b", 3);  // b is not in 2002: it takes the later one
  EXPECT_TRUE(t.r.interaction("late")->stage == Stage::Offered);
  EXPECT_EQ(waiting_at(t.r.request("2001", "later", 4)), 1u);
  t.r.set_reachable("a", true, 5);
  const Effects fx = t.r.set_presence("a", Presence::Ready, "", 5);
  EXPECT_TRUE(has_offer(fx, "early", "a"));
  ASSERT_EQ(fx.offers.size(), 1u);
  ASSERT_TRUE(t.r.answered("early", 6));
  const Effects end = t.r.leave("early", LeaveReason::Ended, 9);
  EXPECT_TRUE(has_offer(end, "later", "a"));
}

TEST(QueueRouter, FreedAgentPassesOverInteractionsThatSkipIt) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"})}));
  (void)t.r.request("2001", "i1", 0, RequestOptions{{"a"}, std::nullopt});
  (void)t.r.request("2001", "i2", 1);
  ready(t.r, "a");
  EXPECT_EQ(t.r.interaction("i2")->agent, "a");
  EXPECT_EQ(t.r.interaction("i1")->stage, Stage::Waiting);
  EXPECT_EQ(t.r.interaction("i1")->position, 1u);
}

TEST(QueueRouter, InteractionEveryMemberSkipsWaitsForANewcomer) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  Effects fx = t.r.declined("i1");
  EXPECT_TRUE(fx.offers.empty());  // a declined it and is the only member
  EXPECT_EQ(positions(fx), (Positions{{"i1", 1}}));
  EXPECT_EQ(t.r.interaction("i1")->skip, std::vector<std::string>{"a"});
  // b joins the queue in a reload and, once free, takes it.
  const auto bigger = build(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"})}));
  auto reloaded = t.r.set_directory(*bigger);
  EXPECT_TRUE(reloaded.effects.offers.empty());
  fx = t.r.set_reachable("b", true, 0);
  EXPECT_TRUE(fx.offers.empty());
  fx = t.r.set_presence("b", Presence::Ready, "", 0);
  EXPECT_TRUE(has_offer(fx, "i1", "b"));
}

// --- offer outcomes ------------------------------------------------------------------------------

TEST(QueueRouter, DeclineOffersTheNextFreeMember) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"})}));
  ready(t.r, "a", 1);
  ready(t.r, "b", 2);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 10)), "a");
  const Effects fx = t.r.declined("i1");
  ASSERT_EQ(fx.offers.size(), 1u);
  EXPECT_TRUE(has_offer(fx, "i1", "b"));
  EXPECT_TRUE(fx.positions.empty());
  EXPECT_EQ(t.r.agent("a")->reservations, 0u);
  EXPECT_EQ(t.r.agent("a")->counters.declined, 1u);
  EXPECT_EQ(t.r.agent("a")->misses, 0u);  // a decline is not a miss
}

TEST(QueueRouter, DeclinerTakesAnotherWaitingInteraction) {
  Router t(agents({agent("a")}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 1)), 1u);
  const Effects fx = t.r.declined("i1");
  EXPECT_TRUE(has_offer(fx, "i2", "a"));
  EXPECT_EQ(positions(fx), (Positions{{"i1", 1}}));  // back in line, at the head
}

TEST(QueueRouter, NoAnswerOffersTheNextAndCountsMisses) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"})}));
  ready(t.r, "a", 1);
  ready(t.r, "b", 2);
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 10)), "a");
  const Effects fx = t.r.no_answer("i1");
  EXPECT_TRUE(has_offer(fx, "i1", "b"));
  EXPECT_TRUE(fx.not_ready.empty());  // max_misses is off by default
  EXPECT_EQ(t.r.agent("a")->misses, 1u);
  EXPECT_EQ(t.r.agent("a")->presence, Presence::Ready);
  EXPECT_EQ(t.r.queue("2001", 10)->counters.no_answer, 1u);
}

TEST(QueueRouter, MissesSetTheAgentNotReadyAfterMaxAndAnAnswerResetsThem) {
  Router t(agents({agent("a")}, {queue("2001", {"a"})}));
  t.r.set_max_misses(2);
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  Effects fx = t.r.no_answer("i1");  // miss 1: a is free again but i1 skips it
  EXPECT_TRUE(fx.offers.empty());
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 1)), "a");
  ASSERT_TRUE(t.r.answered("i2", 2));
  EXPECT_EQ(t.r.agent("a")->misses, 0u);
  (void)t.r.leave("i2", LeaveReason::Ended, 3);
  EXPECT_EQ(offered_to(t.r.request("2001", "i3", 4)), "a");
  (void)t.r.no_answer("i3");
  EXPECT_EQ(offered_to(t.r.request("2001", "i4", 5)), "a");
  fx = t.r.no_answer("i4");  // two in a row
  EXPECT_EQ(fx.not_ready, std::vector<std::string>{"a"});
  EXPECT_EQ(t.r.agent("a")->presence, Presence::NotReady);
  EXPECT_EQ(t.r.agent("a")->reason, "no answer");
  t.r.set_presence("a", Presence::Ready, "", 6);
  EXPECT_EQ(t.r.agent("a")->misses, 0u);
}

TEST(QueueRouter, RefusedInteractionGoesBackToItsOriginalPlace) {
  Router t(agents({agent("a"), agent("b")}, {queue("2001", {"a", "b"})}));
  t.r.set_max_misses(1);
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  EXPECT_EQ(waiting_at(t.r.request("2001", "i2", 1)), 1u);
  EXPECT_EQ(waiting_at(t.r.request("2001", "i3", 2)), 2u);
  const Effects fx = t.r.no_answer("i1");  // a goes Not Ready: nobody takes anyone
  EXPECT_TRUE(fx.offers.empty());
  EXPECT_EQ(positions(fx), (Positions{{"i1", 1}, {"i2", 2}, {"i3", 3}}));
  ready(t.r, "b", 3);
  EXPECT_EQ(t.r.interaction("i1")->agent, "b");  // it kept its turn
}

TEST(QueueRouter, RequestWithAnEarlierArrivalRegainsItsPlace) {
  Router t(agents({agent("a")}, {queue("2001", {"a"}), queue("2002", {"a"})}));
  const auto first = t.r.request("2001", "i1", 0);
  ASSERT_EQ(waiting_at(first), 1u);
  (void)t.r.request("2002", "i2", 1);
  (void)t.r.leave("i1", LeaveReason::Overflowed, 2);
  const auto again =
      t.r.request("2002", "i1", 2, RequestOptions{{}, std::get<Waiting>(first).arrival_seq});
  ASSERT_EQ(waiting_at(again), 1u);
  const auto& moved = std::get<Waiting>(again).moved_back;
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].interaction, "i2");
  EXPECT_EQ(moved[0].position, 2u);
  EXPECT_EQ(t.r.queue("2001", 2)->counters.overflowed, 1u);
}

TEST(QueueRouter, MembersAreTheQueuesOwnInItsOrder) {
  Router t(agents({agent("a", 1), agent("b", 1), agent("c", 1)},
                  {queue("2001", {"c", "a"}), queue("2002", {"b"})}));
  EXPECT_EQ(t.r.members("2001"), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(t.r.members("2002"), (std::vector<std::string>{"b"}));
  EXPECT_FALSE(t.r.members("9999"));
}

TEST(QueueRouter, AnsweredWaitsAreCountedInTheirHistogramBucket) {
  Router t(agents({agent("a", 4)}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  // Waits of 0.5 s (on the first bound), 0.7 s, 45 s and 10 minutes (past every bound).
  const std::vector<std::pair<std::int64_t, std::int64_t>> waits{
      {0, 500}, {0, 700}, {0, 45'000}, {0, 600'000}};
  for (std::size_t i = 0; i < waits.size(); ++i) {
    const std::string id = "i" + std::to_string(i);
    ASSERT_EQ(offered_to(t.r.request("2001", id, waits[i].first)), "a");
    ASSERT_TRUE(t.r.answered(id, waits[i].second));
  }
  const auto view = t.r.queue("2001", 0);
  ASSERT_TRUE(view);
  const auto& c = view->counters;
  std::array<std::uint64_t, routing::kWaitBucketsMs.size()> want{};
  want[0] = 1;  // <= 0.5 s
  want[1] = 1;  // <= 1 s
  want[7] = 1;  // <= 60 s
  EXPECT_EQ(c.answered_waits, want);
  EXPECT_EQ(c.answered, 4u);  // the 10-minute wait is only in the +Inf bucket (answered)
}

TEST(QueueRouter, AnsweredTurnsTheReservationIntoASession) {
  Router t(agents({agent("a", 2)}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 100)), "a");
  ASSERT_TRUE(t.r.answered("i1", 150));
  auto a = t.r.agent("a");
  EXPECT_EQ(a->sessions, 1u);
  EXPECT_EQ(a->reservations, 0u);
  EXPECT_TRUE(a->free);  // capacity 2
  EXPECT_EQ(t.r.interaction("i1")->stage, Stage::Connected);
  (void)t.r.leave("i1", LeaveReason::Ended, 1150);
  a = t.r.agent("a");
  EXPECT_EQ(a->sessions, 0u);
  EXPECT_EQ(a->idle_since_ms, 1150);
  EXPECT_EQ(a->counters.handle_ms, 1000);
  const auto q = t.r.queue("2001", 1150);
  EXPECT_EQ(q->counters.answered, 1u);
  EXPECT_EQ(q->counters.answered_wait_ms, 50);
  EXPECT_EQ(q->counters.handle_ms, 1000);
  EXPECT_EQ(q->counters.ended, 1u);
  EXPECT_EQ(q->counters.abandoned, 0u);
  EXPECT_EQ(q->connected_now, 0u);
}

TEST(QueueRouter, AnswerAfterTheInteractionLeftIsRefused) {
  Router t(agents({agent("a")}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  (void)t.r.leave("i1", LeaveReason::Abandoned, 1);
  EXPECT_FALSE(t.r.answered("i1", 2));
  EXPECT_FALSE(t.r.answered("never", 2));
  EXPECT_TRUE(t.r.declined("i1").offers.empty());
  EXPECT_EQ(t.r.agent("a")->sessions, 0u);
  EXPECT_TRUE(t.r.agent("a")->free);
}

TEST(QueueRouter, LeaveWhileOfferedReleasesTheAgentForTheNext) {
  Router t(agents({agent("a")}, {queue("2001", {"a"})}));
  ready(t.r, "a");
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a");
  (void)t.r.request("2001", "i2", 1);
  const Effects fx = t.r.leave("i1", LeaveReason::TimedOut, 2);
  EXPECT_TRUE(has_offer(fx, "i2", "a"));
  EXPECT_EQ(t.r.queue("2001", 2)->counters.timed_out, 1u);
}

// --- admission -----------------------------------------------------------------------------------

Queue limited(std::string number, std::vector<std::string> members, unsigned max_waiting) {
  Queue q = queue(std::move(number), std::move(members));
  q.max_waiting = max_waiting;
  return q;
}

TEST(QueueRouter, FullLineAnswersQueueFull) {
  Router t(agents({agent("a")}, {limited("2001", {"a"}, 2), limited("2002", {"a"}, 5)}));
  (void)t.r.request("2001", "i1", 0);
  (void)t.r.request("2001", "i2", 0);
  EXPECT_TRUE(std::holds_alternative<QueueFull>(t.r.request("2001", "i3", 0)));
  EXPECT_FALSE(t.r.interaction("i3"));
  EXPECT_EQ(t.r.queue("2001", 0)->counters.refused, 1u);
  EXPECT_EQ(waiting_at(t.r.request("2002", "i4", 0)), 1u);  // each queue has its own limit
  ready(t.r, "a");                                          // takes i1: a place frees
  EXPECT_EQ(waiting_at(t.r.request("2001", "i3", 0)), 2u);
}

TEST(QueueRouter, RouterCapsEveryQueuesLimit) {
  Router t(agents({agent("a")}, {limited("2001", {"a"}, 5)}), 1);
  EXPECT_EQ(t.r.queue("2001", 0)->max_waiting, 1u);
  (void)t.r.request("2001", "i1", 0);
  EXPECT_TRUE(std::holds_alternative<QueueFull>(t.r.request("2001", "i2", 0)));
}

TEST(QueueRouter, FullLineStillOffersWhenAMemberIsFree) {
  Router t(agents({agent("a"), agent("b")}, {limited("2001", {"a", "b"}, 1)}));
  ready(t.r, "a");
  (void)t.r.request("2001", "i1", 0, RequestOptions{{"a"}, std::nullopt});
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 0)), "a");
}

TEST(QueueRouter, UnknownQueueAndSecondRequestAreRefused) {
  Router t(agents({agent("a")}, {queue("2001", {"a"}), queue("2002", {"a"})}));
  EXPECT_TRUE(std::holds_alternative<UnknownQueue>(t.r.request("9999", "i1", 0)));
  (void)t.r.request("2001", "i1", 0);
  EXPECT_TRUE(std::holds_alternative<AlreadyQueued>(t.r.request("2002", "i1", 0)));
  EXPECT_EQ(t.r.interaction("i1")->queue, "2001");
}

TEST(QueueRouter, APagerMessageTakesTheNextFreeMemberWithoutHoldingIt) {
  Router t(agents({agent("a", 1), agent("b", 1)},
                  {queue("2001", {"a", "b"}, Distribution::RoundRobin)}));
  ready(t.r, "a");
  ready(t.r, "b");
  EXPECT_EQ(t.r.pick("2001"), "a");
  EXPECT_EQ(t.r.pick("2001"), "b");  // the cursor moves on
  EXPECT_EQ(offered_to(t.r.request("2001", "i1", 0)), "a") << "a pager message holds no capacity";
  EXPECT_EQ(t.r.pick("2001"), "b");
  EXPECT_EQ(offered_to(t.r.request("2001", "i2", 0)), "b");
  EXPECT_EQ(t.r.pick("2001"), std::nullopt) << "both at capacity";
  EXPECT_EQ(t.r.pick("9999"), std::nullopt);
  t.r.leave("i1", LeaveReason::Ended, 1);
  EXPECT_EQ(t.r.pick("2001", {"a"}), std::nullopt) << "a is skipped, b is full";
  const auto view = t.r.queue("2001", 0);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->counters.answered, 3u);
}

}  // namespace
}  // namespace ims::sw::routing
