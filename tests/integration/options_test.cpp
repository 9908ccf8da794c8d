// OPTIONS to the running switch on UDP and TCP, IPv4 and IPv6: the 200 and its capabilities
// (RFC 3261 §11.2), response routing (§18.2.2, RFC 3581 rport), transactions absorbing
// retransmissions (§17.2.2), stream framing and CRLF keep-alives (RFC 5626 §3.5.1).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/integration/harness.hpp"
#include "tests/integration/sip_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

struct Family {
  std::string transport;  // "udp", "tcp"
  bool ipv6;
};

std::string family_name(const ::testing::TestParamInfo<Family>& info) {
  return info.param.transport + (info.param.ipv6 ? "_ipv6" : "_ipv4");
}

// A client of either transport with one interface for these tests.
class Client {
 public:
  static std::unique_ptr<Client> open(const Listener& to, std::string* error) {
    auto c = std::make_unique<Client>();
    c->to_ = to;
    if (to.transport == "udp") {
      c->udp_ = UdpClient::open(to.ipv6(), error);
      if (!c->udp_) return nullptr;
    } else {
      c->tcp_ = TcpClient::connect(to, 3s, error);
      if (!c->tcp_) return nullptr;
    }
    return c;
  }
  std::string local_hostport() const {
    return udp_ ? udp_->local_hostport() : tcp_->local_hostport();
  }
  std::uint16_t local_port() const { return udp_ ? udp_->local_port() : tcp_->local_port(); }
  std::string local_address() const {
    return udp_ ? udp_->local_address() : tcp_->local_address();
  }
  bool send(const std::string& m) { return udp_ ? udp_->send_to(to_, m) : tcp_->send(m); }
  std::optional<SipMessage> final_response(std::string_view call_id, Millis t = 3s) {
    return udp_ ? udp_->final_response(t, call_id) : tcp_->final_response(t, call_id);
  }

 private:
  Listener to_;
  std::unique_ptr<UdpClient> udp_;
  std::unique_ptr<TcpClient> tcp_;
};

class Options : public ::testing::TestWithParam<Family> {
 protected:
  static void SetUpTestSuite() { sw_ = start_switch(SwitchOptions{}.with_ipv6()); }
  static void TearDownTestSuite() {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
    sw_.reset();
  }
  void SetUp() override {
    ASSERT_NE(sw_, nullptr);
    auto l = sw_->find(GetParam().transport, GetParam().ipv6);
    if (!l && GetParam().ipv6) GTEST_SKIP() << "no IPv6 loopback on this machine";
    ASSERT_TRUE(l);
    listener_ = *l;
    std::string error;
    client_ = Client::open(listener_, &error);
    ASSERT_TRUE(client_) << error;
  }
  std::string transport_token() const { return GetParam().transport == "udp" ? "UDP" : "TCP"; }

  static std::unique_ptr<SwitchProcess> sw_;
  Listener listener_;
  std::unique_ptr<Client> client_;
};
std::unique_ptr<SwitchProcess> Options::sw_;

TEST_P(Options, AnsweredWith200AllowAcceptSupported) {
  RequestSpec spec = options_to(listener_, client_->local_hostport());
  ASSERT_TRUE(client_->send(build_request(spec)));
  auto rsp = client_->final_response(spec.call_id);
  ASSERT_TRUE(rsp) << sw_->log_tail();
  EXPECT_EQ(rsp->status, 200) << rsp->start_line;
  ASSERT_TRUE(rsp->header("Allow"));
  EXPECT_NE(rsp->header("Allow")->find("OPTIONS"), std::string::npos) << *rsp->header("Allow");
  EXPECT_TRUE(rsp->header("Accept"));
  EXPECT_TRUE(rsp->header("Supported"));
  // §8.2.6.2: the response echoes the request's dialog and transaction identifiers.
  EXPECT_EQ(rsp->header("CSeq"), "1 OPTIONS");
  EXPECT_EQ(rsp->param("Via", "branch"), spec.branch);
  EXPECT_TRUE(rsp->param("To", "tag")) << "a final response carries a To tag (§8.2.6.2)";
}

// RFC 3581 §4: with rport the server records the source address and port in the top Via and
// (UDP) answers there, whatever the sent-by says. The sent-by here names a host and a port that
// would lose the answer if the switch used them.
TEST_P(Options, AnswerFollowsRportNotSentBy) {
  RequestSpec spec = options_to(listener_, "client.invalid:9");
  ASSERT_TRUE(client_->send(build_request(spec)));
  auto rsp = client_->final_response(spec.call_id);
  ASSERT_TRUE(rsp) << "no answer: the switch did not route it by received/rport\n"
                   << sw_->log_tail();
  EXPECT_EQ(rsp->status, 200);
  EXPECT_EQ(rsp->param("Via", "rport"), std::to_string(client_->local_port()));
  EXPECT_EQ(rsp->param("Via", "received"), client_->local_address());
}

// RFC 3261 §18.2.2 without rport: a sent-by that matches the source gets no received parameter
// and, on UDP, the answer goes to the sent-by port.
TEST_P(Options, AnswerWithoutRportGoesToSentBy) {
  RequestSpec spec = options_to(listener_, client_->local_hostport());
  spec.rport = false;
  ASSERT_TRUE(client_->send(build_request(spec)));
  auto rsp = client_->final_response(spec.call_id);
  ASSERT_TRUE(rsp) << sw_->log_tail();
  EXPECT_EQ(rsp->status, 200);
  EXPECT_FALSE(rsp->param("Via", "rport"));
}

