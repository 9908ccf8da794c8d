// The pager bridge on the real binary (PRODUCT §4b): stock SIP clients in IM sessions. Plain
// devices are test Agents registered without +imswitch.session (or not registered at all) that
// only ever send and answer pager MESSAGEs, as baresip or sipsak do; session-capable devices are
// SessionPeers. Covered: the invitation MESSAGE, accept by reply, messages both ways in the
// transcript, /reject, the invitation timer, /end from the plain side, the end from the session
// side, an agent with both kinds of devices, a stock client's MESSAGE to a queue (202, a session
// with an agent, later messages sticking to it, /end), a reply after the end delivered as a pager
// message, and CPIM down-converted.

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr std::string_view kText = "text/plain;charset=UTF-8";
constexpr std::string_view kDash = "\xE2\x80\x94";  // the em dash of the invitation

// alice and carol open sessions from the client library's kind of device; bob is invited on a
// plain device (and, in one test, a capable one too); kim is a stock client writing to queue 5001,
// whose only member is q1.
std::string config_with(std::string_view invite_timeout_s) {
  return std::string(R"(
sip:
  domains: [127.0.0.1]
log:
  level: debug
im:
  invite_timeout_s: )") +
         std::string(invite_timeout_s) + R"(
directory:
  agents:
    - { login: alice, password: pw-alice, display_name: Alice Example }
    - { login: bob, password: pw-bob, display_name: Bob Builder }
    - { login: carol, password: pw-carol }
    - { login: kim, password: pw-kim, display_name: Kim Customer }
    - { login: q1, password: pw-q1, display_name: Queue One, im_capacity: 2 }
    - { login: q2, password: pw-q2, display_name: Queue Two }
    - { login: vip, password: pw-vip }
  queues:
    - { number: "5001", members: [q1], no_answer_s: 20, wait_limit_s: 60 }
    - { number: "5002", members: [q2], wait_limit_s: 1 }
  routing_points:
    - { number: "6000", rules: [ { caller: kim, target: q2 } ], default: "5001" }
)";
}

class Bridge : public ::testing::Test {
 protected:
  void SetUp() override { start("30"); }
  void start(std::string_view invite_timeout_s) {
    dir_ = std::make_unique<ScratchDir>("imswitch-bridge-");
    options_.config = dir_->write("bridge.yaml", config_with(invite_timeout_s));
    options_.store = dir_->path() + "/store.db";
    std::string error;
    sw_ = SwitchProcess::start(options_, &error);
    ASSERT_TRUE(sw_) << error;
  }
  void TearDown() override {
    if (sw_ && HasFailure()) ADD_FAILURE() << "switch log:\n" << sw_->log_tail(80);
    if (sw_ && !HasFailure()) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  // A session-capable device (the client library's kind).
  std::unique_ptr<SessionPeer> capable(const std::string& login) {
    std::string error;
    auto p = SessionPeer::open(*sw_, login, &error);
    EXPECT_TRUE(p) << error;
    if (p) {
      EXPECT_EQ(p->register_device(true), 200) << login;
    }
    return p;
  }
  // A stock client's device: pager MESSAGE only, registered without the feature tag.
  std::unique_ptr<Agent> plain(const std::string& login, bool registered = true) {
    std::string error;
    AgentOptions o;
    o.login = login;
    o.password = "pw-" + login;
    auto a = Agent::open(*sw_, o, &error);
    EXPECT_TRUE(a) << error;
    if (a && registered) {
      EXPECT_EQ(status_of(a->register_contact(600)), 200) << login;
    }
    return a;
  }
  // The next MESSAGE the plain device gets (answered 200).
  static std::optional<SipMessage> next_message(Agent& device, Millis timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = device.receive_request(std::chrono::duration_cast<Millis>(
          deadline - std::chrono::steady_clock::now()));
      if (!r) return std::nullopt;
      if (r->start_line.rfind("MESSAGE ", 0) == 0) return r;
    }
    return std::nullopt;
  }
  // The next MESSAGE at a capable device, answered 200, taken on a thread of its own while the
  // sender waits for that answer (the device belongs to that thread until get()).
  static std::future<std::optional<SipMessage>> pager_at(SessionPeer& device) {
    return std::async(std::launch::async, [&device] {
      auto m = device.next_request("MESSAGE", 5s);
      if (m) device.reply(*m, 200);
      return m;
    });
  }
  // The transcript of the latest session, as `imswitch --transcripts 1` prints it.
  std::string transcripts() {
    // A new device's REGISTER is answered once its binding is committed, after every store
    // write before it: a barrier for the session's records.
    EXPECT_TRUE(capable("vip"));
    const std::string out = dir_->path() + "/transcripts.txt";
    const ExitStatus st = run_program({imswitch_binary(), "--config", options_.config, "--store",
                                       options_.store, "--transcripts", "1"},
                                      dir_->path(), out, 10s);
    EXPECT_TRUE(st.exited && st.code == 0) << st.describe();
    std::ifstream in(out);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // alice invites bob, whose plain device accepts by replying: alice's leg, connected.
  PeerDialog connect(SessionPeer& alice, Agent& bob) {
    PeerDialog d = alice.invite("bob", kText, "Hello, a question");
    auto invitation = next_message(bob);
    EXPECT_TRUE(invitation) << "no invitation MESSAGE";
    auto accepted = bob.message("alice", "Sure, go ahead");
    EXPECT_EQ(status_of(accepted), 200);
    auto ok = alice.final(d);
    EXPECT_EQ(status_of(ok), 200);
    if (ok) alice.ack(d, *ok);
    auto first = alice.next_request("MESSAGE");
    EXPECT_TRUE(first) << "the accepting reply is bob's first message";
    if (first) {
      EXPECT_EQ(first->body, "Sure, go ahead");
      alice.reply(*first, 200);
    }
    return d;
  }

  std::unique_ptr<ScratchDir> dir_;
  SwitchOptions options_;
  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(Bridge, APlainTargetGetsTheInvitationAsAMessageAndAcceptsByReplying) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);

