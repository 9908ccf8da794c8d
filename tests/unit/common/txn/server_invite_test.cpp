// RFC 3261 §17.2.1 and RFC 6026: the INVITE server transaction, on UDP and TCP, with a fake
// clock.
#include "common/txn/server_invite.hpp"

#include <gtest/gtest.h>

#include "tests/unit/common/txn/txn_test_support.hpp"

namespace ims::txn {
namespace {

using namespace std::chrono_literals;
using test::Harness;
using test::kT1;
using test::kT4;
using State = ServerInvite::State;

struct Server : Harness<ServerInvite> {
  Server(Reliability r, Timers timers = {}) : Harness(r, timers) {
    apply(machine.start(invite));
  }
  void respond(int status, std::string_view tag = "a6c85cf") {
    apply(machine.on_response_from_tu(test::respond_to(invite, status, tag)));
  }
  sip::Message ack() const {
    test::RequestSpec s;
    s.method = sip::Method::Ack;
    s.to_tag = "a6c85cf";
    return test::make_request(s);
  }
  sip::Message invite = test::make_invite();
};
struct Udp : Server {
  Udp() : Server(Reliability::Unreliable) {}
};
struct Tcp : Server {
  Tcp() : Server(Reliability::Reliable) {}
};

TEST(ServerInvite, PassesInviteUpAndArmsTryingTimer) {
  Udp h;
  ASSERT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.to_tu[0].method(), sip::Method::Invite);
  EXPECT_TRUE(h.log.sent.empty());
  EXPECT_EQ(h.deadline(TimerId::Trying), 200ms);
  EXPECT_EQ(h.machine.state(), State::Proceeding);
}

TEST(ServerInvite, SendsTryingWhenTuIsSilentFor200Milliseconds) {
  Udp h;
  h.advance(199ms);
  EXPECT_TRUE(h.log.sent.empty());
  h.advance(1ms);
  ASSERT_EQ(h.log.sent.size(), 1u);
  const sip::Message& trying = h.log.last_sent();
  EXPECT_EQ(trying.status(), 100);
  EXPECT_EQ(trying.to_tag(), "");  // §8.2.6.2: 100 never carries a To tag
  EXPECT_EQ(trying.branch(), h.invite.branch());
  EXPECT_EQ(trying.call_id(), h.invite.call_id());
}

TEST(ServerInvite, TuProvisionalBefore200MillisecondsSuppressesTrying) {
  Tcp h;
  h.advance(50ms);
  h.respond(180);
  EXPECT_FALSE(h.armed(TimerId::Trying));
  h.advance(10s);
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.last_sent().status(), 180);
}

TEST(ServerInvite, ZeroTryingDelaySendsTryingAtOnce) {
  Timers timers;
  timers.trying = 0ms;
  Server h(Reliability::Reliable, timers);
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.last_sent().status(), 100);
  EXPECT_FALSE(h.armed(TimerId::Trying));
}

TEST(ServerInvite, RetransmittedInviteResendsLastProvisional) {
  Udp h;
  EXPECT_TRUE(h.machine.on_retransmitted_request().empty());  // nothing sent yet
  h.respond(180);
  h.respond(183);
  h.apply(h.machine.on_retransmitted_request());
  ASSERT_EQ(h.log.sent.size(), 3u);
  EXPECT_EQ(h.log.last_sent().status(), 183);
  EXPECT_EQ(h.log.to_tu.size(), 1u);  // retransmissions never reach the TU
}

TEST(ServerInvite, RetransmittedInviteAfterTryingResendsTrying) {
  Udp h;
  h.advance(500ms);
  h.apply(h.machine.on_retransmitted_request());
  ASSERT_EQ(h.log.sent.size(), 2u);
  EXPECT_EQ(h.log.last_sent().status(), 100);
}

TEST(ServerInvite, RetransmitsFinalOnTimerGCappedAtT2UntilTimerH) {
  Udp h;
  h.respond(486);
  EXPECT_EQ(h.machine.state(), State::Completed);
  EXPECT_EQ(h.deadline(TimerId::G), kT1);
  EXPECT_EQ(h.deadline(TimerId::H), 64 * kT1);
  h.advance(40s);
  // §17.2.1: T1, 2T1, 4T1, then every T2 (4 s) until H.
  const std::vector<Duration> expected{0ms,     500ms,   1500ms,  3500ms,  7500ms, 11500ms,
                                       15500ms, 19500ms, 23500ms, 27500ms, 31500ms};
  EXPECT_EQ(h.log.send_times(), expected);
  for (const auto& s : h.log.sent) EXPECT_EQ(s.message.status(), 486);
  // The ACK never came: the TU is told.
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_EQ(h.log.ended, EndReason::Timeout);
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ServerInvite, TimerHReportsMissingAckWithoutRetransmissionsOnTcp) {
  Tcp h;
  h.respond(404);
  EXPECT_FALSE(h.armed(TimerId::G));
  h.advance(40s);
  EXPECT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ServerInvite, RetransmittedInviteWhileCompletedResendsFinal) {
  Tcp h;
  h.respond(486);
  h.apply(h.machine.on_retransmitted_request());
  ASSERT_EQ(h.log.sent.size(), 2u);
  EXPECT_EQ(h.log.last_sent().status(), 486);
}

