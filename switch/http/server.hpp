#pragma once
// Server: the HTTP/1.1 listener of the switch's API (Boost.Beast), on its own event loop so that
// no request ever waits on, or makes wait, a SIP core. One Session per connection reads a
// request, hands it to its route's handler, writes the handler's response, and reads the next
// (keep-alive); one request at a time per connection.
//
// Plain HTTP, or HTTPS when ServerOptions::tls is set (a TLS handshake first, on
// common/transport's TlsStream).
//
// Bounds (STYLE rule 9): the request head (431) and body (413) sizes; a deadline for each
// request to arrive whole (a slow client gets 408, a silent one is closed) and for each response
// to be read; connections in all and per address (over them a connection is closed at once).
// Anything Beast cannot parse is 400. Every error is JSON ({"error": ...}).
//
// Owner: Application. Strand: the executor given (one thread runs it); handlers are called
// there and may reply from any thread.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/transport/types.hpp"
#include "common/util/result.hpp"
#include "switch/http/router.hpp"

namespace ims::sw::http {

struct ServerOptions {
  std::size_t max_header_bytes = 8192;
  std::size_t max_body_bytes = 1 << 20;
  // From the moment a connection waits for a request (after connecting, or after the last
  // response) to the last byte of it; when it passes, a connection that sent nothing is closed
  // and one that sent part of a request gets 408. Also the bound on writing a response.
  std::chrono::seconds request_timeout{15};
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_address = 100;
  std::string server_name = "imswitch";      // the Server header
  // HTTPS: every connection starts with a TLS handshake (bounded by request_timeout) with
  // this context; requests then carry Request::secure. Unset: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

class Server {
 public:
  Server(boost::asio::any_io_executor executor, ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; port 0 lets the system pick. Returns the bound address.
  Result<transport::Endpoint> listen(const transport::Endpoint& at);
  // Stops accepting and closes every connection. On the executor.
  void close();

  std::size_t connection_count() const { return state_->connections; }

  // One connection, as the server sees it: something to close.
  class Connection {
   public:
    virtual ~Connection() = default;
    virtual void close() = 0;
  };

  // What sessions share with the server; they may outlive it (their last handler pending).
  struct State {
    ServerOptions options;
    const Router* router = nullptr;
    std::size_t connections = 0;
    std::unordered_map<std::string, std::size_t> per_address;
    bool closed = false;
  };

 private:
  void accept(std::size_t index);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<State> state_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::vector<std::weak_ptr<Connection>> sessions_;  // for close(); pruned as they end
};

}  // namespace ims::sw::http