  PeerDialog d = alice->invite("bob", kText, "Hello, a question");
  auto invitation = next_message(*bob);
  ASSERT_TRUE(invitation) << "a plain device gets no INVITE, but a MESSAGE";
  EXPECT_EQ(invitation->body, "IM from Alice Example: Hello, a question " + std::string(kDash) +
                                  " reply to accept, /reject to decline");
  EXPECT_NE(invitation->header("From").value_or("").find("sip:alice@127.0.0.1"),
            std::string::npos)
      << "a reply goes back to the initiator";
  EXPECT_NE(invitation->header("Content-Type").value_or("").find("text/plain"), std::string::npos);

  auto accepted = bob->message("alice", "Sure, go ahead");
  ASSERT_EQ(status_of(accepted), 200);
  EXPECT_NE(accepted->header("Imswitch-Stamp").value_or("").find(";seq=2"), std::string::npos)
      << "the reply is the session's second message";
  auto ok = alice->final(d);
  ASSERT_EQ(status_of(ok), 200);
  EXPECT_TRUE(alice->rang()) << "the device alerted: 180";
  EXPECT_NE(ok->header("Content-Type").value_or("").find("application/sdp"), std::string::npos)
      << "the switch answers for the device";
  EXPECT_EQ(ok->body.find("m="), std::string::npos);
  alice->ack(d, *ok);

  auto first = alice->next_request("MESSAGE");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "Sure, go ahead");
  alice->reply(*first, 200);

  const auto cseq = alice->send_in_dialog(d, "MESSAGE", kText, "Thanks! Order 42 is late.");
  EXPECT_EQ(status_of(alice->response(d, cseq)), 200);
  auto relayed = next_message(*bob);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->body, "Thanks! Order 42 is late.");
  EXPECT_NE(relayed->header("Imswitch-Stamp").value_or("").find(";seq=3"), std::string::npos);

  const std::string t = transcripts();
  EXPECT_NE(t.find("#1 alice: Hello, a question"), std::string::npos) << t;
  EXPECT_NE(t.find("#2 bob: Sure, go ahead"), std::string::npos) << t;
  EXPECT_NE(t.find("#3 alice: Thanks! Order 42 is late."), std::string::npos) << t;
}

TEST_F(Bridge, RejectFromThePlainDeviceDeclinesWith603) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);
  PeerDialog d = alice->invite("bob", kText, "Got a minute?");
  ASSERT_TRUE(next_message(*bob));
  EXPECT_EQ(status_of(bob->message("alice", " /reject ")), 200);
  auto r = alice->final(d);
  EXPECT_EQ(status_of(r), 603);
  if (r) alice->ack(d, *r);
}

TEST_F(Bridge, EndFromThePlainDeviceSendsByeToTheOtherSide) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);
  PeerDialog d = connect(*alice, *bob);
  EXPECT_EQ(status_of(bob->message("alice", "/end")), 200);
  auto bye = alice->next_request("BYE");
  ASSERT_TRUE(bye) << "the plain side's /end is a BYE to the session side";
  alice->reply(*bye, 200);
  // Ended: what bob writes now is an ordinary pager message to alice, not a session's.
  auto got = pager_at(*alice);
  EXPECT_EQ(status_of(bob->message("alice", "one more thing")), 200);
  auto pager = got.get();
  ASSERT_TRUE(pager);
  EXPECT_EQ(pager->body, "one more thing");
  EXPECT_FALSE(pager->param("To", "tag")) << "outside any dialog";
}

