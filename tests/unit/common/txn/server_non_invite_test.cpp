// RFC 3261 §17.2.2: the non-INVITE server transaction, on UDP and TCP, with a fake clock.
#include "common/txn/server_non_invite.hpp"

#include <gtest/gtest.h>

#include "tests/unit/common/txn/txn_test_support.hpp"

namespace ims::txn {
namespace {

using namespace std::chrono_literals;
using test::Harness;
using test::kT1;
using State = ServerNonInvite::State;

struct Server : Harness<ServerNonInvite> {
  explicit Server(Reliability r) : Harness(r, Timers{}) { apply(machine.start(request)); }
  void respond(int status) {
    apply(machine.on_response_from_tu(test::respond_to(request, status)));
  }
  sip::Message request = test::make_non_invite(sip::Method::Message);
};
struct Udp : Server {
  Udp() : Server(Reliability::Unreliable) {}
};
struct Tcp : Server {
  Tcp() : Server(Reliability::Reliable) {}
};

TEST(ServerNonInvite, PassesRequestUpWithoutTimers) {
  Udp h;
  ASSERT_EQ(h.log.to_tu.size(), 1u);
  EXPECT_EQ(h.log.to_tu[0].method(), sip::Method::Message);
  EXPECT_TRUE(h.log.sent.empty());
  EXPECT_EQ(h.clock.size(), 0u);  // §17.2.2 sends no 100 on its own
  EXPECT_EQ(h.machine.state(), State::Trying);
}

TEST(ServerNonInvite, AbsorbsRetransmissionsWhileTrying) {
  Udp h;
  EXPECT_TRUE(h.machine.on_retransmitted_request().empty());
  EXPECT_EQ(h.machine.state(), State::Trying);
}

TEST(ServerNonInvite, RetransmittedRequestResendsProvisionalWhileProceeding) {
  Udp h;
  h.respond(100);
  EXPECT_EQ(h.machine.state(), State::Proceeding);
  h.apply(h.machine.on_retransmitted_request());
  ASSERT_EQ(h.log.sent.size(), 2u);
  EXPECT_EQ(h.log.last_sent().status(), 100);
  EXPECT_EQ(h.log.to_tu.size(), 1u);
}

TEST(ServerNonInvite, RetransmitsFinalResponseWhileCompleted) {
  Udp h;
  h.respond(100);
  h.respond(200);
  EXPECT_EQ(h.machine.state(), State::Completed);
  h.apply(h.machine.on_retransmitted_request());
  h.apply(h.machine.on_retransmitted_request());
  ASSERT_EQ(h.log.sent.size(), 4u);
  EXPECT_EQ(h.log.last_sent().status(), 200);
  EXPECT_EQ(h.log.to_tu.size(), 1u);
}

TEST(ServerNonInvite, TimerJEndsCompletedAfter64T1OnUdp) {
  Udp h;
  h.advance(1s);
  h.respond(404);
  EXPECT_EQ(h.deadline(TimerId::J), 1s + 64 * kT1);
  h.advance(31s);
  EXPECT_FALSE(h.log.ended);
  h.advance(1s);
  EXPECT_EQ(h.log.ended, EndReason::Completed);
  EXPECT_EQ(h.log.ended_at, 33s);
  EXPECT_EQ(h.log.sent.size(), 1u);  // the server never retransmits on its own
}

TEST(ServerNonInvite, FinalResponseTerminatesAtOnceOnTcp) {
  Tcp h;
  h.respond(200);
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.ended, EndReason::Completed);  // Timer J is zero on reliable transports
  EXPECT_EQ(h.log.ended_at, 0s);
}

TEST(ServerNonInvite, FinalResponseFromTryingCompletes) {
  Udp h;
  h.respond(486);
  EXPECT_EQ(h.machine.state(), State::Completed);
  h.apply(h.machine.on_retransmitted_request());
  EXPECT_EQ(h.log.last_sent().status(), 486);
}

TEST(ServerNonInvite, IgnoresResponsesAfterFinal) {
  Udp h;
  h.respond(200);
  h.respond(500);
  h.respond(180);
  ASSERT_EQ(h.log.sent.size(), 1u);
  EXPECT_EQ(h.log.last_sent().status(), 200);
}

TEST(ServerNonInvite, TransportErrorWhileCompletedInformsTuAndTerminates) {
  Udp h;
  h.respond(200);
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.log.reports, std::vector<Failure>{Failure::TransportError});
  EXPECT_EQ(h.log.ended, EndReason::TransportError);
  EXPECT_EQ(h.clock.size(), 0u);
}

TEST(ServerNonInvite, TransportErrorWhileProceedingInformsTuAndTerminates) {
  Tcp h;
  h.respond(100);
  h.apply(h.machine.on_transport_error());
  EXPECT_EQ(h.log.ended, EndReason::TransportError);
}

TEST(ServerNonInvite, TransportErrorWhileTryingChangesNothing) {
  Udp h;
  EXPECT_TRUE(h.machine.on_transport_error().empty());
  EXPECT_EQ(h.machine.state(), State::Trying);
}

TEST(ServerNonInvite, IgnoresTimersThatAreNotArmed) {
  Udp h;
  EXPECT_TRUE(h.machine.on_timer(TimerId::J).empty());
  h.respond(200);
  EXPECT_TRUE(h.machine.on_timer(TimerId::K).empty());
  EXPECT_EQ(h.machine.state(), State::Completed);
}

TEST(ServerNonInvite, TheFinalResponseKeptForTimerJHoldsNoRoomToSpare) {
  // A response built by appends has grown its buffer in steps; the one kept for Timer J is a
  // copy as large as its text, while the one sent (and then dropped) may be larger.
  Udp h;
  sip::Message rsp = test::respond_to(h.request, 200);
  for (int i = 0; i < 20; ++i) rsp.add("X-Padding", std::string(40, 'p'));
  const std::size_t built = rsp.heap_bytes();
  h.apply(h.machine.on_response_from_tu(std::move(rsp)));
  ASSERT_EQ(h.machine.state(), State::Completed);
  ASSERT_NE(h.machine.last_response(), nullptr);
  const sip::Message& kept = *h.machine.last_response();
  EXPECT_LT(kept.heap_bytes(), built);
  EXPECT_LE(kept.heap_bytes(), kept.wire_size() + 1 + 30 * sizeof(sip::HeaderField));
  // Still the response: a retransmitted request gets it.
  h.apply(h.machine.on_retransmitted_request());
  EXPECT_EQ(h.log.sent.back().message.serialize(), kept.serialize());
}

}  // namespace
}  // namespace ims::txn
