// RFC 3261 §17.1.1 and RFC 6026: the INVITE client transaction, on UDP and TCP, with a fake
// clock.
#include "common/txn/client_invite.hpp"

#include <gtest/gtest.h>

#include "tests/unit/common/txn/txn_test_support.hpp"

namespace ims::txn {
namespace {

using namespace std::chrono_literals;
using test::Harness;
using test::kT1;
using State = ClientInvite::State;

struct Udp : Harness<ClientInvite> {
  Udp() : Harness(test::make_invite(), Reliability::Unreliable, Timers{}) {
    apply(machine.start());
  }
};
struct Tcp : Harness<ClientInvite> {
  Tcp() : Harness(test::make_invite(), Reliability::Reliable, Timers{}) {
    apply(machine.start());
  }
};

TEST(ClientInvite, SendsInviteAndArmsTimersAAndBOnUdp) {
  Udp h;
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.last_sent().method(), sip::Method::Invite);
  EXPECT_EQ(h.deadline(TimerId::A), kT1);
  EXPECT_EQ(h.deadline(TimerId::B), 64 * kT1);
  EXPECT_EQ(h.machine.state(), State::Calling);
}

TEST(ClientInvite, ArmsOnlyTimerBOnTcp) {
  Tcp h;
  EXPECT_EQ(h.log.sent.size(), 1u);
  EXPECT_FALSE(h.armed(TimerId::A));
  EXPECT_EQ(h.deadline(TimerId::B), 64 * kT1);
}

TEST(ClientInvite, RetransmitsWithDoublingIntervalUntilTimerBTimesOut) {
  Udp h;
  h.advance(40s);
  // §17.1.1.2: T1, 2T1, 4T1 ... with no T2 cap for INVITE, until B at 64*T1.
  const std::vector<Duration> expected{0ms, 500ms, 1500ms, 3500ms, 7500ms, 15500ms, 31500ms};
  EXPECT_EQ(h.log.send_times(), expected);
  ASSERT_EQ(h.log.reports.size(), 1u);
  EXPECT_EQ(h.log.reports[0], Failure::Timeout);
  EXPECT_EQ(h.log.ended, EndReason::Timeout);
  EXPECT_EQ(h.log.ended_at, 32s);
  EXPECT_TRUE(h.log.to_tu.empty());
  for (const auto& s : h.log.sent) EXPECT_EQ(s.message.method(), sip::Method::Invite);
}

TEST(ClientInvite, TimerBTimesOutWithoutRetransmissionsOnTcp) {
  Tcp h;
  h.advance(40s);
  EXPECT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ClientInvite, ProvisionalResponseStopsRetransmissionsAndTimerB) {
  Udp h;
  h.advance(700ms);  // one retransmission at 500 ms
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 180)));
  EXPECT_EQ(h.machine.state(), State::Proceeding);
  ASSERT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.to_tu[0].status(), 180);
  EXPECT_FALSE(h.armed(TimerId::A));
  EXPECT_FALSE(h.armed(TimerId::B));
  h.advance(120s);
  EXPECT_EQ(h.log.sent.size(), 2u);
  EXPECT_FALSE(h.log.ended);
  EXPECT_EQ(h.machine.state(), State::Proceeding);
}

TEST(ClientInvite, PassesEveryProvisionalUp) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 100)));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 180)));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 183)));
  EXPECT_EQ(h.log.to_tu.size(), 3u);
}

TEST(ClientInvite, AcknowledgesNonSuccessFinalAndArmsTimerDOnUdp) {
  Udp h;
  h.advance(1s);
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 486, "xyz")));
  EXPECT_EQ(h.machine.state(), State::Completed);
  ASSERT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.to_tu[0].status(), 486);
  const sip::Message& ack = h.log.last_sent();
  EXPECT_EQ(ack.method(), sip::Method::Ack);
  // §17.1.1.3: same branch and Request-URI as the INVITE, To from the response.
  EXPECT_EQ(ack.branch(), h.machine.request().branch());
  EXPECT_EQ(ack.request_uri(), h.machine.request().request_uri());
  EXPECT_EQ(ack.to_tag(), "xyz");
  ASSERT_TRUE(ack.cseq());
  EXPECT_EQ(ack.cseq()->number, 314159u);
  EXPECT_EQ(ack.cseq()->method, sip::Method::Ack);
  EXPECT_EQ(h.deadline(TimerId::D), 1s + 32s);
  EXPECT_FALSE(h.armed(TimerId::A));
  EXPECT_FALSE(h.armed(TimerId::B));
}

TEST(ClientInvite, RetransmittedFinalResendsAckWithoutTellingTu) {
  Udp h;
  const auto final = test::respond_to(h.machine.request(), 404);
  h.apply(h.machine.on_response(final));
  const std::size_t sent = h.log.sent.size();
  h.apply(h.machine.on_response(final));
  h.apply(h.machine.on_response(final));
  EXPECT_EQ(h.log.sent.size(), sent + 2);
  EXPECT_EQ(h.log.last_sent().method(), sip::Method::Ack);
  EXPECT_EQ(h.log.to_tu.size(), 1u);
}

