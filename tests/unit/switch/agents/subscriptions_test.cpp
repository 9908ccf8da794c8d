// Subscriptions: the presence notifier's bookkeeping (RFC 6665, RFC 3856) over values: granted
// durations, Accept and Event checks, the quota, expiry, refresh, removal and NOTIFY pacing.
#include "switch/agents/subscriptions.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ims::sw::agents {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;
constexpr std::int64_t kSec = 1000;

const WatchedState kReady{Availability::Ready, ""};
const WatchedState kLunch{Availability::NotReady, "lunch"};
const WatchedState kGone{Availability::LoggedOut, ""};

Subscription sub(std::string id, std::string watcher, std::string presentity,
                 std::int64_t expires_at_ms) {
  return Subscription{std::move(id), std::move(watcher), std::move(presentity), expires_at_ms};
}

// ---- durations, Accept, Event ----------------------------------------------------------------

TEST(GrantExpires, WithinBoundsIsGrantedAsAsked) {
  const SubscribeSettings s;
  EXPECT_EQ(grant_expires(s, 600).status, 200);
  EXPECT_EQ(grant_expires(s, 600).expires_s, 600u);
  EXPECT_EQ(grant_expires(s, 60).expires_s, 60u);
}

TEST(GrantExpires, TooBriefIs423WithTheMinimum) {
  const SubscribeSettings s;
  const Granted g = grant_expires(s, 59);
  EXPECT_EQ(g.status, 423);
  EXPECT_EQ(g.min_expires, 60u);
  EXPECT_EQ(grant_expires(s, 1).status, 423);
}

TEST(GrantExpires, ZeroIsAFetchOrAnUnsubscribeNotTooBrief) {
  const Granted g = grant_expires(SubscribeSettings{}, 0);
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(g.expires_s, 0u);
}

TEST(GrantExpires, TooLongIsCutDownAndAbsentGetsTheDefault) {
  SubscribeSettings s;
  s.max_expires_s = 1800;
  EXPECT_EQ(grant_expires(s, 86400).expires_s, 1800u);
  EXPECT_EQ(grant_expires(s, std::nullopt).expires_s, 1800u) << "default cut to the maximum";
  s.max_expires_s = 7200;
  EXPECT_EQ(grant_expires(s, std::nullopt).expires_s, 3600u) << "RFC 3856 §6.4: an hour";
}

TEST(AcceptsPidf, NoAcceptMeansThePackageDefault) { EXPECT_TRUE(accepts_pidf({})); }

TEST(AcceptsPidf, PidfOrAWildcardAmongOthers) {
  EXPECT_TRUE(accepts_pidf({"application/pidf+xml"}));
  EXPECT_TRUE(accepts_pidf({"Application/PIDF+XML;q=0.5"}));
  EXPECT_TRUE(accepts_pidf({"application/xpidf+xml, application/pidf+xml"}));
  EXPECT_TRUE(accepts_pidf({"text/plain", "application/*"}));
  EXPECT_TRUE(accepts_pidf({"*/*"}));
}

TEST(AcceptsPidf, OtherTypesAZeroQAndAnEmptyAcceptAreRefused) {
  EXPECT_FALSE(accepts_pidf({"application/xpidf+xml"}));
  EXPECT_FALSE(accepts_pidf({"text/*, application/simple-message-summary"}));
  EXPECT_FALSE(accepts_pidf({"application/pidf+xml;q=0"}));
  EXPECT_FALSE(accepts_pidf({"application/pidf+xml;q=0.000, text/plain"}));
  EXPECT_FALSE(accepts_pidf({""}));
  EXPECT_FALSE(accepts_pidf({"garbage"}));
}

TEST(EventId, TheIdParameterOrNothing) {
  EXPECT_EQ(event_id("presence"), "");
  EXPECT_EQ(event_id("presence;id=7"), "7");
  EXPECT_EQ(event_id("presence ; foo ; ID = a1"), "a1");
}

// ---- the quota ---------------------------------------------------------------------------------

