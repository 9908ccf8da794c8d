// The HTTP server on loopback, port 0, run by its own thread, and a raw-socket client (bounded
// reads): routed JSON answers, 404/405/400/413/431/408/500, keep-alive and pipelining, HEAD, a
// reply from another thread, an idle connection closed, the per-address connection bound, and
// close() with connections open.

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "switch/http/server.hpp"

namespace ims::sw::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A connection to the server whose reads give up after `timeout` (SO_RCVTIMEO).
class Client {
 public:
  Client(const transport::Endpoint& server, std::chrono::seconds timeout = 5s) : socket_(io_) {
    boost::system::error_code ec;
    socket_.connect(tcp::endpoint(server.address, server.port), ec);
    connected_ = !ec;
    timeval tv{static_cast<time_t>(timeout.count()), 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  bool connected() const { return connected_; }
  void send(std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
  }
  // One response (head and Content-Length body), or nullopt at EOF or the timeout.
  std::optional<std::string> response() {
    for (;;) {
      const auto head_end = buffer_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t length = 0;
        const auto cl = buffer_.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end)
          length = std::stoul(buffer_.substr(cl + 16, buffer_.find("\r\n", cl) - cl - 16));
        const bool head_only = last_was_head_;
        const std::size_t total = head_end + 4 + (head_only ? 0 : length);
        if (buffer_.size() >= total) {
          std::string out = buffer_.substr(0, total);
          buffer_.erase(0, total);
          return out;
        }
      }
      if (!read_more()) return std::nullopt;
    }
  }
  // True when the server closed the connection (EOF) before the timeout, with nothing sent.
  bool closed_silently() { return buffer_.empty() && !read_more() && buffer_.empty() && eof_; }
  void expect_head() { last_was_head_ = true; }

 private:
  bool read_more() {
    char chunk[4096];
    const ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    eof_ = n == 0;
    if (n < 0) error_ = errno;
    return false;
  }
  asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;
  bool connected_ = false;
  bool eof_ = false;
  bool last_was_head_ = false;

 public:
  int error_ = 0;
};

unsigned status_of(const std::string& response) {
  return response.size() > 12 ? static_cast<unsigned>(std::stoul(response.substr(9, 3))) : 0;
}
std::string body_of(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}
std::string get(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(Method::Get, "/api/v1/agents/{login}", [](Request&& r, Reply reply) {
      nlohmann::json j{{"login", std::string(*r.param("login"))},
                       {"q", std::string(r.query_value("q").value_or(""))},
                       {"accept", std::string(r.header("accept").value_or(""))}};
      reply(json_response(200, j));
    });
    router_.add(Method::Post, "/api/v1/contacts", [](Request&& r, Reply reply) {
      reply(json_response(201, nlohmann::json{{"bytes", r.body.size()}}));
    });
    router_.add(Method::Get, "/later", [](Request&&, Reply reply) {
      std::thread([reply = std::move(reply)] {
        reply(json_response(200, nlohmann::json{{"from", "another thread"}}));
      }).detach();
    });
    router_.add(Method::Get, "/throws", [](Request&&, Reply) -> void {
      throw std::runtime_error("boom");
    });
  }
  void start(ServerOptions options = {}) {
    server_ = std::make_unique<Server>(io_.get_executor(), options, router_);
    auto at = server_->listen(transport::Endpoint::make(asio::ip::make_address("127.0.0.1"), 0));
    ASSERT_TRUE(at.ok()) << at.error().message;
    at_ = *at;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (!server_) return;
    std::promise<void> closed;
    asio::post(io_, [&] {
      server_->close();
      closed.set_value();
    });
    closed.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  std::size_t connections() {
    std::promise<std::size_t> n;
    asio::post(io_, [&] { n.set_value(server_->connection_count()); });
    return n.get_future().get();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  transport::Endpoint at_;
};

TEST_F(HttpServerTest, ARoutedRequestGetsItsHandlersJson) {
  start();
  Client c(at_);
  c.send(get("/api/v1/agents/al%20ice?q=Mar+tin", "Accept: application/json\r\n"));
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 200u) << *r;
  EXPECT_NE(r->find("Content-Type: application/json"), std::string::npos) << *r;
  EXPECT_NE(r->find("Server: imswitch"), std::string::npos) << *r;
  const auto j = nlohmann::json::parse(body_of(*r));
  EXPECT_EQ(j["login"], "al ice");
  EXPECT_EQ(j["q"], "Mar tin");
  EXPECT_EQ(j["accept"], "application/json");
}

