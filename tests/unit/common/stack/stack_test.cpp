#include "common/stack/stack.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/sip/builders.hpp"
#include "common/sip/parser.hpp"
#include "tests/unit/common/transport/io_thread.hpp"
#include "tests/unit/common/transport/loopback_peer.hpp"

namespace ims::stack {
namespace {

using test::make_request;
using transport::Endpoint;
using transport::Protocol;

// A TU that answers every new request with 200 and records what reached it.
class AnsweringTu final : public TransactionUser {
 public:
  void on_request(const txn::Key& server, sip::Message request,
                  const transport::Origin& origin) override {
    methods.emplace_back(request.method_text());
    request_flows.push_back(origin.flow);
    if (stack) {
      auto r = stack->respond(server, sip::make_response(request, 200, {}, "tu-tag"));
      EXPECT_TRUE(r.ok());
    }
  }
  void on_ack(sip::Message /*ack*/, const transport::Origin& /*origin*/) override { ++acks; }
  void on_stray_response(sip::Message /*r*/, const transport::Origin& /*o*/) override { ++strays; }
  void on_server_failure(const txn::Key& /*server*/, txn::Failure f) override {
    server_failures.push_back(f);
  }
  void on_flow_closed(transport::FlowId flow) override { closed_flows.push_back(flow); }

  Stack* stack = nullptr;
  std::vector<transport::FlowId> request_flows;
  std::vector<transport::FlowId> closed_flows;
  std::vector<txn::Failure> server_failures;
  std::vector<std::string> methods;
  int acks = 0;
  int strays = 0;
};

class StackTest : public ::testing::Test {
 protected:
  void start(Options options = {}) {
    stack_ = std::make_unique<Stack>(io_.strand(), options, tu_);
    tu_.stack = stack_.get();
    auto udp = stack_->listen(Protocol::Udp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 0));
    auto tcp = stack_->listen(Protocol::Tcp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 0));
    ASSERT_TRUE(udp.ok() && tcp.ok());
    udp_port_ = udp->local.port;
    tcp_port_ = tcp->local.port;
    io_.start();
  }
  void TearDown() override {
    if (stack_) io_.on_strand([&] { stack_->close(); });
    io_.stop();
  }
  std::size_t requests_seen() { return io_.on_strand([&] { return tu_.methods.size(); }); }
  Counters counters() { return io_.on_strand([&] { return stack_->counters(); }); }

  static sip::Message parse(const std::string& wire) {
    auto m = sip::parse_datagram(wire);
    EXPECT_TRUE(m.ok()) << wire;
    return m.ok() ? std::move(*m) : sip::Message::response(500);
  }

  test::IoThread io_;
  AnsweringTu tu_;
  std::unique_ptr<Stack> stack_;
  std::uint16_t udp_port_ = 0;
  std::uint16_t tcp_port_ = 0;
};

TEST_F(StackTest, AnswersOptionsOverUdp) {
  start();
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("OPTIONS", "z9hG4bKu1", peer.port())));
  auto got = peer.receive();
  ASSERT_TRUE(got);
  auto rsp = parse(*got);
  EXPECT_EQ(rsp.status(), 200);
  EXPECT_EQ(rsp.to_tag(), "tu-tag");
  auto via = rsp.top_via();
  ASSERT_TRUE(via);
  EXPECT_EQ(via->rport_value, peer.port());  // the transport stamped rport (RFC 3581)
}

Options fast_timers() {
  Options o;
  o.txn.timers.t1 = txn::Duration{20};
  o.txn.timers.t2 = txn::Duration{80};
  return o;
}

