#include "common/transport/tls_connection.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace ims::transport {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

TlsConnection::TlsConnection(tcp::socket socket, ssl::context& context, FlowId id, bool inbound,
                             const Options& options, std::string server_name, Events& events,
                             Counters& counters)
    : StreamFlow(socket.get_executor(), Protocol::Tls, id, inbound, options, events, counters),
      stream_(std::move(socket), context),
      server_name_(std::move(server_name)),
      parser_(options.limits) {
  // asio's engine asks OpenSSL to free its record buffers after every record: an allocation and
  // a wipe per record. They are freed once the flow is quiet instead (on_quiet).
  SSL_clear_mode(stream_.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  if (inbound) {
    auto [remote, local] = endpoints_of(stream_.lowest_layer());
    set_endpoints(remote, local);
  }
}

void TlsConnection::start() {
  boost::system::error_code ignored;
  stream_.lowest_layer().set_option(tcp::no_delay(true), ignored);
  arm_timer(connect_timeout());
  handshake();
}

void TlsConnection::connect(const Endpoint& to) {
  set_endpoints(to, {});
  arm_timer(connect_timeout());
  const bool is_name = !server_name_.empty() && !parse_ip(server_name_);
  if (is_name) SSL_set_tlsext_host_name(stream_.native_handle(), server_name_.c_str());
  stream_.set_verify_callback(ssl::host_name_verification(
      server_name_.empty() ? to.address.to_string() : server_name_));
  stream_.lowest_layer().async_connect(
      tcp::endpoint(to.address, to.port), [self = self()](const boost::system::error_code& ec) {
        if (self->state() == State::Closed) return;
        if (ec) {
          ++self->counters().send_errors;
          return self->close("connect: " + ec.message());
        }
        boost::system::error_code ignored;
        self->stream_.lowest_layer().set_option(tcp::no_delay(true), ignored);
        self->set_endpoints(self->remote(), endpoints_of(self->stream_.lowest_layer()).second);
        self->handshake();
      });
}

void TlsConnection::handshake() {
  stream_.async_handshake(inbound() ? ssl::stream_base::server : ssl::stream_base::client,
                          [self = self()](const boost::system::error_code& ec) {
                            self->on_handshake(ec);
                          });
}

void TlsConnection::on_handshake(const boost::system::error_code& ec) {
  if (state() == State::Closed) return;
  if (ec) {
    ++counters().handshakes_failed;
    if (!inbound()) ++counters().send_errors;
    return close("TLS handshake: " + ec.message());
  }
  opened();
  do_read();
}

void TlsConnection::do_read() {
  if (reading_ || state() == State::Closed || pause_reading()) return;
  reading_ = true;
  stream_.async_read_some(asio::buffer(read_buf_),
                          [self = self()](const boost::system::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void TlsConnection::on_read(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (state() == State::Closed) return;
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return close("closed by peer");
  if (ec) return close("read: " + ec.message());
  touch();
  parser_.feed(std::string_view(read_buf_.data(), n));
  if (!drain(parser_)) return;
  do_read();
}

void TlsConnection::write_front() {
  asio::async_write(stream_, asio::buffer(front()),
                    [self = self()](const boost::system::error_code& ec, std::size_t) {
                      self->on_written(ec);
                    });
}

void TlsConnection::on_quiet() {
  // Frees nothing while a record is half read or written (OpenSSL checks).
  SSL_free_buffers(stream_.native_handle());
}

void TlsConnection::close_stream() {
  boost::system::error_code ignored;
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
}

}  // namespace ims::transport
