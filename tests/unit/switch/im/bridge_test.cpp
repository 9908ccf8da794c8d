// The pager bridge's rules (PRODUCT §4b): commands, what each line of a plain device does in each
// state, the CPIM down-conversion and the texts the device reads.

#include "switch/im/bridge.hpp"

#include <gtest/gtest.h>

namespace ims::sw::im {
namespace {

using namespace std::chrono_literals;

TEST(PlainCommand, CommandsAreTheWholeLineInAnyCaseWithBlanksAround) {
  EXPECT_EQ(plain_command("/end"), PlainCommand::End);
  EXPECT_EQ(plain_command("  /END\r\n"), PlainCommand::End);
  EXPECT_EQ(plain_command("/reject"), PlainCommand::Reject);
  EXPECT_EQ(plain_command("/Reject "), PlainCommand::Reject);
  EXPECT_EQ(plain_command("/end of story"), PlainCommand::Text);
  EXPECT_EQ(plain_command("please /end"), PlainCommand::Text);
  EXPECT_EQ(plain_command(""), PlainCommand::Text);
}

TEST(PlainStep, AnInvitedDevicesFirstReplyAcceptsAndACommandDeclines) {
  EXPECT_EQ(plain_step(PlainRole::Invited, State::Establishing, true, PlainCommand::Text),
            PlainStep::Accept);
  EXPECT_EQ(plain_step(PlainRole::Invited, State::Establishing, true, PlainCommand::Reject),
            PlainStep::Decline);
  EXPECT_EQ(plain_step(PlainRole::Invited, State::Establishing, true, PlainCommand::End),
            PlainStep::Decline);
}

TEST(PlainStep, ConnectedTextIsRelayedAndEitherCommandEnds) {
  for (PlainRole role : {PlainRole::Invited, PlainRole::Initiator}) {
    EXPECT_EQ(plain_step(role, State::Connected, true, PlainCommand::Text), PlainStep::Relay);
    EXPECT_EQ(plain_step(role, State::Connected, true, PlainCommand::End), PlainStep::End);
    EXPECT_EQ(plain_step(role, State::Connected, true, PlainCommand::Reject), PlainStep::End);
  }
}

TEST(PlainStep, AWaitingStockInitiatorIsHeldOrWithdraws) {
  EXPECT_EQ(plain_step(PlainRole::Initiator, State::Establishing, true, PlainCommand::Text),
            PlainStep::Hold);
  EXPECT_EQ(plain_step(PlainRole::Initiator, State::Establishing, true, PlainCommand::End),
            PlainStep::Withdraw);
}

TEST(PlainStep, WhatTheSessionHasNoUseForStaysAPagerMessage) {
  // A device whose invitation was decided otherwise (it lost, or timed out), or an ended session:
  // the line is not swallowed, it goes on as a pager message.
  EXPECT_EQ(plain_step(PlainRole::Invited, State::Establishing, false, PlainCommand::Text),
            PlainStep::NotMine);
  EXPECT_EQ(plain_step(PlainRole::Invited, State::Connected, false, PlainCommand::Text),
            PlainStep::NotMine);
  EXPECT_EQ(plain_step(PlainRole::Initiator, State::Ended, true, PlainCommand::Text),
            PlainStep::NotMine);
}

TEST(PlainText, TextPlainIsShownAsItIs) {
  auto t = plain_text("text/plain;charset=UTF-8", "hello");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, "hello");
  auto none = plain_text("", "no type");
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "no type");
}

TEST(PlainText, CpimIsUnwrappedToItsTextPayload) {
  // RFC 3862 §3 with CRLF, and with bare LF as some clients write it.
  const std::string crlf =
      "From: Alice <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n"
      "DateTime: 2026-12-03T08:15:02Z\r\n\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\n"
      "Hello Bob";
  auto t = plain_text("message/cpim", crlf);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, "Hello Bob");
  auto lf = plain_text("Message/CPIM", "From: <sip:a@b>\n\nContent-Type: text/plain\n\nHi\nthere");
  ASSERT_TRUE(lf);
  EXPECT_EQ(*lf, "Hi\nthere");
}

TEST(PlainText, WhatHasNoTextIsRefusedNotGuessed) {
  EXPECT_FALSE(plain_text("image/png", "\x89PNG"));
  EXPECT_FALSE(plain_text("message/cpim", "From: <sip:a@b>\r\nno blank line"));
  EXPECT_FALSE(plain_text("message/cpim",
                          "From: <sip:a@b>\r\n\r\nContent-Type: text/html\r\n\r\n<b>x</b>"));
  EXPECT_NE(unshown_text("image/png").find("image/png"), std::string::npos);
}

TEST(BridgeTexts, TheInvitationNamesTheInitiatorAndSaysHowToAnswer) {
  EXPECT_EQ(invitation_text("Alice Example", "Hello"),
            "IM from Alice Example: Hello \xE2\x80\x94 reply to accept, /reject to decline");
  EXPECT_EQ(ended_text("Bob", EndReason::Bye, 600s), "Session ended by Bob.");
  EXPECT_EQ(ended_text("", EndReason::Idle, 600s), "Session ended: no message for 10 min.");
  EXPECT_NE(withdrawn_text("Alice", true).find("not answered in time"), std::string::npos);
  EXPECT_NE(no_agent_text(480).find("480"), std::string::npos);
  EXPECT_EQ(left_for_text("Queue Two"),
            "Queue Two could not take a conversation now. Your message was left for them.");
}

TEST(BridgeTexts, TheSwitchsAnswerHasNoMedia) {
  const std::string sdp = empty_sdp("im-1", "127.0.0.1");
  EXPECT_EQ(sdp.rfind("v=0\r\n", 0), 0u);
  EXPECT_NE(sdp.find("IN IP4 127.0.0.1\r\n"), std::string::npos);
  EXPECT_EQ(sdp.find("m="), std::string::npos) << "RFC 3264 §6: zero m-lines";
  EXPECT_NE(empty_sdp("im-1", "::1").find("IN IP6 ::1"), std::string::npos);
}

}  // namespace
}  // namespace ims::sw::im
