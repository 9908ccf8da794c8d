// Agent state over SIP on the real binary (RFC 6665 SUBSCRIBE/NOTIFY, RFC 3856 presence, PIDF RFC
// 3863): a test agent that shares no code with the switch subscribes with digest to another agent
// and reads the NOTIFYs on its socket: the state now, every change the watched agent PUBLISHes or
// makes by logging in, refresh, unsubscribe, expiry, a NOTIFY refused or unanswered, a closed
// connection, the refusals (404, 489, 400, 406, 407, 423, 403, 503) and, with two SIP cores, a
// change made on either core.

#include <gtest/gtest.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/http_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr Millis kWait = 5s;

// What the watcher keeps of its subscription's dialog to refresh it.
struct Watch {
  std::string presentity;
  std::string call_id;
  std::string from_tag;
  std::string to_tag;
  std::uint32_t cseq = 0;
};

std::uint32_t cseq_of(const SipMessage& m) {
  return static_cast<std::uint32_t>(std::strtoul(m.header("CSeq").value_or("0").c_str(), nullptr,
                                                 10));
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A SUBSCRIBE of `a` to the presence of `login`, outside any dialog.
AgentRequest subscribe(const Agent& a, std::string_view login, std::string expires = "600") {
  AgentRequest r;
  r.method = "SUBSCRIBE";
  r.uri = "sip:" + std::string(login) + "@127.0.0.1";
  r.headers = {"Event: presence", "Accept: application/pidf+xml",
               "Contact: <" + a.contact_uri() + ">"};
  if (!expires.empty()) r.headers.push_back("Expires: " + expires);
  return r;
}

// The same within the dialog of `w` (a refresh, or with "0" an unsubscribe).
AgentRequest resubscribe(const Agent& a, const Watch& w, std::string expires) {
  AgentRequest r = subscribe(a, w.presentity, std::move(expires));
  r.to = "<" + r.uri + ">;tag=" + w.to_tag;
  r.call_id = w.call_id;
  r.from_tag = w.from_tag;
  r.cseq = w.cseq + 1;
  return r;
}

class SubscribeWire : public ::testing::Test {
 protected:
  SubscribeWire() : dir_("imswitch-subscribe-") {}

  // The sample configuration with some im/sip/proxy keys replaced (imswitch_yaml_with).
  void start(const std::vector<std::pair<std::string_view, std::string>>& values = {},
             std::function<void(std::string&)> edit = {}) {
    options_ = im_switch_options();
    std::string yaml = imswitch_yaml_with(values);
    ASSERT_FALSE(yaml.empty()) << "a key is missing from config/imswitch.yaml";
    if (edit) edit(yaml);
    options_.config = dir_.write("imswitch.yaml", yaml);
    options_.store = dir_.path() + "/store.db";
    sw_ = start_switch(options_);
    ASSERT_NE(sw_, nullptr);
  }
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }
  void TearDown() override {
    if (!sw_) return;
    if (HasFailure()) ADD_FAILURE() << "switch log:\n" << sw_->log_tail(60);
    EXPECT_TRUE(still_serving(*sw_));
    EXPECT_TRUE(exits_cleanly(*sw_));
  }

  std::unique_ptr<Agent> agent(const std::string& login, const std::string& transport = "udp") {
    std::string error;
    auto a = Agent::open(*sw_, sample_agent(login, transport), &error);
    EXPECT_TRUE(a) << error;
    return a;
  }
  // A sample agent, logged in.
  std::unique_ptr<Agent> logged_in(const std::string& login) {
    auto a = agent(login);
    if (a) {
      EXPECT_EQ(status_of(a->register_contact()), 200);
    }
    return a;
  }

  // Subscribes and expects 200: the dialog, or nullopt (with a failure recorded).
  std::optional<Watch> watch(Agent& a, std::string_view login, std::string expires = "600") {
    AgentRequest r = subscribe(a, login, expires);
    r.call_id = "sub-" + unique_token() + "@127.0.0.1";
    auto rsp = a.request(r);
    EXPECT_EQ(status_of(rsp), 200) << (rsp ? rsp->start_line : "no answer");
    if (status_of(rsp) != 200) return std::nullopt;
    Watch w;
    w.presentity = std::string(login);
    w.call_id = r.call_id;
    w.from_tag = rsp->param("From", "tag").value_or("");
    w.to_tag = rsp->param("To", "tag").value_or("");
    w.cseq = cseq_of(*rsp);
    EXPECT_FALSE(w.to_tag.empty()) << "RFC 6665 §4.2.1.1: the 200 makes a dialog";
    EXPECT_TRUE(rsp->header("Contact")) << "RFC 6665 §4.2.1.1: the 200 has a Contact";
    EXPECT_EQ(rsp->header("Expires"), expires);
    return w;
  }

  // The next NOTIFY of subscription `w` to `a`, answered `status` (0: left unanswered).
  std::optional<SipMessage> next_notify(Agent& a, const Watch& w, int status = 200) {
    auto n = a.receive_request(kWait, status);
    if (!n) {
      ADD_FAILURE() << "no NOTIFY";
      return std::nullopt;
    }
    EXPECT_EQ(n->start_line.substr(0, 7), "NOTIFY ") << n->start_line;
    EXPECT_EQ(n->header("Call-ID"), w.call_id);
    EXPECT_EQ(n->param("From", "tag"), w.to_tag) << "the switch's tag of the dialog";
    EXPECT_EQ(n->param("To", "tag"), w.from_tag);
    EXPECT_EQ(n->header("Event"), "presence");
    EXPECT_EQ(n->header("Content-Type"), "application/pidf+xml");
    return n;
  }

  ScratchDir dir_;
  SwitchOptions options_;
  std::unique_ptr<SwitchProcess> sw_;
};

