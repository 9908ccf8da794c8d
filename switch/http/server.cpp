#include "switch/http/server.hpp"

#include <optional>
#include <type_traits>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "common/transport/tls_stream.hpp"

namespace ims::sw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

Method method_of(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::Get;
    case bhttp::verb::head:
      return Method::Head;
    case bhttp::verb::post:
      return Method::Post;
    case bhttp::verb::put:
      return Method::Put;
    case bhttp::verb::delete_:
      return Method::Delete;
    default:
      return Method::Other;
  }
}

std::string allow_header(const std::vector<Method>& methods) {
  std::string out;
  for (Method m : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(m);
    if (m == Method::Get) out += ", HEAD";
  }
  return out;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The stream a session speaks over: plain TCP, or TLS (TlsStream) when the server has a
// context. What differs is the start (a handshake first) and how the socket is reached.
tcp::socket& socket_of(tcp::socket& s) { return s; }
tcp::socket& socket_of(transport::TlsStream& s) { return s.next_layer(); }
constexpr bool secure(const tcp::socket&) { return false; }
constexpr bool secure(const transport::TlsStream&) { return true; }

template <class Stream>
class Session final : public Server::Connection,
                      public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<Server::State> state, std::string address)
      : stream_(std::move(stream)),
        timer_(socket_of(stream_).get_executor()),
        state_(std::move(state)),
        address_(std::move(address)) {
    error_code ec;
    const auto remote = socket_of(stream_).remote_endpoint(ec);
    if (!ec) peer_ = transport::Endpoint::make(remote.address(), remote.port());
  }
  ~Session() override {
    --state_->connections;
    auto it = state_->per_address.find(address_);
    if (it != state_->per_address.end() && --it->second == 0) state_->per_address.erase(it);
  }

  void start() {
    if constexpr (std::is_same_v<Stream, transport::TlsStream>) {
      // The handshake is bounded like a request: a client that connects and stays silent, or
      // speaks plain HTTP to the TLS port, is dropped (logged at debug level only: scanners).
      arm(Wait::Handshake, options().request_timeout);
      stream_.async_handshake(transport::TlsStream::Role::Server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (ec) {
                                  spdlog::debug("https: handshake with {} failed: {}",
                                                to_string(self->peer_), ec.message());
                                  return self->close();
                                }
                                self->read_request();
                              });
    } else {
      read_request();
    }
  }
  void close() override {
    error_code ignored;
    timer_.cancel();
    socket_of(stream_).shutdown(tcp::socket::shutdown_both, ignored);
    socket_of(stream_).close(ignored);
  }

 private:
  // What the deadline, when it passes, ends: the wait for a request (408 when part of one came,
  // else the connection just closes), a response the client does not read (closes).
  enum class Wait : std::uint8_t { Handshake, Request, Write, Handler };

  const ServerOptions& options() const { return state_->options; }

  void arm(Wait what, std::chrono::steady_clock::duration after) {
    waiting_ = what;
    const auto generation = ++generation_;
    timer_.expires_after(after);
    timer_.async_wait([self = this->shared_from_this(), generation](error_code ec) {
      if (!ec && generation == self->generation_) self->on_deadline();
    });
  }
  void on_deadline() {
    switch (waiting_) {
      case Wait::Handshake:
        return close();
      case Wait::Request:
        // Beast's parser takes a head only whole, so the bytes it holds tell a started request.
        if (buffer_.size() == 0 && !parser_->is_header_done()) return close();
        timed_out_ = true;
        return socket_of(stream_).cancel();  // the read completes, aborted: on_read answers 408
      case Wait::Write:
        return close();
      case Wait::Handler:
        return;
    }
  }

  void read_request() {
    if (state_->closed) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    arm(Wait::Request, options().request_timeout);
    read_some();
  }
  void read_some() {
    bhttp::async_read_some(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](error_code ec, std::size_t n) {
                             self->on_read(ec, n);
                           });
  }
  void on_read(error_code ec, std::size_t) {
    if (timed_out_) {
      return refuse(408, "the request did not arrive within " +
                             std::to_string(options().request_timeout.count()) + " s");
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == asio::ssl::error::stream_truncated)
      return close();
    if (ec == bhttp::error::header_limit)
      return refuse(431, "request head over " + std::to_string(options().max_header_bytes) +
                             " bytes");
    if (ec == bhttp::error::body_limit)
      return refuse(413, "request body over " + std::to_string(options().max_body_bytes) +
                             " bytes");
    if (ec) return refuse(400, "malformed HTTP request: " + ec.message());
    if (!parser_->is_done()) return read_some();
    arm(Wait::Handler, options().request_timeout);  // nothing to end: handlers always answer
    dispatch(parser_->release());
  }

  void dispatch(bhttp::request<bhttp::string_body> raw) {
    keep_alive_ = raw.keep_alive();
    Request req;
    req.method = method_of(raw.method());
    head_ = req.method == Method::Head;
    req.target = std::string(raw.target());
    req.peer = peer_;
    req.secure = secure(stream_);
    const std::string_view target = req.target;
    const auto q = target.find('?');
    const std::string_view raw_path = target.substr(0, q);
    if (raw_path.empty() || raw_path.front() != '/')
      return reply(error_response(400, "the request target must be a path"));
    auto query = parse_query(q == std::string_view::npos ? std::string_view()
                                                         : target.substr(q + 1));
    if (!query) return reply(error_response(400, query.error().message));
    req.query = std::move(*query);
    auto path = decode_path(raw_path);
    auto found = state_->router->find(req.method, raw_path);
    if (!path || !found) return reply(error_response(400, "malformed percent-escape in the path"));
    req.path = std::move(*path);
    if (!found->handler) {
      if (found->allowed.empty()) return reply(error_response(404, "no such resource: " + req.path));
      Response r = error_response(405, std::string(raw.method_string()) + " is not allowed on " +
                                           req.path);
      r.headers.emplace_back("Allow", allow_header(found->allowed));
      return reply(std::move(r));
    }
    req.params = std::move(found->params);
    for (const auto& field : raw) {
      const auto name = field.name_string();
      req.headers.emplace_back(lowercase(std::string_view(name.data(), name.size())),
                               std::string(field.value()));
    }
    req.body = std::move(raw.body());
    // The handler may answer from another thread: the write happens back on this one.
    Reply send = [self = this->shared_from_this()](Response r) {
      auto ex = socket_of(self->stream_).get_executor();
      asio::post(ex, [self, r = std::move(r)]() mutable { self->reply(std::move(r)); });
    };
    try {
      (*found->handler)(std::move(req), std::move(send));
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", method_name(req.method), req.target, e.what());
      reply(error_response(500, "internal error"));
    }
  }

  // Answers an unreadable request and closes.
  void refuse(unsigned status, std::string message) {
    keep_alive_ = false;
    head_ = false;
    reply(error_response(status, message));
  }

  void reply(Response r) {
    if (state_->closed) return close();
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(r.status), 11);
    res->set(bhttp::field::server, options().server_name);
    res->set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->keep_alive(keep_alive_);
    if (head_) {
      res->content_length(r.body.size());
    } else {
      res->body() = std::move(r.body);
      res->prepare_payload();
    }
    arm(Wait::Write, options().request_timeout);  // a client that does not read
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](error_code ec, std::size_t) {
                         if (ec || !self->keep_alive_) return self->close();
                         if constexpr (std::is_same_v<Stream, transport::TlsStream>)
                           self->stream_.free_buffers();  // quiet between requests
                         self->read_request();
                       });
  }

  Stream stream_;
  asio::steady_timer timer_;
  Wait waiting_ = Wait::Request;
  std::uint64_t generation_ = 0;
  bool timed_out_ = false;
  std::shared_ptr<Server::State> state_;
  std::string address_;
  transport::Endpoint peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  bool head_ = false;
};

}  // namespace

