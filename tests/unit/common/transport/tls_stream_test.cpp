// TlsStream on its own, two ends over loopback: a write larger than a record arrives whole,
// several buffers of one write go as one, a write to a vanished peer is an error and never a
// SIGPIPE, a peer gone without close_notify reads as stream_truncated, a close_notify as eof,
// released buffers come back for the next record, and an untrusted certificate ends the
// handshake with OpenSSL's reason.

#include <gtest/gtest.h>

#include <signal.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>

#include "common/transport/tls_context.hpp"
#include "common/transport/tls_stream.hpp"
#include "tests/unit/common/transport/identities.hpp"

namespace ims::transport {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

class TlsStreamTest : public ::testing::Test {
 protected:
  // Connects a client stream to a server stream and runs both handshakes; `client_ca` is the
  // trust anchor the client checks the server against.
  void connect(const std::string& client_ca, error_code* client_handshake = nullptr) {
    auto server_ctx = make_server_context({ids_.server_crt(), ids_.server_key(), {}});
    ASSERT_TRUE(server_ctx.ok()) << server_ctx.error().message;
    auto client_ctx = make_client_context({true, client_ca, {}, {}});
    ASSERT_TRUE(client_ctx.ok()) << client_ctx.error().message;
    server_ctx_ = *server_ctx;
    client_ctx_ = *client_ctx;

    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor.local_endpoint());
    server_.emplace(acceptor.accept(), *server_ctx_);
    client_.emplace(std::move(client_socket), *client_ctx_);
    client_->expect_server("127.0.0.1");

    std::optional<error_code> server_done, client_done;
    server_->async_handshake(TlsStream::Role::Server, [&](error_code ec) { server_done = ec; });
    client_->async_handshake(TlsStream::Role::Client, [&](error_code ec) { client_done = ec; });
    run_until([&] { return server_done && client_done; });
    ASSERT_TRUE(server_done && client_done) << "handshake did not finish";
    if (client_handshake) {
      *client_handshake = *client_done;
      return;
    }
    ASSERT_FALSE(*client_done) << client_done->message();
    ASSERT_FALSE(*server_done) << server_done->message();
  }
  // Runs the loop until `done` holds, for 5 s at most.
  template <typename Done>
  void run_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    io_.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_for(20ms);
  }
  // Reads exactly n bytes on `from`.
  std::string read_exactly(TlsStream& from, std::size_t n) {
    std::string got(n, '\0');
    std::optional<error_code> done;
    asio::async_read(from, asio::buffer(got), [&](error_code ec, std::size_t) { done = ec; });
    run_until([&] { return done.has_value(); });
    EXPECT_TRUE(done && !*done) << (done ? done->message() : "no answer");
    return got;
  }
  // What one read on `from` completes with.
  error_code read_once(TlsStream& from) {
    char byte = 0;
    std::optional<error_code> done;
    from.async_read_some(asio::buffer(&byte, 1), [&](error_code ec, std::size_t) { done = ec; });
    run_until([&] { return done.has_value(); });
    EXPECT_TRUE(done.has_value()) << "the read did not complete";
    return done.value_or(error_code());
  }

  test::Identities ids_;
  asio::io_context io_;
  std::shared_ptr<asio::ssl::context> server_ctx_, client_ctx_;
  std::optional<TlsStream> server_, client_;
};

TEST_F(TlsStreamTest, AWriteLargerThanARecordArrivesWhole) {
  connect(ids_.server_crt());
  std::string big(200 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  std::optional<error_code> written;
  asio::async_write(*client_, asio::buffer(big), [&](error_code ec, std::size_t n) {
    written = ec;
    EXPECT_EQ(n, big.size());
  });
  EXPECT_EQ(read_exactly(*server_, big.size()), big);
  run_until([&] { return written.has_value(); });
  ASSERT_TRUE(written.has_value());
  EXPECT_FALSE(*written) << written->message();
}

TEST_F(TlsStreamTest, SeveralBuffersOfOneWriteGoTogether) {
  connect(ids_.server_crt());
  const std::string header = "\x81\x05", payload = "hello";
  const std::array<asio::const_buffer, 2> both{asio::buffer(header), asio::buffer(payload)};
  std::optional<std::size_t> written;
  client_->async_write_some(both, [&](error_code ec, std::size_t n) {
    EXPECT_FALSE(ec) << ec.message();
    written = n;
  });
  EXPECT_EQ(read_exactly(*server_, header.size() + payload.size()), header + payload);
  run_until([&] { return written.has_value(); });
  EXPECT_EQ(written.value_or(0), header.size() + payload.size());
}

TEST_F(TlsStreamTest, AWriteToAVanishedPeerIsAnErrorNotASignal) {
  // With the default action a SIGPIPE would end this process: the stream must not raise one.
  struct sigaction old {};
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ASSERT_EQ(::sigaction(SIGPIPE, &dfl, &old), 0);
  connect(ids_.server_crt());
  server_->close();
  const std::string chunk(16 * 1024, 'x');
  error_code failed;
  for (int i = 0; i < 200 && !failed; ++i) {
    std::optional<error_code> done;
    asio::async_write(*client_, asio::buffer(chunk), [&](error_code ec, std::size_t) {
      done = ec;
    });
    run_until([&] { return done.has_value(); });
    ASSERT_TRUE(done.has_value()) << "write " << i << " did not complete";
    failed = *done;
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  EXPECT_TRUE(failed) << "200 writes to a closed peer all succeeded";
}

TEST_F(TlsStreamTest, APeerGoneWithoutCloseNotifyReadsAsTruncated) {
  connect(ids_.server_crt());
  server_->close();
  EXPECT_EQ(read_once(*client_), asio::ssl::error::stream_truncated);
}

TEST_F(TlsStreamTest, ACloseNotifyReadsAsTheEndOfTheStream) {
  connect(ids_.server_crt());
  // OpenSSL queues the alert; the BIO sends it at once.
  ASSERT_GE(SSL_shutdown(server_->native_handle()), 0);
  EXPECT_EQ(read_once(*client_), asio::error::eof);
}

TEST_F(TlsStreamTest, ReleasedBuffersComeBackForTheNextRecord) {
  connect(ids_.server_crt());
  for (const std::string text : {"INVITE", "MESSAGE", "BYE"}) {
    server_->free_buffers();
    client_->free_buffers();
    std::optional<error_code> written;
    asio::async_write(*client_, asio::buffer(text),
                      [&](error_code ec, std::size_t) { written = ec; });
    EXPECT_EQ(read_exactly(*server_, text.size()), text);
    run_until([&] { return written.has_value(); });
    EXPECT_TRUE(written && !*written);
  }
}

TEST_F(TlsStreamTest, AnUntrustedCertificateEndsTheHandshakeWithOpenSslsReason) {
  error_code handshake;
  connect(ids_.client_crt(), &handshake);  // a trust anchor that did not sign the server's
  ASSERT_TRUE(handshake);
  EXPECT_NE(handshake.message().find("certificate verify failed"), std::string::npos)
      << handshake.message();
}

}  // namespace
}  // namespace ims::transport
