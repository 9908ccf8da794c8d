// IM sessions between client-library agents through the real imswitch (its B2BUA): every
// outcome of PRODUCT §4 as both sides see it, the device fork, the transcript with the switch's
// stamps, consultation case data, and misuse as error values.

#include <gtest/gtest.h>

#include <future>

#include "client/errors.hpp"
#include "client/interaction.hpp"
#include "tests/integration/client_harness.hpp"

namespace ims::test {
namespace {

using client::EndReason;
using client::ImSession;
using client::SessionState;
using Kind = ClientEvent::Kind;
using transport::Protocol;
using Session = std::shared_ptr<ImSession>;

class ClientSessionTest : public ClientFixture {
 protected:
  // A new session of `from`, started toward `target`.
  Session start_im(ClientAgent& from, const std::string& target, const std::string& text,
                   std::optional<std::string> case_json = std::nullopt) {
    return loop_.on_strand([&] {
      Session s = from.agent->new_session();
      auto r = s->start(target, text, case_json);
      EXPECT_TRUE(r.ok()) << r.error().message;
      return s;
    });
  }
  template <class F>
  Result<void> on(const Session& s, F f) {
    return loop_.on_strand([&] { return f(*s); });
  }
  // Waits for the session to end and returns why.
  std::optional<EndReason> ended(ClientAgent& a, const Session& s, Millis timeout = 5s) {
    auto st = a.events.wait_state(s, SessionState::Ended, timeout);
    if (!st) return std::nullopt;
    return st->reason;
  }
  std::vector<client::TranscriptEntry> transcript(const Session& s) {
    return loop_.on_strand([&] { return s->transcript().entries(); });
  }
  // alice invites bob and bob accepts: both Connected.
  std::pair<Session, Session> connect(ClientAgent& from, ClientAgent& to, const std::string& text) {
    Session out = start_im(from, to.login, text);
    Session in = to.events.wait_invitation();
    if (!in) return {out, nullptr};
    EXPECT_TRUE(on(in, [](ImSession& s) { return s.accept(); }).ok());
    EXPECT_TRUE(from.events.wait_state(out, SessionState::Connected));
    EXPECT_TRUE(to.events.wait_state(in, SessionState::Connected));
    return {out, in};
  }
};

TEST_F(ClientSessionTest, AcceptedSessionKeepsTheSameTranscriptOnBothSides) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");

  Session out = start_im(alice, "bob", "Hi Bob, a customer asks about a refund.");
  EXPECT_TRUE(alice.events.wait_state(out, SessionState::Establishing));
  Session in = bob.events.wait_invitation();
  ASSERT_TRUE(in) << switch_->log_tail();
  // The initiator hears the 180 (bob's device was offered it), its state unchanged.
  auto ringing = alice.events.wait([&](const ClientEvent& e) {
    return e.kind == Kind::Provisional && e.session == out;
  });
  ASSERT_TRUE(ringing);
  EXPECT_EQ(ringing->provisional, 180);
  EXPECT_EQ(loop_.on_strand([&] { return out->state(); }), SessionState::Establishing);
  EXPECT_EQ(loop_.on_strand([&] { return in->peer(); }), "alice");
  EXPECT_EQ(loop_.on_strand([&] { return in->initiator(); }), "alice");
  EXPECT_EQ(loop_.on_strand([&] { return in->first_text(); }),
            "Hi Bob, a customer asks about a refund.");
  EXPECT_EQ(loop_.on_strand([&] { return in->role(); }), client::Role::Recipient);

  ASSERT_TRUE(on(in, [](ImSession& s) { return s.accept(); }).ok());
  ASSERT_TRUE(alice.events.wait_state(out, SessionState::Connected)) << switch_->log_tail();
  ASSERT_TRUE(bob.events.wait_state(in, SessionState::Connected));

