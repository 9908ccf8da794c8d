#include "common/transport/ws_connection.hpp"

#include <algorithm>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "common/sip/parser.hpp"
#include "common/util/strings.hpp"
#include "common/util/utf8.hpp"

namespace ims::transport {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::ip::tcp;

namespace {

constexpr const char* kServer = "imswitch";

// Whether a comma-separated token list (Sec-WebSocket-Protocol) names `token`.
bool lists_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (util::iequals(util::trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool only_crlf(std::string_view s) {
  return !s.empty() && s.find_first_not_of("\r\n") == std::string_view::npos;
}

}  // namespace

template <bool Secure>
WsConnection<Secure>::WsConnection(tcp::socket socket, ssl::context* context, FlowId id,
                                   bool inbound, const Options& options, std::string server_name,
                                   Events& events, Counters& counters)
    : StreamFlow(socket.get_executor(), Secure ? Protocol::Wss : Protocol::Ws, id, inbound,
                 options, events, counters),
      ws_([&]() -> Socket {
        if constexpr (Secure) {
          return Socket(std::move(socket), *context);
        } else {
          (void)context;
          return std::move(socket);
        }
      }()),
      options_(&options),
      server_name_(std::move(server_name)) {
  if (inbound) {
    auto [remote, local] = endpoints_of(beast::get_lowest_layer(ws_));
    set_endpoints(remote, local);
  }
}

template <bool Secure>
void WsConnection<Secure>::setup_failed(std::string_view what,
                                        const boost::system::error_code& ec) {
  if (state() == State::Closed) return;
  ++counters().handshakes_failed;
  if (!inbound()) ++counters().send_errors;
  close(std::string(what) + ": " + ec.message());
}

// ---- inbound -----------------------------------------------------------------------------------

template <bool Secure>
void WsConnection<Secure>::start() {
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).set_option(tcp::no_delay(true), ignored);
  arm_timer(connect_timeout());
  if constexpr (Secure) {
    ws_.next_layer().async_handshake(TlsStream::Role::Server,
                                     [self = self()](const boost::system::error_code& ec) {
                                       if (self->state() == State::Closed) return;
                                       if (ec) return self->setup_failed("TLS handshake", ec);
                                       self->read_upgrade();
                                     });
  } else {
    read_upgrade();
  }
}

template <bool Secure>
void WsConnection<Secure>::read_upgrade() {
  upgrade_.emplace();
  upgrade_->header_limit(static_cast<std::uint32_t>(options_->websocket.max_upgrade_bytes));
  upgrade_->body_limit(0);
  http::async_read(ws_.next_layer(), buffer_, *upgrade_,
                   [self = self()](const boost::system::error_code& ec, std::size_t) {
                     self->on_upgrade(ec);
                   });
}

template <bool Secure>
void WsConnection<Secure>::on_upgrade(const boost::system::error_code& ec) {
  if (state() == State::Closed) return;
  if (ec == http::error::header_limit) return refuse(431, "upgrade request too large");
  if (ec) return setup_failed("WebSocket upgrade", ec);
  const auto& req = upgrade_->get();
  if (!websocket::is_upgrade(req)) {
    const auto& pages = options_->websocket.pages;
    if (!pages) return refuse(426, "this port speaks SIP over WebSocket (RFC 7118)");
    if (req.method() != http::verb::get) return refuse(405, "only GET is served here");
    auto page = pages(std::string_view(req.target().data(), req.target().size()));
    if (!page) return refuse(404, "no such page");
    return refuse(200, {}, std::move(page->content_type), std::move(page->body));
  }
  const auto& allowed = options_->websocket.allowed_origins;
  if (!allowed.empty()) {
    const auto origin = req[http::field::origin];
    const bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) {
      return util::iequals(a, std::string_view(origin.data(), origin.size()));
    });
    if (!ok) return refuse(403, "origin not allowed");
  }
  // The header may come as several lines, each a list (RFC 6455 §11.3.4).
  bool sip = false;
  for (auto [it, end] = req.equal_range(http::field::sec_websocket_protocol); it != end; ++it)
    sip = sip || lists_token(std::string_view(it->value().data(), it->value().size()), "sip");
  if (!sip) return refuse(400, "the WebSocket subprotocol must be sip (RFC 7118)");
  configure();
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::sec_websocket_protocol, "sip");
    res.set(http::field::server, kServer);
  }));
  ws_.async_accept(req, [self = self()](const boost::system::error_code& e) {
    self->on_accepted(e);
  });
}

template <bool Secure>
void WsConnection<Secure>::refuse(unsigned status, std::string reason, std::string content_type,
                                  std::string body) {
  if (status != 200) ++counters().handshakes_failed;
  auto res = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(status), 11);
  res->set(http::field::server, kServer);
  res->set(http::field::connection, "close");
  if (status == 426) {
    res->set(http::field::upgrade, "websocket");
    res->set(http::field::sec_websocket_protocol, "sip");
  }
  res->set(http::field::content_type, content_type);
  res->body() = body.empty() ? reason + "\n" : std::move(body);
  res->prepare_payload();
  upgrade_.reset();
  http::async_write(ws_.next_layer(), *res,
                    [self = self(), res, status, reason](const boost::system::error_code&,
                                                         std::size_t) {
                      self->close(status == 200 ? std::string("served a page")
                                                : "refused " + std::to_string(status) + ": " +
                                                      reason);
                    });
}