// §13.3.1.4: over UDP the UAS core re-sends its 2xx to an INVITE until the ACK arrives.
TEST_F(StackTest, RetransmitsA2xxToInviteUntilTheAck) {
  start(fast_timers());
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("INVITE", "z9hG4bKi1", peer.port())));
  auto first = peer.receive();
  ASSERT_TRUE(first);
  auto rsp = parse(*first);
  ASSERT_EQ(rsp.status(), 200);
  auto again = peer.receive();  // T1 later, the same 2xx
  ASSERT_TRUE(again);
  EXPECT_EQ(parse(*again).status(), 200);
  std::string ack = make_request("ACK", "z9hG4bKack1", peer.port());
  ack.replace(ack.find("To: <sip:switch@127.0.0.1>"), 26, "To: <sip:switch@127.0.0.1>;tag=tu-tag");
  ASSERT_TRUE(peer.send_to(udp_port_, ack));
  ASSERT_TRUE(io_.wait_for([&] { return tu_.acks == 1; }));
  // After the ACK at most one retransmission already on its way; then silence for several T2.
  int after = 0;
  while (peer.receive(std::chrono::milliseconds{300})) ++after;
  EXPECT_LE(after, 1);
  EXPECT_TRUE(io_.on_strand([&] { return tu_.server_failures.empty(); }));
}

TEST_F(StackTest, ReportsA2xxNeverAcknowledged) {
  start(fast_timers());
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("INVITE", "z9hG4bKi2", peer.port())));
  // 64*T1 = 1.28 s of retransmissions, then the TU hears of it.
  ASSERT_TRUE(io_.wait_for([&] { return !tu_.server_failures.empty(); },
                           std::chrono::seconds{5}));
  EXPECT_EQ(io_.on_strand([&] { return tu_.server_failures.front(); }), txn::Failure::Timeout);
  int copies = 0;
  while (peer.receive(std::chrono::milliseconds{50})) ++copies;
  EXPECT_GE(copies, 5);  // 20, 40, 80, 80 ... ms apart: well over five in 1.28 s
}

// Over TCP nothing is re-sent, but a 2xx never acknowledged is still reported (§13.3.1.4).
TEST_F(StackTest, ReportsA2xxNeverAcknowledgedOverTcp) {
  start(fast_timers());
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("INVITE", "z9hG4bKt2", 5060, "TCP")));
  std::string in;
  ASSERT_TRUE(peer.read_until(in, "\r\n\r\n"));
  EXPECT_EQ(parse(in).status(), 200);
  ASSERT_TRUE(io_.wait_for([&] { return !tu_.server_failures.empty(); },
                           std::chrono::seconds{5}));
  EXPECT_EQ(io_.on_strand([&] { return tu_.server_failures.front(); }), txn::Failure::Timeout);
}

TEST_F(StackTest, AnAckedTcp2xxIsNotReported) {
  start(fast_timers());
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("INVITE", "z9hG4bKt3", 5060, "TCP")));
  std::string in;
  ASSERT_TRUE(peer.read_until(in, "\r\n\r\n"));
  std::string ack = make_request("ACK", "z9hG4bKt3ack", 5060, "TCP");
  ack.replace(ack.find("To: <sip:switch@127.0.0.1>"), 26, "To: <sip:switch@127.0.0.1>;tag=tu-tag");
  ASSERT_TRUE(peer.send(ack));
  ASSERT_TRUE(io_.wait_for([&] { return tu_.acks == 1; }));
  // 64*T1 = 1.28 s: wait past it for a report that must not come (bounded, event-driven).
  EXPECT_FALSE(io_.wait_for([&] { return !tu_.server_failures.empty(); },
                            std::chrono::milliseconds{2000}));
}

TEST_F(StackTest, SendsARequestOutsideATransactionAndTellsAClientsDestination) {
  start();
  test::UdpPeer peer;
  const auto to = Endpoint::make(*transport::parse_ip("127.0.0.1"), peer.port());
  auto ack = parse(make_request("ACK", "z9hG4bKsl1", udp_port_));
  auto flow = io_.on_strand([&] { return stack_->send_stateless(ack, Destination{Protocol::Udp, to, {}}); });
  ASSERT_TRUE(flow.ok()) << flow.error().message;
  auto got = peer.receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(parse(*got).method(), sip::Method::Ack);

  auto msg = parse(make_request("MESSAGE", "z9hG4bKsl2", udp_port_));
  auto key = io_.on_strand([&] { return stack_->send_request(msg, Destination{Protocol::Udp, to, {}}); });
  ASSERT_TRUE(key.ok());
  auto dest = io_.on_strand([&] { return stack_->destination_of(*key); });
  ASSERT_TRUE(dest);
  EXPECT_EQ(dest->endpoint.port, peer.port());
  EXPECT_TRUE(dest->flow);  // the socket it left from, for a CANCEL to follow
  txn::Key unknown = *key;
  unknown.id += "x";
  unknown.hash = 0;
  EXPECT_FALSE(io_.on_strand([&] { return stack_->destination_of(unknown); }));
}

