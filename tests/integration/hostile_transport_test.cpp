// Hostile input on the WebSocket transports (RFC 7118), ws and wss: garbage frames after a valid
// upgrade, oversize and non-SIP messages, and upgrade requests that are not SIP's. After each
// test the switch must still be running, answer OPTIONS over udp, tls, ws and wss, and stop
// cleanly. The clients are raw (hostile_transport.hpp). TLS handshakes, slowloris crowds, stalls
// and vanished peers are in hostile_handshake_test.cpp; the SIP core's own hostile input (UDP,
// TCP) in hostile_test.cpp.

#include "tests/integration/hostile_transport.hpp"

namespace ims::test {
namespace {

using namespace hostile;

// ---- WebSocket frames --------------------------------------------------------------------------

// Each malformed frame closes its own connection (RFC 6455 §7.1.7: fail the connection); a
// connection opened before stays open and is still answered.
TEST_F(HostileTransport, GarbageFramesCloseOnlyTheirConnection) {
  const std::vector<std::pair<std::string, std::string>> garbage = {
      {"random bytes", std::string(1, '\xF3') + random_bytes(4096, 7)},
      {"reserved opcode 0x3", ws_frame(0x83, "OPTIONS")},
      {"reserved control opcode 0xB", ws_frame(0x8B, "")},
      {"RSV1 without an extension", ws_frame(0xC1, "OPTIONS")},
      {"unmasked client frame", ws_frame(kFinText, "OPTIONS sip:x SIP/2.0\r\n\r\n", false)},
      {"64-bit length with the top bit set", ws_frame(kFinBinary, "", true, 1ULL << 63)},
      {"ping longer than 125 bytes", ws_frame(0x89, std::string(200, 'p'))},
      {"fragmented close", ws_frame(0x08, "")},
      {"continuation with nothing to continue", ws_frame(0x80, "stray")},
      {"text that is not UTF-8", ws_frame(kFinText, "OPTIONS \xC0\xAF\xFF")},
  };
  for (const auto& t : kWebSockets) {
    auto bystander = upgraded(t);
    ASSERT_TRUE(bystander);
    for (const auto& [what, bytes] : garbage) {
      SCOPED_TRACE(t + ": " + what);
      auto c = upgraded(t);
      ASSERT_TRUE(c);
      c->write(bytes);  // may fail part-way once the switch gave up on the connection
      EXPECT_TRUE(c->wait_closed(5s)) << "the connection must be failed";
    }
    EXPECT_TRUE(answers_over(t, *bystander)) << t;
  }
}

// sip.limits.max_header_bytes + max_body_bytes bounds one WebSocket message: a frame that
// announces more, or fragments that add up to more, close the connection with 1009 (§7.4.1)
// without the switch holding the bytes.
TEST_F(HostileTransport, AMessageOverTheSizeLimitClosesTheConnection) {
  const sip::Limits limits;
  const std::uint64_t max = limits.max_header_bytes + limits.max_body_bytes;
  for (const auto& t : kWebSockets) {
    SCOPED_TRACE(t);
    auto announced = upgraded(t);
    ASSERT_TRUE(announced);
    announced->write(ws_frame(kFinBinary, "", true, max + 1));
    auto f = read_frame(*announced, 5s);
    ASSERT_TRUE(f) << "expected a close frame";
    EXPECT_EQ(f->opcode, 8);
    ASSERT_GE(f->payload.size(), 2u);
    EXPECT_EQ((static_cast<std::uint8_t>(f->payload[0]) << 8) |
                  static_cast<std::uint8_t>(f->payload[1]),
              1009);
    EXPECT_TRUE(announced->wait_closed(5s));

    auto fragments = upgraded(t);
    ASSERT_TRUE(fragments);
    const std::string piece(64 * 1024, 'x');
    bool first = true;
    for (std::uint64_t sent = 0; sent <= max && !fragments->closed(); sent += piece.size()) {
      if (!fragments->write(ws_frame(first ? 0x01 : 0x00, piece))) break;
      first = false;
    }
    EXPECT_TRUE(fragments->wait_closed(5s));
  }
  // The switch's side closes once the client's has (RFC 6455 §7.1.1), here as each went away,
  // and says why for ws and wss alike.
  EXPECT_TRUE(sw_->wait_for_log("closed: message too big", 2 * kWebSockets.size(), 10s))
      << sw_->log_tail();

}

// Something that is not SIP inside a valid frame is one bad message: dropped, counted, and the
// connection stays (RFC 7118 §5.1 makes each message stand alone).
TEST_F(HostileTransport, ANonSipMessageIsDroppedAndTheConnectionStays) {
  for (const auto& t : kWebSockets) {
    SCOPED_TRACE(t);
    auto c = upgraded(t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->write(ws_frame(kFinText, "hello, this is not SIP")));
    ASSERT_TRUE(c->write(ws_frame(kFinBinary, random_bytes(300, 11))));
    ASSERT_TRUE(c->write(ws_frame(kFinText, "")));
    // SIP-shaped but invalid: answered 400 with the fault named, as over any transport.
    ASSERT_TRUE(c->write(ws_frame(kFinText, "OPTIONS sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n")));
    auto refused = read_sip_frame(*c, 3s);
    ASSERT_TRUE(refused) << sw_->log_tail();
    EXPECT_EQ(refused->status, 400) << refused->start_line;
    EXPECT_TRUE(names_the_fault(*refused));
    // A keep-alive is answered with a CRLF (as over TCP).
    ASSERT_TRUE(c->write(ws_frame(kFinText, "\r\n\r\n")));
    auto pong = read_frame(*c, 3s);
    ASSERT_TRUE(pong) << sw_->log_tail();
    EXPECT_EQ(pong->payload, "\r\n");
    EXPECT_TRUE(answers_over(t, *c));
    EXPECT_FALSE(c->closed());
  }
}

// ---- upgrade requests --------------------------------------------------------------------------

TEST_F(HostileTransport, UpgradeRequestsThatAreNotSipAreRefused) {
  const std::size_t max_upgrade = 8192;  // sip.websocket.max_upgrade_bytes, the default
  for (const auto& t : kWebSockets) {
    const Listener l = listener(t);
    struct Case {
      std::string what;
      std::string request;
      int status;
    };
    const std::vector<Case> cases = {
        {"no subprotocol", upgrade_request(l, "", ""), 400},
        {"another subprotocol", upgrade_request(l, "", "chat, superchat"), 400},
        {"a subprotocol that only starts with sip", upgrade_request(l, "", "sipx"), 400},
        {"a GET without Upgrade for the demo page",
         "GET / HTTP/1.1\r\nHost: " + l.hostport() + "\r\n\r\n", 200},
        {"a GET without Upgrade for another page",
         "GET /etc/passwd HTTP/1.1\r\nHost: " + l.hostport() + "\r\n\r\n", 404},
        {"a POST", "POST / HTTP/1.1\r\nHost: " + l.hostport() + "\r\nContent-Length: 0\r\n\r\n",
         405},
        {"headers over the bound",
         upgrade_request(l, "X-Pad: " + std::string(max_upgrade, 'a') + "\r\n"), 431},
        {"a WebSocket version from the drafts",
         "GET / HTTP/1.1\r\nHost: " + l.hostport() +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
             "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n"
             "Sec-WebSocket-Protocol: sip\r\n\r\n",
         426},
        {"no key", "GET / HTTP/1.1\r\nHost: " + l.hostport() +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
                       "13\r\nSec-WebSocket-Protocol: sip\r\n\r\n",
         400},
    };
    for (const auto& k : cases) {
      SCOPED_TRACE(t + ": " + k.what);
      auto c = connect(t);
      ASSERT_TRUE(c);
      c->write(k.request);
      auto r = read_http(*c, 5s);
      ASSERT_TRUE(r) << "no HTTP answer";
      EXPECT_EQ(r->status, k.status) << r->head;
      if (k.status == 200) {
        EXPECT_NE(r->body.find("RFC 7118"), std::string::npos) << r->body;
      }
      EXPECT_TRUE(c->wait_closed(5s)) << "a refused upgrade ends the connection";
    }
    // Not HTTP at all.
    auto c = connect(t);
    ASSERT_TRUE(c);
    c->write("OPTIONS sip:" + l.hostport() + " SIP/2.0\r\n\r\n" + random_bytes(200, 3));
    EXPECT_TRUE(c->wait_closed(5s)) << t << ": SIP without an upgrade";
  }
}

// RFC 6455 §11.3.4: Sec-WebSocket-Protocol may come on several lines; sip on any of them is
// agreed to, and named alone in the 101.
TEST_F(HostileTransport, SipOnAnyLineOfTheSubprotocolHeaderIsAgreedTo) {
  for (const auto& t : kWebSockets) {
    SCOPED_TRACE(t);
    auto c = connect(t);
    ASSERT_TRUE(c);
    c->write(upgrade_request(listener(t), "Sec-WebSocket-Protocol: sip\r\n", "chat"));
    auto r = read_http(*c, 5s);
    ASSERT_TRUE(r) << "no HTTP answer";
    EXPECT_EQ(r->status, 101) << r->head;
    EXPECT_NE(r->head.find("Sec-WebSocket-Protocol: sip\r\n"), std::string::npos) << r->head;
  }
}

}  // namespace
}  // namespace ims::test
