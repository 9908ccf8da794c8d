// Publications: the presence ESC of RFC 3903 §6 over values (entity-tags, expiry, the effective
// state, expiry sweeps, start-up).
#include "switch/agents/publications.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "switch/agents/pidf.hpp"

namespace ims::sw::agents {
namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;
constexpr std::int64_t kSec = 1000;

std::string pidf(Presence p, std::string note = {}) {
  return build_pidf("sip:bob@example.com", AgentState{p, std::move(note)});
}

PublishRequest initial(Presence p, std::string note = {},
                       std::optional<std::uint32_t> expires = 600) {
  PublishRequest r;
  r.login = "bob";
  r.expires = expires;
  r.has_body = true;
  r.content_type = "application/pidf+xml";
  r.body = pidf(p, std::move(note));
  return r;
}

PublishRequest refresh(std::string etag, std::optional<std::uint32_t> expires = 600) {
  PublishRequest r;
  r.login = "bob";
  r.if_match = std::move(etag);
  r.expires = expires;
  return r;
}

PublishRequest modify(std::string etag, Presence p, std::string note = {}) {
  PublishRequest r = initial(p, std::move(note));
  r.if_match = std::move(etag);
  return r;
}

const AgentState kReady{Presence::Ready, ""};

TEST(Publications, InitialPublicationSetsTheStateAndNamesItsEntityTag) {
  Publications pubs;
  auto o = pubs.publish(initial(Presence::NotReady, "lunch"), "e1", kT0);
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.op, PublishOp::Initial);
  EXPECT_EQ(o.etag, "e1");
  EXPECT_EQ(o.expires_s, 600u);
  ASSERT_TRUE(o.stored);
  EXPECT_EQ(o.stored->login, "bob");
  EXPECT_EQ(o.stored->expires_at_ms, kT0 + 600 * kSec);
  EXPECT_EQ(o.replaced, "");
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->login, "bob");
  EXPECT_EQ(o.changed->state, (AgentState{Presence::NotReady, "lunch"}));
  EXPECT_EQ(pubs.state_of("bob", kT0), (AgentState{Presence::NotReady, "lunch"}));
  EXPECT_EQ(pubs.state_of("alice", kT0), kReady);
  EXPECT_EQ(pubs.size(), 1u);
}

TEST(Publications, PublishingTheDefaultStateIsNoChange) {
  Publications pubs;
  auto o = pubs.publish(initial(Presence::Ready), "e1", kT0);
  ASSERT_EQ(o.status, 200);
  EXPECT_FALSE(o.changed);
}

TEST(Publications, RefreshKeepsTheStateUnderANewEntityTag) {
  Publications pubs;
  (void)pubs.publish(initial(Presence::NotReady, "lunch"), "e1", kT0);
  auto o = pubs.publish(refresh("e1"), "e2", kT0 + 300 * kSec);
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.op, PublishOp::Refresh);
  EXPECT_EQ(o.etag, "e2");
  EXPECT_EQ(o.replaced, "e1");
  ASSERT_TRUE(o.stored);
  EXPECT_EQ(o.stored->expires_at_ms, kT0 + 900 * kSec);
  EXPECT_EQ(o.stored->modified_at_ms, kT0);
  EXPECT_FALSE(o.changed);
  // §4.1: the old entity-tag is spent.
  EXPECT_EQ(pubs.publish(refresh("e1"), "e3", kT0 + 301 * kSec).status, 412);
  EXPECT_EQ(pubs.state_of("bob", kT0 + 899 * kSec), (AgentState{Presence::NotReady, "lunch"}));
}

TEST(Publications, ModifyReplacesTheState) {
  Publications pubs;
  (void)pubs.publish(initial(Presence::NotReady, "lunch"), "e1", kT0);
  auto o = pubs.publish(modify("e1", Presence::Ready), "e2", kT0 + kSec);
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.op, PublishOp::Modify);
  EXPECT_EQ(o.replaced, "e1");
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->state, kReady);
  EXPECT_EQ(pubs.size(), 1u);
}