TEST_F(StackTest, AnswersOptionsOverTcp) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKt1", 5060, "TCP")));
  std::string in;
  ASSERT_TRUE(peer.read_until(in, "\r\n\r\n"));
  EXPECT_EQ(parse(in).status(), 200);
}

TEST_F(StackTest, AbsorbsUdpRetransmissionsAndRepeatsTheResponse) {
  start();
  test::UdpPeer peer;
  const std::string req = make_request("OPTIONS", "z9hG4bKr1", peer.port());
  ASSERT_TRUE(peer.send_to(udp_port_, req));
  ASSERT_TRUE(peer.receive());
  ASSERT_TRUE(peer.send_to(udp_port_, req));  // §17.2.2: the server transaction answers again
  auto again = peer.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(parse(*again).status(), 200);
  EXPECT_EQ(requests_seen(), 1u);
}

TEST_F(StackTest, SeparatesTwoMessagesInOneTcpSegment) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKs1", 5060, "TCP", {}, "c1") +
                        make_request("OPTIONS", "z9hG4bKs2", 5060, "TCP", {}, "c2")));
  std::string in;
  ASSERT_TRUE(peer.read_until(in, "SIP/2.0 200", 2));
  EXPECT_NE(in.find("Call-ID: c1"), std::string::npos);
  EXPECT_NE(in.find("Call-ID: c2"), std::string::npos);
  EXPECT_EQ(requests_seen(), 2u);
}

TEST_F(StackTest, ReassemblesAMessageSplitIntoManySegments) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  const std::string req = make_request("OPTIONS", "z9hG4bKsplit", 5060, "TCP");
  for (std::size_t i = 0; i < req.size(); i += 7) {
    // The peer sets TCP_NODELAY, so each piece leaves as its own segment.
    ASSERT_TRUE(peer.send(req.substr(i, 7)));
  }
  std::string in;
  ASSERT_TRUE(peer.read_until(in, "\r\n\r\n"));
  EXPECT_EQ(parse(in).status(), 200);
}

TEST_F(StackTest, AnswersEveryRequestOfALongPipelinedBurst) {
  // More than a read turn's budget in one go: the connection must keep reading until the
  // socket is drained, across turns.
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  constexpr int kCount = 1500;
  std::string burst;
  for (int i = 0; i < kCount; ++i) {
    burst += make_request("OPTIONS", "z9hG4bKburst" + std::to_string(i), 5060, "TCP", {},
                          "burst-" + std::to_string(i));
  }
  ASSERT_GT(burst.size(), 256u * 1024u);
  ASSERT_TRUE(peer.send(burst));
  std::string in;
  EXPECT_TRUE(peer.read_until(in, "SIP/2.0 200", kCount, std::chrono::milliseconds(10000)));
  EXPECT_EQ(requests_seen(), static_cast<std::size_t>(kCount));
}

TEST_F(StackTest, AnswersAKeepAlivePingWithAPong) {
  start();
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send("\r\n\r\n"));
  std::string in;
  ASSERT_TRUE(peer.read_at_least(in, 2));
  EXPECT_EQ(in, "\r\n");
  // The connection is still usable afterwards.
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKk1", 5060, "TCP")));
  ASSERT_TRUE(peer.read_until(in, "SIP/2.0 200"));
}

TEST_F(StackTest, ClosesAnIdleConnection) {
  Options o;
  o.transport.tcp_idle_timeout = std::chrono::seconds(1);
  start(o);
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKi1", 5060, "TCP")));
  std::string in;
  ASSERT_TRUE(peer.read_until(in, "\r\n\r\n"));
  EXPECT_TRUE(peer.wait_closed(std::chrono::milliseconds(4000)));
}

