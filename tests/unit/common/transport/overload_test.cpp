#include "common/transport/overload.hpp"

#include <gtest/gtest.h>

namespace ims::transport {
namespace {

TEST(PeekNewRequest, OutOfDialogRequestIsNewWork) {
  EXPECT_TRUE(peek_new_request(
      "MESSAGE sip:bob@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:bob@x>\r\n\r\n"));
  EXPECT_TRUE(peek_new_request("REGISTER sip:x SIP/2.0\r\nt: <sip:a@x>;expires=3\r\n\r\n"));
}

TEST(PeekNewRequest, ResponsesAckCancelByeAndDialogsAreNot) {
  EXPECT_FALSE(peek_new_request("SIP/2.0 200 OK\r\nTo: <sip:bob@x>\r\n\r\n"));
  EXPECT_FALSE(peek_new_request("ACK sip:bob@x SIP/2.0\r\nTo: <sip:bob@x>\r\n\r\n"));
  EXPECT_FALSE(peek_new_request("CANCEL sip:bob@x SIP/2.0\r\nTo: <sip:bob@x>\r\n\r\n"));
  EXPECT_FALSE(peek_new_request("BYE sip:bob@x SIP/2.0\r\nTo: <sip:bob@x>;tag=1\r\n\r\n"));
  EXPECT_FALSE(peek_new_request("MESSAGE sip:bob@x SIP/2.0\r\nTo: <sip:bob@x> ; TAG = 9\r\n\r\n"));
  EXPECT_FALSE(peek_new_request("MESSAGE sip:bob@x SIP/2.0\r\nFrom: <sip:a@x>\r\n\r\n"))
      << "no To: not judged here";
  EXPECT_FALSE(peek_new_request("garbage"));
}

TEST(LateGate, PassesItsRateAndDropsTheRest) {
  LateGate gate(3);
  const auto t = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(gate.pass(t));
  EXPECT_TRUE(gate.pass(t));
  EXPECT_TRUE(gate.pass(t));
  EXPECT_FALSE(gate.pass(t));
  EXPECT_TRUE(gate.pass(t + std::chrono::milliseconds(400))) << "a token back after 1/3 s";
  EXPECT_FALSE(gate.pass(t + std::chrono::milliseconds(400)));
  EXPECT_FALSE(LateGate(0).pass(t)) << "0: every late request is dropped";
}

}  // namespace
}  // namespace ims::transport
