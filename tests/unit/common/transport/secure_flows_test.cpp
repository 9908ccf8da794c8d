// TLS, WS and WSS flows between two transport layers over loopback: a request out over a new
// connection and its response back over it, the server's certificate checked by name, a
// client certificate required by the server, and the WebSocket subprotocol both ways.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "common/sip/builders.hpp"
#include "common/transport/tls_context.hpp"
#include "common/transport/transport_layer.hpp"
#include "tests/unit/common/transport/identities.hpp"
#include "tests/unit/common/transport/io_thread.hpp"
#include "tests/unit/common/transport/loopback_peer.hpp"
#include "tests/unit/common/transport/recording_sink.hpp"

namespace ims::transport {
namespace {

using test::Identities;
using test::make_request;
using test::RecordingSink;

class SecureFlowsTest : public ::testing::TestWithParam<Protocol> {
 protected:
  void start(TlsServerSettings server_tls, TlsClientSettings client_tls) {
    Options server_options;
    auto server_ctx = make_server_context(server_tls);
    ASSERT_TRUE(server_ctx.ok()) << server_ctx.error().message;
    server_options.tls.server = *server_ctx;
    server_ = std::make_unique<TransportLayer>(io_.strand(), server_options, server_sink_);
    auto l = server_->listen(GetParam(), Endpoint::make(*parse_ip("127.0.0.1"), 0));
    ASSERT_TRUE(l.ok()) << l.error().message;
    server_at_ = l->local;

    Options client_options;
    auto client_ctx = make_client_context(client_tls);
    ASSERT_TRUE(client_ctx.ok()) << client_ctx.error().message;
    client_options.tls.client = *client_ctx;
    client_ = std::make_unique<TransportLayer>(io_.strand(), client_options, client_sink_);
    // Every response the server gets a request for goes back the way it came.
    server_sink_.on_each = [this](const sip::Message& m, const Origin& origin) {
      if (m.is_request()) (void)server_->send_response(sip::make_response(m, 200, {}, "t"), origin);
    };
    io_.start();
    started_ = true;
  }
  void TearDown() override {
    if (!started_) return;
    io_.on_strand([&] {
      if (client_) client_->close();
      if (server_) server_->close();
    });
    io_.stop();
  }
  void send_options() {
    io_.on_strand([&] {
      auto sent = client_->send(GetParam(), server_at_,
                                make_request("OPTIONS", "z9hG4bKsec", 5999,
                                             std::string(via_token(GetParam()))));
      EXPECT_TRUE(sent.ok()) << (sent.ok() ? "" : sent.error().message);
    });
  }

  Identities ids_;
  test::IoThread io_;
  RecordingSink server_sink_;
  RecordingSink client_sink_;
  std::unique_ptr<TransportLayer> server_;
  std::unique_ptr<TransportLayer> client_;
  Endpoint server_at_;
  bool started_ = false;
};

TEST_P(SecureFlowsTest, ARequestGoesOutAndItsResponseComesBackOverTheConnection) {
  start({ids_.server_crt(), ids_.server_key(), ""}, {true, ids_.server_crt(), "", ""});
  send_options();
  ASSERT_TRUE(io_.wait_for([&] { return client_sink_.messages.size() >= 1; }));
  io_.on_strand([&] {
    ASSERT_EQ(server_sink_.origins.size(), 1u);
    EXPECT_EQ(server_sink_.origins[0].protocol, GetParam());
    EXPECT_EQ(client_sink_.messages[0].status(), 200);
    EXPECT_EQ(client_sink_.origins[0].protocol, GetParam());
    EXPECT_EQ(client_->counters().connections_opened, 1u);
    EXPECT_EQ(server_->counters().connections_accepted, 1u);
  });
}

TEST_P(SecureFlowsTest, AnUntrustedServerCertificateEndsTheHandshake) {
  if (!is_secure(GetParam())) GTEST_SKIP() << "no certificate on a plain transport";
  start({ids_.server_crt(), ids_.server_key(), ""}, {true, ids_.client_crt(), "", ""});
  send_options();
  ASSERT_TRUE(io_.wait_for([&] { return client_->counters().handshakes_failed >= 1; }));
  io_.on_strand([&] { EXPECT_TRUE(server_sink_.messages.empty()); });
}

TEST_P(SecureFlowsTest, AServerThatAsksForAClientCertificateGetsOne) {
  if (!is_secure(GetParam())) GTEST_SKIP() << "no certificate on a plain transport";
  start({ids_.server_crt(), ids_.server_key(), ids_.client_crt()},
        {true, ids_.server_crt(), ids_.client_crt(), ids_.client_key()});
  send_options();
  ASSERT_TRUE(io_.wait_for([&] { return client_sink_.messages.size() >= 1; }));
}

TEST_P(SecureFlowsTest, AClientWithoutTheAskedForCertificateIsRefused) {
  if (!is_secure(GetParam())) GTEST_SKIP() << "no certificate on a plain transport";
  start({ids_.server_crt(), ids_.server_key(), ids_.client_crt()},
        {true, ids_.server_crt(), "", ""});
  send_options();
  ASSERT_TRUE(io_.wait_for([&] { return server_->counters().handshakes_failed >= 1; }));
  io_.on_strand([&] { EXPECT_TRUE(server_sink_.messages.empty()); });
}

INSTANTIATE_TEST_SUITE_P(Transports, SecureFlowsTest,
                         ::testing::Values(Protocol::Tls, Protocol::Ws, Protocol::Wss),
                         [](const ::testing::TestParamInfo<Protocol>& p) {
                           return std::string(protocol_name(p.param));
                         });

TEST(TlsIdentity, TheFingerprintIsTheCertificatesSha256) {
  Identities ids;
  auto fp = certificate_fingerprint(ids.server_crt());
  ASSERT_TRUE(fp.ok()) << fp.error().message;
  EXPECT_EQ(fp->size(), 32u * 3 - 1);  // "AB:CD:..." for 32 bytes
  EXPECT_EQ(std::count(fp->begin(), fp->end(), ':'), 31);
  EXPECT_NE(*fp, *certificate_fingerprint(ids.client_crt()));
  EXPECT_FALSE(certificate_fingerprint(ids.dir / "missing.crt").ok());
}

TEST(TlsIdentity, AKeyThatDoesNotMatchTheCertificateIsRefused) {
  Identities ids;
  auto ctx = make_server_context({ids.server_crt(), ids.client_key(), ""});
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.error().message.find("mismatch"), std::string::npos) << ctx.error().message;
  EXPECT_NE(ctx.error().message.find("client.key"), std::string::npos) << ctx.error().message;
}

}  // namespace
}  // namespace ims::transport