TEST(ServerInvite, AckStopsRetransmissionsAndTimerIEndsConfirmedOnUdp) {
  Udp h;
  h.respond(486);
  h.advance(1s);  // one retransmission at 500 ms
  h.apply(h.machine.on_ack(h.ack()));
  EXPECT_EQ(h.machine.state(), State::Confirmed);
  EXPECT_FALSE(h.armed(TimerId::G));
  EXPECT_FALSE(h.armed(TimerId::H));
  EXPECT_EQ(h.deadline(TimerId::I), 1s + kT4);
  EXPECT_EQ(h.log.to_tu.size(), 1u);  // the ACK for a non-2xx stays in the transaction
  // Confirmed absorbs retransmitted ACKs and INVITEs.
  EXPECT_TRUE(h.machine.on_ack(h.ack()).empty());
  EXPECT_TRUE(h.machine.on_retransmitted_request().empty());
  h.advance(10s);
  EXPECT_EQ(h.log.sent.size(), 2u);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.ended_at, 1s + kT4);
  EXPECT_TRUE(h.log.reports.empty());
}

TEST(ServerInvite, AckTerminatesAtOnceOnTcp) {
  Tcp h;
  h.respond(603);
  h.apply(h.machine.on_ack(h.ack()));
  EXPECT_EQ(h.log.ended, EndReason::Completed);  // Timer I is zero on reliable transports
  EXPECT_EQ(h.log.ended_at, 0s);
}

TEST(ServerInvite, AckBeforeFinalResponseIsIgnored) {
  Udp h;
  EXPECT_TRUE(h.machine.on_ack(h.ack()).empty());
  EXPECT_EQ(h.machine.state(), State::Proceeding);
}

TEST(ServerInvite, SuccessMovesToAcceptedAndArmsTimerL) {
  Udp h;
  h.advance(300ms);  // 100 Trying went out at 200 ms
  h.respond(200);
  EXPECT_EQ(h.machine.state(), State::Accepted);
  EXPECT_EQ(h.deadline(TimerId::L), 300ms + 64 * kT1);
  EXPECT_FALSE(h.armed(TimerId::G));  // the TU retransmits 2xx, not the transaction
  EXPECT_FALSE(h.armed(TimerId::H));
  h.advance(10s);
  ASSERT_EQ(h.log.sent.size(), 2u);
  EXPECT_EQ(h.log.last_sent().status(), 200);
}

TEST(ServerInvite, AcceptedAbsorbsInvitesSendsTuRetransmissionsAndPassesAckUp) {
  Udp h;
  h.respond(200);
  const std::size_t sent = h.log.sent.size();
  EXPECT_TRUE(h.machine.on_retransmitted_request().empty());
  h.respond(200);  // §13.3.1.4: the TU's own 2xx retransmission
  EXPECT_EQ(h.log.sent.size(), sent + 1);
  h.respond(486);  // no other final once accepted
  h.respond(180);
  EXPECT_EQ(h.log.sent.size(), sent + 1);
  h.apply(h.machine.on_ack(h.ack()));
  ASSERT_EQ(h.log.to_tu.size(), 2u);
  EXPECT_EQ(h.log.to_tu[1].method(), sip::Method::Ack);
  EXPECT_EQ(h.machine.state(), State::Accepted);
}

TEST(ServerInvite, TimerLEndsAcceptedOnUdpAndTcp) {
  for (Reliability r : {Reliability::Unreliable, Reliability::Reliable}) {
    Server h(r);
    h.respond(200);
    h.advance(31s);
    EXPECT_FALSE(h.log.ended);
    h.advance(1s);
    EXPECT_EQ(h.log.ended, EndReason::Completed);
    EXPECT_EQ(h.log.ended_at, 32s);
    EXPECT_TRUE(h.log.reports.empty());
  }
}

TEST(ServerInvite, SecondFinalFromTuIsDropped) {
  Udp h;
  h.respond(486);
  h.respond(200);
  h.respond(500);
  EXPECT_EQ(h.machine.state(), State::Completed);
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.last_sent().status(), 486);
}

TEST(ServerInvite, RemembersToTagOfFinalResponse) {
  Udp h;
  EXPECT_EQ(h.machine.final_to_tag(), "");
  h.respond(180, "early");
  h.respond(486, "final");
  EXPECT_EQ(h.machine.final_to_tag(), "final");
}

TEST(ServerInvite, TransportErrorIsReportedWithoutEndingTheTransaction) {
  Udp h;
  h.respond(180);
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.machine.state(), State::Proceeding);
  h.respond(500);
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.machine.state(), State::Completed);
  EXPECT_EQ(h.log.reports.size(), 2u);
  EXPECT_FALSE(h.log.ended);
  // RFC 6026 Figure 7: still retransmitting, and H still ends it.
  h.advance(1s);
  EXPECT_EQ(h.log.sent.size(), 3u);
  h.advance(40s);
  EXPECT_EQ(h.log.ended, EndReason::Timeout);
}

TEST(ServerInvite, IgnoresTimersThatAreNotArmed) {
  Udp h;
  h.respond(200);
  EXPECT_TRUE(h.machine.on_timer(TimerId::Trying).empty());
  EXPECT_TRUE(h.machine.on_timer(TimerId::G).empty());
  EXPECT_TRUE(h.machine.on_timer(TimerId::H).empty());
  EXPECT_EQ(h.machine.state(), State::Accepted);
}

}  // namespace
}  // namespace ims::txn
