// RFC 3261 §17.1.2: the non-INVITE client transaction, on UDP and TCP, with a fake clock.
#include "common/txn/client_non_invite.hpp"

#include <gtest/gtest.h>

#include "tests/unit/common/txn/txn_test_support.hpp"

namespace ims::txn {
namespace {

using namespace std::chrono_literals;
using test::Harness;
using test::kT1;
using test::kT2;
using test::kT4;
using State = ClientNonInvite::State;

struct Udp : Harness<ClientNonInvite> {
  Udp() : Harness(test::make_non_invite(sip::Method::Message), Reliability::Unreliable,
                  Timers{}) {
    apply(machine.start());
  }
};
struct Tcp : Harness<ClientNonInvite> {
  Tcp() : Harness(test::make_non_invite(sip::Method::Message), Reliability::Reliable,
                  Timers{}) {
    apply(machine.start());
  }
};

TEST(ClientNonInvite, SendsRequestAndArmsTimersEAndFOnUdp) {
  Udp h;
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.last_sent().method(), sip::Method::Message);
  EXPECT_EQ(h.deadline(TimerId::E), kT1);
  EXPECT_EQ(h.deadline(TimerId::F), 64 * kT1);
  EXPECT_EQ(h.machine.state(), State::Trying);
}

TEST(ClientNonInvite, ArmsOnlyTimerFOnTcp) {
  Tcp h;
  EXPECT_FALSE(h.armed(TimerId::E));
  EXPECT_EQ(h.deadline(TimerId::F), 64 * kT1);
}

TEST(ClientNonInvite, RetransmitsDoublingUpToT2WhileTrying) {
  Udp h;
  h.advance(40s);
  // §17.1.2.2: 500 ms, 1 s, 2 s, then every T2 (4 s) until F at 64*T1.
  const std::vector<Duration> expected{0ms,     500ms,   1500ms,  3500ms,  7500ms, 11500ms,
                                       15500ms, 19500ms, 23500ms, 27500ms, 31500ms};
  EXPECT_EQ(h.log.send_times(), expected);
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_EQ(h.log.ended, EndReason::Timeout);
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ClientNonInvite, RetransmitsEveryT2WhileProceeding) {
  Udp h;
  h.advance(600ms);  // sent at 0 and 500 ms; E next at 1500 ms
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 100)));
  EXPECT_EQ(h.machine.state(), State::Proceeding);
  EXPECT_EQ(h.log.to_tu.size(), 1u);
  h.advance(10s);  // to 10.6 s
  const std::vector<Duration> expected{0ms, 500ms, 1500ms, 5500ms, 9500ms};
  EXPECT_EQ(h.log.send_times(), expected);
  EXPECT_EQ(h.deadline(TimerId::E), 9500ms + kT2);
}

TEST(ClientNonInvite, TimerFTimesOutWhileProceeding) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 100)));
  h.advance(32s);
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_EQ(h.log.ended, EndReason::Timeout);
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ClientNonInvite, TimerFTimesOutWithoutRetransmissionsOnTcp) {
  Tcp h;
  h.advance(40s);
  EXPECT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::Timeout});
  EXPECT_EQ(h.log.ended_at, 32s);
}

TEST(ClientNonInvite, FinalResponseCompletesAndArmsTimerKOnUdp) {
  Udp h;
  h.advance(2s);
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_EQ(h.machine.state(), State::Completed);
  ASSERT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_FALSE(h.armed(TimerId::E));
  EXPECT_FALSE(h.armed(TimerId::F));
  EXPECT_EQ(h.deadline(TimerId::K), 2s + kT4);
  const std::size_t sent = h.log.sent.size();
  h.advance(kT4);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.ended_at, 2s + kT4);
  EXPECT_EQ(h.log.sent.size(), sent);
}

TEST(ClientNonInvite, CompletedAbsorbsRetransmittedFinals) {
  Udp h;
  const auto final = test::respond_to(h.machine.request(), 404);
  const auto late_provisional = test::respond_to(h.machine.request(), 180);
  h.apply(h.machine.on_response(final));
  h.apply(h.machine.on_response(final));
  h.apply(h.machine.on_response(late_provisional));
  EXPECT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.sent.size(), 1u);
}

TEST(ClientNonInvite, CompletedKeepsNoCopyOfTheRequest) {
  // Completed lingers for Timer K with nothing to send: the request's bytes are released at the
  // final response, and neither Timer K nor a late final sends anything.
  Udp h;
  EXPECT_FALSE(h.machine.request().serialize().empty());
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_EQ(h.machine.state(), State::Completed);
  EXPECT_TRUE(h.machine.request().fields().empty());
  EXPECT_TRUE(h.machine.request().call_id().empty());
  EXPECT_EQ(h.machine.request().heap_bytes(), 0u);  // its buffer too, not only its text
  const std::size_t sent = h.log.sent.size();
  h.advance(kT4);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.sent.size(), sent);
}

TEST(ClientNonInvite, FinalResponseTerminatesAtOnceOnTcp) {
  Tcp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 202)));
  EXPECT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.ended, EndReason::Completed);  // Timer K is zero on reliable transports
  EXPECT_EQ(h.log.ended_at, 0s);
}

TEST(ClientNonInvite, FinalAfterProvisionalCompletes) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 100)));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 100)));
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 481)));
  EXPECT_EQ(h.log.to_tu.size(), 3u);
  EXPECT_EQ(h.machine.state(), State::Completed);
}

TEST(ClientNonInvite, TransportErrorInformsTuAndTerminates) {
  Udp h;
  h.advance(1s);
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::TransportError});
  EXPECT_EQ(h.log.ended, EndReason::TransportError);
  EXPECT_EQ(h.clock.size(), 0u);
}

TEST(ClientNonInvite, TransportErrorWhileCompletedChangesNothing) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_TRUE(h.machine.on_transport_error().empty());
  EXPECT_EQ(h.machine.state(), State::Completed);
}

TEST(ClientNonInvite, IgnoresTimersThatAreNotArmed) {
  Udp h;
  h.apply(h.machine.on_response(test::respond_to(h.machine.request(), 200)));
  EXPECT_TRUE(h.machine.on_timer(TimerId::E).empty());
  EXPECT_TRUE(h.machine.on_timer(TimerId::F).empty());
  EXPECT_EQ(h.machine.state(), State::Completed);
}

TEST(ClientNonInvite, LargerT2RaisesTheRetransmissionCap) {
  Timers timers;
  timers.t2 = 8s;
  Harness<ClientNonInvite> h(test::make_non_invite(), Reliability::Unreliable, timers);
  h.apply(h.machine.start());
  h.advance(20s);
  const std::vector<Duration> expected{0ms, 500ms, 1500ms, 3500ms, 7500ms, 15500ms};
  EXPECT_EQ(h.log.send_times(), expected);
}

}  // namespace
}  // namespace ims::txn
