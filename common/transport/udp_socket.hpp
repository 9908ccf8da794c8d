#pragma once
// UdpSocket: one bound UDP socket (a listener and the flow its responses leave from, RFC 3581
// §4). Receives datagrams unparsed and hands them to its owner: when the socket is readable it
// takes what is queued in batches (recvmmsg, kBatch datagrams of up to 65535 bytes per call, at
// most kMaxPerWakeup per wake-up so that other sockets and timers get their turn). Sends
// at once (non-blocking); what the kernel refuses waits in a bounded outbox until the socket is
// writable, and meanwhile no new datagram is read (backpressure: requests wait in the kernel's
// receive buffer instead of making answers that would be dropped). The kernel stamps each
// datagram with its arrival time (SO_TIMESTAMPNS), which goes up with it: the SIP core sheds new
// requests that waited too long in the queue (stack.hpp).
//
// Owner: TransportLayer (holds the shared_ptr; pending receives and sends hold another).
// Strand: the executor it is created on; every call and callback happens there.

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include "common/transport/options.hpp"
#include "common/transport/types.hpp"
#include "common/util/result.hpp"

namespace ims::transport {

class UdpSocket : public std::enable_shared_from_this<UdpSocket> {
 public:
  // Implemented by the owner; called on the strand, never after detach().
  class Events {
   public:
    // `received`: the kernel's receive time of the datagram (the epoch when it gave none).
    virtual void on_datagram(UdpSocket& socket, std::string_view data, const Endpoint& from,
                             std::chrono::system_clock::time_point received) = 0;

   protected:
    ~Events() = default;
  };

  // Binds to `where` (port 0: the system picks one; local() tells which). IPv6 sockets are
  // v6-only so that 0.0.0.0 and [::] can both be bound to the same port.
  static Result<std::shared_ptr<UdpSocket>> open(const boost::asio::any_io_executor& ex,
                                                 const Endpoint& where, const Options& options,
                                                 FlowId id, Events& events, Counters& counters);

  UdpSocket(boost::asio::ip::udp::socket socket, const Endpoint& local, const Options& options,
            FlowId id, Events& events, Counters& counters);
  ~UdpSocket();

  void start();
  // Sends a datagram now, or queues it when the kernel refuses it. False when the socket is
  // closed or the outbox is over its bound (the datagram is dropped and counted: UDP has no
  // connection to close).
  bool send_to(const Endpoint& to, std::string bytes);
  // Stops receiving and sending; no callback follows.
  void close();

  FlowId id() const { return id_; }
  const Endpoint& local() const { return local_; }
  bool is_v6() const { return local_.address.is_v6(); }

 private:
  static constexpr unsigned kBatch = 8;
  static constexpr unsigned kMaxPerWakeup = 64;
  struct Datagram {
    boost::asio::ip::udp::endpoint to;
    std::string bytes;
  };
  struct Inbox;  // recvmmsg's buffers, headers and source addresses
  void do_receive();
  void on_readable(const boost::system::error_code& ec);
  // Reads and hands up what is queued, up to kMaxPerWakeup datagrams. False when the socket was
  // closed meanwhile.
  bool drain();
  void count_sent(const boost::system::error_code& ec, const boost::asio::ip::udp::endpoint& to);
  void wait_writable();
  void on_writable(const boost::system::error_code& ec);

  boost::asio::ip::udp::socket socket_;
  Endpoint local_;
  std::size_t max_outbox_bytes_;
  FlowId id_;
  Events* events_;
  Counters& counters_;
  std::unique_ptr<Inbox> inbox_;
  std::deque<Datagram> outbox_;
  std::size_t outbox_bytes_ = 0;
  bool receive_paused_ = false;  // a datagram was handled while the outbox was not empty
};

}  // namespace ims::transport