// ---- the state, now and on every change ---------------------------------------------------------

TEST_F(SubscribeWire, ASubscriptionIsChallengedThenAcceptedAndToldTheStateAtOnce) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  const auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  EXPECT_EQ(alice->challenges_seen(), 1);
  EXPECT_EQ(alice->last_challenge()->status, 407);
  auto n = next_notify(*alice, *w);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->start_line, "NOTIFY " + alice->contact_uri() + " SIP/2.0")
      << "the SUBSCRIBE's Contact is the remote target";
  const std::string state = n->header("Subscription-State").value_or("");
  EXPECT_EQ(state.substr(0, 15), "active;expires=") << state;
  const int left = std::atoi(state.substr(15).c_str());
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 600);
  EXPECT_TRUE(contains(n->body, "entity=\"sip:bob@127.0.0.1\"")) << n->body;
  EXPECT_TRUE(contains(n->body, "<basic>open</basic>")) << n->body;
  EXPECT_TRUE(contains(n->body, "<note>Ready</note>")) << n->body;
}

TEST_F(SubscribeWire, APublishedNotReadyReachesTheWatcherAndReadyAfterIt) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  const auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  auto first = next_notify(*alice, *w);
  ASSERT_TRUE(first);

  auto published = bob->request(publish(*bob, "", "closed", "lunch"));
  ASSERT_EQ(status_of(published), 200);
  auto away = next_notify(*alice, *w);
  ASSERT_TRUE(away);
  EXPECT_TRUE(contains(away->body, "<basic>closed</basic>")) << away->body;
  EXPECT_TRUE(contains(away->body, "<note>Not Ready: lunch</note>")) << away->body;
  EXPECT_GT(cseq_of(*away), cseq_of(*first)) << "in-dialog requests count up";

  const std::string etag = published->header("SIP-ETag").value_or("");
  ASSERT_EQ(status_of(bob->request(publish(*bob, etag, "open"))), 200);
  auto back = next_notify(*alice, *w);
  ASSERT_TRUE(back);
  EXPECT_TRUE(contains(back->body, "<basic>open</basic>")) << back->body;
  EXPECT_TRUE(contains(back->body, "<note>Ready</note>")) << back->body;
  EXPECT_GT(cseq_of(*back), cseq_of(*away));

  // /metrics counts the subscription and the three NOTIFYs.
  ASSERT_TRUE(sw_->http());
  HttpClient c(*sw_->http());
  auto scrape = c.get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_EQ(metric_sum(scrape->body, "imswitch_presence_subscriptions"), 1.0);
  EXPECT_EQ(metric_sum(scrape->body, "imswitch_presence_notifies_total"), 3.0);
  EXPECT_EQ(metric_sum(scrape->body, "imswitch_presence_notify_failures_total"), 0.0);
}

