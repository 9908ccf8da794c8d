// Session: the B2BUA's decisions for one IM session, driven event by event with a fake clock
// (times are plain values). Every outcome of PRODUCT §4 and the races between them.

#include "switch/im/session.hpp"

#include <chrono>
#include <optional>

#include <gtest/gtest.h>

namespace ims::sw::im {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'796'284'869'305;  // 2026-12-03T08:01:09.305Z

template <class T>
std::vector<T> all_of(const Actions& actions) {
  std::vector<T> out;
  for (const auto& a : actions)
    if (const auto* t = std::get_if<T>(&a)) out.push_back(*t);
  return out;
}

template <class T>
std::optional<T> one_of(const Actions& actions) {
  auto v = all_of<T>(actions);
  EXPECT_LE(v.size(), 1u);
  if (v.empty()) return std::nullopt;
  return v.front();
}

// What the initiator hears from one event, or 0.
int answered(const Actions& actions) {
  auto a = one_of<AnswerInitiator>(actions);
  return a ? a->status : 0;
}

TEST(Session, StartsTheInvitationTimer) {
  Session s(1, 30s);
  auto t = one_of<StartInviteTimer>(s.start());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->after, 30s);
  EXPECT_EQ(s.state(), State::Establishing);
}

TEST(Session, AcceptRelaysRingingThenAcksAndAnswers200) {
  Session s(1, 30s);
  (void)s.start();
  auto ringing = s.on_provisional(0, 180);
  auto relay = one_of<RelayProvisional>(ringing);
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->status, 180);
  EXPECT_TRUE(s.on_provisional(0, 180).empty()) << "ringing is relayed once";

  auto ok = s.on_final(0, 200);
  EXPECT_TRUE(one_of<StopInviteTimer>(ok));
  auto ack = one_of<AckBranch>(ok);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->branch, 0u);
  auto answer = one_of<AnswerInitiator>(ok);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->branch, 0u);
  EXPECT_EQ(s.state(), State::Connected);
  EXPECT_EQ(s.winner(), 0u);
  EXPECT_TRUE(all_of<CancelBranch>(ok).empty());
}

TEST(Session, TheFirst2xxWinsAndTheOtherDevicesAreCancelledAsAnsweredElsewhere) {
  Session s(3, 30s);
  (void)s.start();
  (void)s.on_provisional(0, 180);
  (void)s.on_provisional(1, 180);  // device 2 has not said anything yet
  auto ok = s.on_final(1, 200);
  auto cancels = all_of<CancelBranch>(ok);
  ASSERT_EQ(cancels.size(), 1u) << "only a device that sent a provisional may be CANCELled";
  EXPECT_EQ(cancels[0].branch, 0u);
  EXPECT_EQ(cancels[0].reason, "SIP;cause=200;text=\"answered elsewhere\"");
  EXPECT_EQ(answered(ok), 200);

  // Device 2 rings late: its CANCEL goes now (RFC 3261 §9.1).
  auto late = s.on_provisional(2, 180);
  auto cancel = one_of<CancelBranch>(late);
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->branch, 2u);
  EXPECT_EQ(cancel->reason, kReasonAnsweredElsewhere);
  EXPECT_FALSE(one_of<RelayProvisional>(late));
  // Their 487s change nothing.
  EXPECT_TRUE(s.on_final(0, 487).empty());
  EXPECT_TRUE(s.on_final(2, 487).empty());
  EXPECT_EQ(s.state(), State::Connected);
}

TEST(Session, ASecond2xxIsAcknowledgedAndEndedWithBye) {
  Session s(2, 30s);
  (void)s.start();
  (void)s.on_final(0, 200);
  auto second = s.on_final(1, 200);
  ASSERT_TRUE(one_of<AckBranch>(second));
  auto bye = one_of<ByeBranch>(second);
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->branch, 1u);
  EXPECT_EQ(answered(second), 0) << "the initiator heard its 200 once";
  EXPECT_EQ(s.winner(), 0u);
}