TEST(Publications, RemovalFallsBackToTheDefault) {
  Publications pubs;
  (void)pubs.publish(initial(Presence::NotReady, "lunch"), "e1", kT0);
  auto o = pubs.publish(refresh("e1", 0), "e2", kT0 + kSec);
  ASSERT_EQ(o.status, 200);
  EXPECT_EQ(o.op, PublishOp::Remove);
  EXPECT_EQ(o.etag, "e1");
  EXPECT_EQ(o.expires_s, 0u);
  ASSERT_EQ(o.removed.size(), 1u);
  EXPECT_EQ(o.removed[0].etag, "e1");
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->state, kReady);
  EXPECT_EQ(pubs.size(), 0u);
}

TEST(Publications, UnknownEntityTagIs412AndChangesNothing) {
  Publications pubs;
  (void)pubs.publish(initial(Presence::NotReady), "e1", kT0);
  auto o = pubs.publish(refresh("nope"), "e2", kT0);
  EXPECT_EQ(o.status, 412);
  EXPECT_FALSE(o.stored);
  EXPECT_FALSE(o.changed);
  // Another agent's entity-tag is unknown for this one.
  PublishRequest other = refresh("e1");
  other.login = "alice";
  EXPECT_EQ(pubs.publish(other, "e3", kT0).status, 412);
}

TEST(Publications, InitialWithoutBodyIs400) {
  Publications pubs;
  PublishRequest r = initial(Presence::Ready);
  r.has_body = false;
  r.body.clear();
  auto o = pubs.publish(r, "e1", kT0);
  EXPECT_EQ(o.status, 400);
  EXPECT_EQ(o.reason, "Initial PUBLISH Without Body");
}

TEST(Publications, TooBriefIs423WithTheMinimum) {
  Publications pubs;
  auto o = pubs.publish(initial(Presence::Ready, {}, 59), "e1", kT0);
  EXPECT_EQ(o.status, 423);
  EXPECT_EQ(o.min_expires, 60u);
  EXPECT_EQ(pubs.size(), 0u);
  EXPECT_EQ(pubs.publish(initial(Presence::Ready, {}, 60), "e1", kT0).status, 200);
}

TEST(Publications, LongExpiryIsCutDownAndAbsentExpiryTakesTheDefault) {
  Publications pubs(PublishSettings{Presence::Ready, 60, 1800, 900, 16});
  auto o = pubs.publish(initial(Presence::NotReady, {}, 86400), "e1", kT0);
  EXPECT_EQ(o.expires_s, 1800u);
  auto d = pubs.publish(initial(Presence::NotReady, {}, std::nullopt), "e2", kT0);
  EXPECT_EQ(d.expires_s, 900u);
}

TEST(Publications, WrongContentTypeIs415) {
  Publications pubs;
  PublishRequest r = initial(Presence::Ready);
  r.content_type = "text/plain";
  EXPECT_EQ(pubs.publish(r, "e1", kT0).status, 415);
}

TEST(Publications, MalformedPidfIs400WithTheFault) {
  Publications pubs;
  PublishRequest r = initial(Presence::Ready);
  r.body =
      "<presence "
      "xmlns='urn:ietf:params:xml:ns:pidf'><tuple><status><basic>maybe</basic>"
      "</status></tuple></presence>";
  auto o = pubs.publish(r, "e1", kT0);
  EXPECT_EQ(o.status, 400);
  EXPECT_EQ(o.reason, "PIDF: basic status neither open nor closed");
}

TEST(Publications, ChecksRunInTheOrderOfRfc3903) {
  Publications pubs;
  // An unknown entity-tag (step 4) is reported before a brief expiry (5) or a bad body (6).
  PublishRequest r = modify("nope", Presence::Ready);
  r.expires = 10;
  r.content_type = "text/plain";
  EXPECT_EQ(pubs.publish(r, "e1", kT0).status, 412);
  r = initial(Presence::Ready, {}, 10);
  r.content_type = "text/plain";
  EXPECT_EQ(pubs.publish(r, "e1", kT0).status, 423);
}

TEST(Publications, MostRecentlyModifiedPublicationWins) {
  Publications pubs;
  (void)pubs.publish(initial(Presence::NotReady, "phone"), "desk", kT0);
  auto o = pubs.publish(initial(Presence::Ready), "mobile", kT0 + kSec);
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->state, kReady);
  // A refresh of the older one does not make it win.
  auto r = pubs.publish(refresh("desk"), "desk2", kT0 + 2 * kSec);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(pubs.state_of("bob", kT0 + 2 * kSec), kReady);
  // Removing the newer one brings the older one back.
  auto gone = pubs.publish(refresh("mobile", 0), "x", kT0 + 3 * kSec);
  ASSERT_TRUE(gone.changed);
  EXPECT_EQ(gone.changed->state, (AgentState{Presence::NotReady, "phone"}));
}

