// Hostile input on the connection transports that came with TLS and WebSocket (RFC 7118): garbage
// WebSocket frames after a valid upgrade, oversize and non-SIP messages, refused upgrades,
// garbage instead of a TLS ClientHello, slowloris crowds on tls, ws and wss, and handshakes that
// stall or peers that vanish. The clients here are raw: plain Asio sockets, OpenSSL through
// asio::ssl, and WebSocket frames written and read by hand (nothing from common/transport), so
// the switch is judged by what it does on the wire. After each test the switch must still be
// running, answer OPTIONS over udp, tls, ws and wss, and stop cleanly. The SIP core's own
// hostile input (over UDP and TCP) is in hostile_test.cpp.

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include "common/sip/limits.hpp"
#include "tests/integration/harness.hpp"
#include "tests/integration/sip_client.hpp"
#include "tests/integration/switch_checks.hpp"

namespace ims::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Runs io until *done or the deadline; false on the deadline.
bool run_until(asio::io_context& io, const bool& done, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  io.restart();
  while (!done) {
    if (io.run_one_until(deadline) == 0) break;
  }
  return done;
}

// One client connection, plain or TLS, driven by a shared io_context with a deadline on every
// wait. Received bytes collect in in(); closed() once the switch closed or reset it.
class Conn {
 public:
  // Connects from `from` (a loopback address: the switch counts connections per address).
  // TLS: `tls` is the client context; the handshake is separate (handshake()).
  static std::unique_ptr<Conn> open(asio::io_context& io, const Listener& to, ssl::context* tls,
                                    std::string* error, const std::string& from = "127.0.0.1") {
    auto c = std::make_unique<Conn>(io, tls);
    boost::system::error_code ec;
    auto& s = c->socket();
    s.open(tcp::v4(), ec);
    if (!ec) s.bind(tcp::endpoint(asio::ip::make_address(from), 0), ec);
    if (ec) {
      *error = "bind " + from + ": " + ec.message();
      return nullptr;
    }
    bool done = false;
    s.async_connect(tcp::endpoint(asio::ip::make_address(to.address), to.port),
                    [&](const boost::system::error_code& e) { ec = e, done = true; });
    if (!c->finish(done, 3s) || ec) {
      *error = "connect to " + to.hostport() + ": " + (ec ? ec.message() : "timed out");
      return nullptr;
    }
    return c;
  }
  Conn(asio::io_context& io, ssl::context* tls) : io_(&io) {
    if (tls)
      tls_.emplace(io, *tls);
    else
      plain_.emplace(io);
  }
  ~Conn() {
    boost::system::error_code ignored;
    socket().close(ignored);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  std::string local_hostport() {
    boost::system::error_code ec;
    auto e = socket().local_endpoint(ec);
    return e.address().to_string() + ":" + std::to_string(e.port());
  }

  bool handshake(Millis timeout = 5s) {
    bool done = false;
    boost::system::error_code ec;
    tls_->async_handshake(ssl::stream_base::client,
                          [&](const boost::system::error_code& e) { ec = e, done = true; });
    if (!finish(done, timeout) || ec) {
      error_ = "TLS handshake: " + (ec ? ec.message() : std::string("timed out"));
      return false;
    }
    return true;
  }

  // Writes every byte (through TLS once it is set up, else raw); false on error or timeout.
  bool write(std::string_view bytes, Millis timeout = 5s) {
    bool done = false;
    boost::system::error_code ec;
    auto on_done = [&](const boost::system::error_code& e, std::size_t) { ec = e, done = true; };
    if (tls_ && secured_)
      asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), on_done);
    else
      asio::async_write(socket(), asio::buffer(bytes.data(), bytes.size()), on_done);
    return finish(done, timeout) && !ec;
  }

  // One read into in(); false on timeout or once closed.
  bool fill(Millis timeout) {
    if (closed_) return false;
    bool done = false;
    boost::system::error_code ec;
    std::size_t n = 0;
    auto on_done = [&](const boost::system::error_code& e, std::size_t got) {
      ec = e, n = got, done = true;
    };
    if (tls_ && secured_)
      tls_->async_read_some(asio::buffer(buf_), on_done);
    else
      socket().async_read_some(asio::buffer(buf_), on_done);
    if (!finish(done, timeout)) return false;
    in_.append(buf_.data(), n);
    if (ec) closed_ = true;  // eof, reset, or a TLS stream cut short: the switch let go
    return !ec || n > 0;
  }

  // True once the switch has closed the connection within timeout (bytes meanwhile are kept).
  bool wait_closed(Millis timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed_ && Clock::now() < deadline) {
      fill(std::chrono::duration_cast<Millis>(deadline - Clock::now()));
    }
    return closed_;
  }
  bool closed() const { return closed_; }
  std::string& in() { return in_; }
  const std::string& error() const { return error_; }
  void set_secured() { secured_ = true; }

 private:
  // Waits for the operation; past the deadline cancels it and runs its handler.
  bool finish(bool& done, Millis timeout) {
    if (run_until(*io_, done, timeout)) return true;
    boost::system::error_code ignored;
    socket().cancel(ignored);
    io_->restart();
    while (!done && io_->run_one() > 0) {
    }
    return false;
  }

  asio::io_context* io_;
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  bool secured_ = false;
  bool closed_ = false;
  std::array<char, 16384> buf_{};
  std::string in_;
  std::string error_;
};