// A datagram whose Via names another transport (TCP, TLS, WSS) is answered over UDP to its
// source, as it came; the Via names no listener the client has.
TEST_P(Options, ADatagramIsAnsweredOverUdpWhateverItsViaSays) {
  if (GetParam().transport != "udp") GTEST_SKIP() << "datagrams only";
  for (const char* transport : {"TCP", "TLS", "WSS"}) {
    RequestSpec spec = options_to(listener_, "client.invalid:9");
    spec.transport = transport;
    ASSERT_TRUE(client_->send(build_request(spec)));
    auto rsp = client_->final_response(spec.call_id);
    ASSERT_TRUE(rsp) << transport << ": no answer at the datagram's source\n" << sw_->log_tail();
    EXPECT_EQ(rsp->status, 200);
  }
}

// RFC 3261 §17.2.2: a retransmitted request is absorbed by its transaction, which resends the
// same final response (same To tag) instead of answering anew.
TEST_P(Options, RetransmissionGetsTheSameResponse) {
  RequestSpec spec = options_to(listener_, client_->local_hostport());
  const std::string req = build_request(spec);
  ASSERT_TRUE(client_->send(req));
  auto first = client_->final_response(spec.call_id);
  ASSERT_TRUE(first);
  if (GetParam().transport == "tcp") {
    // On a reliable transport Timer J is 0 (§17.2.2): the retransmission may find no
    // transaction and be answered anew; either way it must be answered 200.
    ASSERT_TRUE(client_->send(req));
    auto second = client_->final_response(spec.call_id);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    return;
  }
  ASSERT_TRUE(client_->send(req));
  auto second = client_->final_response(spec.call_id);
  ASSERT_TRUE(second) << "the retransmission was not answered";
  EXPECT_EQ(second->param("To", "tag"), first->param("To", "tag"));
}

INSTANTIATE_TEST_SUITE_P(Transports, Options,
                         ::testing::Values(Family{"udp", false}, Family{"tcp", false},
                                           Family{"udp", true}, Family{"tcp", true}),
                         family_name);

class OptionsTcp : public ::testing::Test {
 protected:
  void SetUp() override {
    sw_ = start_switch();
    ASSERT_TRUE(sw_);
    std::string error;
    tcp_ = TcpClient::connect(sw_->tcp(), 3s, &error);
    ASSERT_TRUE(tcp_) << error;
  }
  void TearDown() override {
    if (sw_) {
      EXPECT_TRUE(exits_cleanly(*sw_));
    }
  }
  std::unique_ptr<SwitchProcess> sw_;
  std::unique_ptr<TcpClient> tcp_;
};

// RFC 5626 §3.5.1: a CRLFCRLF ping on a flow is answered with a CRLF pong, and the flow stays
// usable.
TEST_F(OptionsTcp, KeepAlivePingIsAnsweredWithPong) {
  ASSERT_TRUE(tcp_->send("\r\n\r\n"));
  EXPECT_EQ(tcp_->receive_some(3s), "\r\n");
  RequestSpec spec = options_to(sw_->tcp(), tcp_->local_hostport());
  ASSERT_TRUE(tcp_->send(build_request(spec)));
  auto rsp = tcp_->final_response(3s, spec.call_id);
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200);
}

// A request whose Via cannot be parsed has no address to answer to, but it came on a
// connection: its 400 goes back there, so the client learns what is wrong.
TEST_F(OptionsTcp, AnUnparseableViaIsAnswered400OnTheConnection) {
  const std::string request =
      "OPTIONS sip:" + sw_->tcp().hostport() + " SIP/2.0\r\nVia: garbage here\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
      "Call-ID: bad-via-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  ASSERT_TRUE(tcp_->send(request));
  auto rsp = tcp_->final_response(3s, "bad-via-1");
  ASSERT_TRUE(rsp) << "no answer on the connection\n" << sw_->log_tail();
  EXPECT_EQ(rsp->status, 400);
  EXPECT_NE(rsp->reason.find("Via"), std::string::npos) << rsp->reason;
}

// Two requests in one segment are two messages (framing by Content-Length, §18.3).
TEST_F(OptionsTcp, PipelinedRequestsAreEachAnswered) {
  RequestSpec a = options_to(sw_->tcp(), tcp_->local_hostport());
  RequestSpec b = options_to(sw_->tcp(), tcp_->local_hostport());
  b.body = "x=1";
  b.extra_headers = {"Content-Type: text/plain"};
  ASSERT_TRUE(tcp_->send(build_request(a) + build_request(b)));
  auto ra = tcp_->final_response(3s, a.call_id);
  auto rb = tcp_->final_response(3s, b.call_id);
  ASSERT_TRUE(ra);
  ASSERT_TRUE(rb);
  EXPECT_EQ(ra->status, 200);
  EXPECT_EQ(rb->status, 200);
}

// A request trickling in a few bytes at a time is still one message.
TEST_F(OptionsTcp, RequestInSmallSegmentsIsAnswered) {
  RequestSpec spec = options_to(sw_->tcp(), tcp_->local_hostport());
  const std::string req = build_request(spec);
  for (std::size_t i = 0; i < req.size(); i += 7) ASSERT_TRUE(tcp_->send(req.substr(i, 7)));
  auto rsp = tcp_->final_response(3s, spec.call_id);
  ASSERT_TRUE(rsp);
  EXPECT_EQ(rsp->status, 200);
}

}  // namespace
}  // namespace ims::test