TEST_F(SubscribeWire, AnAgentLoggingInAndOutIsToldToo) {
  start();
  auto bob = agent("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  const auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  auto out = next_notify(*alice, *w);
  ASSERT_TRUE(out);
  EXPECT_TRUE(contains(out->body, "<basic>closed</basic>")) << out->body;
  EXPECT_TRUE(contains(out->body, "<note>Logged out</note>")) << out->body;

  ASSERT_EQ(status_of(bob->register_contact()), 200);
  auto in = next_notify(*alice, *w);
  ASSERT_TRUE(in);
  EXPECT_TRUE(contains(in->body, "<note>Ready</note>")) << in->body;

  ASSERT_EQ(status_of(bob->unregister()), 200);
  auto gone = next_notify(*alice, *w);
  ASSERT_TRUE(gone);
  EXPECT_TRUE(contains(gone->body, "<note>Logged out</note>")) << gone->body;
}

// im.max_misses: the queue sets an agent who lets an offer ring out Not Ready ("no answer"), and
// its watchers hear of it like of any other change.
TEST_F(SubscribeWire, AnAgentTheQueueSetsNotReadyIsToldToo) {
  start({{"max_misses", "1"}}, [](std::string& yaml) {
    // Queue 2001 takes an offer back after a second.
    const std::string line = "      distribution: round_robin\n";
    const auto at = yaml.find(line);
    ASSERT_NE(at, std::string::npos);
    yaml.insert(at + line.size(), "      no_answer_s: 1\n");
  });
  std::string error;
  AgentOptions desk = sample_agent("bob");
  desk.session_capable = true;  // queue sessions are offered to such devices only
  auto bob = Agent::open(*sw_, desk, &error);
  ASSERT_TRUE(bob) << error;
  ASSERT_EQ(status_of(bob->register_contact()), 200);
  auto carol = agent("carol");
  auto alice = agent("alice");
  ASSERT_TRUE(carol && alice);
  const auto w = watch(*carol, "bob");
  ASSERT_TRUE(w);
  auto ready = next_notify(*carol, *w);
  ASSERT_TRUE(ready);
  ASSERT_TRUE(contains(ready->body, "<note>Ready</note>")) << ready->body;

  AgentRequest invite;
  invite.method = "INVITE";
  invite.uri = "sip:2001@127.0.0.1";
  invite.headers = {"Contact: <" + alice->contact_uri() + ">"};
  invite.content_type = "text/plain";
  invite.body = "Who can take a refund?";
  alice->send(invite);
  // alice's side of it runs while she reads her socket: the 407, then the switch's 100.
  for (int i = 0; i < 50 && alice->provisional_responses().empty(); ++i)
    ASSERT_FALSE(alice->next_final(100ms)) << "the queued INVITE was answered";
  ASSERT_FALSE(alice->provisional_responses().empty()) << "the INVITE was not taken";
  auto offer = bob->receive_request(kWait, 0);  // rings out
  ASSERT_TRUE(offer) << "no offer to bob";
  ASSERT_EQ(offer->start_line.substr(0, 7), "INVITE ");
  auto missed = next_notify(*carol, *w);
  ASSERT_TRUE(missed);
  EXPECT_TRUE(contains(missed->body, "<basic>closed</basic>")) << missed->body;
  EXPECT_TRUE(contains(missed->body, "<note>Not Ready: no answer</note>")) << missed->body;
}

// ---- refresh, unsubscribe, fetch, expiry --------------------------------------------------------

TEST_F(SubscribeWire, ARefreshExtendsAndTellsTheStateAgain) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  auto w = watch(*alice, "bob", "120");
  ASSERT_TRUE(w);
  ASSERT_TRUE(next_notify(*alice, *w));
  auto rsp = alice->request(resubscribe(*alice, *w, "900"));
  ASSERT_EQ(status_of(rsp), 200) << rsp->start_line;
  EXPECT_EQ(rsp->param("To", "tag"), w->to_tag) << "the same dialog";
  EXPECT_EQ(rsp->header("Expires"), "900");
  w->cseq = cseq_of(*rsp);
  auto n = next_notify(*alice, *w);
  ASSERT_TRUE(n);
  const std::string state = n->header("Subscription-State").value_or("");
  ASSERT_EQ(state.substr(0, 15), "active;expires=") << state;
  EXPECT_GT(std::atoi(state.substr(15).c_str()), 120) << "the new expiry";
  EXPECT_TRUE(contains(n->body, "<basic>open</basic>"));
}

