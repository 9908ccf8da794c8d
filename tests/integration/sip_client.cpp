#include "tests/integration/sip_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace ims::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 3261 §7.3.3 compact forms of the headers tests look at.
std::string_view long_name(std::string_view n) {
  static constexpr std::pair<std::string_view, std::string_view> kCompact[] = {
      {"v", "Via"}, {"i", "Call-ID"}, {"f", "From"}, {"t", "To"}, {"l", "Content-Length"},
      {"m", "Contact"}, {"c", "Content-Type"}, {"k", "Supported"}, {"s", "Subject"},
      {"e", "Content-Encoding"}};
  for (auto [c, l] : kCompact) {
    if (iequals(n, c)) return l;
  }
  return n;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// sockaddr for a listener's address and port.
socklen_t make_addr(const std::string& address, std::uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (address.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(out);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    return sizeof *a;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(out);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &a->sin_addr);
  return sizeof *a;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return a.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port)
                                 : ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
}

// Content-Length of a header block ("" when absent), read independently of common/sip.
std::optional<std::size_t> content_length(std::string_view head) {
  std::size_t pos = 0;
  while (pos < head.size()) {
    auto eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    auto line = head.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (iequals(long_name(trim(line.substr(0, colon))), "Content-Length")) {
      return std::strtoul(trim(line.substr(colon + 1)).c_str(), nullptr, 10);
    }
  }
  return std::nullopt;
}

bool is_final_for(const SipMessage& m, std::string_view call_id) {
  if (m.status < 200) return false;
  return call_id.empty() || m.header("Call-ID").value_or("") == call_id;
}

}  // namespace

std::optional<std::string> SipMessage::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(long_name(n), long_name(name))) return v;
  }
  return std::nullopt;
}

std::vector<std::string> SipMessage::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (iequals(long_name(n), long_name(name))) out.push_back(v);
  }
  return out;
}

std::optional<std::string> SipMessage::param(std::string_view header_name,
                                             std::string_view name) const {
  auto v = header(header_name);
  if (!v) return std::nullopt;
  std::string_view rest = *v;
  auto comma = rest.find(',');  // first element only
  if (comma != std::string_view::npos) rest = rest.substr(0, comma);
  std::size_t pos = 0;
  while ((pos = rest.find(';', pos)) != std::string_view::npos) {
    ++pos;
    auto end = rest.find(';', pos);
    auto p = rest.substr(pos, end == std::string_view::npos ? rest.npos : end - pos);
    auto eq = p.find('=');
    if (iequals(trim(p.substr(0, eq)), name)) {
      return eq == std::string_view::npos ? std::string() : trim(p.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::optional<SipMessage> parse_sip(std::string_view bytes) {
  auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  SipMessage m;
  auto head = bytes.substr(0, end + 2);
  m.body = std::string(bytes.substr(end + 4));
  auto eol = head.find("\r\n");
  m.start_line = std::string(head.substr(0, eol));
  if (m.start_line.rfind("SIP/2.0 ", 0) == 0 && m.start_line.size() >= 11) {
    m.status = std::atoi(m.start_line.c_str() + 8);
    m.reason = m.start_line.size() > 12 ? m.start_line.substr(12) : "";
  }
  std::size_t pos = eol + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    auto line = head.substr(pos, next - pos);
    pos = next + 2;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {
      m.headers.back().second += " " + trim(line);  // folded continuation
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    m.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return m;
}

std::string unique_token() {
  static std::atomic<unsigned> counter{0};
  static const unsigned seed = std::random_device{}();
  return std::to_string(getpid()) + "x" + std::to_string(seed % 100000) + "x" +
         std::to_string(++counter);
}

// ---- UDP -------------------------------------------------------------------------------------

std::unique_ptr<UdpClient> UdpClient::open(bool ipv6, std::string* error) {
  std::unique_ptr<UdpClient> c(new UdpClient());
  c->ipv6_ = ipv6;
  c->fd_ = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_storage a;
  socklen_t len = make_addr(c->local_address(), 0, &a);
  if (c->fd_ < 0 || bind(c->fd_, reinterpret_cast<sockaddr*>(&a), len) != 0) {
    *error = std::string("udp socket: ") + std::strerror(errno);
    return nullptr;
  }
  c->port_ = bound_port(c->fd_);
  return c;
}

UdpClient::~UdpClient() {
  if (fd_ >= 0) close(fd_);
}

std::string UdpClient::local_hostport() const {
  return (ipv6_ ? "[::1]" : "127.0.0.1") + std::string(":") + std::to_string(port_);
}

bool UdpClient::send_to(const Listener& to, std::string_view datagram) {
  sockaddr_storage a;
  socklen_t len = make_addr(to.address, to.port, &a);
  return sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&a), len) ==
         static_cast<ssize_t>(datagram.size());
}

std::optional<std::string> UdpClient::receive(Millis timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  std::string buf(65536, '\0');
  ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

std::optional<SipMessage> UdpClient::final_response(Millis timeout, std::string_view call_id) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto d = receive(Millis(remaining_ms(deadline)));
    if (!d) return std::nullopt;
    if (auto m = parse_sip(*d); m && is_final_for(*m, call_id)) return m;
  }
  return std::nullopt;
}

// ---- TCP -------------------------------------------------------------------------------------

std::unique_ptr<TcpClient> TcpClient::connect(const Listener& to, Millis timeout,
                                              std::string* error) {
  std::unique_ptr<TcpClient> c(new TcpClient());
  c->ipv6_ = to.ipv6();
  c->fd_ = socket(c->ipv6_ ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (c->fd_ < 0) {
    *error = std::string("tcp socket: ") + std::strerror(errno);
    return nullptr;
  }
  sockaddr_storage a;
  socklen_t len = make_addr(to.address, to.port, &a);
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 && errno != EINPROGRESS) {
    *error = std::string("connect: ") + std::strerror(errno);
    return nullptr;
  }
  pollfd p{c->fd_, POLLOUT, 0};
  int err = 0;
  socklen_t elen = sizeof err;
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0 ||
      getsockopt(c->fd_, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
    *error = "connect to " + to.hostport() + ": " + (err ? std::strerror(err) : "timed out");
    return nullptr;
  }
  int one = 1;
  setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->port_ = bound_port(c->fd_);
  return c;
}

TcpClient::~TcpClient() {
  if (fd_ >= 0) close(fd_);
}

std::string TcpClient::local_hostport() const {
  return (ipv6_ ? "[::1]" : "127.0.0.1") + std::string(":") + std::to_string(port_);
}

bool TcpClient::send(std::string_view data, Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
    if (p.revents & (POLLERR | POLLHUP)) return false;
  }
  return true;
}

void TcpClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool TcpClient::fill(Millis timeout) {
  if (closed_) return false;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) closed_ = true;
    return false;
  }
  buf_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> TcpClient::receive_message(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    // Keep-alive CRLFs between messages are not messages.
    while (buf_.rfind("\r\n", 0) == 0) buf_.erase(0, 2);
    auto end = buf_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t total = end + 4 + content_length(std::string_view(buf_).substr(0, end + 2))
                                        .value_or(0);
      if (buf_.size() >= total) {
        std::string msg = buf_.substr(0, total);
        buf_.erase(0, total);
        return msg;
      }
    }
    if (Clock::now() >= deadline || !fill(Millis(remaining_ms(deadline)))) {
      if (closed_ || Clock::now() >= deadline) return std::nullopt;
    }
  }
}

