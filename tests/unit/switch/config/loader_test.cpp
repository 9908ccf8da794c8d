#include "switch/config/loader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ims::sw::config {
namespace {

std::string errors_of(std::string_view yaml) {
  auto r = load_text(yaml, "test.yaml");
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(LoadConfig, EmptyFileGivesTheDefaults) {
  auto r = load_text("", "empty.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sip.listen.size(), 10u);  // udp, tcp, tls, ws, wss on 0.0.0.0 and [::]
  EXPECT_EQ(r->sip.listen[0].endpoint.port, 5060);
  EXPECT_TRUE(r->sip.tls.certificate.empty());  // self-signed
  EXPECT_TRUE(r->sip.websocket.allowed_origins.empty());
  EXPECT_TRUE(r->sip.websocket.demo_page);
  EXPECT_TRUE(r->sip.websocket.web_root.empty());  // WebSocket::kDefaultWebRoot
  EXPECT_EQ(r->sip.tcp.handshake_timeout.count(), 10);
  EXPECT_EQ(r->log.level, LogLevel::Info);
  EXPECT_EQ(r->path, "empty.yaml");
}

TEST(LoadConfig, ReadsEveryKeyOfThisIssue) {
  auto r = load_text(R"(
sip:
  listen:
    - { transport: tcp, address: "::1", port: 0 }
    - { transport: UDP, address: 127.0.0.1, port: 5070 }
  limits: { max_header_bytes: 8192, max_headers: 64, max_body_bytes: 1000, max_vias: 10,
            max_transactions: 500000 }
  timers: { t1_ms: 100, t2_ms: 800, t4_ms: 1000 }
  tcp: { idle_timeout_s: 60, handshake_timeout_s: 2, max_connections: 50,
         max_connections_per_address: 5, max_write_queue_bytes: 65536 }
log: { level: debug }
)", "full.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->sip.listen.size(), 2u);
  EXPECT_EQ(r->sip.listen[0].protocol, transport::Protocol::Tcp);
  EXPECT_TRUE(r->sip.listen[0].endpoint.address.is_v6());
  EXPECT_EQ(r->sip.listen[1].endpoint.port, 5070);
  EXPECT_EQ(r->sip.limits.max_header_bytes, 8192u);
  EXPECT_EQ(r->sip.limits.max_headers, 64u);
  EXPECT_EQ(r->sip.limits.max_body_bytes, 1000u);
  EXPECT_EQ(r->sip.limits.max_vias, 10u);
  EXPECT_EQ(r->sip.max_transactions, 500000u);
  EXPECT_EQ(r->sip.timers.t1.count(), 100);
  EXPECT_EQ(r->sip.timers.t2.count(), 800);
  EXPECT_EQ(r->sip.timers.t4.count(), 1000);
  EXPECT_EQ(r->sip.tcp.idle_timeout.count(), 60);
  EXPECT_EQ(r->sip.tcp.handshake_timeout.count(), 2);
  EXPECT_EQ(r->sip.tcp.max_connections, 50u);
  EXPECT_EQ(r->sip.tcp.max_connections_per_address, 5u);
  EXPECT_EQ(r->sip.tcp.max_write_queue_bytes, 65536u);
  EXPECT_EQ(r->log.level, LogLevel::Debug);
}

TEST(LoadConfig, RejectsUnknownKeysWithFileLineAndKey) {
  EXPECT_EQ(errors_of("sip:\n  tcp:\n    idle_timeout: 5\n"),
            "test.yaml:3: sip.tcp.idle_timeout: unknown key (expected one of: idle_timeout_s, "
            "handshake_timeout_s, max_connections, max_connections_per_address, "
            "max_write_queue_bytes)");
  EXPECT_NE(errors_of("domain: example.com\n").find("test.yaml:1: domain: unknown key"),
            std::string::npos);
}

TEST(LoadConfig, ReportsBadValuesWithTheirLine) {
  EXPECT_EQ(errors_of("log:\n  level: loud\n"),
            "test.yaml:2: log.level: must be one of trace, debug, info, warn, error, off");
  EXPECT_EQ(errors_of("sip:\n  limits:\n    max_vias: -1\n"),
            "test.yaml:3: sip.limits.max_vias: must be a whole number from 1 to 1000");
  EXPECT_EQ(errors_of("sip:\n  limits:\n    max_transactions: 10\n"),
            "test.yaml:3: sip.limits.max_transactions: must be a whole number from 1000 to "
            "10000000");
  EXPECT_EQ(errors_of("sip:\n  listen:\n    - { transport: sctp, address: 1.2.3.4 }\n"),
            "test.yaml:3: sip.listen[0].transport: must be udp, tcp, tls, ws or wss");
  EXPECT_EQ(errors_of("sip:\n  tls:\n    certificate: a.pem\n"),
            "test.yaml:3: sip.tls: certificate and key go together: set both, or neither for a "
            "self-signed pair");
  EXPECT_EQ(errors_of("sip:\n  tcp:\n    handshake_timeout_s: 0\n"),
            "test.yaml:3: sip.tcp.handshake_timeout_s: must be a whole number from 1 to 300");
  EXPECT_EQ(errors_of("sip:\n  websocket:\n    demo_page: maybe\n"),
            "test.yaml:3: sip.websocket.demo_page: must be true or false");
  EXPECT_EQ(errors_of("sip:\n  websocket:\n    ping_interval_s: 1\n"),
            "test.yaml:3: sip.websocket.ping_interval_s: must be a whole number from 5 to 3600");
  EXPECT_NE(errors_of("sip:\n  listen:\n    - { transport: udp, address: example.com }\n")
                .find("test.yaml:3: sip.listen[0].address: must be an IPv4 or IPv6 address"),
            std::string::npos);
}

TEST(LoadConfig, ReadsTheTlsAndWebSocketSections) {
  auto r = load_text(R"(
sip:
  tls: { certificate: /etc/imswitch/cert.pem, key: /etc/imswitch/key.pem,
         client_ca: /etc/imswitch/ca.pem, verify_peers: yes }
  websocket:
    allowed_origins: [https://agents.example.com, http://localhost:8080]
    max_upgrade_bytes: 4096
    ping_interval_s: 20
    demo_page: false
)",
                     "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sip.tls.certificate, "/etc/imswitch/cert.pem");
  EXPECT_EQ(r->sip.tls.key, "/etc/imswitch/key.pem");
  EXPECT_EQ(r->sip.tls.client_ca, "/etc/imswitch/ca.pem");
  EXPECT_TRUE(r->sip.tls.verify_peers);
  ASSERT_EQ(r->sip.websocket.allowed_origins.size(), 2u);
  EXPECT_EQ(r->sip.websocket.allowed_origins[1], "http://localhost:8080");
  EXPECT_EQ(r->sip.websocket.max_upgrade_bytes, 4096u);
  EXPECT_EQ(r->sip.websocket.ping_interval, std::chrono::seconds(20));
  EXPECT_FALSE(r->sip.websocket.demo_page);
}

TEST(LoadConfig, ReadsTheDemoPagesWebRoot) {
  auto r = load_text("sip:\n  websocket:\n    web_root: /opt/jssip/dist\n", "t.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->sip.websocket.web_root, "/opt/jssip/dist");
  EXPECT_NE(errors_of("sip:\n  websocket:\n    web_root: [a, b]\n")
                .find("test.yaml:3: sip.websocket.web_root"),
            std::string::npos);
}

TEST(LoadConfig, ReportsEveryErrorNotJustTheFirst) {
  auto all = errors_of("sip:\n  bogus: 1\n  tcp:\n    max_connections: 0\nlog:\n  level: x\n");
  EXPECT_NE(all.find("test.yaml:2: sip.bogus"), std::string::npos) << all;
  EXPECT_NE(all.find("test.yaml:4: sip.tcp.max_connections"), std::string::npos) << all;
  EXPECT_NE(all.find("test.yaml:6: log.level"), std::string::npos) << all;
}

TEST(LoadConfig, RequiresT2NotBelowT1) {
  EXPECT_NE(errors_of("sip:\n  timers: { t1_ms: 500, t2_ms: 100 }\n").find("sip.timers.t2_ms"),
            std::string::npos);
}

TEST(LoadConfig, RejectsAnEmptyListenList) {
  EXPECT_NE(errors_of("sip:\n  listen: []\n").find("test.yaml:2: sip.listen"), std::string::npos);
}

TEST(LoadConfig, TurnsYamlSyntaxErrorsIntoLineErrors) {
  auto e = errors_of("sip:\n  listen: [\n");
  EXPECT_EQ(e.rfind("test.yaml:", 0), 0u) << e;
}

TEST(LoadConfig, ReportsAMissingFile) {
  auto r = load_file("/nonexistent/imswitch.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "/nonexistent/imswitch.yaml: cannot open file");
}

TEST(LoadConfig, LoadsTheShippedConfigs) {
  // Tests run with the source tree as working directory.
  for (const char* path : {"config/imswitch.yaml", "config/minimal.yaml"}) {
    auto r = load_file(path);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  }
  auto def = load_file("config/imswitch.yaml");
  ASSERT_TRUE(def.ok());
  // The shipped file lists what the embedded defaults hold.
  ASSERT_EQ(def->sip.listen.size(), default_listeners().size());
  for (std::size_t i = 0; i < def->sip.listen.size(); ++i) {
    EXPECT_EQ(def->sip.listen[i].protocol, default_listeners()[i].protocol) << i;
    EXPECT_EQ(def->sip.listen[i].endpoint.port, default_listeners()[i].endpoint.port) << i;
  }
}

}  // namespace
}  // namespace ims::sw::config
