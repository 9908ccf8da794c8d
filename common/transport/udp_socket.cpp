#include "common/transport/udp_socket.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/socket_base.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ims::transport {

namespace asio = boost::asio;
using asio::ip::udp;

Result<std::shared_ptr<UdpSocket>> UdpSocket::open(const asio::any_io_executor& ex,
                                                   const Endpoint& where, const Options& options,
                                                   FlowId id, Events& events, Counters& counters) {
  udp::socket socket(ex);
  udp::endpoint ep(where.address, where.port);
  boost::system::error_code ec;
  auto fail = [&](std::string_view what) {
    return Error{std::error_code(ec.value(), std::system_category()),
                 fmt::format("udp {}: {}: {}", to_string(where), what, ec.message())};
  };
  socket.open(ep.protocol(), ec);
  if (ec) return fail("open");
  if (where.address.is_v6()) {
    socket.set_option(asio::ip::v6_only(true), ec);
    if (ec) return fail("IPV6_V6ONLY");
  }
  if (options.reuse_port) {
    int one = 1;
    if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      ec.assign(errno, boost::system::system_category());
      return fail("SO_REUSEPORT");
    }
  }
  // A large receive buffer absorbs bursts while the core thread is busy. The kernel may cap it
  // (net.core.rmem_max); a smaller buffer is not an error.
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::receive_buffer_size(options.udp_receive_buffer_bytes),
                    ignored);
  socket.bind(ep, ec);
  if (ec) return fail("bind");
  auto bound = socket.local_endpoint(ec);
  if (ec) return fail("local_endpoint");
  socket.non_blocking(true, ec);  // send_to() writes at once and falls back to the outbox
  if (ec) return fail("non-blocking");
  return std::make_shared<UdpSocket>(std::move(socket),
                                     Endpoint::make(bound.address(), bound.port()), options, id,
                                     events, counters);
}

UdpSocket::UdpSocket(udp::socket socket, const Endpoint& local, const Options& options, FlowId id,
                     Events& events, Counters& counters)
    : socket_(std::move(socket)),
      local_(local),
      max_outbox_bytes_(options.max_write_queue_bytes),
      id_(id),
      events_(&events),
      counters_(counters),
      buf_(std::make_unique<std::array<char, 65535>>()) {}

void UdpSocket::start() { do_receive(); }

void UdpSocket::do_receive() {
  socket_.async_receive_from(
      asio::buffer(*buf_), sender_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        self->on_received(ec, n);
      });
}

void UdpSocket::on_received(const boost::system::error_code& ec, std::size_t n) {
  if (!events_) return;  // closed
  if (ec == asio::error::operation_aborted) return;
  if (ec) {
    // ICMP port-unreachable from an earlier send surfaces here as connection_refused on Linux;
    // it says nothing about this socket, so keep receiving.
    spdlog::debug("udp {}: receive: {}", to_string(local_), ec.message());
    return do_receive();
  }
  events_->on_datagram(*this, std::string_view(buf_->data(), n),
                       Endpoint::make(sender_.address(), sender_.port()));
  if (!events_) return;
  // While the kernel refuses our datagrams, taking in more requests would only make answers
  // that must be dropped: leave new ones in the receive buffer until the outbox drains.
  if (outbox_.empty())
    do_receive();
  else
    receive_paused_ = true;
}

bool UdpSocket::send_to(const Endpoint& to, std::string bytes) {
  if (!events_) return false;
  if (outbox_.empty()) {
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(bytes), udp::endpoint(to.address, to.port), 0, ec);
    if (ec != asio::error::would_block && ec != asio::error::try_again) {
      count_sent(ec, udp::endpoint(to.address, to.port));
      return true;
    }
  }
  if (outbox_bytes_ + bytes.size() > max_outbox_bytes_) {
    ++counters_.write_queue_overflows;
    spdlog::debug("udp {}: outbox full, datagram to {} dropped", to_string(local_), to_string(to));
    return false;
  }
  outbox_bytes_ += bytes.size();
  outbox_.push_back(Datagram{udp::endpoint(to.address, to.port), std::move(bytes)});
  if (outbox_.size() == 1) wait_writable();
  return true;
}

void UdpSocket::count_sent(const boost::system::error_code& ec, const udp::endpoint& to) {
  if (ec) {
    // One failed datagram (unreachable network, family mismatch) does not stop the others.
    ++counters_.send_errors;
    spdlog::debug("udp {}: send to {}:{}: {}", to_string(local_), to.address().to_string(),
                  to.port(), ec.message());
  } else {
    ++counters_.messages_sent;
  }
}

void UdpSocket::wait_writable() {
  socket_.async_wait(udp::socket::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->on_writable(ec);
                     });
}

void UdpSocket::on_writable(const boost::system::error_code& ec) {
  if (!events_ || ec == asio::error::operation_aborted) return;
  while (!outbox_.empty()) {
    auto& d = outbox_.front();
    boost::system::error_code sent;
    socket_.send_to(asio::buffer(d.bytes), d.to, 0, sent);
    if (sent == asio::error::would_block || sent == asio::error::try_again) return wait_writable();
    count_sent(sent, d.to);
    outbox_bytes_ -= d.bytes.size();
    outbox_.pop_front();
  }
  if (receive_paused_) {
    receive_paused_ = false;
    do_receive();
  }
}

void UdpSocket::close() {
  if (!events_) return;
  events_ = nullptr;
  boost::system::error_code ignored;
  socket_.close(ignored);
  outbox_.clear();  // unsent datagrams go with the socket, as the kernel's would
  outbox_bytes_ = 0;
}

}  // namespace ims::transport