// ---- what goes on the wire ---------------------------------------------------------------------

// A WebSocket frame as a client sends it (RFC 6455 §5.2): masked unless told otherwise, with the
// payload's length unless `claimed` says another.
std::string ws_frame(std::uint8_t first, std::string_view payload, bool masked = true,
                     std::optional<std::uint64_t> claimed = std::nullopt) {
  const std::uint64_t len = claimed.value_or(payload.size());
  std::string f(1, static_cast<char>(first));
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  if (len < 126) {
    f += static_cast<char>(mask_bit | static_cast<char>(len));
  } else if (len <= 0xFFFF) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(len >> 8);
    f += static_cast<char>(len & 0xFF);
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((len >> (8 * i)) & 0xFF);
  }
  static constexpr std::array<char, 4> kMask = {0x37, static_cast<char>(0xFA), 0x21, 0x3D};
  if (masked) f.append(kMask.data(), kMask.size());
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += masked ? static_cast<char>(payload[i] ^ kMask[i % 4]) : payload[i];
  return f;
}
constexpr std::uint8_t kFinText = 0x81, kFinBinary = 0x82;

struct WsFrame {
  std::uint8_t opcode = 0;
  std::string payload;
};

// The next frame the switch sent (unmasked, §5.1), or nullopt on timeout or close.
std::optional<WsFrame> read_frame(Conn& c, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::string& in = c.in();
    if (in.size() >= 2) {
      std::uint64_t len = static_cast<std::uint8_t>(in[1]) & 0x7F;
      std::size_t at = 2;
      if (len == 126 || len == 127) {
        const std::size_t n = len == 126 ? 2 : 8;
        if (in.size() >= 2 + n) {
          len = 0;
          for (std::size_t i = 0; i < n; ++i) len = len << 8 | static_cast<std::uint8_t>(in[2 + i]);
          at += n;
        } else {
          at = 0;
        }
      }
      if (at && in.size() >= at + len) {
        WsFrame f{static_cast<std::uint8_t>(in[0] & 0x0F), in.substr(at, len)};
        in.erase(0, at + len);
        return f;
      }
    }
    if (Clock::now() >= deadline) return std::nullopt;
    if (!c.fill(std::chrono::duration_cast<Millis>(deadline - Clock::now())) && c.closed())
      return std::nullopt;
  }
}

// The next SIP message in a frame, skipping pings and pongs.
std::optional<SipMessage> read_sip_frame(Conn& c, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (auto f = read_frame(c, std::chrono::duration_cast<Millis>(deadline - Clock::now()))) {
    if (f->opcode == 1 || f->opcode == 2) return parse_sip(f->payload);
  }
  return std::nullopt;
}

