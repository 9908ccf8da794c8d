// IM sessions through the switch's B2BUA on the real binary (issue 5, PRODUCT §4), played by
// SessionPeer devices over UDP: refusals before alerting (404, 403, 480, 486), the device fork
// with "answered elsewhere", the initiator's CANCEL, a chat in both directions with the switch's
// stamps, BYE from the target, a dead leg, re-INVITE answered 488 and 200, CSeq order and
// requests that match no session. sipp_session_test.cpp covers stock clients, 603 and time-out.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/session_peer.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

constexpr std::string_view kText = "text/plain;charset=UTF-8";

class Sessions : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    sw_ = SwitchProcess::start(im_switch_options(), &error);  // config/imswitch.yaml
    ASSERT_TRUE(sw_) << error;
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  std::unique_ptr<SessionPeer> peer(const std::string& login, bool registered = true,
                                    bool capable = true) {
    std::string error;
    auto p = SessionPeer::open(*sw_, login, &error);
    EXPECT_TRUE(p) << error;
    if (p && registered) {
      EXPECT_EQ(p->register_device(capable), 200) << login;
    }
    return p;
  }
  // alice opens a session to the target and its device accepts: both dialogs.
  struct Pair {
    PeerDialog initiator;
    PeerDialog target;
  };
  Pair connect(SessionPeer& from, SessionPeer& device, std::string_view target) {
    Pair p;
    p.initiator = from.invite(target, kText, "Hello, a question");
    auto invite = device.next_request("INVITE");
    EXPECT_TRUE(invite);
    if (!invite) return p;
    device.reply(*invite, 180);
    p.target = device.accept(*invite);
    auto ok = from.final(p.initiator);
    EXPECT_EQ(status_of(ok), 200) << sw_->log_tail(20);
    if (ok) from.ack(p.initiator, *ok);
    EXPECT_TRUE(device.next_request("ACK")) << "the switch acknowledges the device's 200";
    return p;
  }
  int refused(SessionPeer& from, std::string_view target) {
    auto d = from.invite(target, kText, "Hello?");
    auto r = from.final(d, 5s);
    if (r) from.ack(d, *r);
    return status_of(r);
  }

  std::unique_ptr<SwitchProcess> sw_;
};

TEST_F(Sessions, RefusalsBeforeAlerting) {
  auto alice = peer("alice", false);
  auto leo = peer("leo", false);
  ASSERT_TRUE(alice && leo);
  EXPECT_EQ(refused(*alice, "nobody"), 404);
  EXPECT_EQ(refused(*leo, "alice"), 403) << "leo has no im task";
  EXPECT_EQ(refused(*alice, "leo"), 403) << "nor can he be invited";
  EXPECT_EQ(refused(*alice, "bob"), 480) << "bob is not logged in";
  auto bob = peer("bob", true, /*capable=*/false);
  ASSERT_TRUE(bob);
  // PRODUCT §4b: a plain contact is invited by MESSAGE through the pager bridge
  // (bridge_test.cpp), never by INVITE; the initiator gives up here.
  auto d = alice->invite("bob", kText, "Hello?");
  auto invitation = bob->next_request("MESSAGE");
  ASSERT_TRUE(invitation) << "bob's plain device is invited by MESSAGE";
  bob->reply(*invitation, 200);
  alice->cancel(d);
  auto r = alice->final(d, 5s);
  EXPECT_EQ(status_of(r), 487);
  if (r) alice->ack(d, *r);
  auto withdrawn = bob->next_request("MESSAGE");
  ASSERT_TRUE(withdrawn);
  bob->reply(*withdrawn, 200);
  EXPECT_NE(withdrawn->body.find("withdrew"), std::string::npos) << withdrawn->body;
  EXPECT_FALSE(bob->next_request("INVITE", 300ms)) << "a plain contact never gets an INVITE";
}

TEST_F(Sessions, ATargetAtItsImCapacityIsBusy) {
  auto alice = peer("alice", false);
  auto ivan = peer("ivan");  // im_capacity: 2
  ASSERT_TRUE(alice && ivan);
  auto first = connect(*alice, *ivan, "ivan");
  auto second = connect(*alice, *ivan, "ivan");
  EXPECT_EQ(refused(*alice, "ivan"), 486);
  // One ends: there is room again.
  const auto bye = alice->send_in_dialog(first.initiator, "BYE");
  auto byed = ivan->next_request("BYE");
  ASSERT_TRUE(byed);
  ivan->reply(*byed, 200);
  EXPECT_EQ(status_of(alice->response(first.initiator, bye)), 200);
  auto third = connect(*alice, *ivan, "ivan");
  EXPECT_FALSE(third.initiator.remote_tag.empty());
}

