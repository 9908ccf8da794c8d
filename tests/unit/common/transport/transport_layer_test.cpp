#include "common/transport/transport_layer.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <vector>

#include "common/sip/builders.hpp"
#include "tests/unit/common/transport/io_thread.hpp"
#include "tests/unit/common/transport/loopback_peer.hpp"
#include "tests/unit/common/transport/recording_sink.hpp"

namespace ims::transport {
namespace {

using test::make_request;

using test::RecordingSink;

class TransportLayerTest : public ::testing::Test {
 protected:
  void start(Options options = {}) {
    layer_ = std::make_unique<TransportLayer>(io_.strand(), options, sink_);
    auto udp = layer_->listen(Protocol::Udp, Endpoint::make(*parse_ip("127.0.0.1"), 0));
    auto tcp = layer_->listen(Protocol::Tcp, Endpoint::make(*parse_ip("127.0.0.1"), 0));
    ASSERT_TRUE(udp.ok() && tcp.ok());
    udp_port_ = udp->local.port;
    tcp_port_ = tcp->local.port;
    io_.start();
  }
  void TearDown() override {
    if (layer_) io_.on_strand([&] { layer_->close(); });
    io_.stop();
  }
  std::size_t message_count() { return io_.on_strand([&] { return sink_.messages.size(); }); }
  Counters counters() { return io_.on_strand([&] { return layer_->counters(); }); }
  bool wait_messages(std::size_t n) {
    return io_.wait_for([&] { return sink_.messages.size() >= n; });
  }

  test::IoThread io_;
  RecordingSink sink_;
  std::unique_ptr<TransportLayer> layer_;
  std::uint16_t udp_port_ = 0;
  std::uint16_t tcp_port_ = 0;
};

TEST_F(TransportLayerTest, ReportsTheRealPortsOfPortZeroListeners) {
  start();
  EXPECT_NE(udp_port_, 0);
  EXPECT_NE(tcp_port_, 0);
  auto listeners = io_.on_strand([&] { return layer_->listeners(); });
  ASSERT_EQ(listeners.size(), 2u);
  EXPECT_EQ(listeners[0].local.port, udp_port_);
}

TEST_F(TransportLayerTest, StampsReceivedAndRportOnUdpRequests) {
  start();
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("OPTIONS", "z9hG4bKa", 5999)));
  ASSERT_TRUE(wait_messages(1));
  auto via = io_.on_strand([&] { return std::string(sink_.messages[0].get(sip::HeaderId::Via)); });
  EXPECT_EQ(via, "SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKa;rport=" + std::to_string(peer.port()) +
                     ";received=127.0.0.1");
}

TEST_F(TransportLayerTest, DropsAndCountsGarbageDatagrams) {
  start();
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, "this is not SIP"));
  ASSERT_TRUE(peer.send_to(udp_port_, "\r\n\r\n"));  // a keep-alive, not garbage
  ASSERT_TRUE(io_.wait_for([&] { return layer_->counters().datagrams_received == 2; }));
  EXPECT_EQ(counters().garbage_dropped, 1u);
  EXPECT_EQ(counters().keepalives_received, 1u);
  EXPECT_EQ(message_count(), 0u);
}

// Datagrams that pile up while the layer is busy are read in batches: every one arrives once,
// in the order each peer sent them, attributed to the peer that sent it (the batch reader keeps
// one source address per datagram). 3 x 70 datagrams span several batches and wake-ups.
TEST_F(TransportLayerTest, UdpDatagramsQueuedWhileBusyAllArriveWithTheirOwnSource) {
  start();
  constexpr int kPeers = 3;
  constexpr int kEach = 70;
  std::vector<std::unique_ptr<test::UdpPeer>> peers;
  for (int p = 0; p < kPeers; ++p) peers.push_back(std::make_unique<test::UdpPeer>());
  // Sent from inside the strand, so nothing is read until all are queued in the kernel.
  const bool queued = io_.on_strand([&] {
    for (int i = 0; i < kEach; ++i) {
      for (int p = 0; p < kPeers; ++p) {
        const std::string branch = "z9hG4bKp" + std::to_string(p) + "n" + std::to_string(i);
        if (!peers[p]->send_to(udp_port_, make_request("OPTIONS", branch, 5999))) return false;
      }
    }
    return true;
  });
  ASSERT_TRUE(queued);
  ASSERT_TRUE(wait_messages(kPeers * kEach)) << message_count() << " of " << kPeers * kEach;
  io_.on_strand([&] {
    ASSERT_EQ(sink_.messages.size(), static_cast<std::size_t>(kPeers * kEach));
    std::vector<int> next(kPeers, 0);
    for (std::size_t k = 0; k < sink_.messages.size(); ++k) {
      const std::string branch(sink_.messages[k].branch());
      int p = -1;
      for (int q = 0; q < kPeers; ++q)
        if (sink_.origins[k].source.port == peers[q]->port()) p = q;
      ASSERT_GE(p, 0) << "datagram " << k << " from an unknown port";
      EXPECT_EQ(branch, "z9hG4bKp" + std::to_string(p) + "n" + std::to_string(next[p]));
      ++next[p];
    }
  });
  EXPECT_EQ(counters().datagrams_received, static_cast<std::uint64_t>(kPeers * kEach));
}

