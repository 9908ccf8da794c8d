// A B2BUA leg checks the peer's CSeq order with the leg's Dialog (RFC 3261 §12.2.2): ImB2bua
// answers what Dialog::on_request refuses. These cases pin the behaviour it relies on: an older
// or repeated CSeq is 500, each direction counts on its own, the switch's own CSeq on the target
// leg starts where its INVITE did.

#include <gtest/gtest.h>

#include <string>

#include "common/dialog/dialog.hpp"
#include "common/sip/parser.hpp"

namespace ims::sw::im {
namespace {

sip::Message parse(const std::string& text) {
  auto m = sip::parse_datagram(text);
  EXPECT_TRUE(m.ok()) << text;
  return std::move(m).value();
}

const std::string kInvite =
    "INVITE sip:bob@192.0.2.9 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@192.0.2.9>;tag=at1\r\n"
    "To: <sip:bob@192.0.2.9>\r\n"
    "Call-ID: c1@192.0.2.1\r\n"
    "CSeq: 2 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.1:5060>\r\n"
    "Content-Length: 0\r\n\r\n";

std::string message(int cseq) {
  return "MESSAGE sip:imswitch@192.0.2.9 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKm" + std::to_string(cseq) + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:alice@192.0.2.9>;tag=at1\r\n"
         "To: <sip:bob@192.0.2.9>;tag=sw1\r\n"
         "Call-ID: c1@192.0.2.1\r\n"
         "CSeq: " + std::to_string(cseq) + " MESSAGE\r\n"
         "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
}

TEST(LegOrder, AnOlderOrRepeatedCSeqIsRefusedWith500) {
  auto leg = dialog::Dialog::from_uas(parse(kInvite), "sw1", "<sip:imswitch@192.0.2.9>");
  ASSERT_TRUE(leg.ok()) << leg.error().message;
  EXPECT_FALSE(leg->on_request(parse(message(3))));
  EXPECT_FALSE(leg->on_request(parse(message(5)))) << "gaps are fine";
  auto older = leg->on_request(parse(message(4)));
  ASSERT_TRUE(older);
  EXPECT_EQ(older->status, 500);
  auto same = leg->on_request(parse(message(5)));
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 500);
  EXPECT_FALSE(leg->on_request(parse(message(6))));
}

TEST(LegOrder, TheSwitchsOwnRequestsCountOnFromItsInvite) {
  auto leg = dialog::Dialog::from_uas(parse(kInvite), "sw1", "<sip:imswitch@192.0.2.9>");
  ASSERT_TRUE(leg.ok());
  auto first = leg->make_request(sip::Method::Message);
  auto second = leg->make_request(sip::Method::Bye);
  ASSERT_TRUE(first.cseq() && second.cseq());
  EXPECT_LT(first.cseq()->number, second.cseq()->number);
  EXPECT_EQ(first.to_tag(), "at1");
  EXPECT_EQ(first.from_tag(), "sw1");
  EXPECT_EQ(first.request_uri(), "sip:alice@192.0.2.1:5060");
  // The peer's order is its own: our requests do not move it.
  EXPECT_FALSE(leg->on_request(parse(message(3))));
}

}  // namespace
}  // namespace ims::sw::im
