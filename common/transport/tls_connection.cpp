#include "common/transport/tls_connection.hpp"

#include <boost/asio/ssl/error.hpp>
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
  stream_.expect_server(server_name_.empty() ? to.address.to_string() : server_name_);
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
  stream_.async_handshake(inbound() ? TlsStream::Role::Server : TlsStream::Role::Client,
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
  stream_.free_buffers();
}

void TlsConnection::close_stream() {
  stream_.close();
}

}  // namespace ims::transport