std::optional<SipMessage> TcpClient::final_response(Millis timeout, std::string_view call_id) {
  const auto deadline = Clock::now() + timeout;
  while (auto raw = receive_message(Millis(remaining_ms(deadline)))) {
    if (auto m = parse_sip(*raw); m && is_final_for(*m, call_id)) return m;
  }
  return std::nullopt;
}

std::string TcpClient::receive_some(Millis timeout) {
  if (buf_.empty()) fill(timeout);
  std::string out;
  out.swap(buf_);
  return out;
}

bool TcpClient::wait_closed(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!closed_ && Clock::now() < deadline) fill(Millis(remaining_ms(deadline)));
  return closed_;
}

// ---- requests --------------------------------------------------------------------------------

std::string build_request(RequestSpec& s) {
  if (s.branch.empty()) s.branch = "z9hG4bK-" + unique_token();
  if (s.call_id.empty()) s.call_id = "test-" + unique_token() + "@127.0.0.1";
  std::string r = s.method + " " + s.uri + " SIP/2.0\r\n";
  r += "Via: SIP/2.0/" + s.transport + " " + s.sent_by + ";branch=" + s.branch +
       (s.rport ? ";rport" : "") + "\r\n";
  r += "Max-Forwards: 70\r\n";
  r += "From: <sip:tester@example.test>;tag=" + unique_token() + "\r\n";
  r += "To: <" + s.uri + ">\r\n";
  r += "Call-ID: " + s.call_id + "\r\n";
  r += "CSeq: 1 " + s.method + "\r\n";
  for (const auto& h : s.extra_headers) r += h + "\r\n";
  r += "Content-Length: " + s.content_length.value_or(std::to_string(s.body.size())) + "\r\n";
  r += "\r\n";
  r += s.body;
  return r;
}

RequestSpec options_to(const Listener& to, const std::string& sent_by) {
  RequestSpec s;
  s.uri = "sip:" + to.hostport();
  s.transport = to.transport == "tcp" ? "TCP" : "UDP";
  s.sent_by = sent_by;
  return s;
}

}  // namespace ims::test