TEST(Session, ARetransmitted2xxOfTheWinnerIsAcknowledgedAgain) {
  Session s(1, 30s);
  (void)s.start();
  (void)s.on_final(0, 200);
  auto again = s.on_final(0, 200);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(one_of<AckBranch>(again));
}

TEST(Session, RejectPasses603OnAndRecordsTheTarget) {
  Session s(1, 30s);
  (void)s.start();
  (void)s.on_provisional(0, 180);
  auto no = s.on_final(0, 603);
  EXPECT_EQ(answered(no), 603);
  EXPECT_TRUE(one_of<StopInviteTimer>(no));
  auto ended = one_of<SessionEnded>(no);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->reason, EndReason::Rejected);
  EXPECT_EQ(ended->by, Side::Target);
  EXPECT_EQ(s.state(), State::Ended);
}

TEST(Session, TheInitiatorHearsOnlyWhenEveryDeviceHasAnswered) {
  Session s(2, 30s);
  (void)s.start();
  EXPECT_EQ(answered(s.on_final(0, 486)), 0);
  auto last = s.on_final(1, 480);
  EXPECT_EQ(answered(last), 486) << "busy says more than unavailable";
  EXPECT_EQ(one_of<SessionEnded>(last)->reason, EndReason::Busy);
}

TEST(Session, ADeclineOnOneDeviceBeatsAnythingElse) {
  Session s(3, 30s);
  (void)s.start();
  (void)s.on_final(0, 486);
  (void)s.on_final(1, 603);
  EXPECT_EQ(answered(s.on_final(2, 408)), 603);
}

TEST(Session, DevicesThatCannotBeReachedGive480) {
  Session s(2, 30s);
  (void)s.start();
  (void)s.on_final(0, 503);  // transport failure
  auto last = s.on_final(1, 408);
  EXPECT_EQ(answered(last), 480);
  EXPECT_EQ(one_of<SessionEnded>(last)->reason, EndReason::Unavailable);
}

TEST(Session, TheInvitationTimerCancelsWithCause408AndAnswers408) {
  Session s(2, 2s);
  (void)s.start();
  (void)s.on_provisional(0, 180);
  (void)s.on_provisional(1, 100);
  auto timeout = s.on_invite_timeout();
  auto cancels = all_of<CancelBranch>(timeout);
  ASSERT_EQ(cancels.size(), 2u);
  EXPECT_EQ(cancels[0].reason, "SIP;cause=408;text=\"Request Timeout\"");
  EXPECT_EQ(answered(timeout), 408);
  auto ended = one_of<SessionEnded>(timeout);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->reason, EndReason::TimedOut);
  EXPECT_FALSE(ended->by) << "the switch ended it";
  EXPECT_TRUE(s.on_final(0, 487).empty());
}

TEST(Session, AnAcceptRightAfterTheTimeOutIsAcknowledgedAndEnded) {
  Session s(1, 2s);
  (void)s.start();
  (void)s.on_provisional(0, 180);
  EXPECT_EQ(answered(s.on_invite_timeout()), 408);
  auto late = s.on_final(0, 200);  // crossed the CANCEL on the wire
  EXPECT_TRUE(one_of<AckBranch>(late));
  EXPECT_TRUE(one_of<ByeBranch>(late));
  EXPECT_EQ(answered(late), 0);
  EXPECT_EQ(s.state(), State::Ended);
  EXPECT_EQ(s.end_reason(), EndReason::TimedOut);
}

TEST(Session, ATimeOutRightAfterTheAcceptChangesNothing) {
  Session s(1, 2s);
  (void)s.start();
  EXPECT_EQ(answered(s.on_final(0, 200)), 200);
  EXPECT_TRUE(s.on_invite_timeout().empty());
  EXPECT_EQ(s.state(), State::Connected);
}