TEST_F(SubscribeWire, UnsubscribingEndsWithAFinalNotifyAndTheDialogIsGone) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  ASSERT_TRUE(next_notify(*alice, *w));
  auto rsp = alice->request(resubscribe(*alice, *w, "0"));
  ASSERT_EQ(status_of(rsp), 200);
  EXPECT_EQ(rsp->header("Expires"), "0");
  w->cseq = cseq_of(*rsp);
  auto last = next_notify(*alice, *w);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("Subscription-State"), "terminated;reason=timeout");
  EXPECT_TRUE(contains(last->body, "<basic>open</basic>")) << "with the state as it is";
  EXPECT_EQ(status_of(alice->request(resubscribe(*alice, *w, "600"))), 481);
}

TEST_F(SubscribeWire, ExpiresZeroOutsideADialogFetchesTheStateOnce) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  ASSERT_EQ(status_of(bob->request(publish(*bob, "", "closed", "meeting"))), 200);
  auto w = watch(*alice, "bob", "0");
  ASSERT_TRUE(w);
  auto n = next_notify(*alice, *w);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->header("Subscription-State"), "terminated;reason=timeout");
  EXPECT_TRUE(contains(n->body, "<note>Not Ready: meeting</note>")) << n->body;
  EXPECT_EQ(status_of(alice->request(resubscribe(*alice, *w, "600"))), 481);
}

TEST_F(SubscribeWire, ASubscriptionNotRefreshedEndsWithTerminatedTimeout) {
  start({{"subscribe_min_expires_s", "1"}});
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  auto w = watch(*alice, "bob", "2");
  ASSERT_TRUE(w);
  auto first = next_notify(*alice, *w);
  ASSERT_TRUE(first);
  auto last = alice->receive_request(10s);
  ASSERT_TRUE(last) << "no NOTIFY at expiry";
  EXPECT_EQ(last->header("Subscription-State"), "terminated;reason=timeout");
  EXPECT_TRUE(sw_->wait_for_log("subscription of alice to bob expired", 1, kWait));
  EXPECT_EQ(status_of(alice->request(resubscribe(*alice, *w, "600"))), 481);
}

// A reload that removes an agent ends the subscriptions to it (noresource) and its own
// (rejected: the watcher may no longer watch).
TEST_F(SubscribeWire, AReloadWithoutAnAgentEndsTheSubscriptionsToItAndItsOwn) {
  start();
  auto grace = agent("grace");
  auto heidi = agent("heidi");
  ASSERT_TRUE(grace && heidi);
  const auto to_grace = watch(*heidi, "grace");
  const auto by_grace = watch(*grace, "heidi");
  ASSERT_TRUE(to_grace && by_grace);
  ASSERT_TRUE(next_notify(*heidi, *to_grace));
  ASSERT_TRUE(next_notify(*grace, *by_grace));

  std::string yaml = imswitch_yaml_with({});
  const auto at = yaml.find("    - { login: grace,");
  ASSERT_NE(at, std::string::npos);
  const auto end = yaml.find("    - { login: heidi,", at);
  ASSERT_NE(end, std::string::npos);
  yaml.erase(at, end - at);
  ASSERT_EQ(dir_.write("imswitch.yaml", yaml), options_.config);
  ASSERT_EQ(::kill(sw_->pid(), SIGHUP), 0);

  auto gone = next_notify(*heidi, *to_grace);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->header("Subscription-State"), "terminated;reason=noresource");
  auto refused = next_notify(*grace, *by_grace);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->header("Subscription-State"), "terminated;reason=rejected");
}

// ---- NOTIFYs that fail --------------------------------------------------------------------------

TEST_F(SubscribeWire, ANotifyAnswered481EndsTheSubscription) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  ASSERT_TRUE(next_notify(*alice, *w, 481));
  EXPECT_TRUE(
      sw_->wait_for_log("subscription of alice to bob ended: NOTIFY answered 481", 1, kWait));
  EXPECT_EQ(status_of(alice->request(resubscribe(*alice, *w, "600"))), 481);
}