TEST_F(Sessions, TheFirstDeviceToAcceptWinsAndTheOtherIsCancelledAsAnsweredElsewhere) {
  auto alice = peer("alice", false);
  auto desk = peer("bob");
  auto laptop = peer("bob");
  ASSERT_TRUE(alice && desk && laptop);
  auto d = alice->invite("bob", kText, "Hello Bob");
  auto on_desk = desk->next_request("INVITE");
  auto on_laptop = laptop->next_request("INVITE");
  ASSERT_TRUE(on_desk && on_laptop) << sw_->log_tail(20);
  EXPECT_EQ(on_desk->header("Call-ID"), on_laptop->header("Call-ID"));
  EXPECT_NE(on_desk->header("Call-ID"), d.call_id) << "the target leg is the switch's own";
  EXPECT_EQ(on_desk->body, "Hello Bob");
  desk->reply(*on_desk, 180);
  laptop->reply(*on_laptop, 180);
  desk->accept(*on_desk);
  auto ok = alice->final(d);
  ASSERT_EQ(status_of(ok), 200);
  EXPECT_TRUE(alice->rang());
  alice->ack(d, *ok);

  auto cancel = laptop->next_request("CANCEL");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->header("Reason").value_or(""), "SIP;cause=200;text=\"answered elsewhere\"");
  laptop->reply(*cancel, 200);
  laptop->reply(*on_laptop, 487);
  EXPECT_TRUE(laptop->next_request("ACK")) << "the switch ACKs the 487";
  EXPECT_TRUE(desk->next_request("ACK"));
}

TEST_F(Sessions, TheInitiatorCancelsWhileItRings) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto d = alice->invite("bob", kText, "Hello Bob");
  auto invite = bob->next_request("INVITE");
  ASSERT_TRUE(invite);
  bob->reply(*invite, 180);
  ASSERT_TRUE(sw_->wait_for_log("started: alice -> bob", 1, 5s));
  // Wait for the 180 so the CANCEL has something to cancel (§9.1).
  alice->cancel(d);
  EXPECT_EQ(status_of(alice->cancel_response(d)), 200);
  auto cancel = bob->next_request("CANCEL");
  ASSERT_TRUE(cancel);
  bob->reply(*cancel, 200);
  bob->reply(*invite, 487);
  auto final = alice->final(d);
  ASSERT_EQ(status_of(final), 487);
  alice->ack(d, *final);
  EXPECT_TRUE(bob->next_request("ACK"));
  EXPECT_TRUE(sw_->wait_for_log("ended: cancelled by alice", 1, 5s)) << sw_->log_tail(10);
}

TEST_F(Sessions, BothSidesChatWithTheSwitchsStampsAndTheTargetEnds) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");

  const auto m1 = bob->send_in_dialog(s.target, "MESSAGE", kText, "Sure, go ahead");
  auto at_alice = alice->next_request("MESSAGE");
  ASSERT_TRUE(at_alice) << sw_->log_tail(20);
  EXPECT_EQ(at_alice->body, "Sure, go ahead");
  alice->reply(*at_alice, 200);
  auto ok1 = bob->response(s.target, m1);
  ASSERT_EQ(status_of(ok1), 200);
  const std::string stamp = ok1->header("Imswitch-Stamp").value_or("");
  EXPECT_NE(stamp.find(";seq=2"), std::string::npos) << stamp;
  EXPECT_EQ(at_alice->header("Imswitch-Stamp").value_or(""), stamp) << "one time, one order";

  const auto m2 = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "Thanks!");
  auto at_bob = bob->next_request("MESSAGE");
  ASSERT_TRUE(at_bob);
  bob->reply(*at_bob, 200);
  auto ok2 = alice->response(s.initiator, m2);
  ASSERT_EQ(status_of(ok2), 200);
  EXPECT_NE(ok2->header("Imswitch-Stamp").value_or("").find(";seq=3"), std::string::npos);

  const auto bye = bob->send_in_dialog(s.target, "BYE");
  auto at_alice_bye = alice->next_request("BYE");
  ASSERT_TRUE(at_alice_bye);
  alice->reply(*at_alice_bye, 200);
  EXPECT_EQ(status_of(bob->response(s.target, bye)), 200);
  EXPECT_TRUE(sw_->wait_for_log("ended: bye by bob", 1, 5s)) << sw_->log_tail(10);
  // The session is over: its dialog answers 481 once it is gone, 200/481 meanwhile, never a
  // relay.
  const auto late = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "still there?");
  EXPECT_EQ(status_of(alice->response(s.initiator, late)), 481);
}