TEST(Session, TheInitiatorsCancelCancelsTheDevicesAndAnswers487) {
  Session s(2, 30s);
  (void)s.start();
  (void)s.on_provisional(0, 180);
  auto cancel = s.on_initiator_cancel();
  EXPECT_TRUE(one_of<StopInviteTimer>(cancel));
  auto cancels = all_of<CancelBranch>(cancel);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].branch, 0u);
  EXPECT_EQ(answered(cancel), 487);
  EXPECT_EQ(one_of<SessionEnded>(cancel)->by, Side::Initiator);
  EXPECT_EQ(one_of<SessionEnded>(cancel)->reason, EndReason::Cancelled);
  // The silent device gets its CANCEL once it rings.
  auto ring = s.on_provisional(1, 180);
  ASSERT_TRUE(one_of<CancelBranch>(ring));
  EXPECT_FALSE(one_of<RelayProvisional>(ring));
}

TEST(Session, ACancelAfterTheAcceptIsTooLate) {
  Session s(1, 30s);
  (void)s.start();
  (void)s.on_final(0, 200);
  EXPECT_TRUE(s.on_initiator_cancel().empty());
  EXPECT_EQ(s.state(), State::Connected);
}

TEST(Session, MessagesAreNumberedFromTheFirstOneInTheInvite) {
  Session s(1, 30s);
  auto first = s.stamp_first(kNow);
  ASSERT_TRUE(std::holds_alternative<Stamp>(first));
  EXPECT_EQ(std::get<Stamp>(first).seq, 1u);
  EXPECT_EQ(std::get<Stamp>(first).at_ms, kNow);
  EXPECT_EQ(std::get<int>(s.on_message(Side::Initiator, kNow + 1)), 481)
      << "no in-dialog message before the session is connected";
  (void)s.start();
  (void)s.on_final(0, 200);
  auto a = s.on_message(Side::Initiator, kNow + 10);
  auto b = s.on_message(Side::Target, kNow + 20);
  auto c = s.on_message(Side::Initiator, kNow + 20);
  EXPECT_EQ(std::get<Stamp>(a).seq, 2u);
  EXPECT_EQ(std::get<Stamp>(b).seq, 3u);
  EXPECT_EQ(std::get<Stamp>(c).seq, 4u);
  EXPECT_EQ(std::get<Stamp>(c).at_ms, kNow + 20);
  EXPECT_EQ(s.messages(), 4u);
}

TEST(Session, ByeFromEitherSideEndsItAndSaysWho) {
  for (Side from : {Side::Initiator, Side::Target}) {
    Session s(1, 30s);
    (void)s.start();
    (void)s.on_final(0, 200);
    auto bye = s.on_bye(from);
    auto to = one_of<SendBye>(bye);
    ASSERT_TRUE(to);
    EXPECT_EQ(to->to, other(from));
    auto ended = one_of<SessionEnded>(bye);
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->reason, EndReason::Bye);
    EXPECT_EQ(ended->by, from);
    EXPECT_TRUE(s.on_bye(other(from)).empty()) << "a crossing BYE ends nothing twice";
    EXPECT_EQ(std::get<int>(s.on_message(from, kNow)), 481);
  }
}

TEST(Session, ADeadLegEndsTheSessionAndTheOtherSideGetsABye) {
  Session s(1, 30s);
  (void)s.start();
  (void)s.on_final(0, 200);
  auto dead = s.on_leg_failure(Side::Target);
  auto bye = one_of<SendBye>(dead);
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->to, Side::Initiator);
  EXPECT_EQ(one_of<SessionEnded>(dead)->reason, EndReason::DeadLeg);
  EXPECT_TRUE(s.on_leg_failure(Side::Initiator).empty());
}

TEST(Session, OneReInviteAtATime) {
  Session s(1, 30s);
  EXPECT_EQ(s.on_reinvite(Side::Initiator), 481) << "not connected yet";
  (void)s.start();
  (void)s.on_final(0, 200);
  EXPECT_EQ(s.on_reinvite(Side::Initiator), std::nullopt);
  EXPECT_EQ(s.on_reinvite(Side::Target), 491);
  s.on_reinvite_done();  // answered, 200 or 488: the IM session stays up
  EXPECT_EQ(s.state(), State::Connected);
  EXPECT_EQ(s.on_reinvite(Side::Target), std::nullopt);
}

