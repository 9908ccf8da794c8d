// route_of(): a session INVITE goes to a device the way its REGISTER came.

#include "switch/proxy/route.hpp"

#include <gtest/gtest.h>

namespace ims::sw::proxy {
namespace {

store::Binding binding(std::string contact, std::string transport, std::string source,
                       std::uint16_t port, std::uint64_t flow = 0) {
  store::Binding b;
  b.aor = "bob";
  b.contact = std::move(contact);
  b.transport = std::move(transport);
  b.source_address = std::move(source);
  b.source_port = port;
  b.flow_id = flow;
  b.session_capable = true;
  return b;
}

TEST(Route, AnOpenTcpFlowIsReused) {
  auto r = route_of(binding("sip:bob@10.0.0.7:5070;transport=tcp", "tcp", "192.0.2.4", 40123, 9));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->protocol, transport::Protocol::Tcp);
  EXPECT_EQ(r->endpoint.port, 40123);
  ASSERT_TRUE(r->flow);
}

TEST(Route, TheContactWhenItNamesTheSourceAddress) {
  auto r = route_of(binding("sip:bob@127.0.0.1:5071", "udp", "127.0.0.1", 5070));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->protocol, transport::Protocol::Udp);
  EXPECT_EQ(r->endpoint.port, 5071);
  EXPECT_FALSE(r->flow);
}

TEST(Route, TheSourceAddressBehindNat) {
  auto r = route_of(binding("sip:bob@10.0.0.7:5060", "udp", "192.0.2.4", 61000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->endpoint.port, 61000);
  EXPECT_EQ(r->endpoint.address.to_string(), "192.0.2.4");
}

TEST(Route, ATransportTheSwitchDoesNotSpeakHasNoRoute) {
  EXPECT_FALSE(route_of(binding("sip:bob@192.0.2.4;transport=sctp", "udp", "192.0.2.4", 5060)));
  EXPECT_FALSE(route_of(binding("sip:bob@192.0.2.4", "udp", "not-an-ip", 5060)));
}

TEST(Route, WebSocketAndTlsClientsAreReachedOverTheirConnectionOnly) {
  auto open = route_of(binding("sip:bob@x7.invalid;transport=ws", "ws", "127.0.0.1", 40123, 9));
  ASSERT_TRUE(open);
  EXPECT_EQ(open->protocol, transport::Protocol::Ws);
  EXPECT_TRUE(open->flow);
  EXPECT_FALSE(route_of(binding("sip:bob@x7.invalid;transport=ws", "ws", "127.0.0.1", 40123)));
  EXPECT_FALSE(route_of(binding("sip:bob@x7.invalid;transport=wss", "wss", "127.0.0.1", 40123)));
  auto tls = route_of(binding("sip:bob@127.0.0.1;transport=tls", "tls", "127.0.0.1", 40123));
  ASSERT_TRUE(tls);  // a TLS device listening on its Contact can be connected to
  EXPECT_EQ(tls->protocol, transport::Protocol::Tls);
  EXPECT_EQ(tls->endpoint.port, 5061);
}

TEST(Route, ASipsContactIsReachedOverTls) {
  auto r = route_of(binding("sips:bob@127.0.0.1:5071", "udp", "127.0.0.1", 5070));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->protocol, transport::Protocol::Tls);
}

TEST(Route, ASipsRequestGoesOnlyToDevicesReachedSecurely) {
  EXPECT_TRUE(asks_for_tls("sips:bob@example.com"));
  EXPECT_FALSE(asks_for_tls("sip:bob@example.com"));
  const std::vector<store::Binding> all = {
      binding("sip:bob@192.0.2.4", "udp", "192.0.2.4", 5060),
      binding("sip:bob@x.invalid;transport=wss", "wss", "127.0.0.1", 40001, 7),
      binding("sip:bob@x.invalid;transport=ws", "ws", "127.0.0.1", 40002, 8),
      binding("sip:bob@y.invalid;transport=tls", "tls", "127.0.0.1", 40003, 9)};
  const auto secure = secure_only(all);
  ASSERT_EQ(secure.size(), 2u);
  EXPECT_EQ(secure[0].transport, "wss");
  EXPECT_EQ(secure[1].transport, "tls");
}

}  // namespace
}  // namespace ims::sw::proxy