TEST_F(Bridge, WhatIsNotTextIsRefusedInASessionNotStored) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);
  PeerDialog d = connect(*alice, *bob);
  // linphone's "is typing" (RFC 3994) must not become a line of the transcript.
  auto typing = bob->message("alice", "<isComposing/>", "application/im-iscomposing+xml");
  ASSERT_EQ(status_of(typing), 415);
  EXPECT_NE(typing->header("Accept").value_or("").find("text/plain"), std::string::npos);
  EXPECT_EQ(status_of(bob->message("alice", "still here")), 200);
  auto next = alice->next_request("MESSAGE");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "still here") << "nothing was relayed before it";
  EXPECT_NE(next->header("Imswitch-Stamp").value_or("").find(";seq=3"), std::string::npos);
  alice->reply(*next, 200);
}

TEST_F(Bridge, EndFromTheSessionSideTellsThePlainDevice) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);
  PeerDialog d = connect(*alice, *bob);
  const auto bye = alice->send_in_dialog(d, "BYE");
  EXPECT_EQ(status_of(alice->response(d, bye)), 200);
  auto ended = next_message(*bob);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->body, "Session ended by Alice Example.");
}

TEST_F(Bridge, CpimFromTheSessionSideReachesThePlainDeviceAsText) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);
  const std::string cpim =
      "From: <sip:alice@127.0.0.1>\r\nTo: <sip:bob@127.0.0.1>\r\n\r\n"
      "Content-Type: text/plain;charset=UTF-8\r\n\r\nCPIM hello";
  PeerDialog d = alice->invite("bob", "message/cpim", cpim);
  auto invitation = next_message(*bob);
  ASSERT_TRUE(invitation);
  EXPECT_NE(invitation->body.find("IM from Alice Example: CPIM hello " + std::string(kDash)),
            std::string::npos)
      << invitation->body;
  EXPECT_EQ(invitation->body.find("Content-Type"), std::string::npos);
  EXPECT_EQ(status_of(bob->message("alice", "yes")), 200);
  auto ok = alice->final(d);
  ASSERT_EQ(status_of(ok), 200);
  alice->ack(d, *ok);
  auto first = alice->next_request("MESSAGE");
  ASSERT_TRUE(first);
  alice->reply(*first, 200);

  const std::string second =
      "From: <sip:alice@127.0.0.1>\r\nTo: <sip:bob@127.0.0.1>\r\n\r\n"
      "Content-Type: text/plain\r\n\r\nsecond, in CPIM";
  const auto cseq = alice->send_in_dialog(d, "MESSAGE", "message/cpim", second);
  EXPECT_EQ(status_of(alice->response(d, cseq)), 200);
  auto relayed = next_message(*bob);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->body, "second, in CPIM");
  EXPECT_NE(relayed->header("Content-Type").value_or("").find("text/plain"), std::string::npos);
  // The transcript keeps what alice sent, as she sent it.
  const std::string t = transcripts();
  EXPECT_NE(t.find("#3 alice: "), std::string::npos) << t;
}

TEST_F(Bridge, AnAgentWithBothKindsOfDevicesIsInvitedOnEachAndTheFirstAnswerWins) {
  auto alice = capable("alice");
  auto bob_app = capable("bob");
  auto bob_phone = plain("bob");
  ASSERT_TRUE(alice && bob_app && bob_phone);

  // The capable device answers first: the phone is told.
  PeerDialog d = alice->invite("bob", kText, "Which device?");
  auto invite = bob_app->next_request("INVITE");
  ASSERT_TRUE(invite) << "the capable device gets the INVITE";
  auto invitation = next_message(*bob_phone);
  ASSERT_TRUE(invitation) << "the plain device gets the MESSAGE";
  bob_app->accept(*invite);
  auto ok = alice->final(d);
  ASSERT_EQ(status_of(ok), 200);
  alice->ack(d, *ok);
  auto told = next_message(*bob_phone);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->body, "This IM was answered on another device.");

  // The plain device answers first: the capable one is CANCELled as answered elsewhere.
  PeerDialog d2 = alice->invite("bob", kText, "And now?");
  auto invite2 = bob_app->next_request("INVITE");
  ASSERT_TRUE(invite2);
  bob_app->reply(*invite2, 180);
  ASSERT_TRUE(next_message(*bob_phone));
  EXPECT_EQ(status_of(bob_phone->message("alice", "on my phone")), 200);
  auto ok2 = alice->final(d2);
  ASSERT_EQ(status_of(ok2), 200);
  alice->ack(d2, *ok2);
  auto cancel = bob_app->next_request("CANCEL");
  ASSERT_TRUE(cancel) << "the INVITE branch is CANCELled";
  EXPECT_NE(cancel->header("Reason").value_or("").find("cause=200"), std::string::npos);
  bob_app->reply(*cancel, 200);
  bob_app->reply(*invite2, 487);
  auto first = alice->next_request("MESSAGE");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "on my phone");
  alice->reply(*first, 200);
}