TEST(Session, ShutdownEndsBothLegsOrTheInvitation) {
  Session connected(1, 30s);
  (void)connected.start();
  (void)connected.on_final(0, 200);
  auto down = connected.on_shutdown();
  EXPECT_EQ(all_of<SendBye>(down).size(), 2u);
  EXPECT_EQ(one_of<SessionEnded>(down)->reason, EndReason::Shutdown);

  Session ringing(1, 30s);
  (void)ringing.start();
  (void)ringing.on_provisional(0, 180);
  auto stop = ringing.on_shutdown();
  EXPECT_TRUE(one_of<CancelBranch>(stop));
  EXPECT_EQ(answered(stop), 480);
}

TEST(Stamp, FormatsUtcWithMillisecondsAndTheSequence) {
  EXPECT_EQ(format_stamp(Stamp{3, kNow}), "2026-12-03T08:01:09.305Z;seq=3");
  EXPECT_EQ(format_stamp(Stamp{1, 0}), "1970-01-01T00:00:00.000Z;seq=1");
}

TEST(Stamp, ParsesWhatItFormats) {
  auto s = parse_stamp("2026-12-03T08:01:09.305Z;seq=3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->seq, 3u);
  EXPECT_EQ(s->at_ms, kNow);
  EXPECT_FALSE(parse_stamp("2026-12-03 08:01:09.305Z;seq=3"));
  EXPECT_FALSE(parse_stamp("2026-12-03T08:01:09.305Z;seq="));
  EXPECT_FALSE(parse_stamp("2026-12-03T08:01:09.305Z;seq=3x"));
}

TEST(Names, EndReasonsAsStored) {
  EXPECT_EQ(end_reason_name(EndReason::TimedOut), "timed-out");
  EXPECT_EQ(end_reason_name(EndReason::DeadLeg), "dead-leg");
  EXPECT_EQ(end_reason_name(EndReason::Bye), "bye");
  EXPECT_EQ(side_name(Side::Target), "target");
}

// ---- queued sessions: one agent at a time (PRODUCT §4, the 182 / RONA rows) -----------------

TEST(QueuedSession, WaitsWithoutATimerUntilOffered) {
  Session s = Session::queued();
  EXPECT_TRUE(s.start().empty());
  EXPECT_TRUE(s.on_invite_timeout().empty()) << "no offer out: nothing to take back";
  auto t = one_of<StartInviteTimer>(s.offer(2, 15s));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->after, 15s);
  EXPECT_EQ(s.branches(), 2u);
  EXPECT_TRUE(s.offer(1, 15s).empty()) << "one offer at a time";
}

TEST(QueuedSession, ADeclineEndsTheOfferNotTheSession) {
  Session s = Session::queued();
  (void)s.offer(1, 15s);

  auto declined = s.on_final(0, 603);

  EXPECT_EQ(answered(declined), 0) << "the initiator hears nothing of it";
  auto ended = one_of<OfferEnded>(declined);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->outcome, OfferOutcome::Declined);
  EXPECT_EQ(ended->status, 603);
  EXPECT_EQ(s.state(), State::Establishing);
  EXPECT_FALSE(s.offer_active());
}

TEST(QueuedSession, RonaCancelsWithCause408AndEndsTheOffer) {
  Session s = Session::queued();
  (void)s.offer(1, 15s);
  (void)s.on_provisional(0, 180);

  auto rona = s.on_invite_timeout();

  auto cancel = one_of<CancelBranch>(rona);
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->reason, kReasonTimeout);
  auto ended = one_of<OfferEnded>(rona);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->outcome, OfferOutcome::NoAnswer);
  EXPECT_EQ(answered(rona), 0);
  // The agent's 487 afterwards changes nothing.
  EXPECT_TRUE(s.on_final(0, 487).empty());
}