  ASSERT_TRUE(on(out, [](ImSession& s) { return s.send("Order 1234, paid twice."); }).ok());
  ASSERT_TRUE(bob.events.wait_entries(in, 2));
  ASSERT_TRUE(on(in, [](ImSession& s) { return s.send("Refund the second one."); }).ok());
  ASSERT_TRUE(alice.events.wait_entries(out, 3));
  ASSERT_TRUE(on(out, [](ImSession& s) { return s.send("Thanks!"); }).ok());
  ASSERT_TRUE(alice.events.wait_entries(out, 4));
  ASSERT_TRUE(bob.events.wait_entries(in, 4));

  // Both sides know the switch's id of the session (the stored transcript's key).
  const std::string id = loop_.on_strand([&] { return out->switch_id(); });
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(loop_.on_strand([&] { return in->switch_id(); }), id);

  const auto a = transcript(out);
  const auto b = transcript(in);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  const std::string texts[] = {"Hi Bob, a customer asks about a refund.", "Order 1234, paid twice.",
                               "Refund the second one.", "Thanks!"};
  const std::string authors[] = {"alice", "alice", "bob", "alice"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a[i].text, texts[i]);
    EXPECT_EQ(a[i].login, authors[i]);
    EXPECT_EQ(a[i].seq, i + 1);
    // Both sides show the switch's stamp: the same time and sequence.
    EXPECT_EQ(a[i].seq, b[i].seq);
    EXPECT_EQ(a[i].time, b[i].time);
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ(a[i].login, b[i].login);
    EXPECT_NE(a[i].direction, b[i].direction);
    if (i > 0) {
      EXPECT_LE(a[i - 1].time, a[i].time);
    }
  }
  EXPECT_EQ(a[0].direction, client::Direction::Sent);

  // end() with a callback: the state changes at once, the callback hears the BYE's 200.
  std::promise<Result<int>> bye;
  ASSERT_TRUE(on(out, [&](ImSession& s) {
                return s.end([&](Result<int> r) { bye.set_value(std::move(r)); });
              }).ok());
  EXPECT_EQ(ended(alice, out), EndReason::LocalEnded);
  EXPECT_EQ(ended(bob, in), EndReason::RemoteEnded);
  auto bye_answer = bye.get_future();
  ASSERT_EQ(bye_answer.wait_for(5s), std::future_status::ready);
  auto bye_status = bye_answer.get();
  ASSERT_TRUE(bye_status) << bye_status.error().message;
  EXPECT_EQ(*bye_status, 200);
  EXPECT_TRUE(on(out, [](ImSession& s) { return s.done(); }).ok());
  EXPECT_TRUE(on(in, [](ImSession& s) { return s.done(); }).ok());
  EXPECT_TRUE(bob.events.wait_state(in, SessionState::Done));
  EXPECT_TRUE(loop_.on_strand([&] { return alice.agent->sessions().empty(); }));
}

TEST_F(ClientSessionTest, AcceptedOverTcpAndEndedByTheRecipient) {
  start_switch();
  ClientAgent& carol = logged_in_agent("carol", Protocol::Tcp);
  ClientAgent& dave = logged_in_agent("dave", Protocol::Tcp);
  auto [out, in] = connect(carol, dave, "over TCP");
  ASSERT_TRUE(in) << switch_->log_tail();
  ASSERT_TRUE(on(in, [](ImSession& s) { return s.send("reply over TCP"); }).ok());
  ASSERT_TRUE(carol.events.wait_entries(out, 2));
  ASSERT_TRUE(on(in, [](ImSession& s) { return s.end(); }).ok());
  EXPECT_EQ(ended(dave, in), EndReason::LocalEnded);
  EXPECT_EQ(ended(carol, out), EndReason::RemoteEnded);
}