Server::Server(asio::any_io_executor executor, ServerOptions options, const Router& router)
    : executor_(std::move(executor)), state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->router = &router;
}

Server::~Server() { close(); }

Result<transport::Endpoint> Server::listen(const transport::Endpoint& at) {
  auto acceptor = std::make_unique<tcp::acceptor>(executor_);
  const tcp::endpoint ep(at.address, at.port);
  error_code ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && ep.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{ec, "http: cannot listen on " + to_string(at) + ": " + ec.message()};
  const auto bound = acceptor->local_endpoint(ec);
  acceptors_.push_back(std::move(acceptor));
  accept(acceptors_.size() - 1);
  return transport::Endpoint::make(bound.address(), bound.port());
}

void Server::accept(std::size_t index) {
  acceptors_[index]->async_accept([this, index, state = state_](error_code ec, tcp::socket s) {
    if (state->closed) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      spdlog::warn("http: accept failed: {}", ec.message());
      return accept(index);
    }
    error_code e;
    const auto remote = s.remote_endpoint(e);
    const std::string address = e ? std::string() : remote.address().to_string();
    const auto per = state->per_address.find(address);
    if (state->connections >= state->options.max_connections ||
        (per != state->per_address.end() &&
         per->second >= state->options.max_connections_per_address)) {
      s.close(e);  // over a bound: refused without reading a byte
    } else {
      ++state->connections;
      ++state->per_address[address];
      if (sessions_.size() > 2 * state->connections + 16) {
        std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
      }
      if (state->options.tls) {
        auto session = std::make_shared<Session<transport::TlsStream>>(
            transport::TlsStream(std::move(s), *state->options.tls), state, address);
        sessions_.push_back(session);
        session->start();
      } else {
        auto session = std::make_shared<Session<tcp::socket>>(std::move(s), state, address);
        sessions_.push_back(session);
        session->start();
      }
    }
    accept(index);
  });
}

void Server::close() {
  state_->closed = true;
  for (auto& a : acceptors_) {
    error_code ignored;
    a->close(ignored);
  }
  for (auto& w : sessions_)
    if (auto s = w.lock()) s->close();
  sessions_.clear();
}

}  // namespace ims::sw::http
