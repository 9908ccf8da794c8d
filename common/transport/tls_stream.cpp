#include "common/transport/tls_stream.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>

#include "common/transport/types.hpp"

namespace ims::transport {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// What the BIO reads from: bytes the stream read from the socket (an asio read, which tries
// the socket at once and otherwise waits for the reactor, as plain TCP does), then the end of
// the stream or the read's error.
struct TlsStream::Input {
  static constexpr std::size_t kSize = 8192;
  int fd = -1;
  std::unique_ptr<char[]> buffer;  // allocated while the stream is busy
  std::size_t begin = 0, end = 0;
  bool eof = false;
  error_code error;
};

namespace {

TlsStream::Input& input_of(BIO* bio) { return *static_cast<TlsStream::Input*>(BIO_get_data(bio)); }

bool would_block(int e) { return e == EAGAIN || e == EWOULDBLOCK || e == EINTR; }

// Writes go straight to the socket, with MSG_NOSIGNAL as Asio's do (OpenSSL's own socket BIO
// would raise SIGPIPE at a vanished peer); a full socket asks to be retried.
int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::send(input_of(bio).fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && would_block(errno)) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

// Reads come from what the stream read; none there asks to be retried once it has read more.
int bio_read(BIO* bio, char* out, int size) {
  BIO_clear_retry_flags(bio);
  auto& in = input_of(bio);
  if (in.begin < in.end) {
    const std::size_t n = std::min(static_cast<std::size_t>(size), in.end - in.begin);
    std::memcpy(out, in.buffer.get() + in.begin, n);
    in.begin += n;
    if (in.begin == in.end) in.begin = in.end = 0;
    return static_cast<int>(n);
  }
  if (in.error) {
    errno = in.error.value();
    return -1;
  }
  if (in.eof) return 0;
  BIO_set_retry_read(bio);
  return -1;
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      return input_of(bio).eof ? 1 : 0;
    case BIO_CTRL_PENDING:
      return static_cast<long>(input_of(bio).end - input_of(bio).begin);
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* bio_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "imswitch stream");
    if (!m) return m;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  return method;
}

error_code last_ssl_error() {
  return error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
}

}  // namespace

TlsStream::TlsStream(tcp::socket socket, asio::ssl::context& context)
    : socket_(std::move(socket)),
      ssl_(SSL_new(context.native_handle()), &SSL_free),
      input_(std::make_unique<Input>()) {
  if (!ssl_) throw boost::system::system_error(last_ssl_error(), "SSL_new");
  // A write that waited for the socket is retried from wherever the caller's bytes now are;
  // records are read ahead, as many as the input holds, rather than header then body.
  SSL_set_mode(ssl_.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_read_ahead(ssl_.get(), 1);
}

TlsStream::TlsStream(TlsStream&&) noexcept = default;
TlsStream::~TlsStream() = default;

asio::mutable_buffer TlsStream::input_space() {
  if (!input_->buffer) input_->buffer = std::make_unique<char[]>(Input::kSize);
  return asio::buffer(input_->buffer.get() + input_->end, Input::kSize - input_->end);
}

void TlsStream::socket_read_done(const error_code& ec, std::size_t n) {
  socket_reading_ = false;
  input_->end += n;
  if (ec == asio::error::eof)
    input_->eof = true;
  else if (ec)
    input_->error = ec;
}

void TlsStream::expect_server(const std::string& name) {
  if (name.empty()) return;
  if (parse_ip(name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), name.c_str());
    return;
  }
  SSL_set_tlsext_host_name(ssl_.get(), name.c_str());
  SSL_set1_host(ssl_.get(), name.c_str());
}

void TlsStream::free_buffers() {
  SSL_free_buffers(ssl_.get());
  if (!socket_reading_ && input_->begin == input_->end) input_->buffer.reset();
}

void TlsStream::close() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

TlsStream::Outcome TlsStream::try_handshake(Role role) {
  if (!socket_.is_open()) return {Step::Done, asio::error::bad_descriptor, 0};
  if (!attached_) {
    // The BIO writes to the descriptor (non-blocking) and reads from input_; the socket keeps
    // owning the descriptor, the SSL object owns the BIO.
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) return {Step::Done, ec, 0};
    BIO* bio = bio_method() ? BIO_new(bio_method()) : nullptr;
    if (!bio) return {Step::Done, last_ssl_error(), 0};
    input_->fd = socket_.native_handle();
    BIO_set_data(bio, input_.get());
    SSL_set_bio(ssl_.get(), bio, bio);
    attached_ = true;
  }
  ERR_clear_error();
  errno = 0;
  // The first call sets the side; later ones go on with the handshake.
  const int r = role == Role::Server ? SSL_accept(ssl_.get()) : SSL_connect(ssl_.get());
  return r == 1 ? Outcome{} : after(r);
}

TlsStream::Outcome TlsStream::try_read(asio::mutable_buffer buffer) {
  if (!socket_.is_open() || !attached_) return {Step::Done, asio::error::bad_descriptor, 0};
  if (buffer.size() == 0) return {};
  // Nothing read and nothing buffered: OpenSSL could only ask for more, so read the socket
  // without asking it (the common case, once per record).
  const Input& in = *input_;
  if (in.begin == in.end && !in.eof && !in.error && !SSL_in_init(ssl_.get()) &&
      !SSL_has_pending(ssl_.get()))
    return {Step::WantRead, {}, 0};
  ERR_clear_error();
  errno = 0;
  std::size_t n = 0;
  if (SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n) == 1)
    return {Step::Done, {}, n};
  return after(0);
}

TlsStream::Outcome TlsStream::try_write(asio::const_buffer buffer) {
  if (!socket_.is_open() || !attached_) return {Step::Done, asio::error::bad_descriptor, 0};
  if (buffer.size() == 0) return {};
  ERR_clear_error();
  errno = 0;
  std::size_t n = 0;
  if (SSL_write_ex(ssl_.get(), buffer.data(), buffer.size(), &n) == 1)
    return {Step::Done, {}, n};
  return after(0);
}

// The error codes are those asio::ssl::stream gave, so that callers and logs read the same:
// eof for a close_notify, stream_truncated for a peer gone without one, OpenSSL's reason
// (e.g. "certificate verify failed") otherwise.
TlsStream::Outcome TlsStream::after(int r) {
  const int sys = errno;
  switch (SSL_get_error(ssl_.get(), r)) {
    case SSL_ERROR_WANT_READ:
      return {Step::WantRead, {}, 0};
    case SSL_ERROR_WANT_WRITE:
      return {Step::WantWrite, {}, 0};
    case SSL_ERROR_ZERO_RETURN:
      return {Step::Done, asio::error::eof, 0};
    case SSL_ERROR_SYSCALL:
      if (input_->error) return {Step::Done, input_->error, 0};
      if (const unsigned long e = ERR_get_error())
        return {Step::Done, error_code(static_cast<int>(e), asio::error::get_ssl_category()), 0};
      if (sys != 0) return {Step::Done, error_code(sys, boost::system::system_category()), 0};
      return {Step::Done, asio::ssl::error::stream_truncated, 0};
    default: {
      const unsigned long e = ERR_get_error();
      if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return {Step::Done, asio::ssl::error::stream_truncated, 0};
      return {Step::Done, error_code(static_cast<int>(e), asio::error::get_ssl_category()), 0};
    }
  }
}

void teardown(boost::beast::role_type, TlsStream& stream, error_code& ec) {
  stream.close();
  ec = {};
}

}  // namespace ims::transport