// An HTTP response head (and the body its Content-Length announces).
struct HttpResponse {
  int status = 0;
  std::string head;
  std::string body;
};
std::optional<HttpResponse> read_http(Conn& c, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    std::string& in = c.in();
    if (auto end = in.find("\r\n\r\n"); end != std::string::npos) {
      HttpResponse r;
      r.head = in.substr(0, end + 4);
      if (r.head.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(r.head.c_str() + 9);
      std::size_t body_len = 0;
      for (std::string key : {"Content-Length: ", "content-length: "}) {
        if (auto at = r.head.find(key); at != std::string::npos)
          body_len = std::strtoul(r.head.c_str() + at + key.size(), nullptr, 10);
      }
      if (in.size() >= end + 4 + body_len) {
        r.body = in.substr(end + 4, body_len);
        in.erase(0, end + 4 + body_len);
        return r;
      }
    }
    if (Clock::now() >= deadline) return std::nullopt;
    if (!c.fill(std::chrono::duration_cast<Millis>(deadline - Clock::now())) && c.closed())
      return std::nullopt;
  }
}

// The next SIP message on a byte stream (TLS), framed by Content-Length.
std::optional<SipMessage> read_sip_stream(Conn& c, Millis timeout) {
  auto r = read_http(c, timeout);  // same framing: a head, then Content-Length bytes
  if (!r) return std::nullopt;
  return parse_sip(r->head + r->body);
}

std::string upgrade_request(const Listener& l, std::string_view extra,
                            std::string_view protocol = "sip") {
  std::string r = "GET / HTTP/1.1\r\nHost: " + l.hostport() +
                  "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (!protocol.empty()) r += "Sec-WebSocket-Protocol: " + std::string(protocol) + "\r\n";
  return r + std::string(extra) + "\r\n";
}

// The first flight of a TLS client: a ClientHello, as OpenSSL writes it.
std::string client_hello() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* s = SSL_new(ctx);
  BIO* rb = BIO_new(BIO_s_mem());
  BIO* wb = BIO_new(BIO_s_mem());
  SSL_set_bio(s, rb, wb);
  SSL_set_connect_state(s);
  (void)SSL_do_handshake(s);  // wants to read the ServerHello
  char* data = nullptr;
  const long n = BIO_get_mem_data(wb, &data);
  std::string out(data, static_cast<std::size_t>(n > 0 ? n : 0));
  SSL_free(s);
  SSL_CTX_free(ctx);
  return out;
}

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& ch : out) ch = static_cast<char>(gen() & 0xFF);
  return out;
}

// ---- the fixture -------------------------------------------------------------------------------

struct TransportSettings {
  int handshake_timeout_s = 10;
  int ping_interval_s = 30;
  int idle_timeout_s = 300;
};

class HostileTransport : public ::testing::Test {
 protected:
  void SetUp() override { start(TransportSettings{}); }
  void TearDown() override {
    if (!sw_) return;
    EXPECT_TRUE(serves_every_transport());
    EXPECT_TRUE(exits_cleanly(*sw_));
    if (!config_dir_.empty()) std::filesystem::remove_all(config_dir_);
  }

  // (Re)starts the switch on udp, tls, ws and wss with these bounds, logging at debug level.
  void start(const TransportSettings& t) {
    sw_.reset();
    if (config_dir_.empty()) config_dir_ = make_scratch_dir("imswitch-hostile-transport-");
    SwitchOptions o;
    o.config = config_dir_ + "/imswitch.yaml";
    std::ofstream(o.config) << "sip:\n  tcp:\n    handshake_timeout_s: " << t.handshake_timeout_s
                            << "\n    idle_timeout_s: " << t.idle_timeout_s
                            << "\n  websocket:\n    ping_interval_s: " << t.ping_interval_s
                            << "\ndirectory:\n  agents:\n    - { login: alice, password: pw }\n";
    o.listen = {"udp:127.0.0.1:0", "tls:127.0.0.1:0", "ws:127.0.0.1:0", "wss:127.0.0.1:0"};
    o.extra_args = {"--log-level", "debug"};
    sw_ = start_switch(o);
    ASSERT_TRUE(sw_);
    tls_ = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    tls_->load_verify_file(sw_->dir() + "/tls/imswitch.crt", ec);
    ASSERT_FALSE(ec) << "the switch's certificate: " << ec.message();
    tls_->set_verify_mode(ssl::verify_peer);
  }

