// Two transports joined to one Cores, each on its own thread, as imswitch runs with
// --threads 2: whichever socket the kernel picks, a message reaches the core that owns its
// Call-ID, and responses and sends over another core's TCP connection leave over it.

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "common/sip/builders.hpp"
#include "common/transport/cores.hpp"
#include "common/transport/transport_layer.hpp"
#include "tests/unit/common/transport/io_thread.hpp"
#include "tests/unit/common/transport/loopback_peer.hpp"
#include "tests/unit/common/transport/recording_sink.hpp"

namespace ims::transport {
namespace {

using test::make_request;

using Sink = test::RecordingSink;

class TwoCoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.reuse_port = true;
    for (std::size_t k = 0; k < 2; ++k) {
      layers_[k] = std::make_unique<TransportLayer>(io_[k].strand(), o, sinks_[k]);
      layers_[k]->join(cores_, k);
      cores_.attach(k, io_[k].strand(), *layers_[k]);
    }
    const Endpoint any = Endpoint::make(*parse_ip("127.0.0.1"), 0);
    auto udp = layers_[0]->listen(Protocol::Udp, any);
    auto tcp = layers_[0]->listen(Protocol::Tcp, any);
    ASSERT_TRUE(udp.ok() && tcp.ok());
    ASSERT_TRUE(layers_[1]->listen(Protocol::Udp, udp->local).ok());
    ASSERT_TRUE(layers_[1]->listen(Protocol::Tcp, tcp->local).ok());
    udp_port_ = udp->local.port;
    tcp_port_ = tcp->local.port;
    for (auto& io : io_) io.start();
  }
  void TearDown() override {
    for (std::size_t k = 0; k < 2; ++k) io_[k].on_strand([&] { layers_[k]->close(); });
    for (auto& io : io_) io.stop();
  }
  bool wait_messages(std::size_t core, std::size_t n) {
    return io_[core].wait_for([&] { return sinks_[core].messages.size() >= n; });
  }
  std::size_t closed_count(std::size_t core) {
    return io_[core].on_strand([&] { return sinks_[core].closed.size(); });
  }

  std::array<test::IoThread, 2> io_;
  std::array<Sink, 2> sinks_;
  Cores cores_{2};  // holds the strands: goes before the io_contexts
  std::array<std::unique_ptr<TransportLayer>, 2> layers_;
  std::uint16_t udp_port_ = 0;
  std::uint16_t tcp_port_ = 0;
};

TEST_F(TwoCoresTest, EachDatagramReachesTheCoreThatOwnsItsCallId) {
  // Several senders, so that the kernel spreads them over both sockets.
  std::vector<std::unique_ptr<test::UdpPeer>> peers;
  for (int p = 0; p < 6; ++p) {
    peers.push_back(std::make_unique<test::UdpPeer>());
    for (std::size_t core = 0; core < 2; ++core) {
      const std::string branch = "z9hG4bK" + std::to_string(p) + "x" + std::to_string(core);
      ASSERT_TRUE(peers.back()->send_to(
          udp_port_, make_request("OPTIONS", branch, 5999, "UDP", {}, cores_.new_call_id(core, "h"))));
    }
  }
  ASSERT_TRUE(wait_messages(0, 6));
  ASSERT_TRUE(wait_messages(1, 6));
  for (std::size_t core = 0; core < 2; ++core) {
    io_[core].on_strand([&] {
      EXPECT_EQ(sinks_[core].messages.size(), 6u);
      for (std::size_t i = 0; i < sinks_[core].messages.size(); ++i) {
        EXPECT_EQ(cores_.owner_of(sinks_[core].messages[i].call_id()), core);
        // The origin is this core's own socket of the listener, so answers leave from here.
        EXPECT_EQ(flow_core(sinks_[core].origins[i].flow), core);
        EXPECT_EQ(sinks_[core].origins[i].local.port, udp_port_);
      }
    });
  }
  // Each core answers from its own socket; every sender hears both answers.
  for (std::size_t core = 0; core < 2; ++core) {
    io_[core].on_strand([&] {
      for (std::size_t i = 0; i < sinks_[core].messages.size(); ++i)
        EXPECT_TRUE(layers_[core]
                        ->send_response(sip::make_response(sinks_[core].messages[i], 200, {}, "t"),
                                        sinks_[core].origins[i])
                        .ok());
    });
  }
  for (auto& peer : peers) {
    for (int n = 0; n < 2; ++n) {
      auto got = peer->receive();
      ASSERT_TRUE(got);
      EXPECT_EQ(got->rfind("SIP/2.0 200", 0), 0u);
    }
  }
}