TEST_F(Sessions, ALegThatAnswers481EndsTheSessionAndTheSenderGetsABye) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  const auto m = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "Hello?");
  EXPECT_EQ(status_of(alice->response(s.initiator, m)), 200) << "the transcript has it";
  auto at_bob = bob->next_request("MESSAGE");
  ASSERT_TRUE(at_bob);
  bob->reply(*at_bob, 481);  // bob's device forgot the session
  auto bye = alice->next_request("BYE");
  ASSERT_TRUE(bye) << sw_->log_tail(20);
  alice->reply(*bye, 200);
  EXPECT_TRUE(sw_->wait_for_log("ended: dead-leg", 1, 5s)) << sw_->log_tail(10);
}

TEST_F(Sessions, AReInviteIsRelayedAnd488LeavesTheImSessionUp) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  const std::string offer =
      "v=0\r\no=alice 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 0\r\n";
  const auto r1 = alice->send_in_dialog(s.initiator, "INVITE", "application/sdp", offer);
  auto at_bob = bob->next_request("INVITE");
  ASSERT_TRUE(at_bob) << sw_->log_tail(20);
  EXPECT_EQ(at_bob->body, offer);
  bob->reply(*at_bob, 488);
  auto no = alice->response(s.initiator, r1);
  ASSERT_EQ(status_of(no), 488);
  alice->ack(s.initiator, *no);

  // Still up: a message goes through.
  const auto m = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "never mind the call");
  auto at_bob_msg = bob->next_request("MESSAGE");
  ASSERT_TRUE(at_bob_msg);
  bob->reply(*at_bob_msg, 200);
  EXPECT_EQ(status_of(alice->response(s.initiator, m)), 200);

  // Accepted this time: the answer comes back and both legs are acknowledged.
  const std::string answer =
      "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40002 RTP/AVP 0\r\n";
  const auto r2 = alice->send_in_dialog(s.initiator, "INVITE", "application/sdp", offer);
  auto again = bob->next_request("INVITE");
  ASSERT_TRUE(again);
  bob->reply(*again, 200, {"Contact: <" + bob->contact() + ">"}, "application/sdp", answer);
  auto yes = alice->response(s.initiator, r2);
  ASSERT_EQ(status_of(yes), 200);
  EXPECT_EQ(yes->body, answer);
  alice->ack(s.initiator, *yes);
  EXPECT_TRUE(bob->next_request("ACK"));
}

TEST_F(Sessions, TheTargetsReInviteReachesTheInitiatorAndItsAnswerComesBack) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  const std::string offer =
      "v=0\r\no=bob 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40004 RTP/AVP 0\r\n";
  const std::string answer =
      "v=0\r\no=alice 4 4 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 40006 RTP/AVP 0\r\n";
  const auto r = bob->send_in_dialog(s.target, "INVITE", "application/sdp", offer);
  auto at_alice = alice->next_request("INVITE");
  ASSERT_TRUE(at_alice) << sw_->log_tail(20);
  EXPECT_EQ(at_alice->body, offer);
  EXPECT_EQ(at_alice->param("To", "tag").value_or(""), s.initiator.local_tag)
      << "within alice's own dialog";
  alice->reply(*at_alice, 200, {"Contact: <" + alice->contact() + ">"}, "application/sdp",
               answer);
  auto yes = bob->response(s.target, r);
  ASSERT_EQ(status_of(yes), 200);
  EXPECT_EQ(yes->body, answer);
  bob->ack(s.target, *yes);
  EXPECT_TRUE(alice->next_request("ACK")) << "the switch ACKs alice's 200 itself";
  // The IM goes on.
  const auto m = bob->send_in_dialog(s.target, "MESSAGE", kText, "back to text");
  auto text = alice->next_request("MESSAGE");
  ASSERT_TRUE(text);
  alice->reply(*text, 200);
  EXPECT_EQ(status_of(bob->response(s.target, m)), 200);
}

