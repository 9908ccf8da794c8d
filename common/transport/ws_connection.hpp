#pragma once
// WsConnection: one SIP flow over WebSocket (RFC 7118), plain (ws) or over TLS (wss), accepted
// or opened by us, on Boost.Beast.
//
// Inbound set-up, all within the connect timeout: the TLS handshake (wss), then the HTTP
// upgrade request, read with a bound on its size; the request is refused with an HTTP status
// unless it asks for the `sip` subprotocol (§4.1; 400) and, when the options list allowed
// origins, comes from one of them (403). A plain GET that is not an upgrade gets the page the
// options' web handler returns (the demo page), or 426. Outbound (the client library): TCP
// connect, TLS handshake (wss), then the upgrade with `Sec-WebSocket-Protocol: sip`.
//
// Once open, each WebSocket message, text or binary, carries one SIP message (§5.1), bounded
// by the parser limits; a message that is not SIP is dropped and counted, and the connection
// stays. A lone CRLFCRLF is a keep-alive and gets a CRLF back, as over TCP. Beast answers the
// peer's pings; a silent peer is pinged (StreamFlow::ping_every), and one that does not answer
// within the ping interval is gone (a half-open connection): the flow closes. What we send goes out as text when it is
// valid UTF-8, else as binary.
//
// Owner: TransportLayer's flow table (shared_ptr). Strand: the executor of its socket.

#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "common/transport/stream_flow.hpp"
#include "common/transport/tls_stream.hpp"

namespace ims::transport {

template <bool Secure>
class WsConnection final : public StreamFlow {
 public:
  using Socket = std::conditional_t<Secure,
                                    TlsStream,
                                    boost::asio::ip::tcp::socket>;

  // `context` is used only when Secure. `server_name`: outbound, the Host header, SNI and the
  // name the server's certificate must carry (empty: the address connected to).
  WsConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* context,
               FlowId id, bool inbound, const Options& options, std::string server_name,
               Events& events, Counters& counters);

  void start() override;
  void connect(const Endpoint& to) override;

 private:
  void write_front() override;
  void resume_reading() override { do_read(); }
  void close_stream() override;
  void send_ping() override;
  void on_quiet() override;

  void read_upgrade();
  void on_upgrade(const boost::system::error_code& ec);
  // Answers the upgrade request with an HTTP response and closes.
  void refuse(unsigned status, std::string reason, std::string content_type = "text/plain",
              std::string body = {});
  void configure();
  void on_accepted(const boost::system::error_code& ec);
  void client_upgrade();
  void setup_failed(std::string_view what, const boost::system::error_code& ec);
  void do_read();
  void on_read(const boost::system::error_code& ec);
  std::shared_ptr<WsConnection> self() {
    return std::static_pointer_cast<WsConnection>(shared_from_this());
  }

  boost::beast::websocket::stream<Socket> ws_;
  const Options* options_;  // the layer's, which outlives its flows
  std::string server_name_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> upgrade_;
  bool reading_ = false;
};

extern template class WsConnection<false>;
extern template class WsConnection<true>;

}  // namespace ims::transport
