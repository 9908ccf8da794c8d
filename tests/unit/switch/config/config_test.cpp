#include "switch/config/config.hpp"

#include <map>
#include <set>

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

TEST(DefaultListeners, CoverEveryTransportOnBothFamiliesAtItsUsualPort) {
  auto l = default_listeners();
  ASSERT_EQ(l.size(), 10u);
  int v6 = 0;
  std::map<transport::Protocol, std::set<std::uint16_t>> ports;
  for (const auto& x : l) {
    v6 += x.endpoint.address.is_v6();
    ports[x.protocol].insert(x.endpoint.port);
  }
  EXPECT_EQ(v6, 5);
  using P = transport::Protocol;
  EXPECT_EQ(ports[P::Udp], std::set<std::uint16_t>{5060});
  EXPECT_EQ(ports[P::Tcp], std::set<std::uint16_t>{5060});
  EXPECT_EQ(ports[P::Tls], std::set<std::uint16_t>{5061});
  EXPECT_EQ(ports[P::Ws], std::set<std::uint16_t>{5066});
  EXPECT_EQ(ports[P::Wss], std::set<std::uint16_t>{7443});
}

TEST(ListenSpec, TakesEveryTransport) {
  EXPECT_EQ(parse_listen_spec("wss:127.0.0.1:0")->protocol, transport::Protocol::Wss);
  EXPECT_EQ(parse_listen_spec("tls:[::1]:5061")->protocol, transport::Protocol::Tls);
  EXPECT_EQ(parse_listen_spec("ws:0.0.0.0:5066")->endpoint.port, 5066);
  EXPECT_FALSE(parse_listen_spec("sctp:127.0.0.1:5060"));
}

}  // namespace
}  // namespace ims::sw::config