// Both legs of the B2BUA on different transports: each leg's Contact names its own transport,
// so the browser-like WSS agent's in-dialog requests and the switch's come over its connection.
TEST_F(ClientSessionTest, ASessionBetweenAWssAgentAndAUdpAgent) {
  start_switch();
  for (auto [from, to] : {std::pair{Protocol::Wss, Protocol::Udp}, std::pair{Protocol::Udp, Protocol::Tls}}) {
    ClientAgent& a = logged_in_agent(from == Protocol::Wss ? "erin" : "frank", from);
    ClientAgent& b = logged_in_agent(from == Protocol::Wss ? "grace" : "heidi", to);
    auto [out, in] = connect(a, b, "across transports");
    ASSERT_TRUE(in) << switch_->log_tail();
    ASSERT_TRUE(on(out, [](ImSession& s) { return s.send("from the first leg"); }).ok());
    ASSERT_TRUE(on(in, [](ImSession& s) { return s.send("from the second leg"); }).ok());
    ASSERT_TRUE(a.events.wait_entries(out, 3));
    ASSERT_TRUE(b.events.wait_entries(in, 3));
    EXPECT_EQ(transcript(out).size(), transcript(in).size());
    ASSERT_TRUE(on(out, [](ImSession& s) { return s.end(); }).ok());
    EXPECT_EQ(ended(b, in), EndReason::RemoteEnded);
    EXPECT_EQ(ended(a, out), EndReason::LocalEnded);
  }
}

TEST_F(ClientSessionTest, ThreeAgentsHoldTwoSessionsAtOnce) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  ClientAgent& carol = logged_in_agent("carol", Protocol::Tcp);
  auto [with_bob, bobs] = connect(alice, bob, "to bob");
  auto [with_carol, carols] = connect(alice, carol, "to carol");
  ASSERT_TRUE(bobs && carols) << switch_->log_tail();
  ASSERT_TRUE(on(bobs, [](ImSession& s) { return s.send("bob here"); }).ok());
  ASSERT_TRUE(on(carols, [](ImSession& s) { return s.send("carol here"); }).ok());
  ASSERT_TRUE(alice.events.wait_entries(with_bob, 2));
  ASSERT_TRUE(alice.events.wait_entries(with_carol, 2));
  EXPECT_EQ(transcript(with_bob).back().text, "bob here");
  EXPECT_EQ(transcript(with_bob).back().login, "bob");
  EXPECT_EQ(transcript(with_carol).back().text, "carol here");
  EXPECT_EQ(transcript(with_carol).back().login, "carol");
  // Each session numbers its own messages.
  EXPECT_EQ(transcript(with_carol).back().seq, 2u);
  ASSERT_TRUE(on(with_bob, [](ImSession& s) { return s.end(); }).ok());
  EXPECT_EQ(ended(bob, bobs), EndReason::RemoteEnded);
  EXPECT_EQ(loop_.on_strand([&] { return with_carol->state(); }), SessionState::Connected);
  EXPECT_EQ(loop_.on_strand([&] { return alice.agent->sessions().size(); }), 2u);  // not done yet
}

TEST_F(ClientSessionTest, RejectedInvitation) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  Session out = start_im(alice, "bob", "got a minute?");
  Session in = bob.events.wait_invitation();
  ASSERT_TRUE(in) << switch_->log_tail();
  ASSERT_TRUE(on(in, [](ImSession& s) { return s.reject(); }).ok());
  EXPECT_EQ(ended(bob, in), EndReason::Rejected);
  EXPECT_EQ(ended(alice, out), EndReason::Rejected);
}

TEST_F(ClientSessionTest, UnansweredInvitationTimesOutOnBothSides) {
  const std::string config = sample_config_with({{"invite_timeout_s", "1"}});
  ASSERT_FALSE(config.empty());
  start_switch(config);
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  Session out = start_im(alice, "bob", "anyone there?");
  Session in = bob.events.wait_invitation();
  ASSERT_TRUE(in) << switch_->log_tail();
  EXPECT_EQ(ended(alice, out, 10s), EndReason::TimedOut);
  EXPECT_EQ(ended(bob, in, 10s), EndReason::TimedOut);
  // Too late to accept.
  auto late = on(in, [](ImSession& s) { return s.accept(); });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, client::ClientErrc::BadState);
}