TEST_F(SubscribeWire, AnUnansweredNotifyEndsTheSubscription) {
  // T1 of 100 ms: the NOTIFY's Timer F fires after 6.4 s instead of 32 s.
  start({{"fork_timeout_ms", "3000"}}, [](std::string& yaml) {
    const auto at = yaml.find("    t1_ms: 500");
    ASSERT_NE(at, std::string::npos);
    yaml.replace(at, 14, "    t1_ms: 100");
  });
  auto bob = logged_in("bob");
  auto alice = agent("alice");
  ASSERT_TRUE(bob && alice);
  auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  ASSERT_TRUE(next_notify(*alice, *w, 0));
  EXPECT_TRUE(sw_->wait_for_log("subscription of alice to bob ended: NOTIFY unanswered", 1, 20s));
}

TEST_F(SubscribeWire, NotifiesGoOverTheConnectionAndItsCloseEndsTheSubscription) {
  start();
  auto bob = logged_in("bob");
  auto alice = agent("alice", "tcp");
  ASSERT_TRUE(bob && alice);
  auto w = watch(*alice, "bob");
  ASSERT_TRUE(w);
  auto n = next_notify(*alice, *w);
  ASSERT_TRUE(n);
  EXPECT_TRUE(contains(n->header("Via").value_or(""), "SIP/2.0/TCP")) << "over alice's connection";
  alice.reset();
  EXPECT_TRUE(sw_->wait_for_log("subscription of alice to bob ended: its connection closed", 1,
                                kWait));
}

// ---- refusals -----------------------------------------------------------------------------------

TEST_F(SubscribeWire, RefusalsNameWhatIsWrong) {
  start();
  auto alice = agent("alice");
  ASSERT_TRUE(alice);

  EXPECT_EQ(status_of(alice->request(subscribe(*alice, "nobody"))), 404);

  AgentRequest other = subscribe(*alice, "bob");
  other.headers[0] = "Event: dialog";
  auto rsp = alice->request(other);
  ASSERT_EQ(status_of(rsp), 489);
  EXPECT_EQ(rsp->header("Allow-Events"), "presence");

  AgentRequest none = subscribe(*alice, "bob");
  none.headers.erase(none.headers.begin());
  EXPECT_EQ(status_of(alice->request(none)), 489);

  AgentRequest twice = subscribe(*alice, "bob");
  twice.headers.push_back("Event: presence");
  EXPECT_EQ(status_of(alice->request(twice)), 400);

  AgentRequest xpidf = subscribe(*alice, "bob");
  xpidf.headers[1] = "Accept: application/xpidf+xml";
  rsp = alice->request(xpidf);
  ASSERT_EQ(status_of(rsp), 406);
  EXPECT_EQ(rsp->header("Accept"), "application/pidf+xml");

  rsp = alice->request(subscribe(*alice, "bob", "10"));
  ASSERT_EQ(status_of(rsp), 423);
  EXPECT_EQ(rsp->header("Min-Expires"), "60");

  AgentRequest spoofed = subscribe(*alice, "bob");
  spoofed.from = "sip:carol@127.0.0.1";
  EXPECT_EQ(status_of(alice->request(spoofed)), 403);

  AgentRequest no_contact = subscribe(*alice, "bob");
  no_contact.headers.pop_back();      // Expires
  no_contact.headers.pop_back();      // Contact
  EXPECT_EQ(status_of(alice->request(no_contact)), 400);
  EXPECT_EQ(alice->waiting_requests(), 0u) << "no NOTIFY for a refused SUBSCRIBE";
}

TEST_F(SubscribeWire, WithoutCredentialsTheAnswerIsAChallenge) {
  start();
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  AgentRequest r = subscribe(*alice, "nobody");
  r.authenticate = false;
  auto rsp = alice->request(r);
  ASSERT_EQ(status_of(rsp), 407) << "the directory is not shown to strangers";
  EXPECT_FALSE(challenges_of(*rsp).empty());
}

TEST_F(SubscribeWire, ALongExpiryIsCutDown) {
  start();
  auto alice = agent("alice");
  ASSERT_TRUE(alice);
  auto rsp = alice->request(subscribe(*alice, "bob", "86400"));
  ASSERT_EQ(status_of(rsp), 200);
  EXPECT_EQ(rsp->header("Expires"), "3600");
}

