#include "common/transport/tcp_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace ims::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpConnection::TcpConnection(tcp::socket socket, FlowId id, bool inbound, const Options& options,
                             ReadBuffer read_buffer, Events& events, Counters& counters)
    : StreamFlow(socket.get_executor(), Protocol::Tcp, id, inbound, options, events, counters),
      socket_(std::move(socket)),
      parser_(options.limits),
      read_buf_(std::move(read_buffer)) {
  if (inbound) {
    auto [remote, local] = endpoints_of(socket_);
    set_endpoints(remote, local);
  }
}

void TcpConnection::start() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);  // read_some after wait_read must never block the strand
  opened();
  do_read();
}

void TcpConnection::connect(const Endpoint& to) {
  set_endpoints(to, {});
  arm_timer(connect_timeout());
  socket_.async_connect(tcp::endpoint(to.address, to.port),
                        [self = self()](const boost::system::error_code& ec) {
                          self->on_connected(ec);
                        });
}

void TcpConnection::on_connected(const boost::system::error_code& ec) {
  if (state() == State::Closed) return;
  if (ec) {
    ++counters().send_errors;
    return close("connect: " + ec.message());
  }
  set_endpoints(remote(), endpoints_of(socket_).second);
  boost::system::error_code e2;
  socket_.set_option(tcp::no_delay(true), e2);
  socket_.non_blocking(true, e2);
  opened();
  do_read();
}

void TcpConnection::do_read() {
  socket_.async_wait(tcp::socket::wait_read, [self = self()](const boost::system::error_code& ec) {
    self->on_readable(ec);
  });
}

// The reactor reports readiness by edges, so the socket is read until it would block before
// waiting again. A peer that keeps it busy gets a bounded share per turn: past the budget the
// rest is read in a posted continuation, after other handlers had their turn.
void TcpConnection::on_readable(const boost::system::error_code& ec) {
  if (state() == State::Closed) return;
  if (ec) return close("read: " + ec.message());
  if (!drain(parser_)) return;  // requests left over from a pause go first
  std::size_t budget = 4 * read_buf_->size();
  for (;;) {
    if (pause_reading()) return;
    boost::system::error_code rec;
    const std::size_t n = socket_.read_some(asio::buffer(*read_buf_), rec);
    if (rec == asio::error::would_block || rec == asio::error::try_again) return do_read();
    if (rec == asio::error::eof) return close("closed by peer");
    if (rec) return close("read: " + rec.message());
    touch();
    parser_.feed(std::string_view(read_buf_->data(), n));
    if (!drain(parser_)) return;
    if (n >= budget) {
      asio::post(socket_.get_executor(),
                 [self = self()] { self->on_readable(boost::system::error_code{}); });
      return;
    }
    budget -= n;
  }
}

void TcpConnection::write_front() {
  asio::async_write(socket_, asio::buffer(front()),
                    [self = self()](const boost::system::error_code& ec, std::size_t) {
                      self->on_written(ec);
                    });
}

void TcpConnection::close_stream() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace ims::transport