TEST_F(ClientSessionTest, InitiatorCancelsWhileEstablishing) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  Session out = start_im(alice, "bob", "never mind…");
  Session in = bob.events.wait_invitation();
  ASSERT_TRUE(in) << switch_->log_tail();
  ASSERT_TRUE(on(out, [](ImSession& s) { return s.end(); }).ok());
  EXPECT_EQ(ended(alice, out), EndReason::Cancelled);
  EXPECT_EQ(ended(bob, in), EndReason::Cancelled);
}

TEST_F(ClientSessionTest, CancelCrossingAnAcceptEndsBothSides) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  Session out = start_im(alice, "bob", "quick question");
  Session in = bob.events.wait_invitation();
  ASSERT_TRUE(in) << switch_->log_tail();
  // In one turn of the strand: alice's CANCEL and bob's 200 leave at the same moment.
  loop_.on_strand([&] {
    EXPECT_TRUE(out->end().ok());
    EXPECT_TRUE(in->accept().ok());
  });
  // Whichever wins at the switch, alice gave up: Cancelled (a 200 that crossed her CANCEL is
  // acknowledged and hung up), and bob's side ends too.
  EXPECT_EQ(ended(alice, out), EndReason::Cancelled);
  auto bobs = ended(bob, in);
  ASSERT_TRUE(bobs) << switch_->log_tail();
  EXPECT_TRUE(*bobs == EndReason::Cancelled || *bobs == EndReason::RemoteEnded)
      << client::to_string(*bobs);
}

TEST_F(ClientSessionTest, UnknownTargetIsNotFound) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  Session out = start_im(alice, "nobody", "hello?");
  EXPECT_EQ(ended(alice, out), EndReason::NotFound);
}

TEST_F(ClientSessionTest, AgentsWithoutTheImTaskAreForbidden) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& leo = logged_in_agent("leo");
  Session to_leo = start_im(alice, "leo", "hi Leo");
  EXPECT_EQ(ended(alice, to_leo), EndReason::Forbidden);
  Session from_leo = start_im(leo, "alice", "hi Alice");
  EXPECT_EQ(ended(leo, from_leo), EndReason::Forbidden);
  EXPECT_FALSE(alice.events.wait_kind(Kind::Invitation, 200ms));
}

TEST_F(ClientSessionTest, TargetNotLoggedInIsUnavailable) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  Session out = start_im(alice, "carol", "are you in?");
  EXPECT_EQ(ended(alice, out), EndReason::Unavailable);
}

TEST_F(ClientSessionTest, TargetAtItsImCapacityIsBusy) {
  start_switch();  // ivan: im_capacity 2
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  ClientAgent& ivan = logged_in_agent("ivan");
  Session first = start_im(alice, "ivan", "one");
  Session second = start_im(bob, "ivan", "two");
  ASSERT_TRUE(ivan.events.wait_invitation(1)) << switch_->log_tail();
  Session third = start_im(alice, "ivan", "three");
  EXPECT_EQ(ended(alice, third), EndReason::Busy);
}

TEST_F(ClientSessionTest, InvitationForksToEveryDeviceAndTheFirstAcceptWins) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& desk = logged_in_agent("bob");
  ClientAgent& phone = logged_in_agent("bob", Protocol::Tcp);
  Session out = start_im(alice, "bob", "whoever is at hand");
  Session on_desk = desk.events.wait_invitation();
  Session on_phone = phone.events.wait_invitation();
  ASSERT_TRUE(on_desk && on_phone) << switch_->log_tail();
  ASSERT_TRUE(on(on_phone, [](ImSession& s) { return s.accept(); }).ok());
  ASSERT_TRUE(alice.events.wait_state(out, SessionState::Connected));
  EXPECT_EQ(ended(desk, on_desk), EndReason::Cancelled);
  EXPECT_NE(loop_.on_strand([&] { return on_desk->end_detail(); }).find("answered elsewhere"),
            std::string::npos);
  ASSERT_TRUE(on(out, [](ImSession& s) { return s.send("to the phone"); }).ok());
  ASSERT_TRUE(phone.events.wait_entries(on_phone, 2));
  EXPECT_EQ(desk.events.count([](const ClientEvent& e) { return e.kind == Kind::Entry; }), 1u);
}

