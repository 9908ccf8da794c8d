#pragma once
// TlsConnection: one SIP flow over TLS (RFC 3261 §26.3.1, RFC 5630), accepted or opened by us.
// The TLS handshake runs first, within the connect timeout, whichever side started it: a peer
// that connects and stalls costs one socket and a timer until then. After it the byte stream
// is framed as over TCP (sip::StreamParser, CRLFCRLF pings answered). Each connection reads
// into a small buffer of its own, from a TlsStream (OpenSSL on the socket itself), whose record
// buffers are released once the flow is quiet (on_quiet), not after every record.
//
// Owner: TransportLayer's flow table (shared_ptr). Strand: the executor of its socket.

#include <array>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/sip/parser.hpp"
#include "common/transport/stream_flow.hpp"
#include "common/transport/tls_stream.hpp"

namespace ims::transport {

class TlsConnection final : public StreamFlow {
 public:
  // `server_name`: for an outbound flow, the name sent as SNI (a host name, not an IP literal)
  // and checked against the peer's certificate when the context verifies peers; empty checks
  // the certificate against the IP address connected to.
  TlsConnection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context,
                FlowId id, bool inbound, const Options& options, std::string server_name,
                Events& events, Counters& counters);

  void start() override;
  void connect(const Endpoint& to) override;

 private:
  void write_front() override;
  void resume_reading() override {
    if (drain(parser_)) do_read();
  }
  void close_stream() override;
  void on_quiet() override;

  void handshake();
  void on_handshake(const boost::system::error_code& ec);
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  std::shared_ptr<TlsConnection> self() {
    return std::static_pointer_cast<TlsConnection>(shared_from_this());
  }

  TlsStream stream_;
  std::string server_name_;
  sip::StreamParser parser_;
  std::array<char, 4096> read_buf_{};
  bool reading_ = false;
};

}  // namespace ims::transport