// The TU hears which connection closed, so that it can stop routing over it.
TEST_F(StackTest, TellsTheTuWhichConnectionClosed) {
  start();
  {
    test::TcpPeer peer("127.0.0.1", tcp_port_);
    ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKc1", 5060, "TCP")));
    std::string in;
    ASSERT_TRUE(peer.read_until(in, "\r\n\r\n"));
  }  // the peer closes its end
  ASSERT_TRUE(io_.wait_for([&] { return !tu_.closed_flows.empty(); }));
  io_.on_strand([&] {
    ASSERT_EQ(tu_.request_flows.size(), 1u);
    EXPECT_EQ(tu_.closed_flows, tu_.request_flows);
  });
}

TEST_F(StackTest, ClosesATcpConnectionSendingOversizeHeaders) {
  Options o;
  o.transport.limits.max_header_bytes = 1024;
  start(o);
  test::TcpPeer peer("127.0.0.1", tcp_port_);
  const std::string big = "X-Filler: " + std::string(2000, 'a') + "\r\n";
  ASSERT_TRUE(peer.send(make_request("OPTIONS", "z9hG4bKo1", 5060, "TCP", big)));
  // Either a 4xx and then the close, or the close alone: the stream cannot continue.
  std::string in;
  peer.read_until(in, "\r\n\r\n", 1, std::chrono::milliseconds(500));
  if (!in.empty()) {
    EXPECT_EQ(in.rfind("SIP/2.0 4", 0), 0u) << in;
  }
  EXPECT_TRUE(peer.wait_closed());
  EXPECT_EQ(requests_seen(), 0u);
}

TEST_F(StackTest, AnswersAFaultyUdpRequestStatelessly) {
  start();
  test::UdpPeer peer;
  // CSeq's method does not match the request line: 400 (RFC 3261 §8.2.2.3 / RFC 4475 §3.1.2.18).
  std::string req = make_request("OPTIONS", "z9hG4bKf1", peer.port());
  req.replace(req.find("CSeq: 1 OPTIONS"), 15, "CSeq: 1 INVITE");
  ASSERT_TRUE(peer.send_to(udp_port_, req));
  auto got = peer.receive();
  ASSERT_TRUE(got);
  auto rsp = parse(*got);
  EXPECT_EQ(rsp.status(), 400);
  EXPECT_FALSE(rsp.to_tag().empty());
  EXPECT_EQ(requests_seen(), 0u);
  EXPECT_EQ(counters().bad_requests_answered, 1u);
}

TEST_F(StackTest, DropsAndCountsAMalformedResponse) {
  start();
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_,
                           "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\n"
                           "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
                           "CSeq: banana\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(io_.wait_for([&] {
    return stack_->counters().responses_received == 1 ||
           stack_->transport_counters().garbage_dropped == 1;
  }));
  auto c = counters();
  auto t = io_.on_strand([&] { return stack_->transport_counters(); });
  EXPECT_EQ(c.bad_responses_dropped + t.garbage_dropped, 1u);
  EXPECT_EQ(io_.on_strand([&] { return tu_.strays; }), 0);
}

TEST_F(StackTest, PassesAStrayResponseToTheTu) {
  start();
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_,
                           "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnone\r\n"
                           "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n"
                           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_TRUE(io_.wait_for([&] { return tu_.strays == 1; }));
}

TEST_F(StackTest, AnswersAMatchingCancelWith200) {
  start();
  // A TU that leaves the INVITE ringing (180 with a tag), so the CANCEL finds it pending.
  tu_.stack = nullptr;
  test::UdpPeer peer;
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("INVITE", "z9hG4bKinv", peer.port())));
  ASSERT_TRUE(io_.wait_for([&] { return tu_.methods.size() == 1; }));
  ASSERT_TRUE(io_.on_strand([&] {
    auto invite = parse(make_request("INVITE", "z9hG4bKinv", peer.port()));
    auto key = txn::server_key(invite);
    return key.ok() && stack_->respond(*key, sip::make_response(invite, 180, {}, "ring-tag")).ok();
  }));
  ASSERT_TRUE(peer.send_to(udp_port_, make_request("CANCEL", "z9hG4bKinv", peer.port())));
  // 100 Trying for the INVITE may come first (§17.2.1); look for the CANCEL's 200.
  bool got_cancel_200 = false;
  for (int i = 0; i < 3 && !got_cancel_200; ++i) {
    auto got = peer.receive();
    if (!got) break;
    auto rsp = parse(*got);
    got_cancel_200 = rsp.status() == 200 && rsp.cseq() && rsp.cseq()->method == sip::Method::Cancel;
    if (got_cancel_200) {
      EXPECT_EQ(rsp.to_tag(), "ring-tag");  // §9.2: the To tag of the INVITE's responses
    }
  }
  EXPECT_TRUE(got_cancel_200);
  EXPECT_EQ(requests_seen(), 1u);  // the CANCEL did not reach on_request
}

