// The client library's agents over TLS, WebSocket and secure WebSocket against the real
// imswitch: login, pager messages relayed across transports both ways, a device reached only
// over its connection, and the certificate check of TLS.

#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "tests/integration/agent_client.hpp"
#include "tests/integration/client_harness.hpp"

namespace ims::test {
namespace {

using Kind = ClientEvent::Kind;
using transport::Protocol;

class TransportsTest : public ClientFixture, public ::testing::WithParamInterface<Protocol> {
 protected:
  // `from` sends `text` to `to`: delivered (200), and `to` shows it as from `from`.
  void expect_delivered(ClientAgent& from, ClientAgent& to, const std::string& text) {
    auto sent = send_pager(from, to.login, text);
    ASSERT_TRUE(sent.ok()) << sent.error().message;
    EXPECT_EQ(*sent, 200) << switch_->log_tail();
    auto got = to.events.wait([&](const ClientEvent& e) {
      return e.kind == Kind::Pager && e.pager.text == text;
    });
    ASSERT_TRUE(got) << text;
    EXPECT_EQ(got->pager.from, from.login);
  }
};

TEST_P(TransportsTest, LogsInAndExchangesPagerMessagesWithAUdpAgent) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice", GetParam());
  ClientAgent& bob = logged_in_agent("bob", Protocol::Udp);
  expect_delivered(alice, bob, "from the secure side");
  // The way back reaches alice over the connection she opened: she listens nowhere.
  expect_delivered(bob, alice, "and back — ünïcode too");
}

TEST_P(TransportsTest, TwoAgentsOnTheSameTransportTalk) {
  start_switch();
  ClientAgent& alice = logged_in_agent("alice", GetParam());
  ClientAgent& bob = logged_in_agent("bob", GetParam());
  expect_delivered(alice, bob, "same transport");
}

// When the device's connection is gone, a WebSocket or TLS device that registered over it is
// not reachable (it has no listener): the message is kept for it, not lost.
TEST_P(TransportsTest, AMessageForADeviceWhoseConnectionClosedIsKept) {
  start_switch(sample_config_with({{"level", "debug"}}));
  ClientAgent& alice = logged_in_agent("alice", Protocol::Udp);
  ClientAgent& bob = make_agent("bob", GetParam(), std::nullopt, std::chrono::seconds(600),
                                [](client::AgentOptions& o) {
                                  o.stack.transport.tcp_idle_timeout = std::chrono::seconds(1);
                                });
  ASSERT_TRUE(login(bob).ok());
  ASSERT_TRUE(switch_->wait_for_log("its connection closed", 1, 10s)) << switch_->log_tail();
  auto sent = send_pager(alice, "bob", "while you were away");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 202) << switch_->log_tail();
}

INSTANTIATE_TEST_SUITE_P(Secure, TransportsTest,
                         ::testing::Values(Protocol::Tls, Protocol::Ws, Protocol::Wss),
                         [](const ::testing::TestParamInfo<Protocol>& p) {
                           return std::string(transport::protocol_name(p.param));
                         });

class SipsTest : public ClientFixture {};

// RFC 5630 §3.1.3: a MESSAGE to a sips: address goes to the target's devices reached over TLS
// or WSS only; with none, 480 rather than a plain-text hop (or keeping it for one).
TEST_F(SipsTest, ASipsMessageReachesOnlyDevicesOnTls) {
  start_switch();
  ClientAgent& bob_udp = logged_in_agent("bob", Protocol::Udp);
  std::string error;
  auto alice = Agent::open(*switch_, sample_agent("alice"), &error);
  ASSERT_TRUE(alice) << error;
  AgentRequest sips = alice->message_request("bob", "for TLS eyes only");
  sips.uri = "sips:bob@127.0.0.1";
  sips.to = "<sips:bob@127.0.0.1>";
  auto refused = alice->request(sips);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 480) << switch_->log_tail();

  ClientAgent& bob_tls = logged_in_agent("bob", Protocol::Tls);
  auto sent = alice->request(sips);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->status, 200) << switch_->log_tail();
  auto got = bob_tls.events.wait_kind(Kind::Pager);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->pager.text, "for TLS eyes only");
  // A plain sip: message reaches both devices; by then the UDP one has had only that.
  auto plain = alice->message("bob", "for everyone");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  ASSERT_TRUE(bob_udp.events.wait_kind(Kind::Pager));
  EXPECT_EQ(bob_udp.events.count([](const ClientEvent& e) {
    return e.kind == Kind::Pager && e.pager.text == "for TLS eyes only";
  }), 0u);
}

class TlsIdentityTest : public ClientFixture {};

// An agent that does not trust the switch's self-signed certificate cannot log in, and is
// told why; the switch logs the certificate's fingerprint for operators to compare.
TEST_F(TlsIdentityTest, AnUntrustedCertificateFailsTheLogin) {
  start_switch();
  ASSERT_TRUE(switch_->wait_for_log("SHA-256 fingerprint", 1, 5s)) << switch_->log_tail();
  for (Protocol p : {Protocol::Tls, Protocol::Wss}) {
    ClientAgent& a = make_agent("alice", p, std::nullopt, std::chrono::seconds(600),
                                [](client::AgentOptions& o) { o.tls_ca_file.clear(); });
    auto r = login(a, 10s);
    ASSERT_FALSE(r.ok()) << transport::protocol_name(p);
    EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
        << transport::protocol_name(p) << ": " << r.error().message;
  }
  ClientAgent& trusting = logged_in_agent("bob", Protocol::Tls);
  EXPECT_TRUE(loop_.on_strand([&] { return trusting.agent->logged_in(); }));
}

// The self-signed pair is made once and kept: a restart serves the same certificate.
TEST_F(TlsIdentityTest, TheSelfSignedCertificateSurvivesARestart) {
  SwitchOptions o;
  o.config = source_dir() + "/config/imswitch.yaml";
  o.listen = {"udp:127.0.0.1:0", "tls:127.0.0.1:0"};
  const std::string dir = make_scratch_dir("ims-tls-identity");
  o.store = dir + "/imswitch.db";
  std::string error;
  auto first = SwitchProcess::start(o, &error);
  ASSERT_TRUE(first) << error;
  ASSERT_TRUE(first->wait_for_log("generated a self-signed certificate", 1, 5s));
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string cert = read(dir + "/tls/imswitch.crt");
  ASSERT_NE(cert.find("BEGIN CERTIFICATE"), std::string::npos);
  first->stop();
  auto second = SwitchProcess::start(o, &error);
  ASSERT_TRUE(second) << error;
  ASSERT_TRUE(second->wait_for_log("SHA-256 fingerprint", 1, 5s));
  EXPECT_EQ(second->log().find("generated a self-signed certificate"), std::string::npos);
  EXPECT_EQ(read(dir + "/tls/imswitch.crt"), cert);
  second->stop();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ims::test