TEST(Publications, ExpiryFallsBackToTheDefaultAndReportsIt) {
  Publications pubs;
  (void)pubs.publish(initial(Presence::NotReady, "lunch", 60), "e1", kT0);
  EXPECT_TRUE(pubs.expire(kT0 + 59 * kSec).removed.empty());
  // Expired but not yet swept: the entity-tag no longer works.
  EXPECT_EQ(pubs.publish(refresh("e1"), "e2", kT0 + 60 * kSec).status, 412);
  auto e = pubs.expire(kT0 + 60 * kSec);
  ASSERT_EQ(e.removed.size(), 1u);
  EXPECT_EQ(e.removed[0].etag, "e1");
  ASSERT_EQ(e.changed.size(), 1u);
  EXPECT_EQ(e.changed[0].login, "bob");
  EXPECT_EQ(e.changed[0].state, kReady);
  EXPECT_EQ(pubs.size(), 0u);
  EXPECT_TRUE(pubs.expire(kT0 + 61 * kSec).changed.empty());
}

TEST(Publications, DefaultStateIsConfigurable) {
  Publications pubs(PublishSettings{Presence::NotReady, 60, 3600, 3600, 16});
  EXPECT_EQ(pubs.state_of("bob", kT0), (AgentState{Presence::NotReady, ""}));
  auto o = pubs.publish(initial(Presence::Ready), "e1", kT0);
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->state, kReady);
  auto r = pubs.publish(refresh("e1", 0), "e2", kT0);
  ASSERT_TRUE(r.changed);
  EXPECT_EQ(r.changed->state, (AgentState{Presence::NotReady, ""}));
}

TEST(Publications, InitialWithExpiresZeroKeepsNothing) {
  Publications pubs;
  auto o = pubs.publish(initial(Presence::NotReady, {}, 0), "e1", kT0);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.expires_s, 0u);
  EXPECT_FALSE(o.stored);
  EXPECT_FALSE(o.changed);
  EXPECT_EQ(pubs.size(), 0u);
}

TEST(Publications, PastTheBoundTheLeastRecentlyModifiedMakesRoom) {
  Publications pubs(PublishSettings{Presence::Ready, 60, 3600, 3600, 2});
  (void)pubs.publish(initial(Presence::NotReady, "a"), "e1", kT0);
  (void)pubs.publish(initial(Presence::NotReady, "b"), "e2", kT0 + 1);
  auto o = pubs.publish(initial(Presence::NotReady, "c"), "e3", kT0 + 2);
  ASSERT_EQ(o.removed.size(), 1u);
  EXPECT_EQ(o.removed[0].etag, "e1");
  EXPECT_EQ(pubs.size(), 2u);
  EXPECT_EQ(pubs.publish(refresh("e1"), "e4", kT0 + 3).status, 412);
}

TEST(Publications, LoadRestoresStatesAndOrder) {
  Publications pubs;
  Publication older{"bob", "e1", {Presence::Ready, ""}, kT0 + 600 * kSec, kT0};
  Publication newer{"bob", "e2", {Presence::NotReady, "lunch"}, kT0 + 600 * kSec, kT0 + kSec};
  Publication stale{"carol", "e3", {Presence::NotReady, "gone"}, kT0 - kSec, kT0 - 600 * kSec};
  auto restored = pubs.load({newer, stale, older}, kT0 + 2 * kSec);
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_EQ(restored[0].login, "bob");
  EXPECT_EQ(restored[0].state, (AgentState{Presence::NotReady, "lunch"}));
  EXPECT_EQ(pubs.state_of("carol", kT0 + 2 * kSec), kReady);
  // The stored entity-tag works after a restart.
  auto o = pubs.publish(refresh("e2"), "e4", kT0 + 3 * kSec);
  EXPECT_EQ(o.status, 200);
  // The expired one is removed (from the store too) at the next sweep, without a change.
  auto e = pubs.expire(kT0 + 3 * kSec);
  ASSERT_EQ(e.removed.size(), 1u);
  EXPECT_EQ(e.removed[0].etag, "e3");
  EXPECT_TRUE(e.changed.empty());
}

