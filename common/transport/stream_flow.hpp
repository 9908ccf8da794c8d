#pragma once
// StreamFlow: what every connection-oriented SIP flow shares, whatever carries it - plain TCP
// (TcpConnection), TLS (TlsConnection) or a WebSocket, plain or over TLS (WsConnection). It
// keeps the flow's state, the outbox with one write in flight and a byte bound, the idle timer
// (or the connect/handshake deadline while the flow is being set up) and the report to the
// owner. A peer that sends faster than it reads what we answer is slowed down: past half the
// bound the flow stops reading until the outbox is down to a quarter; over the bound it is
// closed - a peer that does not read must not make us hold unbounded memory.
//
// The concrete flows read, write and close their own stream: they implement start(),
// connect(), write_front(), resume_reading() and close_stream().
//
// Owner: TransportLayer's flow table (shared_ptr; pending reads, writes and the timer hold
// more). Strand: the executor of its socket; every call and callback happens there.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/sip/message.hpp"
#include "common/sip/parser.hpp"
#include "common/transport/options.hpp"
#include "common/transport/types.hpp"

namespace ims::transport {

class StreamFlow : public std::enable_shared_from_this<StreamFlow> {
 public:
  // Implemented by the owner; called on the strand, never after detach().
  class Events {
   public:
    virtual void on_stream_message(StreamFlow& f, sip::Message message) = 0;
    // Bytes that are not SIP: a framing error closes a byte stream next (it cannot be
    // resynchronised); a WebSocket drops the one message and goes on.
    virtual void on_stream_error(StreamFlow& f, const Error& error) = 0;
    // The flow is closed (peer, error, idle, write bound, connect or handshake failure). Once.
    virtual void on_connection_closed(StreamFlow& f, std::string_view why) = 0;

   protected:
    ~Events() = default;
  };

  // Connecting covers the TCP connect and the TLS and WebSocket handshakes, in either
  // direction: sends meanwhile wait in the outbox.
  enum class State : std::uint8_t { Connecting, Open, Closed };

  virtual ~StreamFlow() = default;
  StreamFlow(const StreamFlow&) = delete;
  StreamFlow& operator=(const StreamFlow&) = delete;

  // Inbound: the socket is connected; run the handshakes, if any, then read.
  virtual void start() = 0;
  // Outbound: connect to `to` and run the handshakes within the connect timeout.
  virtual void connect(const Endpoint& to) = 0;

  // Queues one SIP message (or a keep-alive) for writing. False when closed, or when the
  // outbox would pass its bound: the flow is then closed and counted.
  bool send(std::string bytes);
  // Closes the stream and reports on_connection_closed once.
  void close(std::string_view why);
  // Not closed for idleness before `until` (a device registered over this flow is reached
  // over it until its registration expires, RFC 5626 §5.2).
  void hold_open_until(std::chrono::steady_clock::time_point until);
  // Closes without reporting: the owner is going away.
  void detach();

  FlowId id() const { return id_; }
  Protocol protocol() const { return protocol_; }
  bool inbound() const { return inbound_; }
  State state() const { return state_; }
  bool is_open() const { return state_ != State::Closed; }
  // It got through its set-up (connect and handshakes) at some point.
  bool was_open() const { return was_open_; }
  const Endpoint& remote() const { return remote_; }
  const Endpoint& local() const { return local_; }

 protected:
  StreamFlow(const boost::asio::any_io_executor& ex, Protocol protocol, FlowId id, bool inbound,
             const Options& options, Events& events, Counters& counters);

  // Writes outbox_.front() (one write in flight); its completion calls on_written.
  virtual void write_front() = 0;
  // Reading paused (outbox over half its bound) may go on again.
  virtual void resume_reading() = 0;
  // Shuts the socket; pending operations complete with an error afterwards.
  virtual void close_stream() = 0;
  // Sends a keep-alive the peer must answer (a WebSocket ping); only with ping_every().
  virtual void send_ping() {}
  // The flow's timer found it quiet (nothing for an idle or ping period): what can be rebuilt
  // on the next message may go (TLS record buffers).
  virtual void on_quiet() {}

  // A flow silent for half of `interval` is pinged, and closed when the whole interval passes
  // with nothing from the peer (a peer that vanished without closing). Zero: never.
  void ping_every(std::chrono::seconds interval) { ping_interval_ = interval; }

  // The set-up is done: the idle timer starts and queued sends are written.
  void opened();
  void on_written(const boost::system::error_code& ec);
  // True (and the flow should not read) once the outbox holds half its bound; on_written
  // calls resume_reading when it is down to a quarter.
  bool pause_reading();
  bool read_paused() const { return read_paused_; }
  void set_endpoints(const Endpoint& remote, const Endpoint& local) {
    remote_ = remote;
    local_ = local;
  }
  void arm_timer(std::chrono::steady_clock::duration after);
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }
  // Hands every complete item of a byte-stream parser to the owner (TCP and TLS framing,
  // RFC 3261 §18.3). False when the flow closed meanwhile or reading paused (the rest stays in
  // the parser).
  bool drain(sip::StreamParser& parser);
  void deliver(sip::Message message);
  void stream_error(const Error& error);
  Counters& counters() { return *counters_; }
  const std::string& front() const { return outbox_.front(); }
  std::chrono::seconds connect_timeout() const { return connect_timeout_; }

 private:
  void on_timer(const boost::system::error_code& ec);

  boost::asio::steady_timer timer_;  // connect or handshake deadline, then idle timeout
  Protocol protocol_;
  FlowId id_;
  bool inbound_;
  State state_ = State::Connecting;
  bool was_open_ = false;
  Endpoint remote_;
  Endpoint local_;
  std::chrono::seconds idle_timeout_;
  std::chrono::seconds connect_timeout_;
  std::size_t max_outbox_bytes_;
  Events* events_;
  Counters* counters_;
  std::deque<std::string> outbox_;
  std::size_t outbox_bytes_ = 0;
  bool read_paused_ = false;
  std::chrono::steady_clock::time_point last_activity_;
  std::chrono::steady_clock::time_point held_until_{};
  std::chrono::seconds ping_interval_{0};
  std::chrono::steady_clock::time_point pinged_at_{};  // unanswered ping, or epoch
};

// The remote and local endpoints of a connected socket (unset ones stay default).
template <typename Socket>
std::pair<Endpoint, Endpoint> endpoints_of(const Socket& s) {
  boost::system::error_code ec;
  std::pair<Endpoint, Endpoint> out;
  auto r = s.remote_endpoint(ec);
  if (!ec) out.first = Endpoint::make(r.address(), r.port());
  auto l = s.local_endpoint(ec);
  if (!ec) out.second = Endpoint::make(l.address(), l.port());
  return out;
}

}  // namespace ims::transport