TEST_F(TransportLayerTest, SendsUdpResponsesToTheRportFromTheSameSocket) {
  start();
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("OPTIONS", "z9hG4bKb", 5999)));
  ASSERT_TRUE(wait_messages(1));
  auto sent = io_.on_strand([&] {
    return layer_->send_response(sip::make_response(sink_.messages[0], 200, {}, "t1"),
                                 sink_.origins[0]).ok();
  });
  ASSERT_TRUE(sent);
  auto got = peer.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rfind("SIP/2.0 200", 0), 0u);
}

// A datagram whose Via names another transport (a client that says TCP, TLS or WSS but sends
// over UDP) is answered over UDP to the datagram's source, not over a new connection to the Via.
TEST_F(TransportLayerTest, AnswersADatagramOverUdpWhateverItsViaSays) {
  start();
  for (const char* transport : {"TCP", "TLS", "WSS"}) {
    test::UdpPeer peer;
    io_.on_strand([&] {
      sink_.messages.clear();
      sink_.origins.clear();
      return 0;
    });
    ASSERT_TRUE(peer.send_to(udp_port_, make_request("OPTIONS", "z9hG4bKv", 5998, transport)));
    ASSERT_TRUE(wait_messages(1));
    auto sent = io_.on_strand([&] {
      return layer_->send_response(sip::make_response(sink_.messages[0], 200, {}, "t1"),
                                   sink_.origins[0]).ok();
    });
    EXPECT_TRUE(sent) << transport;
    auto got = peer.receive();
    ASSERT_TRUE(got) << transport << ": no answer at the datagram's source";
    EXPECT_EQ(got->rfind("SIP/2.0 200", 0), 0u);
  }
  EXPECT_EQ(counters().connections_opened, 0u);
}

// A datagram leaves in the call that sends it (no completion to wait for), and a burst keeps
// its order.
TEST_F(TransportLayerTest, UdpDatagramsLeaveAtOnceAndInOrder) {
  start();
  test::UdpPeer peer;
  const Endpoint to = Endpoint::make(boost::asio::ip::make_address("127.0.0.1"), peer.port());
  constexpr int kBurst = 50;
  auto sent_before_returning = io_.on_strand([&] {
    for (int i = 0; i < kBurst; ++i)
      if (!layer_->send(Protocol::Udp, to, "datagram " + std::to_string(i)).ok()) return -1;
    return static_cast<int>(layer_->counters().messages_sent);
  });
  EXPECT_EQ(sent_before_returning, kBurst);
  for (int i = 0; i < kBurst; ++i) {
    auto got = peer.receive();
    ASSERT_TRUE(got) << "datagram " << i << " missing";
    EXPECT_EQ(*got, "datagram " + std::to_string(i));
  }
  EXPECT_EQ(counters().write_queue_overflows, 0u);
}

TEST_F(TransportLayerTest, SendsTcpResponsesOverTheRequestsConnection) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKc", 5999, "TCP")));
  ASSERT_TRUE(wait_messages(1));
  io_.on_strand([&] {
    EXPECT_EQ(sink_.origins[0].protocol, Protocol::Tcp);
    EXPECT_EQ(sink_.origins[0].source.port, peer.port());
    EXPECT_TRUE(layer_->send_response(sip::make_response(sink_.messages[0], 200, {}, "t"),
                                      sink_.origins[0]).ok());
  });
  std::string in;
  EXPECT_TRUE(peer.read_until(in, "\r\n\r\n"));
  EXPECT_EQ(in.rfind("SIP/2.0 200", 0), 0u);
}

