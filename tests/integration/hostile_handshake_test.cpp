// Hostile input on the set-up of the connection transports (tls, ws, wss): garbage instead of
// a TLS ClientHello, slowloris crowds, one address held to its connection limit, handshakes that
// stall past sip.tcp.handshake_timeout_s, and peers that vanish after set-up. After each test the
// switch must still be running, answer OPTIONS over every transport, and stop cleanly. The
// clients are raw (hostile_transport.hpp).

#include "tests/integration/hostile_transport.hpp"

namespace ims::test {
namespace {

using namespace hostile;

// ---- TLS ---------------------------------------------------------------------------------------

// Whatever comes instead of a ClientHello fails the handshake at once (not at its deadline):
// plain SIP, a plain WebSocket upgrade, random bytes, a record header announcing 16 MB.
TEST_F(HostileTransport, GarbageInsteadOfAClientHelloFailsAtOnce) {
  const std::vector<std::pair<std::string, std::string>> garbage = {
      {"plain SIP", "OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n"},
      {"random bytes", random_bytes(2048, 5)},
      {"a ClientHello with its body scrambled", [] {
         std::string h = client_hello();
         for (std::size_t i = 9; i < h.size(); i += 3) h[i] = static_cast<char>(h[i] ^ 0x5A);
         return h;
       }()},
  };
  std::size_t expected_failures = 0;
  for (std::string_view t : {"tls", "wss"}) {
    for (const auto& [what, bytes] : garbage) {
      SCOPED_TRACE(std::string(t) + ": " + what);
      auto c = connect(t, false);
      ASSERT_TRUE(c);
      c->write(bytes);
      // The deadline here is the default 10 s: closing within 5 s is the handshake failing.
      EXPECT_TRUE(c->wait_closed(5s));
      ++expected_failures;
    }
    // A plain WebSocket upgrade to the wss port.
    auto c = connect(t, false);
    ASSERT_TRUE(c);
    c->write(upgrade_request(listener(t), ""));
    EXPECT_TRUE(c->wait_closed(5s)) << t << ": a plain upgrade on a TLS port";
    ++expected_failures;
  }
  EXPECT_TRUE(sw_->wait_for_log("TLS handshake", expected_failures, 5s)) << sw_->log_tail();
}

// ---- slowloris and stalls ----------------------------------------------------------------------

// 50 connections on each of tls, ws and wss that send nothing, or a ClientHello / an upgrade
// request one byte per round, do not keep a normal client waiting: an OPTIONS over UDP and a
// full TLS exchange are answered in every round. The crowd comes from other loopback addresses
// (127.0.0.2 ..), since one address may hold at most sip.tcp.max_connections_per_address.
TEST_F(HostileTransport, ASlowlorisCrowdDoesNotDelayOtherClients) {
  const std::string hello = client_hello();
  struct Slow {
    std::unique_ptr<Conn> c;
    std::string dribble;  // empty: silent
  };
  std::vector<Slow> crowd;
  const std::vector<std::string> crowd_of = {"tls", "ws", "wss"};
  for (std::size_t k = 0; k < crowd_of.size(); ++k) {
    const std::string& t = crowd_of[k];
    const std::string from = "127.0.0." + std::to_string(2 + k);
    for (int i = 0; i < 50; ++i) {
      auto c = connect(t, false, from);
      ASSERT_TRUE(c) << t << " #" << i;
      std::string dribble;
      if (i % 2) dribble = t == "ws" ? upgrade_request(listener(t), "") : hello;
      crowd.push_back({std::move(c), std::move(dribble)});
    }
  }
  for (std::size_t round = 0; round < 8; ++round) {
    for (auto& s : crowd) {
      if (round < s.dribble.size()) s.c->write(std::string_view(s.dribble).substr(round, 1));
    }
    ASSERT_TRUE(answers_options(sw_->udp())) << "round " << round;
    auto normal = connect("tls");
    ASSERT_TRUE(normal);
    ASSERT_TRUE(answers_over("tls", *normal)) << "round " << round;
  }
  for (const auto& t : crowd_of) {
    auto c = t == "tls" ? connect(t) : upgraded(t);
    ASSERT_TRUE(c);
    EXPECT_TRUE(answers_over(t, *c)) << t;
  }
  EXPECT_EQ(sw_->log().find("refused connection"), std::string::npos);
}

// One address cannot hold more than sip.tcp.max_connections_per_address (100) connections, in
// handshake or not: the ones past it are closed at once, and another address is still served.
TEST_F(HostileTransport, OneAddressIsHeldToItsConnectionLimit) {
  std::vector<std::unique_ptr<Conn>> held;
  std::size_t refused = 0;
  for (int i = 0; i < 110; ++i) {
    auto c = connect("tls", false, "127.0.0.9");
    ASSERT_TRUE(c);
    held.push_back(std::move(c));
  }
  // Connections are accepted in order: the last ten are past the limit.
  for (std::size_t i = 100; i < held.size(); ++i) refused += held[i]->wait_closed(5s);
  EXPECT_EQ(refused, 10u);
  EXPECT_TRUE(sw_->wait_for_log("refused connection from 127.0.0.9", 10, 5s)) << sw_->log_tail();
  auto other = connect("tls");
  ASSERT_TRUE(other);
  EXPECT_TRUE(answers_over("tls", *other));
}

// With sip.tcp.handshake_timeout_s: 2, a connection whose set-up stalls or crawls - nothing
// sent, part of a ClientHello, part of an upgrade, a TLS handshake done and then no upgrade, a
// handshake a byte at a time - is closed by the switch at the deadline and counted in its log.
TEST_F(HostileTransport, StalledHandshakesAreClosedAtTheDeadline) {
  TransportSettings s;
  s.handshake_timeout_s = 2;
  start(s);
  ASSERT_TRUE(sw_);
  const std::string hello = client_hello();
  // A handshake sent a byte at a time does not move the deadline: each byte waits (bounded) for
  // the switch to close, and the switch closes before the last byte is out.
  for (std::string_view t : {"tls", "ws"}) {
    auto c = connect(t, false);
    ASSERT_TRUE(c);
    const std::string bytes = t == "tls" ? hello : upgrade_request(listener(t), "");
    std::size_t sent = 0;
    while (sent < bytes.size() && !c->wait_closed(250ms)) c->write(bytes.substr(sent++, 1));
    EXPECT_TRUE(c->closed()) << t;
    EXPECT_LT(sent, bytes.size()) << t << ": the deadline moved with each byte";
  }
  std::vector<std::pair<std::string, std::unique_ptr<Conn>>> stalled;
  stalled.emplace_back("tls, silent", connect("tls", false));
  stalled.emplace_back("tls, half a ClientHello", connect("tls", false));
  stalled.back().second->write(hello.substr(0, hello.size() / 2));
  stalled.emplace_back("ws, silent", connect("ws"));
  stalled.emplace_back("ws, half an upgrade", connect("ws"));
  stalled.back().second->write(upgrade_request(listener("ws"), "").substr(0, 60));
  stalled.emplace_back("wss, silent", connect("wss", false));
  stalled.emplace_back("wss, TLS done, no upgrade", connect("wss"));
  stalled.emplace_back("wss, TLS done, half an upgrade", connect("wss"));
  stalled.back().second->write(upgrade_request(listener("wss"), "").substr(0, 60));
  for (auto& [what, c] : stalled) {
    ASSERT_TRUE(c) << what;
    EXPECT_TRUE(c->wait_closed(10s)) << what << ": not closed by the switch";
  }
  EXPECT_TRUE(sw_->wait_for_log("closed: handshake timed out", stalled.size() + 2, 5s))
      << sw_->log_tail();
}

// A peer that vanishes without closing after its upgrade (a half-open connection: nothing
// more arrives, not even a pong) is pinged after a ping interval of silence and dropped when
// another passes without an answer (sip.websocket.ping_interval_s: 5); one that vanishes
// after its TLS handshake is dropped when idle (sip.tcp.idle_timeout_s: 8).
TEST_F(HostileTransport, PeersThatVanishAfterSetUpAreDropped) {
  TransportSettings s;
  s.ping_interval_s = 5;
  s.idle_timeout_s = 8;
  start(s);
  ASSERT_TRUE(sw_);
  auto ws = upgraded("ws");
  auto wss = upgraded("wss");
  auto tls = connect("tls");
  ASSERT_TRUE(ws && wss && tls);
  for (Conn* c : {ws.get(), wss.get()}) {
    // Read what comes (the switch's pings), answer nothing.
    EXPECT_TRUE(c->wait_closed(20s)) << sw_->log_tail();
    EXPECT_NE(c->in().find('\x89'), std::string::npos) << "the switch pings before it gives up";
  }
  EXPECT_TRUE(tls->wait_closed(20s)) << sw_->log_tail();
  EXPECT_TRUE(sw_->wait_for_log("closed: no answer to a ping within 5s", 2, 5s)) << sw_->log_tail();
  EXPECT_TRUE(sw_->wait_for_log("closed: idle for 8s", 1, 5s)) << sw_->log_tail();
}

}  // namespace
}  // namespace ims::test