TEST(SubscriptionQuota, AWatcherHoldsAtMostItsShare) {
  SubscriptionQuota q;
  EXPECT_EQ(q.take("alice", 2, 10), SubscriptionQuota::Taken::Ok);
  EXPECT_EQ(q.take("alice", 2, 10), SubscriptionQuota::Taken::Ok);
  EXPECT_EQ(q.take("alice", 2, 10), SubscriptionQuota::Taken::WatcherFull);
  EXPECT_EQ(q.take("bob", 2, 10), SubscriptionQuota::Taken::Ok) << "another watcher is not held";
  EXPECT_EQ(q.of("alice"), 2u);
  q.give_back("alice");
  EXPECT_EQ(q.take("alice", 2, 10), SubscriptionQuota::Taken::Ok);
}

TEST(SubscriptionQuota, TheSwitchHoldsAtMostItsTotal) {
  SubscriptionQuota q;
  EXPECT_EQ(q.take("alice", 5, 2), SubscriptionQuota::Taken::Ok);
  EXPECT_EQ(q.take("bob", 5, 2), SubscriptionQuota::Taken::Ok);
  EXPECT_EQ(q.take("carol", 5, 2), SubscriptionQuota::Taken::SwitchFull);
  EXPECT_EQ(q.total(), 2u);
  EXPECT_EQ(q.of("carol"), 0u);
  q.give_back("bob");
  EXPECT_EQ(q.total(), 1u);
  EXPECT_EQ(q.take("carol", 5, 2), SubscriptionQuota::Taken::Ok);
}

TEST(SubscriptionQuota, GivingBackWhatWasNeverTakenChangesNothing) {
  SubscriptionQuota q;
  ASSERT_EQ(q.take("alice", 5, 5), SubscriptionQuota::Taken::Ok);
  q.give_back("mallory");
  EXPECT_EQ(q.total(), 1u);
  q.give_back("alice");
  q.give_back("alice");
  EXPECT_EQ(q.total(), 0u);
}

// ---- the table ---------------------------------------------------------------------------------

TEST(Subscriptions, AddedSubscriptionsAreFoundByIdAndByTheAgentWatched) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 600 * kSec));
  subs.add(sub("d2", "carol", "bob", kT0 + 600 * kSec));
  subs.add(sub("d3", "alice", "dave", kT0 + 600 * kSec));
  ASSERT_NE(subs.find("d1"), nullptr);
  EXPECT_EQ(subs.find("d1")->watcher, "alice");
  EXPECT_EQ(subs.watching("bob"), (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(subs.watching("dave"), (std::vector<std::string>{"d3"}));
  EXPECT_TRUE(subs.watching("erin").empty());
  EXPECT_EQ(subs.size(), 3u);
}

TEST(Subscriptions, ExpiryEndsThoseNotRefreshedEarliestFirst) {
  Subscriptions subs;
  subs.add(sub("late", "alice", "bob", kT0 + 600 * kSec));
  subs.add(sub("early", "carol", "bob", kT0 + 60 * kSec));
  EXPECT_EQ(subs.next_expiry(), kT0 + 60 * kSec);
  EXPECT_TRUE(subs.expire(kT0 + 59 * kSec).empty());
  auto gone = subs.expire(kT0 + 60 * kSec);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].id, "early");
  EXPECT_EQ(gone[0].watcher, "carol") << "the record, for the quota";
  EXPECT_EQ(subs.find("early"), nullptr);
  EXPECT_EQ(subs.watching("bob"), (std::vector<std::string>{"late"}));
  EXPECT_EQ(subs.next_expiry(), kT0 + 600 * kSec);
  EXPECT_EQ(subs.expire(kT0 + 3600 * kSec).size(), 1u);
  EXPECT_EQ(subs.next_expiry(), std::nullopt);
  EXPECT_EQ(subs.size(), 0u);
}

TEST(Subscriptions, ARefreshMovesTheExpiry) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 60 * kSec));
  ASSERT_TRUE(subs.refresh("d1", kT0 + 120 * kSec));
  EXPECT_TRUE(subs.expire(kT0 + 100 * kSec).empty()) << "the old expiry is forgotten";
  EXPECT_EQ(subs.next_expiry(), kT0 + 120 * kSec);
  EXPECT_EQ(subs.expire(kT0 + 120 * kSec).size(), 1u);
  EXPECT_FALSE(subs.refresh("d1", kT0 + 999 * kSec)) << "an ended one cannot be refreshed";
}

