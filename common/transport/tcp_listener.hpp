#pragma once
// TcpListener: a bound, listening TCP socket that accepts connections and hands each socket to
// its owner, which applies the connection limits and builds the flow of the listener's protocol
// (TCP, TLS, WS or WSS: all of them listen on TCP).
//
// Owner: TransportLayer (shared_ptr; the pending accept holds another). Strand: the executor it
// is created on; accepted sockets are bound to the same executor.

#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/transport/options.hpp"
#include "common/transport/types.hpp"
#include "common/util/result.hpp"

namespace ims::transport {

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  class Events {
   public:
    virtual void on_accepted(TcpListener& listener, boost::asio::ip::tcp::socket socket) = 0;

   protected:
    ~Events() = default;
  };

  // Binds and listens on `where` (port 0: the system picks; local() tells which). IPv6
  // listeners are v6-only, like UDP ones.
  static Result<std::shared_ptr<TcpListener>> open(const boost::asio::any_io_executor& ex,
                                                   Protocol protocol, const Endpoint& where,
                                                   const Options& options, Events& events);

  TcpListener(boost::asio::ip::tcp::acceptor acceptor, Protocol protocol, const Endpoint& local,
              Events& events);

  void start();
  void close();
  const Endpoint& local() const { return local_; }
  Protocol protocol() const { return protocol_; }

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;  // after accept errors such as EMFILE
  Protocol protocol_;
  Endpoint local_;
  Events* events_;
};

}  // namespace ims::transport
