#include "common/transport/udp_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <optional>

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
  // The kernel's receive time of each datagram, for the queueing delay the core sheds on. A
  // kernel without it merely gives no stamp.
  if (int on = 1;
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    spdlog::debug("udp {}: SO_TIMESTAMPNS: {}", to_string(where), std::strerror(errno));
  }
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

struct UdpSocket::Inbox {
  static constexpr std::size_t kPayload = 65535;  // RFC 768: the largest UDP payload
  Inbox() {
    for (unsigned i = 0; i < kBatch; ++i) {
      iov[i] = iovec{buffers[i].data(), kPayload};
      headers[i].msg_hdr = msghdr{};
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      headers[i].msg_hdr.msg_name = &from[i];
      headers[i].msg_hdr.msg_control = control[i].data();
    }
  }
  // recvmmsg writes the source address and control lengths back: reset them before each call.
  void rearm() {
    for (unsigned i = 0; i < kBatch; ++i) {
      headers[i].msg_hdr.msg_namelen = sizeof from[i];
      headers[i].msg_hdr.msg_controllen = control[i].size();
    }
  }
  // The SCM_TIMESTAMPNS stamp of datagram i; the epoch without one.
  std::chrono::system_clock::time_point stamp(unsigned i) {
    msghdr& h = headers[i].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      const auto since = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
      return std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(since));
    }
    return {};
  }
  std::array<std::array<char, kPayload>, kBatch> buffers;
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> headers{};
  std::array<sockaddr_storage, kBatch> from{};
  std::array<std::array<char, CMSG_SPACE(sizeof(timespec))>, kBatch> control{};
};

namespace {

std::optional<Endpoint> source_of(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
    return Endpoint{asio::ip::address_v4(ntohl(a.sin_addr.s_addr)), ntohs(a.sin_port)};
  }
  if (ss.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &a.sin6_addr, bytes.size());
    return Endpoint::make(asio::ip::address_v6(bytes, a.sin6_scope_id), ntohs(a.sin6_port));
  }
  return std::nullopt;
}

}  // namespace

UdpSocket::UdpSocket(udp::socket socket, const Endpoint& local, const Options& options, FlowId id,
                     Events& events, Counters& counters)
    : socket_(std::move(socket)),
      local_(local),
      max_outbox_bytes_(options.max_write_queue_bytes),
      id_(id),
      events_(&events),
      counters_(counters),
      inbox_(std::make_unique<Inbox>()) {}

UdpSocket::~UdpSocket() = default;

void UdpSocket::start() { do_receive(); }

// Waiting for readability re-arms the socket in epoll, which reports a datagram that arrived
// after the last read, so nothing is left unread between wake-ups.
void UdpSocket::do_receive() {
  socket_.async_wait(udp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->on_readable(ec);
                     });
}

void UdpSocket::on_readable(const boost::system::error_code& ec) {
  if (!events_) return;  // closed
  if (ec == asio::error::operation_aborted) return;
  if (ec) spdlog::debug("udp {}: wait: {}", to_string(local_), ec.message());
  if (!drain()) return;
  // While the kernel refuses our datagrams, taking in more requests would only make answers
  // that must be dropped: leave new ones in the receive buffer until the outbox drains.
  if (outbox_.empty())
    do_receive();
  else
    receive_paused_ = true;
}

bool UdpSocket::drain() {
  const int fd = socket_.native_handle();
  unsigned taken = 0;
  while (taken < kMaxPerWakeup && outbox_.empty()) {
    inbox_->rearm();
    const int n = ::recvmmsg(fd, inbox_->headers.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) break;
      // ICMP port-unreachable from an earlier send surfaces here as ECONNREFUSED on Linux; it
      // says nothing about this socket and is reported once, so keep reading.
      spdlog::debug("udp {}: receive: {}", to_string(local_), std::strerror(error));
      if (error != ECONNREFUSED) break;
      ++taken;
      continue;
    }
    for (int i = 0; i < n; ++i) {
      const auto from = source_of(inbox_->from[i]);
      if (!from) continue;  // not an IP datagram: cannot happen on an IP socket
      events_->on_datagram(*this,
                           std::string_view(inbox_->buffers[i].data(), inbox_->headers[i].msg_len),
                           *from, inbox_->stamp(static_cast<unsigned>(i)));
      if (!events_) return false;
    }
    taken += static_cast<unsigned>(n);
    if (static_cast<unsigned>(n) < kBatch) break;  // the queue was empty: wait for more
  }
  return true;
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
