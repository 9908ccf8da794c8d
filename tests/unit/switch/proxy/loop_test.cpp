// RFC 3261 §16.3 step 4: telling a loop from a spiral.
#include "switch/proxy/loop.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/sip/parser.hpp"

namespace ims::sw::proxy {
namespace {

sip::Message message_to(const std::string& ruri, const std::string& extra_vias = "") {
  const std::string text = "MESSAGE " + ruri + " SIP/2.0\r\n" + extra_vias +
                           "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKclient1\r\n"
                           "Max-Forwards: 69\r\n"
                           "From: <sip:alice@example.com>;tag=a1\r\n"
                           "To: <sip:bob@example.com>\r\n"
                           "Call-ID: loop-1\r\n"
                           "CSeq: 7 MESSAGE\r\n"
                           "Content-Length: 0\r\n\r\n";
  auto m = sip::parse_datagram(text);
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : sip::Message{};
}

TEST(LoopHash, IsStableAndDependsOnTheIdentifyingFields) {
  const auto a = message_to("sip:bob@example.com");
  EXPECT_EQ(loop_hash(a), loop_hash(message_to("sip:bob@example.com")));
  EXPECT_EQ(loop_hash(a).size(), 16u);
  EXPECT_NE(loop_hash(a), loop_hash(message_to("sip:bob@10.0.0.7:5062")));
}

TEST(LoopDetection, ARequestCarryingOurViaForItselfHasLooped) {
  const auto received = message_to("sip:bob@127.0.0.1:5060");
  const std::string ours = "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" +
                           forward_branch(received, "u1") + "\r\n";
  EXPECT_TRUE(has_looped(message_to("sip:bob@127.0.0.1:5060", ours)));
}

TEST(LoopDetection, ASpiralWithANewRequestUriIsNotALoop) {
  const auto received = message_to("sip:bob@example.com");
  const std::string ours = "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" +
                           forward_branch(received, "u1") + "\r\n";
  EXPECT_FALSE(has_looped(message_to("sip:bob@10.0.0.7:5062", ours)));
}

TEST(LoopDetection, OtherElementsViasAreIgnored) {
  EXPECT_FALSE(has_looped(message_to("sip:bob@example.com")));
  EXPECT_FALSE(has_looped(message_to(
      "sip:bob@example.com", "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKims-no-hash-here\r\n")));
}

}  // namespace
}  // namespace ims::sw::proxy