  Listener listener(std::string_view transport) {
    auto l = sw_->find(transport);
    EXPECT_TRUE(l) << transport;
    return l.value_or(Listener{});
  }
  bool secure(std::string_view transport) { return transport == "tls" || transport == "wss"; }

  // A connection to the listener, TLS set up when it is tls or wss; null (and a test failure)
  // when that fails.
  std::unique_ptr<Conn> connect(std::string_view transport, bool handshake = true,
                                const std::string& from = "127.0.0.1") {
    std::string error;
    auto c = Conn::open(io_, listener(transport), secure(transport) ? tls_.get() : nullptr,
                        &error, from);
    EXPECT_TRUE(c) << error;
    if (!c) return nullptr;
    if (secure(transport) && handshake) {
      EXPECT_TRUE(c->handshake()) << c->error();
      c->set_secured();
    }
    return c;
  }

  // A WebSocket connection past its upgrade (101, subprotocol sip).
  std::unique_ptr<Conn> upgraded(std::string_view transport) {
    auto c = connect(transport);
    if (!c) return nullptr;
    EXPECT_TRUE(c->write(upgrade_request(listener(transport), "")));
    auto r = read_http(*c, 5s);
    EXPECT_TRUE(r && r->status == 101) << (r ? r->head : "no answer to the upgrade");
    if (!r || r->status != 101) return nullptr;
    EXPECT_NE(r->head.find("Sec-WebSocket-Protocol: sip"), std::string::npos) << r->head;
    return c;
  }

  std::string options_request(std::string_view transport, Conn& c) {
    RequestSpec spec = options_to(listener(transport), c.local_hostport());
    spec.transport = transport == "tls" ? "TLS" : transport == "ws" ? "WS" : "WSS";
    return build_request(spec);
  }

  // An OPTIONS over this open connection is answered 200.
  ::testing::AssertionResult answers_over(std::string_view transport, Conn& c) {
    const std::string req = options_request(transport, c);
    const bool ws = transport == "ws" || transport == "wss";
    if (!c.write(ws ? ws_frame(kFinText, req) : req))
      return ::testing::AssertionFailure() << "cannot write an OPTIONS over " << transport;
    auto rsp = ws ? read_sip_frame(c, 3s) : read_sip_stream(c, 3s);
    if (!rsp) return ::testing::AssertionFailure() << "no answer to OPTIONS over " << transport;
    if (rsp->status != 200)
      return ::testing::AssertionFailure() << transport << ": " << rsp->start_line;
    return ::testing::AssertionSuccess();
  }

  // A fresh client on each transport is answered: TLS handshake, WebSocket upgrade, OPTIONS.
  ::testing::AssertionResult serves_every_transport() {
    if (!sw_->running())
      return ::testing::AssertionFailure() << "imswitch is not running\n" << sw_->log_tail();
    if (auto r = answers_options(sw_->udp()); !r) return r << "\n" << sw_->log_tail();
    for (std::string_view t : {"tls", "ws", "wss"}) {
      auto c = t == "tls" ? connect(t) : upgraded(t);
      if (!c) return ::testing::AssertionFailure() << "cannot connect over " << t;
      if (auto r = answers_over(t, *c); !r) return r << "\n" << sw_->log_tail();
    }
    return ::testing::AssertionSuccess();
  }

  asio::io_context io_;
  std::unique_ptr<ssl::context> tls_;
  std::unique_ptr<SwitchProcess> sw_;
  std::string config_dir_;
};

const std::vector<std::string> kWebSockets = {"ws", "wss"};

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
  // The switch's side closes once the client's has (RFC 6455 §7.1.1), here as each went away.
  // Over wss Beast reports the error of the TLS shutdown that ends the closing (the client
  // cut the connection) instead of the message's size, so only the ws ones say why.
  EXPECT_TRUE(sw_->wait_for_log("closed: message too big", 2, 10s)) << sw_->log_tail();

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
