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

}  // namespace
}  // namespace ims::sw::proxy
