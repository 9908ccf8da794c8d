#pragma once
// TcpConnection: one SIP flow over plain TCP, accepted or opened by us. Frames the byte stream
// with sip::StreamParser (Content-Length framing, RFC 3261 §18.3) and answers CRLFCRLF
// keep-alive pings with a single CRLF (RFC 5626 §3.5.1); the outbox, its bound and the idle
// timer are StreamFlow's. An idle connection holds no read buffer: it waits for its socket to
// be readable and then reads into the one buffer all connections of the strand share.
//
// Owner: TransportLayer's flow table (shared_ptr; pending reads, writes and the timer hold
// more). Strand: the executor of its socket; every call and callback happens there.

#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "common/sip/parser.hpp"
#include "common/transport/stream_flow.hpp"

namespace ims::transport {

class TcpConnection final : public StreamFlow {
 public:
  // The read buffer is shared by every connection of one strand.
  using ReadBuffer = std::shared_ptr<std::vector<char>>;

  TcpConnection(boost::asio::ip::tcp::socket socket, FlowId id, bool inbound,
                const Options& options, ReadBuffer read_buffer, Events& events,
                Counters& counters);

  void start() override;
  void connect(const Endpoint& to) override;

 private:
  void write_front() override;
  void resume_reading() override { on_readable({}); }
  void close_stream() override;

  void on_connected(const boost::system::error_code& ec);
  void do_read();
  void on_readable(const boost::system::error_code& ec);
  std::shared_ptr<TcpConnection> self() {
    return std::static_pointer_cast<TcpConnection>(shared_from_this());
  }

  boost::asio::ip::tcp::socket socket_;
  sip::StreamParser parser_;
  ReadBuffer read_buf_;
};

}  // namespace ims::transport