// RFC 3428 §6: the other leg is UDP, so a message past 1300 bytes cannot reach it: 513, nothing
// stamped or stored, and the session goes on.
TEST_F(Sessions, AMessageTooLargeForTheOtherLegsUdpIsRefusedAndTheSessionStaysUp) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  const auto big = alice->send_in_dialog(s.initiator, "MESSAGE", kText, std::string(2000, 'x'));
  EXPECT_EQ(status_of(alice->response(s.initiator, big)), 513);
  EXPECT_FALSE(bob->next_request("MESSAGE", 300ms)) << "nothing reaches the UDP leg";
  const auto small = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "shorter, then");
  auto ok = alice->response(s.initiator, small);
  ASSERT_EQ(status_of(ok), 200);
  EXPECT_NE(ok->header("Imswitch-Stamp").value_or("").find(";seq=2"), std::string::npos)
      << "the refused message took no sequence number";
  auto relayed = bob->next_request("MESSAGE");
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->body, "shorter, then");
  bob->reply(*relayed, 200);
}

TEST_F(Sessions, CSeqOrderUnknownMethodsAndStrangers) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  const auto m = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "one");
  EXPECT_EQ(status_of(alice->response(s.initiator, m)), 200);
  auto relayed = bob->next_request("MESSAGE");
  ASSERT_TRUE(relayed);
  bob->reply(*relayed, 200);
  const auto old = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "older", m - 1);
  EXPECT_EQ(status_of(alice->response(s.initiator, old)), 500);
  EXPECT_FALSE(bob->next_request("MESSAGE", 300ms)) << "an out-of-order message is not relayed";

  const auto info = alice->send_in_dialog(s.initiator, "INFO");
  EXPECT_EQ(status_of(alice->response(s.initiator, info)), 405);
  const auto foo = alice->send_in_dialog(s.initiator, "FOO");
  EXPECT_EQ(status_of(alice->response(s.initiator, foo)), 501);

  PeerDialog stranger = s.initiator;
  stranger.remote_tag = "not-a-session";
  const auto lost = alice->send_in_dialog(stranger, "MESSAGE", kText, "hello?");
  EXPECT_EQ(status_of(alice->response(stranger, lost)), 481);
}

// A small switch: T1 = 50 ms, so that 64*T1 passes in 3.2 s (legs that go silent), and room
// for one IM session at a time.
class SmallSwitch : public Sessions {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    const std::string config = dir_.write("fast.yaml", R"(sip:
  domains: [127.0.0.1]
  timers: { t1_ms: 50, t2_ms: 400 }
im:
  max_sessions: 1
directory:
  agents:
    - { login: alice, password: pw-alice }
    - { login: bob, password: pw-bob }
)");
    SwitchOptions o = im_switch_options();
    o.config = config;
    std::string error;
    sw_ = SwitchProcess::start(o, &error);
    ASSERT_TRUE(sw_) << error;
  }
  ScratchDir dir_{"imswitch-session-"};
};

TEST_F(SmallSwitch, AnInitiatorThatNeverAcknowledgesThe200IsADeadLeg) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto d = alice->invite("bob", kText, "Hello Bob");
  auto invite = bob->next_request("INVITE");
  ASSERT_TRUE(invite);
  bob->accept(*invite);
  ASSERT_EQ(status_of(alice->final(d)), 200);  // and no ACK from alice
  auto bye = bob->next_request("BYE", 10s);
  ASSERT_TRUE(bye) << sw_->log_tail(20);
  bob->reply(*bye, 200);
  EXPECT_TRUE(sw_->wait_for_log("ended: dead-leg", 1, 5s)) << sw_->log_tail(10);
}

TEST_F(SmallSwitch, ATargetThatNeverAnswersARelayedMessageIsADeadLeg) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  const auto m = alice->send_in_dialog(s.initiator, "MESSAGE", kText, "anyone?");
  EXPECT_EQ(status_of(alice->response(s.initiator, m)), 200) << "the 200 does not wait for bob";
  ASSERT_TRUE(bob->next_request("MESSAGE"));  // taken, never answered
  auto bye = alice->next_request("BYE", 10s);
  ASSERT_TRUE(bye) << sw_->log_tail(20);
  alice->reply(*bye, 200);
  EXPECT_TRUE(sw_->wait_for_log("ended: dead-leg", 1, 5s)) << sw_->log_tail(10);
}

TEST_F(SmallSwitch, PastMaxSessionsANewInviteGets503WithRetryAfter) {
  auto alice = peer("alice", false);
  auto bob = peer("bob");
  ASSERT_TRUE(alice && bob);
  auto s = connect(*alice, *bob, "bob");
  auto d = alice->invite("bob", kText, "and another thing");
  auto busy = alice->final(d, 5s);
  ASSERT_EQ(status_of(busy), 503);
  EXPECT_TRUE(busy->header("Retry-After"));
  alice->ack(d, *busy);
  EXPECT_FALSE(bob->next_request("INVITE", 300ms));
}

}  // namespace
}  // namespace ims::test