TEST(QueuedSession, TheNextOfferRingsAndIsAnsweredOnItsOwnBranch) {
  Session s = Session::queued();
  (void)s.offer(1, 15s);
  EXPECT_TRUE(one_of<RelayProvisional>(s.on_provisional(0, 180)));
  (void)s.on_final(0, 486);  // busy: declined
  (void)s.offer(2, 15s);     // branches 1 and 2
  (void)s.on_provisional(1, 100);

  EXPECT_TRUE(one_of<RelayProvisional>(s.on_provisional(2, 180))) << "a new agent rings anew";
  auto ok = s.on_final(2, 200);

  EXPECT_EQ(answered(ok), 200);
  EXPECT_EQ(s.winner(), std::optional<std::size_t>(2));
  EXPECT_EQ(s.state(), State::Connected);
  EXPECT_TRUE(one_of<CancelBranch>(ok)) << "the agent's other device is cancelled";
}

TEST(QueuedSession, ALate2xxFromAnEarlierOfferIsEndedWithBye) {
  Session s = Session::queued();
  (void)s.offer(1, 15s);
  (void)s.on_provisional(0, 180);
  (void)s.on_invite_timeout();  // RONA: branch 0 cancelled
  (void)s.offer(1, 15s);

  auto late = s.on_final(0, 200);

  EXPECT_TRUE(one_of<AckBranch>(late));
  EXPECT_TRUE(one_of<ByeBranch>(late));
  EXPECT_EQ(s.state(), State::Establishing) << "the current offer goes on";
  EXPECT_TRUE(s.offer_active());
}

TEST(QueuedSession, GiveUpCancelsTheOfferAndAnswersTheInitiator) {
  Session s = Session::queued();
  (void)s.offer(1, 15s);
  (void)s.on_provisional(0, 180);

  auto gone = s.give_up(480);

  EXPECT_TRUE(one_of<CancelBranch>(gone));
  EXPECT_EQ(answered(gone), 480);
  auto ended = one_of<SessionEnded>(gone);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->reason, EndReason::Unavailable);
}

TEST(QueuedSession, TheInitiatorMayCancelWhileWaiting) {
  Session s = Session::queued();
  auto cancelled = s.on_initiator_cancel();
  EXPECT_EQ(answered(cancelled), 487);
  EXPECT_EQ(s.state(), State::Ended);
  EXPECT_TRUE(s.offer(1, 15s).empty());
}

}  // namespace
}  // namespace ims::sw::im

namespace ims::sw::im {
namespace {

// ---- the pager bridge's idle end (PRODUCT §4b) -------------------------------------------------

TEST(Session, IdleEndsAConnectedSessionWithByeToBothLegs) {
  Session s(1, 30s);
  (void)s.start();
  (void)s.on_final(0, 200);
  const Actions a = s.on_idle();
  const auto byes = all_of<SendBye>(a);
  ASSERT_EQ(byes.size(), 2u);
  EXPECT_EQ(byes[0].to, Side::Initiator);
  EXPECT_EQ(byes[1].to, Side::Target);
  ASSERT_TRUE(one_of<SessionEnded>(a));
  EXPECT_EQ(one_of<SessionEnded>(a)->reason, EndReason::Idle);
  EXPECT_FALSE(one_of<SessionEnded>(a)->by) << "the switch ended it, not a party";
  EXPECT_EQ(end_reason_name(EndReason::Idle), "idle");
}

TEST(Session, IdleDoesNothingBeforeTheAnswerOrAfterTheEnd) {
  Session s(1, 30s);
  (void)s.start();
  EXPECT_TRUE(s.on_idle().empty()) << "the invitation timer governs an establishing session";
  (void)s.on_final(0, 200);
  (void)s.on_bye(Side::Target);
  EXPECT_TRUE(s.on_idle().empty());
}

TEST(Session, BranchOpenUntilTheBranchIsDecided) {
  Session s(2, 30s);
  (void)s.start();
  EXPECT_TRUE(s.branch_open(0));
  (void)s.on_provisional(0, 180);
  EXPECT_TRUE(s.branch_open(0));
  (void)s.on_final(1, 200);
  EXPECT_FALSE(s.branch_open(0)) << "another device answered: its invitation is withdrawn";
  EXPECT_FALSE(s.branch_open(1)) << "the winner is decided";
  EXPECT_FALSE(s.branch_open(7));
}

}  // namespace
}  // namespace ims::sw::im
