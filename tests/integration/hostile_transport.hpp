#pragma once
// Raw clients and the fixture of the hostile-input tests on the connection transports (TLS,
// WebSocket, secure WebSocket): plain Asio sockets, OpenSSL through asio::ssl, WebSocket frames
// and HTTP written and read by hand (nothing from common/transport), so the switch is judged by
// what it does on the wire. Used by hostile_transport_test.cpp (frames, upgrades) and
// hostile_handshake_test.cpp (TLS handshakes, slowloris, stalls, vanished peers).

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

namespace ims::test::hostile {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Runs io until *done or the deadline; false on the deadline.
inline bool run_until(asio::io_context& io, const bool& done, Millis timeout) {
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
inline std::string ws_frame(std::uint8_t first, std::string_view payload, bool masked = true,
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
inline constexpr std::uint8_t kFinText = 0x81, kFinBinary = 0x82;

struct WsFrame {
  std::uint8_t opcode = 0;
  std::string payload;
};

// The next frame the switch sent (unmasked, §5.1), or nullopt on timeout or close.
inline std::optional<WsFrame> read_frame(Conn& c, Millis timeout) {
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
inline std::optional<SipMessage> read_sip_frame(Conn& c, Millis timeout) {
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
inline std::optional<HttpResponse> read_http(Conn& c, Millis timeout) {
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
inline std::optional<SipMessage> read_sip_stream(Conn& c, Millis timeout) {
  auto r = read_http(c, timeout);  // same framing: a head, then Content-Length bytes
  if (!r) return std::nullopt;
  return parse_sip(r->head + r->body);
}

inline std::string upgrade_request(const Listener& l, std::string_view extra,
                            std::string_view protocol = "sip") {
  std::string r = "GET / HTTP/1.1\r\nHost: " + l.hostport() +
                  "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (!protocol.empty()) r += "Sec-WebSocket-Protocol: " + std::string(protocol) + "\r\n";
  return r + std::string(extra) + "\r\n";
}

// The first flight of a TLS client: a ClientHello, as OpenSSL writes it.
inline std::string client_hello() {
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

inline std::string random_bytes(std::size_t n, std::uint32_t seed) {
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

inline const std::vector<std::string> kWebSockets = {"ws", "wss"};

}  // namespace ims::test::hostile