TEST_F(Bridge, AStockClientsMessageToAQueueOpensASessionWithAnAgent) {
  auto kim = plain("kim", false);  // not registered at all, as sipsak
  auto q1 = capable("q1");
  ASSERT_TRUE(kim && q1);

  auto taken = kim->message("5001", "I need help with my order");
  ASSERT_EQ(status_of(taken), 202) << "taken in, not yet delivered";
  auto invite = q1->next_request("INVITE");
  ASSERT_TRUE(invite) << "the queue offers a session, as for an INVITE to it";
  EXPECT_EQ(invite->body, "I need help with my order");
  EXPECT_NE(invite->header("From").value_or("").find("sip:kim@"), std::string::npos);

  // Written while the agent's device rings: kept, and relayed once it answers.
  EXPECT_EQ(status_of(kim->message("5001", "It is order 42")), 202);
  PeerDialog leg = q1->accept(*invite);
  ASSERT_TRUE(q1->next_request("ACK"));
  auto held = q1->next_request("MESSAGE");
  ASSERT_TRUE(held);
  EXPECT_EQ(held->body, "It is order 42");
  EXPECT_EQ(held->header("Call-ID").value_or(""), leg.call_id) << "in the session's dialog";
  q1->reply(*held, 200);

  // Later messages to the same address stick to the same session and agent.
  auto more = kim->message("5001", "Any news?");
  EXPECT_EQ(status_of(more), 200);
  auto stuck = q1->next_request("MESSAGE");
  ASSERT_TRUE(stuck);
  EXPECT_EQ(stuck->body, "Any news?");
  EXPECT_EQ(stuck->header("Call-ID").value_or(""), leg.call_id);
  q1->reply(*stuck, 200);

  const auto cseq = q1->send_in_dialog(leg, "MESSAGE", kText, "It ships today.");
  EXPECT_EQ(status_of(q1->response(leg, cseq)), 200);
  auto answer = next_message(*kim);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->body, "It ships today.");
  EXPECT_NE(answer->header("From").value_or("").find("sip:5001@"), std::string::npos)
      << "its replies go to the queue's address, and stick";

  // The agent ends it: kim is told, and a reply typed now still reaches q1, as a pager message.
  const auto bye = q1->send_in_dialog(leg, "BYE");
  EXPECT_EQ(status_of(q1->response(leg, bye)), 200);
  auto ended = next_message(*kim);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->body, "Session ended by Queue One.");
  auto got = pager_at(*q1);
  EXPECT_EQ(status_of(kim->message("5001", "Thanks, bye!")), 200);
  auto late = got.get();
  ASSERT_TRUE(late) << "the late reply was lost";
  EXPECT_EQ(late->body, "Thanks, bye!");
  EXPECT_FALSE(late->param("To", "tag")) << "a pager message, the session is over";

  const std::string t = transcripts();
  EXPECT_NE(t.find("#1 kim: I need help with my order"), std::string::npos) << t;
  EXPECT_NE(t.find("#2 kim: It is order 42"), std::string::npos) << t;
  EXPECT_NE(t.find("#3 kim: Any news?"), std::string::npos) << t;
  EXPECT_NE(t.find("#4 q1: It ships today."), std::string::npos) << t;
}