TEST_F(TransportLayerTest, ReusesAPeersInboundFlowForRequestsToIt) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("REGISTER", "z9hG4bKd", 5999, "TCP")));
  ASSERT_TRUE(wait_messages(1));
  auto [flow, used] = io_.on_strand([&] {
    auto r = layer_->send(Protocol::Tcp, sink_.origins[0].source,
                          make_request("OPTIONS", "z9hG4bKout", 1, "TCP"));
    return std::pair{sink_.origins[0].flow, r.ok() ? *r : FlowId{}};
  });
  EXPECT_EQ(used, flow);
  std::string in;
  EXPECT_TRUE(peer.read_until(in, "\r\n\r\n"));
  EXPECT_EQ(in.rfind("OPTIONS sip:", 0), 0u);
  EXPECT_EQ(counters().connections_opened, 0u);
}

TEST_F(TransportLayerTest, OpensOneOutboundConnectionAndReusesIt) {
  start();
  test::TcpServerPeer server;
  Endpoint to = Endpoint::make(*parse_ip("127.0.0.1"), server.port());
  auto first = io_.on_strand([&] {
    auto r = layer_->send(Protocol::Tcp, to, make_request("OPTIONS", "z9hG4bK1", 1, "TCP"));
    return r.ok() ? *r : FlowId{};
  });
  auto accepted = server.accept();
  ASSERT_TRUE(accepted);
  auto second = io_.on_strand([&] {
    auto r = layer_->send(Protocol::Tcp, to, make_request("OPTIONS", "z9hG4bK2", 1, "TCP"));
    return r.ok() ? *r : FlowId{};
  });
  EXPECT_EQ(first, second);
  std::string in;
  EXPECT_TRUE(accepted->read_until(in, "Content-Length: 0\r\n\r\n", 2));
  EXPECT_EQ(counters().connections_opened, 1u);
}

TEST_F(TransportLayerTest, AnswersACrlfPingWithASingleCrlf) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send("\r\n\r\n"));
  std::string in;
  ASSERT_TRUE(peer.read_at_least(in, 2));
  EXPECT_EQ(in, "\r\n");
  EXPECT_EQ(counters().keepalives_received, 1u);
}

TEST_F(TransportLayerTest, ClosesIdleConnectionsAndReportsTheFlow) {
  Options o;
  o.tcp_idle_timeout = std::chrono::seconds(1);
  start(o);
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.connected());
  EXPECT_TRUE(peer.wait_closed(std::chrono::milliseconds(4000)));
  EXPECT_TRUE(io_.wait_for([&] { return sink_.closed.size() == 1; }));
  EXPECT_EQ(counters().idle_timeouts, 1u);
}

// A connection held open (a device registered over it) outlives the idle timeout; one opened
// later and not held is closed first.
TEST_F(TransportLayerTest, AConnectionHeldOpenOutlivesTheIdleTimeout) {
  Options o;
  o.tcp_idle_timeout = std::chrono::seconds(1);
  start(o);
  test::TcpPeer held("127.0.0.1", tcp_port_);
  ASSERT_TRUE(held.send(make_request("OPTIONS", "z9hG4bKh1", 5999, "TCP")));
  ASSERT_TRUE(wait_messages(1));
  const FlowId flow = io_.on_strand([&] { return sink_.origins[0].flow; });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  io_.on_strand([&] { layer_->hold_open(flow, until); });

  test::TcpPeer other("127.0.0.1", tcp_port_);
  ASSERT_TRUE(other.connected());
  EXPECT_TRUE(other.wait_closed(std::chrono::milliseconds(4000)));
  EXPECT_EQ(counters().idle_timeouts, 1u);
  EXPECT_TRUE(io_.on_strand([&] { return layer_->flow_open(flow); }));
  EXPECT_TRUE(held.send(make_request("OPTIONS", "z9hG4bKh2", 5999, "TCP")));
  EXPECT_TRUE(wait_messages(2)) << "the held connection still carries requests";
}