TEST_F(ClientSessionTest, ConsultationCarriesTheInteractionsCaseData) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  client::Interaction call(client::InteractionKind::Voice, "call-7781");
  call.set("customer", std::string("Ann Smith"));
  call.set("reason", std::string("double charge"));
  Session out = loop_.on_strand([&] {
    Session s = alice.agent->new_session();
    EXPECT_TRUE(s->start("bob", "Can you take a look?", call).ok());
    return s;
  });
  Session in = bob.events.wait_invitation();
  ASSERT_TRUE(in) << switch_->log_tail();
  auto json = loop_.on_strand([&] { return in->case_data(); });
  ASSERT_TRUE(json);
  auto seen = client::Interaction::from_json(*json);
  ASSERT_TRUE(seen.ok()) << *json;
  EXPECT_EQ(seen->kind(), client::InteractionKind::Voice);
  EXPECT_EQ(seen->id(), "call-7781");
  EXPECT_EQ(seen->get("customer").value_or(""), "Ann Smith");
  EXPECT_EQ(loop_.on_strand([&] { return in->first_text(); }), "Can you take a look?");
  ASSERT_TRUE(on(out, [](ImSession& s) { return s.end(); }).ok());
  EXPECT_EQ(ended(bob, in), EndReason::Cancelled);
}

TEST_F(ClientSessionTest, MisuseIsAnErrorValue) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice");
  ClientAgent& bob = logged_in_agent("bob");
  auto bad_state = [](const Result<void>& r) {
    return !r.ok() && r.error().code == client::ClientErrc::BadState;
  };
  Session fresh = loop_.on_strand([&] { return alice.agent->new_session(); });
  EXPECT_TRUE(bad_state(on(fresh, [](ImSession& s) { return s.send("too early"); })));
  EXPECT_TRUE(bad_state(on(fresh, [](ImSession& s) { return s.accept(); })));
  EXPECT_TRUE(bad_state(on(fresh, [](ImSession& s) { return s.done(); })));

  auto [out, in] = connect(alice, bob, "hello");
  ASSERT_TRUE(in) << switch_->log_tail();
  EXPECT_TRUE(bad_state(on(in, [](ImSession& s) { return s.accept(); })));  // accept twice
  EXPECT_TRUE(bad_state(on(out, [](ImSession& s) { return s.start("bob", "again"); })));
  ASSERT_TRUE(on(in, [](ImSession& s) { return s.end(); }).ok());
  EXPECT_EQ(ended(alice, out), EndReason::RemoteEnded);
  EXPECT_TRUE(bad_state(on(out, [](ImSession& s) { return s.send("after the end"); })));
  EXPECT_TRUE(bad_state(on(in, [](ImSession& s) { return s.send("after the end"); })));
  EXPECT_FALSE(on(out, [](ImSession& s) { return s.end(); }).ok());
  EXPECT_TRUE(on(out, [](ImSession& s) { return s.done(); }).ok());
  EXPECT_TRUE(bad_state(on(out, [](ImSession& s) { return s.done(); })));

  // After the agent is closed, a session answers Closed.
  loop_.on_strand([&] { alice.agent->close(); });
  auto closed = on(fresh, [](ImSession& s) { return s.start("bob", "x"); });
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, client::ClientErrc::Closed);
}

}  // namespace
}  // namespace ims::test