TEST_F(Bridge, AStockClientEndsItsQueueSessionAndTheNextMessageOpensANewOne) {
  auto kim = plain("kim");
  auto q1 = capable("q1");
  ASSERT_TRUE(kim && q1);
  EXPECT_EQ(status_of(kim->message("5001", "Hello?")), 202);
  auto invite = q1->next_request("INVITE");
  ASSERT_TRUE(invite);
  PeerDialog leg = q1->accept(*invite);
  ASSERT_TRUE(q1->next_request("ACK"));

  EXPECT_EQ(status_of(kim->message("5001", "/end")), 200);
  auto bye = q1->next_request("BYE");
  ASSERT_TRUE(bye) << "/end from the stock client is a BYE to the agent";
  q1->reply(*bye, 200);

  EXPECT_EQ(status_of(kim->message("5001", "Another question")), 202);
  auto again = q1->next_request("INVITE");
  ASSERT_TRUE(again) << "a new session";
  EXPECT_EQ(again->body, "Another question");
  EXPECT_NE(again->header("Call-ID").value_or(""), leg.call_id);
  q1->reply(*again, 486);
}

TEST_F(Bridge, AStockClientsLinesNoAgentTookWaitInTheQueueForTheNextFreeMember) {
  auto kim = plain("kim");
  ASSERT_TRUE(kim);
  // 5002's only member is logged out; its wait limit is 1 s.
  EXPECT_EQ(status_of(kim->message("5002", "Anyone there?")), 202);
  EXPECT_EQ(status_of(kim->message("5002", "Hello??")), 202) << "held while it waits";
  auto told = next_message(*kim, 5s);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->body,
            "No agent was free in time. Your message waits in the queue for the next free agent.");

  auto q2 = capable("q2");  // logs in: the lines kim was told were taken reach it
  ASSERT_TRUE(q2);
  for (const char* line : {"Anyone there?", "Hello??"}) {
    auto got = q2->next_request("MESSAGE", 5s);
    ASSERT_TRUE(got) << "lost: " << line;
    EXPECT_EQ(got->body, line) << "in the order kim wrote them";
    EXPECT_NE(got->header("From").value_or("").find("sip:kim@"), std::string::npos);
    q2->reply(*got, 200);
  }
}

TEST_F(Bridge, ARoutingPointThatNamesAnAgentOpensASessionWithThatAgent) {
  auto kim = plain("kim");
  auto q2 = capable("q2");
  ASSERT_TRUE(kim && q2);
  EXPECT_EQ(status_of(kim->message("6000", "Is my refund through?")), 202);
  auto invite = q2->next_request("INVITE");
  ASSERT_TRUE(invite) << "the routing point's rule for kim names q2";
  EXPECT_EQ(invite->body, "Is my refund through?");
  PeerDialog leg = q2->accept(*invite);
  ASSERT_TRUE(q2->next_request("ACK"));
  EXPECT_EQ(status_of(kim->message("6000", "It was 30 EUR")), 200);
  auto stuck = q2->next_request("MESSAGE");
  ASSERT_TRUE(stuck);
  EXPECT_EQ(stuck->header("Call-ID").value_or(""), leg.call_id);
  q2->reply(*stuck, 200);
  EXPECT_EQ(status_of(kim->message("6000", "/end")), 200);
  auto bye = q2->next_request("BYE");
  ASSERT_TRUE(bye);
  q2->reply(*bye, 200);

  // Declined, the line is not lost: it is left for q2 as a pager message.
  EXPECT_EQ(status_of(kim->message("6000", "Sorry, one more question")), 202);
  auto again = q2->next_request("INVITE");
  ASSERT_TRUE(again);
  q2->reply(*again, 603);
  auto told = next_message(*kim);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->body,
            "Queue Two could not take a conversation now. Your message was left for them.");
  auto left = q2->next_request("MESSAGE", 5s);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->body, "Sorry, one more question");
  EXPECT_FALSE(left->param("To", "tag")) << "a pager message";
  q2->reply(*left, 200);
}

class BridgeTimeout : public Bridge {
 protected:
  void SetUp() override { start("1"); }
};

TEST_F(BridgeTimeout, SilenceRunsIntoTheInvitationTimerAndALateReplyIsAPagerMessage) {
  auto alice = capable("alice");
  auto bob = plain("bob");
  ASSERT_TRUE(alice && bob);
  PeerDialog d = alice->invite("bob", kText, "Are you there?");
  ASSERT_TRUE(next_message(*bob));
  auto r = alice->final(d, 5s);
  ASSERT_EQ(status_of(r), 408) << "im.invite_timeout_s is 1";
  alice->ack(d, *r);
  auto told = next_message(*bob);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->body, "The IM from Alice Example was not answered in time.");

  // bob answers anyway: not into the void, but to alice as a pager message.
  auto got = pager_at(*alice);
  EXPECT_EQ(status_of(bob->message("alice", "sorry, I was away")), 200);
  auto pager = got.get();
  ASSERT_TRUE(pager);
  EXPECT_EQ(pager->body, "sorry, I was away");
}

}  // namespace
}  // namespace ims::test