TEST(Subscriptions, RemovalEndsOneAndForgetsItsIndexes) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 60 * kSec));
  subs.add(sub("d2", "carol", "bob", kT0 + 90 * kSec));
  auto removed = subs.remove("d1");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->presentity, "bob");
  EXPECT_FALSE(subs.remove("d1"));
  EXPECT_EQ(subs.watching("bob"), (std::vector<std::string>{"d2"}));
  EXPECT_EQ(subs.next_expiry(), kT0 + 90 * kSec);
  EXPECT_EQ(subs.ids(), (std::vector<std::string>{"d2"}));
}

TEST(Subscriptions, AddingAnIdInUseReplacesIt) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 60 * kSec));
  subs.add(sub("d1", "alice", "dave", kT0 + 90 * kSec));
  EXPECT_EQ(subs.size(), 1u);
  EXPECT_TRUE(subs.watching("bob").empty());
  EXPECT_EQ(subs.watching("dave"), (std::vector<std::string>{"d1"}));
  EXPECT_EQ(subs.next_expiry(), kT0 + 90 * kSec);
}

// ---- NOTIFY pacing ------------------------------------------------------------------------------

TEST(SubscriptionsNotify, TheFirstNotifyGoesAndOnlyNewsFollows) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 600 * kSec));
  EXPECT_TRUE(subs.notify("d1", kReady, true));
  EXPECT_EQ(subs.answered("d1"), std::nullopt);
  EXPECT_FALSE(subs.notify("d1", kReady, false)) << "the watcher knows this already";
  EXPECT_TRUE(subs.notify("d1", kLunch, false));
  EXPECT_EQ(subs.told("d1"), kLunch);
}

TEST(SubscriptionsNotify, ARefreshForcesTheCurrentStateAgain) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 600 * kSec));
  ASSERT_TRUE(subs.notify("d1", kReady, true));
  subs.answered("d1");
  EXPECT_TRUE(subs.notify("d1", kReady, true));
}

TEST(SubscriptionsNotify, ChangesWhileOneIsInFlightAreOwedOnce) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 600 * kSec));
  ASSERT_TRUE(subs.notify("d1", kReady, true));
  EXPECT_FALSE(subs.notify("d1", kLunch, false)) << "one in flight at a time";
  EXPECT_FALSE(subs.notify("d1", kGone, false));
  const auto owed = subs.answered("d1");
  ASSERT_TRUE(owed);
  EXPECT_FALSE(*owed);
  EXPECT_TRUE(subs.notify("d1", kGone, *owed)) << "the latest state, once";
  EXPECT_EQ(subs.answered("d1"), std::nullopt);
}

TEST(SubscriptionsNotify, AChangeUndoneInFlightCostsNothing) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 600 * kSec));
  ASSERT_TRUE(subs.notify("d1", kReady, true));
  EXPECT_FALSE(subs.notify("d1", kLunch, false));
  EXPECT_FALSE(subs.notify("d1", kReady, false));
  const auto owed = subs.answered("d1");
  ASSERT_TRUE(owed);
  EXPECT_FALSE(subs.notify("d1", kReady, *owed)) << "back where the watcher last heard";
}

TEST(SubscriptionsNotify, ARefreshInFlightIsOwedForced) {
  Subscriptions subs;
  subs.add(sub("d1", "alice", "bob", kT0 + 600 * kSec));
  ASSERT_TRUE(subs.notify("d1", kReady, true));
  EXPECT_FALSE(subs.notify("d1", kReady, true));
  const auto owed = subs.answered("d1");
  ASSERT_TRUE(owed);
  EXPECT_TRUE(*owed);
  EXPECT_TRUE(subs.notify("d1", kReady, *owed));
}

TEST(SubscriptionsNotify, UnknownIdsNeverNotify) {
  Subscriptions subs;
  EXPECT_FALSE(subs.notify("nope", kReady, true));
  EXPECT_EQ(subs.answered("nope"), std::nullopt);
  EXPECT_EQ(subs.told("nope"), std::nullopt);
}

}  // namespace
}  // namespace ims::sw::agents