TEST_F(TwoCoresTest, TcpMessagesAndAnswersCrossToTheOwningCoreAndBack) {
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.connected());
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKt0", 5999, "TCP", {},
                                     cores_.new_call_id(0, "h"))));
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKt1", 5999, "TCP", {},
                                     cores_.new_call_id(1, "h"))));
  ASSERT_TRUE(wait_messages(0, 1));
  ASSERT_TRUE(wait_messages(1, 1));
  std::array<Origin, 2> origin;
  for (std::size_t core = 0; core < 2; ++core)
    origin[core] = io_[core].on_strand([&] { return sinks_[core].origins.at(0); });
  // One connection, held by one core: both messages name the same flow.
  EXPECT_EQ(origin[0].flow, origin[1].flow);
  const std::size_t holder = flow_core(origin[0].flow);

  // Both cores answer over that connection, one of them through the other.
  for (std::size_t core = 0; core < 2; ++core) {
    io_[core].on_strand([&] {
      EXPECT_TRUE(layers_[core]
                      ->send_response(sip::make_response(sinks_[core].messages[0], 200, {}, "t"),
                                      origin[core])
                      .ok());
    });
  }
  std::string in;
  EXPECT_TRUE(peer.read_until(in, "SIP/2.0 200", 2));

  // A request over that flow from the core that does not hold it leaves over it too.
  const std::size_t other = 1 - holder;
  const Endpoint to = origin[0].source;
  auto sent = io_[other].on_strand([&] {
    return layers_[other]->send(Protocol::Tcp, to,
                                make_request("MESSAGE", "z9hG4bKm", 6000, "TCP"), origin[0].flow);
  });
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, origin[0].flow);
  EXPECT_TRUE(peer.read_until(in, "MESSAGE sip:", 1));
}

TEST_F(TwoCoresTest, EveryCoreHearsThatAConnectionClosedAndOfSendsOverAGoneOne) {
  FlowId flow{};
  Endpoint source;
  {
    test::TcpPeer peer("127.0.0.1", tcp_port_);
    ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKc", 5999, "TCP", {},
                                       cores_.new_call_id(0, "h"))));
    ASSERT_TRUE(wait_messages(0, 1));
    io_[0].on_strand([&] {
      flow = sinks_[0].origins[0].flow;
      source = sinks_[0].origins[0].source;
    });
  }  // the peer closes
  for (std::size_t core = 0; core < 2; ++core) {
    EXPECT_TRUE(io_[core].wait_for([&] {
      for (FlowId f : sinks_[core].closed)
        if (f == flow) return true;
      return false;
    })) << "core " << core << " was not told";
  }
  // A send over the gone connection from the core that did not hold it: reported as closed,
  // so a transaction waiting on it fails at once instead of at its timer.
  const std::size_t other = 1 - flow_core(flow);
  const std::size_t before = closed_count(other);
  auto sent = io_[other].on_strand([&] {
    return layers_[other]->send(Protocol::Tcp, source,
                                make_request("MESSAGE", "z9hG4bKg", 6000, "TCP"), flow);
  });
  EXPECT_TRUE(sent.ok());
  EXPECT_TRUE(io_[other].wait_for([&] { return sinks_[other].closed.size() > before; }));
}

}  // namespace
}  // namespace ims::transport
