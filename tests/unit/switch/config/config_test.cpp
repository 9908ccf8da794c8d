#include "switch/config/config.hpp"

#include <gtest/gtest.h>

namespace ims::sw::config {
namespace {

TEST(ListenSpec, ParsesIpv4AndBracketedIpv6) {
  auto a = parse_listen_spec("udp:127.0.0.1:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->protocol, transport::Protocol::Udp);
  EXPECT_EQ(a->endpoint.port, 0);
  auto b = parse_listen_spec("tcp:[::1]:5070");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->protocol, transport::Protocol::Tcp);
  EXPECT_TRUE(b->endpoint.address.is_v6());
  EXPECT_EQ(b->endpoint.port, 5070);
}

TEST(ListenSpec, RejectsMalformedSpecs) {
  for (const char* bad : {"udp", "udp:127.0.0.1", "sctp:127.0.0.1:5060", "udp:localhost:5060",
                          "udp:::1:5060", "tcp:[::1]:65536", "tcp:127.0.0.1:-1", "udp:[::1]:"}) {
    EXPECT_FALSE(parse_listen_spec(bad)) << bad;
  }
}

TEST(LogLevel, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(parse_log_level("DEBUG"), LogLevel::Debug);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::Warn);
  EXPECT_FALSE(parse_log_level("verbose"));
  EXPECT_EQ(log_level_name(LogLevel::Off), "off");
}

TEST(DefaultListeners, CoverUdpAndTcpOnBothFamiliesAtPort5060) {
  auto l = default_listeners();
  ASSERT_EQ(l.size(), 4u);
  int v6 = 0, tcp = 0;
  for (const auto& x : l) {
    EXPECT_EQ(x.endpoint.port, 5060);
    v6 += x.endpoint.address.is_v6();
    tcp += x.protocol == transport::Protocol::Tcp;
  }
  EXPECT_EQ(v6, 2);
  EXPECT_EQ(tcp, 2);
}

}  // namespace
}  // namespace ims::sw::config
