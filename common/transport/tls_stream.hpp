#pragma once
// TlsStream: TLS over a TCP socket, OpenSSL on a BIO of our own.
//
// asio::ssl::stream runs OpenSSL against a memory BIO pair, moves every record through two
// 17 KB buffers of its own and orders its operations with a pair of timers; per SIP message
// over TLS that was a measurable part of the switch's TLS cost, and most of an idle
// connection's memory. Here the BIO writes records straight to the (non-blocking) socket and
// reads from bytes the stream read with an ordinary asio read, which tries the socket at once
// and otherwise waits for the reactor, as plain TCP does. OpenSSL reads records ahead, as many
// as it was given. The buffers - OpenSSL's record buffers and the 8 KB input - are released
// by free_buffers() while the stream is quiet.
//
// An operation is attempted at once and, when it completes without waiting, its handler is
// posted (never called from inside the initiating function). Reads and writes may be in flight
// together (one of each), as Beast's WebSocket stream does; the SSL object sees one call at a
// time because every operation runs on the socket's executor.
//
// The stream meets Asio's AsyncReadStream and AsyncWriteStream requirements, so Beast's
// websocket::stream runs over it (teardown below). A write of several buffers is gathered into
// one record, so a WebSocket frame header and its payload travel together.
//
// Owner: the flow that holds it. Strand: the executor of its socket.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>

namespace ims::transport {

class TlsStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using next_layer_type = boost::asio::ip::tcp::socket;
  using lowest_layer_type = boost::asio::ip::tcp::socket;
  enum class Role : std::uint8_t { Client, Server };

