#include "client/session_state.hpp"

#include <gtest/gtest.h>

#include "client/errors.hpp"

namespace ims::client {
namespace {

using Action = SessionMachine::EndAction;

void expect_bad_state(const Result<void>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ClientErrc::BadState);
}

SessionMachine connected_initiator() {
  SessionMachine m(Role::Initiator);
  EXPECT_TRUE(m.start().ok());
  EXPECT_TRUE(m.on_answered());
  return m;
}

TEST(SessionMachine, InitiatorGoesFromNotConnectedThroughConnectedToDone) {
  SessionMachine m(Role::Initiator);
  EXPECT_EQ(m.state(), SessionState::NotConnected);
  ASSERT_TRUE(m.start().ok());
  EXPECT_EQ(m.state(), SessionState::Establishing);
  EXPECT_FALSE(m.on_provisional(180, "Ringing"));
  EXPECT_TRUE(m.on_answered());
  EXPECT_EQ(m.state(), SessionState::Connected);
  EXPECT_TRUE(m.check_send().ok());
  auto a = m.end();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, Action::Bye);
  EXPECT_EQ(m.state(), SessionState::Ended);
  EXPECT_EQ(m.reason(), EndReason::LocalEnded);
  ASSERT_TRUE(m.done().ok());
  EXPECT_EQ(m.state(), SessionState::Done);
}

TEST(SessionMachine, QueuedFollowsThe182sPosition) {
  SessionMachine m(Role::Initiator);
  ASSERT_TRUE(m.start().ok());
  EXPECT_TRUE(m.on_provisional(182, "Queued 3"));
  EXPECT_EQ(m.state(), SessionState::Queued);
  EXPECT_EQ(m.queue_position(), 3);
  EXPECT_FALSE(m.on_provisional(182, "Queued 3"));
  EXPECT_TRUE(m.on_provisional(182, "Queued 1"));
  EXPECT_EQ(m.queue_position(), 1);
  EXPECT_TRUE(m.on_answered());
  EXPECT_EQ(m.queue_position(), 0);
  EXPECT_EQ(queue_position_of("no number"), 0);
}

TEST(SessionMachine, FinalResponsesMapToTheProductsReasons) {
  const std::pair<int, EndReason> table[] = {
      {603, EndReason::Rejected},    {408, EndReason::TimedOut}, {487, EndReason::Cancelled},
      {480, EndReason::Unavailable}, {486, EndReason::Busy},     {403, EndReason::Forbidden},
      {404, EndReason::NotFound},    {500, EndReason::Failed},   {488, EndReason::Failed}};
  for (auto [status, reason] : table) {
    SessionMachine m(Role::Initiator);
    ASSERT_TRUE(m.start().ok());
    EXPECT_TRUE(m.on_final_failure(status)) << status;
    EXPECT_EQ(m.state(), SessionState::Ended);
    EXPECT_EQ(m.reason(), reason) << status;
  }
}

TEST(SessionMachine, EndWhileEstablishingCancelsAndAnyAnswerEndsCancelled) {
  SessionMachine m(Role::Initiator);
  ASSERT_TRUE(m.start().ok());
  auto a = m.end();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, Action::Cancel);
  EXPECT_TRUE(m.cancelling());
  EXPECT_EQ(m.state(), SessionState::Establishing);  // until the INVITE's answer
  EXPECT_FALSE(m.end().ok());                        // one CANCEL is enough
  EXPECT_TRUE(m.on_final_failure(487));
  EXPECT_EQ(m.reason(), EndReason::Cancelled);

  // The 200 crossed the CANCEL: the caller hangs up and the session ends Cancelled.
  SessionMachine raced(Role::Initiator);
  ASSERT_TRUE(raced.start().ok());
  ASSERT_TRUE(raced.end().ok());
  EXPECT_FALSE(raced.on_answered());
  EXPECT_EQ(raced.state(), SessionState::Ended);
  EXPECT_EQ(raced.reason(), EndReason::Cancelled);
}

TEST(SessionMachine, RecipientAcceptsOrRejects) {
  SessionMachine m(Role::Recipient);
  EXPECT_EQ(m.state(), SessionState::Establishing);
  ASSERT_TRUE(m.accept().ok());
  EXPECT_EQ(m.state(), SessionState::Connected);
  expect_bad_state(m.accept());  // accept twice
  expect_bad_state(m.reject());
  EXPECT_TRUE(m.on_remote_bye());
  EXPECT_EQ(m.reason(), EndReason::RemoteEnded);

  SessionMachine r(Role::Recipient);
  ASSERT_TRUE(r.reject().ok());
  EXPECT_EQ(r.reason(), EndReason::Rejected);
  expect_bad_state(r.accept());

  SessionMachine e(Role::Recipient);
  auto a = e.end();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, Action::Decline);
  EXPECT_EQ(e.reason(), EndReason::Rejected);
}

TEST(SessionMachine, RecipientsInvitationEndsWhenTheSwitchCancels) {
  SessionMachine timed_out(Role::Recipient);
  EXPECT_TRUE(timed_out.on_remote_cancel(EndReason::TimedOut));
  EXPECT_EQ(timed_out.reason(), EndReason::TimedOut);
  expect_bad_state(timed_out.accept());
  SessionMachine connected(Role::Recipient);
  ASSERT_TRUE(connected.accept().ok());
  EXPECT_FALSE(connected.on_remote_cancel(EndReason::Cancelled));  // too late: stays connected
  EXPECT_EQ(connected.state(), SessionState::Connected);
}

TEST(SessionMachine, MisuseIsAnErrorValue) {
  SessionMachine m(Role::Initiator);
  expect_bad_state(m.check_send());  // nothing sent yet
  expect_bad_state(m.accept());      // initiators do not accept
  expect_bad_state(m.reject());
  expect_bad_state(m.done());  // not ended
  EXPECT_FALSE(m.end().ok());
  ASSERT_TRUE(m.start().ok());
  expect_bad_state(m.start());       // start twice
  expect_bad_state(m.check_send());  // not connected yet

  SessionMachine ended = connected_initiator();
  EXPECT_TRUE(ended.on_remote_bye());
  expect_bad_state(ended.check_send());  // send on an ended session
  EXPECT_FALSE(ended.end().ok());
  EXPECT_FALSE(ended.on_remote_bye());  // a second BYE changes nothing
  EXPECT_EQ(ended.reason(), EndReason::RemoteEnded);
  ASSERT_TRUE(ended.done().ok());
  expect_bad_state(ended.done());
  EXPECT_FALSE(ended.on_failure(EndReason::Failed));
  EXPECT_EQ(ended.state(), SessionState::Done);
}

TEST(SessionMachine, AFailureEndsAnOpenSessionOnly) {
  SessionMachine m = connected_initiator();
  EXPECT_TRUE(m.on_failure(EndReason::Failed));
  EXPECT_EQ(m.reason(), EndReason::Failed);
  SessionMachine fresh(Role::Initiator);
  EXPECT_FALSE(fresh.on_failure(EndReason::Failed));
  EXPECT_EQ(fresh.state(), SessionState::NotConnected);
}

TEST(SessionMachine, NamesForStatesAndReasons) {
  EXPECT_EQ(to_string(SessionState::Establishing), "establishing");
  EXPECT_EQ(to_string(EndReason::TimedOut), "timed out");
  EXPECT_EQ(reason_for_status(486), EndReason::Busy);
}

}  // namespace
}  // namespace ims::client
