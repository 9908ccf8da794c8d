#include "common/transport/tcp_listener.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ims::transport {

namespace asio = boost::asio;
using asio::ip::tcp;

Result<std::shared_ptr<TcpListener>> TcpListener::open(const asio::any_io_executor& ex,
                                                       Protocol protocol, const Endpoint& where,
                                                       const Options& options, Events& events) {
  tcp::acceptor acceptor(ex);
  tcp::endpoint ep(where.address, where.port);
  boost::system::error_code ec;
  auto fail = [&](std::string_view what) {
    return Error{std::error_code(ec.value(), std::system_category()),
                 fmt::format("{} {}: {}: {}", protocol_name(protocol), to_string(where), what,
                             ec.message())};
  };
  acceptor.open(ep.protocol(), ec);
  if (ec) return fail("open");
  if (where.address.is_v6()) {
    acceptor.set_option(asio::ip::v6_only(true), ec);
    if (ec) return fail("IPV6_V6ONLY");
  }
  // Restarting while old connections sit in TIME_WAIT must not fail the bind.
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  if (options.reuse_port) {
    int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("SO_REUSEPORT");
    }
  }
  acceptor.bind(ep, ec);
  if (ec) return fail("bind");
  acceptor.listen(tcp::acceptor::max_listen_connections, ec);
  if (ec) return fail("listen");
  auto bound = acceptor.local_endpoint(ec);
  if (ec) return fail("local_endpoint");
  return std::make_shared<TcpListener>(std::move(acceptor), protocol,
                                       Endpoint::make(bound.address(), bound.port()), events);
}

TcpListener::TcpListener(tcp::acceptor acceptor, Protocol protocol, const Endpoint& local,
                         Events& events)
    : acceptor_(std::move(acceptor)),
      backoff_(acceptor_.get_executor()),
      protocol_(protocol),
      local_(local),
      events_(&events) {}

void TcpListener::start() { do_accept(); }

void TcpListener::do_accept() {
  acceptor_.async_accept(acceptor_.get_executor(),
                         [self = shared_from_this()](const boost::system::error_code& ec,
                                                     tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void TcpListener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (!events_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or memory: retrying at once would spin. Wait a little; the bounded
    // connection count and idle timeouts free descriptors meanwhile.
    spdlog::warn("{} {}: accept: {}", protocol_name(protocol_), to_string(local_), ec.message());
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e && self->events_) self->do_accept();
    });
    return;
  }
  events_->on_accepted(*this, std::move(socket));
  if (events_) do_accept();
}

void TcpListener::close() {
  if (!events_) return;
  events_ = nullptr;
  boost::system::error_code ignored;
  backoff_.cancel();
  acceptor_.close(ignored);
}

}  // namespace ims::transport