  // Takes the socket (open or to be connected through next_layer()); the context's settings,
  // verification included, apply to this stream.
  TlsStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context);
  // Movable only while no operation is in flight (Beast constructs its layer from one).
  TlsStream(TlsStream&&) noexcept;
  TlsStream& operator=(TlsStream&&) = delete;
  ~TlsStream();

  executor_type get_executor() { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& next_layer() { return socket_; }
  boost::asio::ip::tcp::socket& lowest_layer() { return socket_; }
  SSL* native_handle() { return ssl_.get(); }

  // Client side: send `name` as SNI when it is a host name, and require the server's
  // certificate to carry `name` (a host name or an IP literal) when the context verifies peers.
  void expect_server(const std::string& name);
  // Releases OpenSSL's record buffers unless a record is half read or written.
  void free_buffers();
  // Closes the socket, without a close_notify (the peer sees the connection end).
  void close();

  // Bytes read from the socket, waiting for OpenSSL to take them: the BIO's data (defined in
  // the .cpp; on the heap, so that the stream may move before its first operation).
  struct Input;

  // void(error_code)
  template <typename Token>
  auto async_handshake(Role role, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        Op<Handshake>{this, Handshake{role}}, token, socket_);
  }
  // void(error_code, std::size_t): some decrypted bytes into the first non-empty buffer.
  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        Op<Read>{this, Read{first_buffer<boost::asio::mutable_buffer>(buffers)}}, token,
        socket_);
  }
  // void(error_code, std::size_t): every byte of `buffers` (up to 16 KB, one record), or an
  // error; more than that is written in parts.
  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        Op<Write>{this, Write{gather(buffers)}}, token, socket_);
  }

 private:
  // One step of an operation: done with a result, or waiting for the socket.
  enum class Step : std::uint8_t { Done, WantRead, WantWrite };
  struct Outcome {
    Step step = Step::Done;
    boost::system::error_code ec;
    std::size_t bytes = 0;
  };

  struct Handshake {
    Role role;
    Outcome attempt(TlsStream& s) { return s.try_handshake(role); }
    template <typename Self>
    static void complete(Self& self, const Outcome& o) {
      self.complete(o.ec);
    }
  };
  struct Read {
    boost::asio::mutable_buffer buffer;
    Outcome attempt(TlsStream& s) { return s.try_read(buffer); }
    template <typename Self>
    static void complete(Self& self, const Outcome& o) {
      self.complete(o.ec, o.bytes);
    }
  };
  struct Write {
    boost::asio::const_buffer buffer;
    Outcome attempt(TlsStream& s) { return s.try_write(buffer); }
    template <typename Self>
    static void complete(Self& self, const Outcome& o) {
      self.complete(o.ec, o.bytes);
    }
  };

  // The composed operation: attempt; when OpenSSL needs more bytes, read the socket (or, when
  // another operation is reading it already, wait for it to be readable); when the socket is
  // full, wait for it to drain; attempt again; complete. A result reached in the initiating
  // call is posted first.
  template <typename Kind>
  struct Op {
    enum class Phase : std::uint8_t { Attempt, SocketRead, Wait, Posted };
    TlsStream* stream;
    Kind kind;
    Phase phase = Phase::Attempt;
    bool waited = false;
    Outcome result{};

    template <typename Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      switch (phase) {
        case Phase::Posted:
          return Kind::complete(self, result);
        case Phase::SocketRead:
          stream->socket_read_done(ec, n);  // an error reaches OpenSSL through the BIO
          break;
        case Phase::Wait:
          if (ec) return Kind::complete(self, Outcome{Step::Done, ec, 0});
          break;
        case Phase::Attempt:
          break;
      }
      const Outcome o = kind.attempt(*stream);
      if (o.step == Step::WantRead && !stream->socket_reading_) {
        waited = true;
        phase = Phase::SocketRead;
        stream->socket_reading_ = true;
        return stream->socket_.async_read_some(stream->input_space(), std::move(self));
      }
      if (o.step != Step::Done) {
        waited = true;
        phase = Phase::Wait;
        return stream->socket_.async_wait(o.step == Step::WantRead
                                              ? boost::asio::ip::tcp::socket::wait_read
                                              : boost::asio::ip::tcp::socket::wait_write,
                                          std::move(self));
      }
      if (waited) return Kind::complete(self, o);
      phase = Phase::Posted;
      result = o;
      boost::asio::post(stream->socket_.get_executor(), std::move(self));
    }
  };

  template <typename Buffer, typename Buffers>
  static Buffer first_buffer(const Buffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }
  // One buffer as it is; several copied into gather_ (a WebSocket header and its payload).
  template <typename Buffers>
  boost::asio::const_buffer gather(const Buffers& buffers) {
    const auto begin = boost::asio::buffer_sequence_begin(buffers);
    const auto end = boost::asio::buffer_sequence_end(buffers);
    std::size_t count = 0;
    for (auto it = begin; it != end; ++it)
      if (boost::asio::const_buffer(*it).size() > 0) ++count;
    if (count <= 1) return first_buffer<boost::asio::const_buffer>(buffers);
    gather_.clear();
    for (auto it = begin; it != end && gather_.size() < kMaxWrite; ++it) {
      const boost::asio::const_buffer b(*it);
      gather_.append(static_cast<const char*>(b.data()),
                     std::min(b.size(), kMaxWrite - gather_.size()));
    }
    return boost::asio::buffer(gather_);
  }

  boost::asio::mutable_buffer input_space();
  void socket_read_done(const boost::system::error_code& ec, std::size_t n);

  Outcome try_handshake(Role role);
  Outcome try_read(boost::asio::mutable_buffer buffer);
  Outcome try_write(boost::asio::const_buffer buffer);
  // What an SSL call's return value `r` means: wait for the socket, or an error.
  Outcome after(int r);

  static constexpr std::size_t kMaxWrite = 16384;  // one TLS record's plaintext

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl_;
  std::unique_ptr<Input> input_;
  bool attached_ = false;        // the BIO is in place
  bool socket_reading_ = false;  // an operation is reading the socket into input_
  std::string gather_;
};

// Beast's WebSocket close: the TLS stream goes with its socket (no close_notify; the
// WebSocket close frame has already told the peer).
void teardown(boost::beast::role_type role, TlsStream& stream, boost::system::error_code& ec);

template <typename Handler>
void async_teardown(boost::beast::role_type role, TlsStream& stream, Handler&& handler) {
  boost::system::error_code ec;
  teardown(role, stream, ec);
  boost::asio::post(stream.get_executor(),
                    boost::beast::bind_front_handler(std::forward<Handler>(handler), ec));
}

}  // namespace ims::transport