TEST_F(SubscribeWire, TheWatchersAndTheSwitchsLimitsHold) {
  start({{"max_subscriptions_per_agent", "2"}, {"max_subscriptions", "3"}});
  auto alice = agent("alice");
  auto carol = agent("carol");
  auto dave = agent("dave");
  ASSERT_TRUE(alice && carol && dave);
  auto first = watch(*alice, "bob");
  ASSERT_TRUE(first);
  ASSERT_TRUE(watch(*alice, "erin"));
  EXPECT_EQ(status_of(alice->request(subscribe(*alice, "frank"))), 403);
  ASSERT_TRUE(watch(*carol, "bob"));
  auto full = dave->request(subscribe(*dave, "bob"));
  ASSERT_EQ(status_of(full), 503);
  EXPECT_TRUE(full->header("Retry-After"));
  EXPECT_TRUE(sw_->wait_for_log("im.max_subscriptions", 1, kWait));

  // An unsubscribe gives the place back.
  ASSERT_EQ(status_of(alice->request(resubscribe(*alice, *first, "0"))), 200);
  EXPECT_TRUE(watch(*dave, "bob"));
}

TEST_F(SubscribeWire, OptionsListsSubscribeAndThePresencePackage) {
  start();
  auto bob = agent("bob");
  ASSERT_TRUE(bob);
  AgentRequest r;
  r.method = "OPTIONS";
  r.uri = "sip:127.0.0.1";
  auto rsp = bob->request(r);
  ASSERT_EQ(status_of(rsp), 200);
  EXPECT_TRUE(contains(rsp->header("Allow").value_or(""), "SUBSCRIBE"));
  EXPECT_EQ(rsp->header("Allow-Events"), "presence");
}

// ---- several SIP cores --------------------------------------------------------------------------

// The cores divide the work by Call-ID: a subscription lives on the core that owns its Call-ID,
// each PUBLISH is handled by the core that owns its own. The Call-IDs below are picked so that
// there is a subscription on each core and changes are made on each core, assuming the switch
// divides by std::hash modulo the number of cores (transport/cores.cpp); were that to change, the
// test would still hold, only less sharply.
TEST_F(SubscribeWire, WithTwoCoresAChangeOnEitherCoreReachesTheWatchersOfBoth) {
  start({{"threads", "2"}});
  const auto core_of = [](const std::string& call_id) {
    return std::hash<std::string_view>{}(call_id) % 2;
  };
  // A Call-ID of core `core`.
  const auto call_id_on = [&](std::size_t core, std::string_view prefix) {
    for (int i = 0; i < 1000; ++i) {
      std::string id = std::string(prefix) + unique_token() + "@127.0.0.1";
      if (core_of(id) == core) return id;
    }
    return std::string();
  };
  auto bob = logged_in("bob");
  ASSERT_TRUE(bob);
  std::vector<std::unique_ptr<Agent>> watchers;
  std::vector<Watch> watches;
  for (const std::size_t core : {0u, 1u}) {
    watchers.push_back(agent(core == 0 ? "alice" : "carol"));
    ASSERT_TRUE(watchers.back());
    Agent& a = *watchers.back();
    AgentRequest r = subscribe(a, "bob");
    r.call_id = call_id_on(core, "sub-");
    ASSERT_FALSE(r.call_id.empty());
    auto rsp = a.request(r);
    ASSERT_EQ(status_of(rsp), 200);
    watches.push_back(Watch{"bob", r.call_id, rsp->param("From", "tag").value_or(""),
                            rsp->param("To", "tag").value_or(""), cseq_of(*rsp)});
    ASSERT_TRUE(next_notify(a, watches.back()));
  }
  const std::vector<std::pair<std::string, std::string>> states = {
      {"closed", "break"}, {"open", ""}, {"closed", "training"}, {"open", ""}};
  for (std::size_t i = 0; i < states.size(); ++i) {
    AgentRequest p = publish(*bob, "", states[i].first, states[i].second);
    p.call_id = call_id_on(i % 2, "pub-");
    ASSERT_EQ(status_of(bob->request(p)), 200);
    const std::string note =
        states[i].second.empty() ? "Ready" : "Not Ready: " + states[i].second;
    for (std::size_t k = 0; k < watchers.size(); ++k) {
      auto n = next_notify(*watchers[k], watches[k]);
      ASSERT_TRUE(n) << "change " << i << " on core " << i % 2 << ", watcher on core " << k;
      EXPECT_TRUE(contains(n->body, "<basic>" + states[i].first + "</basic>")) << n->body;
      EXPECT_TRUE(contains(n->body, "<note>" + note + "</note>")) << n->body;
    }
  }
}

}  // namespace
}  // namespace ims::test