TEST_F(HttpServerTest, UnknownPathsWrongMethodsAndBadTargetsAreJsonErrors) {
  start();
  Client c(at_);
  c.send(get("/nowhere"));
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 404u);
  EXPECT_TRUE(nlohmann::json::parse(body_of(*r)).contains("error"));
  c.send("DELETE /api/v1/contacts HTTP/1.1\r\nHost: t\r\n\r\n");
  r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 405u);
  EXPECT_NE(r->find("Allow: POST"), std::string::npos) << *r;
  c.send(get("/api/v1/agents/x?q=%ZZ"));
  r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 400u);
  EXPECT_NE(body_of(*r).find("percent-escape"), std::string::npos) << *r;
}

TEST_F(HttpServerTest, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  start();
  Client c(at_);
  c.send(get("/api/v1/agents/a") + get("/api/v1/agents/b"));
  auto first = c.response();
  auto second = c.response();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(nlohmann::json::parse(body_of(*first))["login"], "a");
  EXPECT_EQ(nlohmann::json::parse(body_of(*second))["login"], "b");
  c.send(get("/api/v1/agents/c", "Connection: close\r\n"));
  auto third = c.response();
  ASSERT_TRUE(third);
  EXPECT_EQ(nlohmann::json::parse(body_of(*third))["login"], "c");
  EXPECT_TRUE(c.closed_silently()) << "Connection: close must end the connection";
}

TEST_F(HttpServerTest, HeadHasTheLengthButNoBody) {
  start();
  Client c(at_);
  c.expect_head();
  c.send("HEAD /api/v1/agents/bob HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 200u);
  EXPECT_NE(r->find("Content-Length: "), std::string::npos);
  EXPECT_TRUE(body_of(*r).empty());
}

TEST_F(HttpServerTest, OversizeBodiesAndHeadsAndGarbageAreRefused) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  o.max_header_bytes = 2000;
  start(o);
  Client body(at_);
  body.send("POST /api/v1/contacts HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" +
            std::string(5000, 'x'));
  auto r = body.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 413u) << *r;

  Client head(at_);
  head.send("GET /api/v1/agents/a HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(3000, 'y') +
            "\r\n\r\n");
  r = head.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 431u) << *r;

  Client garbage(at_);
  garbage.send("\x16\x03\x01 not http at all\r\n\r\n");
  r = garbage.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 400u) << *r;

  Client fine(at_);  // the server goes on
  fine.send("POST /api/v1/contacts HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  r = fine.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 201u);
}

TEST_F(HttpServerTest, ASlowRequestGets408AndAnIdleConnectionIsClosed) {
  ServerOptions o;
  o.request_timeout = 1s;
  start(o);
  Client slow(at_);
  slow.send("GET /api/v1/agents/a HTTP/1.1\r\nHost:");  // and nothing more
  auto r = slow.response();
  ASSERT_TRUE(r) << "no answer to a request cut short";
  EXPECT_EQ(status_of(*r), 408u) << *r;

  Client idle(at_);
  EXPECT_TRUE(idle.closed_silently()) << idle.error_;
}

TEST_F(HttpServerTest, AHandlerMayReplyFromAnotherThreadAndAThrowIs500) {
  start();
  Client c(at_);
  c.send(get("/later"));
  auto r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(body_of(*r))["from"], "another thread");
  c.send(get("/throws"));
  r = c.response();
  ASSERT_TRUE(r);
  EXPECT_EQ(status_of(*r), 500u);
}

TEST_F(HttpServerTest, ConnectionsOverThePerAddressBoundAreClosed) {
  ServerOptions o;
  o.max_connections_per_address = 2;
  start(o);
  Client a(at_), b(at_);
  a.send(get("/api/v1/agents/a"));
  b.send(get("/api/v1/agents/b"));
  ASSERT_TRUE(a.response() && b.response());
  Client third(at_);
  EXPECT_TRUE(third.closed_silently());
  EXPECT_EQ(connections(), 2u);
}

}  // namespace
}  // namespace ims::sw::http