TEST(Publications, TheApisStateIsOnePublicationReplacedByTheNextCall) {
  Publications pubs;
  const std::int64_t week = kT0 + 7 * 24 * 3600 * kSec;
  auto o = pubs.set_by_api("bob", {Presence::NotReady, "lunch"}, "api-1", week, kT0);
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.op, PublishOp::Initial);
  ASSERT_TRUE(o.stored);
  EXPECT_EQ(o.stored->etag, "api-1");
  EXPECT_EQ(o.stored->expires_at_ms, week);
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->state, (AgentState{Presence::NotReady, "lunch"}));

  // Long after a device's publication would have expired, it holds.
  EXPECT_EQ(pubs.state_of("bob", kT0 + 2 * 3600 * kSec).presence, Presence::NotReady);

  o = pubs.set_by_api("bob", {Presence::Ready, ""}, "api-2", week, kT0 + kSec);
  EXPECT_EQ(o.op, PublishOp::Modify);
  EXPECT_EQ(o.replaced, "api-1");
  ASSERT_TRUE(o.changed);
  EXPECT_EQ(o.changed->state, kReady);
  EXPECT_EQ(pubs.size(), 1u) << "one publication of the API's per agent";

  // The same state again: stored anew, no change to announce.
  o = pubs.set_by_api("bob", {Presence::Ready, ""}, "api-3", week, kT0 + 2 * kSec);
  EXPECT_EQ(o.replaced, "api-2");
  EXPECT_FALSE(o.changed);

  (void)pubs.set_by_api("bob", {Presence::NotReady, "away"}, "api-4", week, kT0 + 3 * kSec);
  EXPECT_EQ(pubs.state_of("bob", week - 1).presence, Presence::NotReady);
  EXPECT_EQ(pubs.state_of("bob", week), kReady) << "expired at its end: the default";
}

TEST(Publications, TheMostRecentlyModifiedOfDevicesAndApiWins) {
  Publications pubs;
  const std::int64_t week = kT0 + 7 * 24 * 3600 * kSec;
  auto device = pubs.publish(initial(Presence::Ready), "e1", kT0);
  ASSERT_EQ(device.status, 200);
  (void)pubs.set_by_api("bob", {Presence::NotReady, "training"}, "api-1", week, kT0 + kSec);
  EXPECT_EQ(pubs.state_of("bob", kT0 + 2 * kSec), (AgentState{Presence::NotReady, "training"}));
  // A refresh of the device's publication does not modify it: the API's state stays.
  auto refreshed = pubs.publish(refresh("e1"), "e2", kT0 + 3 * kSec);
  ASSERT_EQ(refreshed.status, 200);
  EXPECT_FALSE(refreshed.changed);
  // A modification by the device is newer.
  auto modified = pubs.publish(modify("e2", Presence::Ready), "e3", kT0 + 4 * kSec);
  ASSERT_TRUE(modified.changed);
  EXPECT_EQ(modified.changed->state, kReady);
  // And the next API call newer still.
  auto o = pubs.set_by_api("bob", {Presence::NotReady, "break"}, "api-2", week, kT0 + 5 * kSec);
  EXPECT_EQ(o.replaced, "api-1");
  ASSERT_TRUE(o.changed);
  // The device's expires; the API's holds.
  auto e = pubs.expire(kT0 + 700 * kSec);
  ASSERT_EQ(e.removed.size(), 1u);
  EXPECT_EQ(e.removed[0].etag, "e3");
  EXPECT_EQ(pubs.state_of("bob", kT0 + 700 * kSec), (AgentState{Presence::NotReady, "break"}));
}

TEST(Publications, RecognisesThePresenceEvent) {
  EXPECT_TRUE(is_presence_event("presence"));
  EXPECT_TRUE(is_presence_event(" presence ;id=1"));
  EXPECT_FALSE(is_presence_event("dialog"));
  EXPECT_FALSE(is_presence_event("presence.winfo"));
  EXPECT_FALSE(is_presence_event(""));
}

}  // namespace
}  // namespace ims::sw::agents