template <bool Secure>
void WsConnection<Secure>::configure() {
  ws_.read_message_max(options_->limits.max_header_bytes + options_->limits.max_body_bytes);
  ws_.auto_fragment(false);
  // Beast's own timer would be re-armed on every read; the flow's lazy idle timer pings instead.
  websocket::stream_base::timeout t{};
  t.handshake_timeout = connect_timeout();
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws_.set_option(t);
  ping_every(options_->websocket.ping_interval);
  ws_.control_callback([this](websocket::frame_type, beast::string_view) { touch(); });
}

template <bool Secure>
void WsConnection<Secure>::on_quiet() {
  // wss: OpenSSL's record buffers, while no record is half read or written (OpenSSL checks).
  // (The message buffer is not touched: a read is always pending into it.)
  if constexpr (Secure) ws_.next_layer().free_buffers();
}

template <bool Secure>
void WsConnection<Secure>::send_ping() {
  if (state() != State::Open) return;
  // Beast queues a ping behind a write in progress; its completion needs no handling.
  ws_.async_ping({}, [self = self()](const boost::system::error_code&) {});
}

template <bool Secure>
void WsConnection<Secure>::on_accepted(const boost::system::error_code& ec) {
  if (state() == State::Closed) return;
  upgrade_.reset();
  if (ec) return setup_failed("WebSocket accept", ec);
  buffer_.consume(buffer_.size());
  opened();
  do_read();
}

// ---- outbound ----------------------------------------------------------------------------------

template <bool Secure>
void WsConnection<Secure>::connect(const Endpoint& to) {
  set_endpoints(to, {});
  arm_timer(connect_timeout());
  beast::get_lowest_layer(ws_).async_connect(
      tcp::endpoint(to.address, to.port), [self = self()](const boost::system::error_code& ec) {
        if (self->state() == State::Closed) return;
        if (ec) return self->setup_failed("connect", ec);
        auto& socket = beast::get_lowest_layer(self->ws_);
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        self->set_endpoints(self->remote(), endpoints_of(socket).second);
        if constexpr (Secure) {
          const std::string& name = self->server_name_;
          self->ws_.next_layer().expect_server(name.empty() ? self->remote().address.to_string()
                                                            : name);
          self->ws_.next_layer().async_handshake(
              TlsStream::Role::Client, [self](const boost::system::error_code& e) {
                if (self->state() == State::Closed) return;
                if (e) return self->setup_failed("TLS handshake", e);
                self->client_upgrade();
              });
        } else {
          self->client_upgrade();
        }
      });
}

template <bool Secure>
void WsConnection<Secure>::client_upgrade() {
  configure();
  ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "sip");
    req.set(http::field::user_agent, kServer);
  }));
  auto res = std::make_shared<websocket::response_type>();
  const std::string host = server_name_.empty() ? to_string(remote()) : server_name_;
  ws_.async_handshake(*res, host, "/", [self = self(), res](const boost::system::error_code& ec) {
    if (self->state() == State::Closed) return;
    if (ec) return self->setup_failed("WebSocket upgrade", ec);
    const auto p = (*res)[http::field::sec_websocket_protocol];
    if (!util::iequals(util::trim(std::string_view(p.data(), p.size())), "sip")) {
      ++self->counters().handshakes_failed;
      return self->close("the server did not agree to the sip subprotocol");
    }
    self->opened();
    self->do_read();
  });
}

// ---- open --------------------------------------------------------------------------------------

template <bool Secure>
void WsConnection<Secure>::do_read() {
  if (reading_ || state() != State::Open || pause_reading()) return;
  reading_ = true;
  ws_.async_read(buffer_, [self = self()](const boost::system::error_code& ec, std::size_t) {
    self->on_read(ec);
  });
}

template <bool Secure>
void WsConnection<Secure>::on_read(const boost::system::error_code& ec) {
  reading_ = false;
  if (state() == State::Closed) return;
  if (ec == websocket::error::closed || ec == asio::error::eof ||
      ec == ssl::error::stream_truncated)
    return close("closed by peer");
  if (ec == beast::error::timeout) return close("no answer to WebSocket ping");
  if (ec == websocket::error::message_too_big) {
    stream_error(Error{std::make_error_code(std::errc::message_size), "WebSocket message too big"});
    return close("message too big");
  }
  if (ec) return close("read: " + ec.message());
  touch();
  // A flat buffer holds the message in one piece: parsed where it lies (the message keeps
  // its own copy), then the buffer is emptied.
  const auto bytes = buffer_.data();
  const std::string_view data(static_cast<const char*>(bytes.data()), bytes.size());
  Result<sip::Message> parsed = Error{std::make_error_code(std::errc::bad_message), {}};
  const bool keepalive = only_crlf(data);
  const bool ping = keepalive && data.size() >= 4;
  if (!keepalive) parsed = sip::parse_datagram(data, options_->limits);
  buffer_.consume(buffer_.size());
  if (buffer_.capacity() > 16384) buffer_.shrink_to_fit();  // an idle flow holds no big buffer
  if (keepalive) {
    ++counters().keepalives_received;
    if (ping && !send("\r\n")) return;
  } else if (parsed) {
    deliver(std::move(*parsed));
    if (state() == State::Closed) return;
  } else {
    stream_error(parsed.error());  // one bad message: dropped, the connection stays
  }
  do_read();
}

template <bool Secure>
void WsConnection<Secure>::write_front() {
  ws_.text(util::valid_utf8(front()));  // text frames carry only what a browser takes as text
  ws_.async_write(asio::buffer(front()),
                  [self = self()](const boost::system::error_code& ec, std::size_t) {
                    self->on_written(ec);
                  });
}

template <bool Secure>
void WsConnection<Secure>::close_stream() {
  boost::system::error_code ignored;
  auto& socket = beast::get_lowest_layer(ws_);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

template class WsConnection<false>;
template class WsConnection<true>;

}  // namespace ims::transport
