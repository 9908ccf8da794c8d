#pragma once
// TcpConnection: one SIP flow over TCP, accepted or opened by us. Frames the byte stream with
// sip::StreamParser (Content-Length framing, RFC 3261 §18.3), answers CRLFCRLF keep-alive pings
// with a single CRLF (RFC 5626 §3.5.1), closes itself when idle, and writes from an outbox with
// one write in flight and a byte bound. A peer that sends faster than it reads what we answer
// is slowed down: past half the bound the connection stops reading (its requests wait in the
// kernel and, through TCP flow control, at the peer) until the outbox is down to a quarter.
// Over the bound - answers to a paused peer's last read, or requests routed to it from
// elsewhere - the connection is closed: a peer that does not read must not make us hold
// unbounded memory.
//
// Owner: TransportLayer's flow table (shared_ptr; pending reads, writes and the timer hold
// more). Strand: the executor of its socket; every call and callback happens there.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"
#include "common/transport/options.hpp"
#include "common/transport/types.hpp"

namespace ims::transport {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  // Implemented by the owner; called on the strand, never after detach().
  class Events {
   public:
    virtual void on_stream_message(TcpConnection& c, sip::Message message) = 0;
    // A framing error (the stream cannot be resynchronised; the connection closes next).
    virtual void on_stream_error(TcpConnection& c, const Error& error) = 0;
    // The connection is closed (peer, error, idle, write bound, connect failure). Once.
    virtual void on_connection_closed(TcpConnection& c, std::string_view why) = 0;

   protected:
    ~Events() = default;
  };

  enum class State : std::uint8_t { Connecting, Open, Closed };

  // The read buffer is shared by every connection of one strand: a connection waits for its
  // socket to be readable and then reads into it, so an idle connection holds no read buffer.
  using ReadBuffer = std::shared_ptr<std::vector<char>>;

  TcpConnection(boost::asio::ip::tcp::socket socket, FlowId id, bool inbound,
                const Options& options, ReadBuffer read_buffer, Events& events,
                Counters& counters);

  // Inbound: the socket is connected; start reading.
  void start();
  // Outbound: connect to `to` within options.tcp_connect_timeout; sends queued meanwhile are
  // written once connected.
  void connect(const Endpoint& to);

  // Queues bytes for writing. False when closed, or when the outbox would pass its bound: the
  // connection is then closed and counted.
  bool send(std::string bytes);
  // Closes the socket and reports on_connection_closed once.
  void close(std::string_view why);
  // Not closed for idleness before `until` (a device registered over this connection is
  // reached over it until its registration expires, RFC 5626 §5.2).
  void hold_open_until(std::chrono::steady_clock::time_point until);
  // Closes without reporting: the owner is going away.
  void detach();

  FlowId id() const { return id_; }
  bool inbound() const { return inbound_; }
  State state() const { return state_; }
  bool is_open() const { return state_ != State::Closed; }
  const Endpoint& remote() const { return remote_; }
  const Endpoint& local() const { return local_; }

 private:
  void on_connected(const boost::system::error_code& ec);
  void do_read();
  void on_readable(const boost::system::error_code& ec);
  bool drain_parser();
  // True (and reading stays paused until on_written resumes it) once the outbox holds half
  // its bound.
  bool pause_reading();
  void write_front();
  void on_written(const boost::system::error_code& ec);
  void arm_timer(std::chrono::steady_clock::duration after);
  void on_timer(const boost::system::error_code& ec);
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;  // connect deadline, then idle timeout
  FlowId id_;
  bool inbound_;
  State state_;
  Endpoint remote_;
  Endpoint local_;
  std::chrono::seconds idle_timeout_;
  std::chrono::seconds connect_timeout_;
  std::size_t max_outbox_bytes_;
  Events* events_;
  Counters* counters_;
  sip::StreamParser parser_;
  ReadBuffer read_buf_;
  std::deque<std::string> outbox_;
  std::size_t outbox_bytes_ = 0;
  bool read_paused_ = false;  // the outbox passed half its bound: reading waits for it to drain
  std::chrono::steady_clock::time_point last_activity_;
  std::chrono::steady_clock::time_point held_until_{};
};

}  // namespace ims::transport