TEST_F(TransportLayerTest, RefusesConnectionsOverThePerAddressLimit) {
  Options o;
  o.max_connections_per_address = 1;
  start(o);
  test::TcpPeer first("127.0.0.1", tcp_port_);
  ASSERT_TRUE(first.send("\r\n\r\n"));  // the first is served
  std::string pong;
  ASSERT_TRUE(first.read_at_least(pong, 2));
  test::TcpPeer second("127.0.0.1", tcp_port_);
  EXPECT_TRUE(second.wait_closed());
  EXPECT_EQ(counters().connections_refused, 1u);
  EXPECT_EQ(io_.on_strand([&] { return layer_->connection_count(); }), 1u);
}

TEST_F(TransportLayerTest, ClosesAConnectionWhoseWriteQueueOverflows) {
  Options o;
  o.max_write_queue_bytes = 4096;
  start(o);
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKe", 5999, "TCP")));
  ASSERT_TRUE(wait_messages(1));
  auto ok = io_.on_strand([&] {
    return layer_->send(Protocol::Tcp, sink_.origins[0].source, std::string(5000, 'x')).ok();
  });
  EXPECT_FALSE(ok);
  EXPECT_TRUE(peer.wait_closed());
  EXPECT_EQ(counters().write_queue_overflows, 1u);
}

// A peer that sends faster than it reads the answers is slowed down, not cut off: past half the
// write bound the connection stops reading its requests, and once the peer reads, every request
// is answered on the same connection. The answers (9.6 MiB) outgrow what the kernel buffers of
// both ends hold.
TEST_F(TransportLayerTest, APeerThatReadsSlowlyIsPausedNotDisconnected) {
  Options o;
  o.max_write_queue_bytes = 256 * 1024;
  constexpr std::size_t kAnswer = 32 * 1024;
  constexpr std::size_t kRequests = 300;
  sink_.on_each = [&](const sip::Message&, const Origin& from) {
    (void)layer_->send(Protocol::Tcp, from.source, std::string(kAnswer, 'x'));
  };
  start(o);
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  std::string burst;
  for (std::size_t i = 0; i < kRequests; ++i)
    burst += make_request("OPTIONS", "z9hG4bKslow" + std::to_string(i), 5999, "TCP");
  ASSERT_TRUE(peer.send(burst));
  ASSERT_TRUE(io_.wait_for([&] { return layer_->counters().reads_paused > 0; }));
  EXPECT_LT(message_count(), kRequests);  // the rest wait in the socket
  std::string answers;
  EXPECT_TRUE(peer.read_at_least(answers, kRequests * kAnswer));
  EXPECT_EQ(answers.size(), kRequests * kAnswer);
  EXPECT_EQ(message_count(), kRequests);
  EXPECT_EQ(counters().write_queue_overflows, 0u);
  EXPECT_EQ(counters().connections_closed, 0u);
}

TEST_F(TransportLayerTest, ClosesAStreamThatIsNotSip) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send("HELLO THERE\r\n\r\n"));
  EXPECT_TRUE(peer.wait_closed());
  EXPECT_EQ(counters().stream_errors, 1u);
  EXPECT_EQ(message_count(), 0u);
}

TEST_F(TransportLayerTest, ListensOnIpv6Loopback) {
  layer_ = std::make_unique<TransportLayer>(io_.strand(), Options{}, sink_);
  auto udp = layer_->listen(Protocol::Udp, Endpoint::make(*parse_ip("::1"), 0));
  if (!udp.ok()) GTEST_SKIP() << "no IPv6 loopback: " << udp.error().message;
  io_.start();
  test::UdpPeer peer("::1");
  ASSERT_TRUE(peer.send_to(udp->local.port, make_request("OPTIONS", "z9hG4bKf", 5999)));
  ASSERT_TRUE(wait_messages(1));
  io_.on_strand([&] {
    EXPECT_TRUE(sink_.origins[0].source.address.is_v6());
    EXPECT_TRUE(layer_->send_response(sip::make_response(sink_.messages[0], 200, {}, "t"),
                                      sink_.origins[0]).ok());
  });
  auto got = peer.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->rfind("SIP/2.0 200", 0), 0u);
}

}  // namespace
}  // namespace ims::transport
