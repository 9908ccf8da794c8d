#include "common/transport/types.hpp"

#include <gtest/gtest.h>

namespace ims::transport {
namespace {

TEST(ParseIp, AcceptsIpv4AndBracketedOrBareIpv6) {
  EXPECT_TRUE(parse_ip("127.0.0.1"));
  EXPECT_TRUE(parse_ip("::1"));
  EXPECT_TRUE(parse_ip("[::1]"));
  EXPECT_FALSE(parse_ip("example.com"));
  EXPECT_FALSE(parse_ip("[127.0.0.1]"));
  EXPECT_FALSE(parse_ip("[::1"));
}

// Dotted quads take a fast path; it must agree with inet_pton on every edge.
TEST(ParseIp, ReadsDottedQuadsExactlyAsInetPtonDoes) {
  EXPECT_EQ(parse_ip("192.0.2.255")->to_string(), "192.0.2.255");
  EXPECT_EQ(parse_ip("0.0.0.0")->to_v4().to_uint(), 0u);
  EXPECT_EQ(parse_ip("255.255.255.255")->to_v4().to_uint(), 0xffffffffu);
  EXPECT_EQ(parse_ip("10.20.30.40")->to_v4().to_uint(), 0x0a141e28u);
  for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4", "1..2.3",
                          "1.2.3.", ".1.2.3", "01.2.3.4", "1.2.3.04", "1.2.3.1000", "1.2.3.-1",
                          "1.2.3.4:5060", "", "1.2.3.a"})
    EXPECT_FALSE(parse_ip(bad)) << bad;
}

TEST(Endpoint, StoresIpv4MappedAddressesAsIpv4) {
  auto e = Endpoint::make(*parse_ip("::ffff:192.0.2.1"), 5060);
  EXPECT_TRUE(e.address.is_v4());
  EXPECT_EQ(e, Endpoint::make(*parse_ip("192.0.2.1"), 5060));
  EXPECT_EQ(EndpointHash{}(e), EndpointHash{}(Endpoint::make(*parse_ip("192.0.2.1"), 5060)));
}

TEST(Endpoint, FormatsIpv6InBrackets) {
  EXPECT_EQ(to_string(Endpoint::make(*parse_ip("::1"), 5060)), "[::1]:5060");
  EXPECT_EQ(to_string(Endpoint::make(*parse_ip("10.1.2.3"), 0)), "10.1.2.3:0");
}

TEST(Protocol, ParsesViaTokensCaseInsensitively) {
  EXPECT_EQ(protocol_from_via("udp"), Protocol::Udp);
  EXPECT_EQ(protocol_from_via("TCP"), Protocol::Tcp);
  EXPECT_EQ(protocol_from_via("tls"), Protocol::Tls);
  EXPECT_EQ(protocol_from_via("WS"), Protocol::Ws);
  EXPECT_EQ(protocol_from_via("wss"), Protocol::Wss);
  EXPECT_FALSE(protocol_from_via("SCTP"));
  EXPECT_FALSE(protocol_from_via("WSX"));
  EXPECT_TRUE(is_reliable(Protocol::Tcp));
  EXPECT_TRUE(is_reliable(Protocol::Wss));
  EXPECT_FALSE(is_reliable(Protocol::Udp));
}

TEST(Protocol, NamesRoundTripAndTellTheirKind) {
  for (Protocol p : kAllProtocols) {
    EXPECT_EQ(protocol_from_name(protocol_name(p)), p);
    EXPECT_EQ(protocol_from_via(via_token(p)), p);
  }
  EXPECT_TRUE(is_secure(Protocol::Tls));
  EXPECT_TRUE(is_secure(Protocol::Wss));
  EXPECT_FALSE(is_secure(Protocol::Ws));
  EXPECT_TRUE(is_websocket(Protocol::Ws));
  EXPECT_FALSE(is_websocket(Protocol::Tls));
  EXPECT_EQ(default_port(Protocol::Tls), 5061);
  EXPECT_EQ(default_port(Protocol::Tcp), 5060);
}

}  // namespace
}  // namespace ims::transport