TEST_F(StackTest, SendsARequestAndPassesTheResponseUp) {
  start();
  test::UdpPeer peer;
  class Client final : public TransactionUser {
   public:
    void on_request(const txn::Key&, sip::Message, const transport::Origin&) override {}
    void on_response(const txn::Key&, sip::Message r) override { statuses.push_back(r.status()); }
    std::vector<int> statuses;
  };
  // Use the running stack's transport to play the UAC: the peer answers the request.
  Client client;
  auto client_stack = io_.on_strand([&] {
    auto s = std::make_unique<Stack>(io_.strand(), Options{}, client);
    EXPECT_TRUE(s->listen(Protocol::Udp, Endpoint::make(*transport::parse_ip("127.0.0.1"), 0)).ok());
    return s;
  });
  const std::uint16_t client_port = io_.on_strand([&] { return client_stack->listeners()[0].local.port; });
  auto key = io_.on_strand([&] {
    auto req = parse(make_request("OPTIONS", "z9hG4bKuac1", client_port));
    return client_stack
        ->send_request(std::move(req), Destination{Protocol::Udp,
                                                   Endpoint::make(*transport::parse_ip("127.0.0.1"),
                                                                  peer.port()),
                                                   std::nullopt})
        .ok();
  });
  ASSERT_TRUE(key);
  auto got = peer.receive();
  ASSERT_TRUE(got);
  auto req = parse(*got);
  auto rsp = sip::make_response(req, 200, {}, "peer");
  ASSERT_TRUE(peer.send_to(client_port, rsp.serialize()));
  EXPECT_TRUE(io_.wait_for([&] { return client.statuses.size() == 1; }));
  io_.on_strand([&] { client_stack->close(); client_stack.reset(); });
}

TEST_F(StackTest, ReportsATransportErrorWhenATcpRequestCannotConnect) {
  start();
  std::uint16_t closed_port = 0;
  {
    test::TcpServerPeer gone;  // take a free port, then close it
    closed_port = gone.port();
  }
  class Client final : public TransactionUser {
   public:
    void on_request(const txn::Key&, sip::Message, const transport::Origin&) override {}
    void on_client_failure(const txn::Key&, txn::Failure f) override { failures.push_back(f); }
    std::vector<txn::Failure> failures;
  };
  Client client;
  auto client_stack = io_.on_strand([&] { return std::make_unique<Stack>(io_.strand(), Options{}, client); });
  auto sent = io_.on_strand([&] {
    auto req = parse(make_request("OPTIONS", "z9hG4bKrefused", 5060, "TCP"));
    return client_stack
        ->send_request(std::move(req),
                       Destination{Protocol::Tcp,
                                   Endpoint::make(*transport::parse_ip("127.0.0.1"), closed_port),
                                   std::nullopt})
        .ok();
  });
  ASSERT_TRUE(sent);
  // §17.1.4: reported at once, not after Timer F (32 s).
  ASSERT_TRUE(io_.wait_for([&] { return client.failures.size() == 1; }));
  EXPECT_EQ(io_.on_strand([&] { return client.failures[0]; }), txn::Failure::TransportError);
  EXPECT_EQ(io_.on_strand([&] { return client_stack->live_transactions(); }), 0u);
  io_.on_strand([&] { client_stack->close(); client_stack.reset(); });
}

}  // namespace
}  // namespace ims::stack