TEST(ClientInvite, TimerDEndsCompletedAfter32SecondsOnUdp) {
  Udp h;
  h.advance(2s);
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 603)));
  h.advance(31s);
  EXPECT_FALSE(h.log.ended);
  h.advance(2s);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.ended_at, 34s);
  EXPECT_TRUE(h.log.reports.empty());
}

TEST(ClientInvite, NonSuccessFinalTerminatesAtOnceOnTcp) {
  Tcp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 480)));
  // §17.1.1.2: Timer D is zero on reliable transports.
  EXPECT_EQ(h.log.last_sent().method(), sip::Method::Ack);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.ended_at, 0s);
  EXPECT_EQ(h.machine.state(), State::Terminated);
}

TEST(ClientInvite, TimerDLastsAtLeast64T1WhenT1IsLarge) {
  Timers timers;
  timers.t1 = 1s;
  Harness<ClientInvite> h(test::make_invite(), Reliability::Unreliable, timers);
  h.apply(h.machine.start());
  EXPECT_EQ(h.deadline(TimerId::B), 64s);
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 500)));
  EXPECT_EQ(h.deadline(TimerId::D), 64s);
}

TEST(ClientInvite, SuccessMovesToAcceptedAndArmsTimerM) {
  Udp h;
  h.advance(600ms);
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_EQ(h.machine.state(), State::Accepted);
  ASSERT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.to_tu[0].status(), 200);
  // RFC 6026: the TU ACKs a 2xx, not the transaction.
  EXPECT_EQ(h.log.last_sent().method(), sip::Method::Invite);
  EXPECT_EQ(h.deadline(TimerId::M), 600ms + 64 * kT1);
  EXPECT_FALSE(h.armed(TimerId::A));
  EXPECT_FALSE(h.armed(TimerId::B));
}

TEST(ClientInvite, RetransmittedAndForkedSuccessWhileAcceptedGoToTu) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200, "fork1")));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200, "fork1")));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200, "fork2")));
  ASSERT_EQ(h.log.to_tu.size(), 3u);
  EXPECT_EQ(h.log.to_tu[2].to_tag(), "fork2");
  // Non-2xx and provisionals while Accepted are absorbed.
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 486)));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 180)));
  EXPECT_EQ(h.log.to_tu.size(), 3u);
  EXPECT_EQ(h.log.sent.size(), 1u);
}

TEST(ClientInvite, TimerMEndsAcceptedOnUdp) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  h.advance(31s);
  EXPECT_FALSE(h.log.ended);
  h.advance(1s);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ClientInvite, TimerMEndsAcceptedOnTcp) {
  Tcp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 202)));
  EXPECT_EQ(h.deadline(TimerId::M), 32s);  // M is not zero on reliable transports
  h.advance(32s);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
}

TEST(ClientInvite, SuccessAfterProvisionalAlsoMovesToAccepted) {
  Tcp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 180)));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_EQ(h.machine.state(), State::Accepted);
  EXPECT_EQ(h.log.to_tu.size(), 2u);
}

TEST(ClientInvite, TransportErrorWhileCallingInformsTuAndTerminates) {
  Udp h;
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::TransportError});
  EXPECT_EQ(h.log.ended, EndReason::TransportError);
  EXPECT_EQ(h.clock.size(), 0u);
}

TEST(ClientInvite, TransportErrorWhileCompletedTerminates) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 486)));
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.log.ended, EndReason::TransportError);
}

TEST(ClientInvite, TransportErrorWhileAcceptedChangesNothing) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_TRUE(h.machine.on_transport_error().empty());
  EXPECT_EQ(h.machine.state(), State::Accepted);
}

TEST(ClientInvite, IgnoresTimersThatAreNotArmed) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 180)));
  // A and B were cancelled, but the driver may still deliver an expiry already queued.
  EXPECT_TRUE(h.machine.on_timer(TimerId::A).empty());
  EXPECT_TRUE(h.machine.on_timer(TimerId::B).empty());
  EXPECT_TRUE(h.machine.on_timer(TimerId::G).empty());
  EXPECT_EQ(h.machine.state(), State::Proceeding);
}

TEST(ClientInvite, SmallerT1ShortensEveryTimer) {
  Timers timers;
  timers.t1 = 100ms;
  Harness<ClientInvite> h(test::make_invite(), Reliability::Unreliable, timers);
  h.apply(h.machine.start());
  h.advance(10s);
  const std::vector<Duration> expected{0ms, 100ms, 300ms, 700ms, 1500ms, 3100ms, 6300ms};
  EXPECT_EQ(h.log.send_times(), expected);
  EXPECT_EQ(h.log.ended_at, 6400ms);
}

}  // namespace
}  // namespace ims::txn
