#include "common/transport/via_routing.hpp"

#include <gtest/gtest.h>

#include "common/sip/parser.hpp"

namespace ims::transport {
namespace {

Endpoint ep(const char* ip, std::uint16_t port) { return Endpoint::make(*parse_ip(ip), port); }

sip::Via via(std::string_view text) {
  auto v = sip::parse_via(text);
  EXPECT_TRUE(v.ok()) << text;
  return *v;
}

TEST(StampedVia, UnchangedWhenSentByIsTheSourceAddress) {
  EXPECT_FALSE(stamped_via_value("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1",
                                 ep("192.0.2.1", 5060)));
}

TEST(StampedVia, AddsReceivedWhenAddressDiffers) {
  auto v = stamped_via_value("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1", ep("198.51.100.7", 5060));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=198.51.100.7");
}

TEST(StampedVia, AddsReceivedForDomainNames) {
  // §18.2.1: a host name in sent-by always gets a received parameter.
  auto v = stamped_via_value("SIP/2.0/TCP client.example.com;branch=z9hG4bK2", ep("192.0.2.9", 40000));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "SIP/2.0/TCP client.example.com;branch=z9hG4bK2;received=192.0.2.9");
}

TEST(StampedVia, FillsEmptyRportAndAddsReceivedEvenWhenEqual) {
  // RFC 3581 §4: rport gets the source port; received is added even if identical to sent-by.
  auto v = stamped_via_value("SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK3", ep("192.0.2.1", 61000));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "SIP/2.0/UDP 192.0.2.1:5060;rport=61000;branch=z9hG4bK3;received=192.0.2.1");
}

TEST(StampedVia, KeepsAnRportThatAlreadyHasAValue) {
  auto v = stamped_via_value("SIP/2.0/UDP 10.0.0.1:5060;rport=1234;branch=z9hG4bK4", ep("192.0.2.1", 9));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "SIP/2.0/UDP 10.0.0.1:5060;rport=1234;branch=z9hG4bK4;received=192.0.2.1");
}

TEST(StampedVia, ReplacesAReceivedSentByTheClient) {
  auto v = stamped_via_value("SIP/2.0/UDP 10.0.0.1;received=6.6.6.6;branch=z9hG4bK5", ep("192.0.2.1", 9));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK5;received=192.0.2.1");
}

TEST(StampedVia, WritesIpv6ReceivedWithoutBrackets) {
  // RFC 5118 §4.5: received carries the bare IPv6 address.
  auto v = stamped_via_value("SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK6;rport",
                             ep("2001:db8::10", 5070));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, "SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK6;rport=5070;received=2001:db8::10");
}

TEST(StampedVia, TreatsEquivalentIpv6SpellingsAsTheSameAddress) {
  EXPECT_FALSE(stamped_via_value("SIP/2.0/UDP [0:0:0:0:0:0:0:1]:5060;branch=z9hG4bK7", ep("::1", 1)));
}

TEST(StampTopVia, RewritesOnlyTheTopViaAndKeepsViaOrder) {
  auto parsed = sip::parse_datagram(
      "OPTIONS sip:x@192.0.2.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop;rport, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKsecond\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@192.0.2.1>\r\nCall-ID: c\r\n"
      "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(parsed.ok());
  sip::Message m = std::move(*parsed);
  ASSERT_TRUE(stamp_top_via(m, ep("203.0.113.5", 40001)));
  auto vias = m.values(sip::HeaderId::Via);
  ASSERT_EQ(vias.size(), 2u);
  EXPECT_EQ(vias[0], "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop;rport=40001;received=203.0.113.5");
  EXPECT_EQ(vias[1], "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKsecond");
  EXPECT_EQ(m.branch(), "z9hG4bKtop");
}

TEST(ResponseTarget, UdpUsesReceivedAndRport) {
  auto t = response_target(via("SIP/2.0/UDP 10.0.0.1:5060;rport=40001;received=203.0.113.5;branch=z9hG4bK1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->protocol, Protocol::Udp);
  EXPECT_EQ(t->host, "203.0.113.5");
  EXPECT_EQ(t->port, 40001);
}

TEST(ResponseTarget, UdpUsesReceivedWithSentByPortWithoutRport) {
  auto t = response_target(via("SIP/2.0/UDP 10.0.0.1:5070;received=203.0.113.5;branch=z9hG4bK1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "203.0.113.5");
  EXPECT_EQ(t->port, 5070);
}

TEST(ResponseTarget, UdpFallsBackToSentByAndDefaultPort) {
  auto t = response_target(via("SIP/2.0/UDP client.example.com;branch=z9hG4bK1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "client.example.com");
  EXPECT_EQ(t->port, kDefaultSipPort);
}

TEST(ResponseTarget, TcpIgnoresRportAndUsesSentByPort) {
  // §18.2.2: a new connection goes to received with sent-by's port; rport is for UDP (RFC 3581).
  auto t = response_target(via("SIP/2.0/TCP 10.0.0.1:5080;rport=40001;received=203.0.113.5;branch=z9hG4bK1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->protocol, Protocol::Tcp);
  EXPECT_EQ(t->host, "203.0.113.5");
  EXPECT_EQ(t->port, 5080);
}

TEST(ResponseTarget, Ipv6ReceivedBecomesABracketedHost) {
  auto t = response_target(via("SIP/2.0/UDP [2001:db8::9];rport=5070;received=2001:db8::10;branch=z9hG4bK1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "[2001:db8::10]");
  EXPECT_EQ(t->port, 5070);
}

TEST(ResponseTarget, IgnoresMaddr) {
  auto t = response_target(via("SIP/2.0/UDP 10.0.0.1;maddr=239.255.255.1;received=192.0.2.4;branch=z9hG4bK1"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "192.0.2.4");
}

TEST(ResponseTarget, RejectsTransportsWeDoNotSpeak) {
  EXPECT_FALSE(response_target(via("SIP/2.0/SCTP 10.0.0.1;branch=z9hG4bK1")).ok());
}

}  // namespace
}  // namespace ims::transport
