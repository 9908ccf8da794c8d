#pragma once
// Test peers on 127.0.0.1/::1 made of plain POSIX sockets with receive timeouts, so a test talks
// to the code under test like a real client would and every wait is bounded (no sleeps). Used by
// the transport, stack and switch tests.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace ims::test {

inline constexpr std::chrono::milliseconds kWait{3000};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    reset();
    fd_ = o.fd_;
    o.fd_ = -1;
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

inline void set_timeout(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

inline sockaddr_storage make_addr(const std::string& ip, std::uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  if (ip.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    ::inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    ::inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
    len = sizeof(sockaddr_in);
  }
  return ss;
}

inline std::uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

// A UDP peer bound to an ephemeral port of `ip`.
class UdpPeer {
 public:
  explicit UdpPeer(const std::string& ip = "127.0.0.1") : ip_(ip) {
    socklen_t len = 0;
    auto addr = make_addr(ip, 0, len);
    fd_ = Fd(::socket(addr.ss_family, SOCK_DGRAM, 0));
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len);
    set_timeout(fd_.get(), kWait);
  }
  std::uint16_t port() const { return local_port(fd_.get()); }
  bool send_to(std::uint16_t port, std::string_view data) {
    socklen_t len = 0;
    auto addr = make_addr(ip_, port, len);
    return ::sendto(fd_.get(), data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&addr),
                    len) == static_cast<ssize_t>(data.size());
  }
  // One datagram, or nullopt after `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = kWait) {
    set_timeout(fd_.get(), timeout);
    std::string buf(65535, '\0');
    auto n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

 private:
  std::string ip_;
  Fd fd_;
};

// A TCP client connected to ip:port.
class TcpPeer {
 public:
  TcpPeer(const std::string& ip, std::uint16_t port) {
    socklen_t len = 0;
    auto addr = make_addr(ip, port, len);
    fd_ = Fd(::socket(addr.ss_family, SOCK_STREAM, 0));
    int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0;
    set_timeout(fd_.get(), kWait);
  }
  explicit TcpPeer(Fd fd) : fd_(std::move(fd)), connected_(true) { set_timeout(fd_.get(), kWait); }

  bool connected() const { return connected_; }
  std::uint16_t port() const { return local_port(fd_.get()); }
  bool send(std::string_view data) {
    return ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(data.size());
  }
  // Reads until `data` holds at least `n` bytes more than it did, the peer closes, or the
  // timeout passes. Returns false on close or timeout.
  bool read_at_least(std::string& data, std::size_t n, std::chrono::milliseconds timeout = kWait) {
    const std::size_t want = data.size() + n;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (data.size() < want) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      set_timeout(fd_.get(), left);
      char buf[16384];
      auto r = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (r <= 0) return false;
      data.append(buf, static_cast<std::size_t>(r));
    }
    return true;
  }
  // Reads until `needle` has appeared `count` times in everything read so far.
  bool read_until(std::string& data, std::string_view needle, std::size_t count = 1,
                  std::chrono::milliseconds timeout = kWait) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::size_t seen = 0;
      for (auto p = data.find(needle); p != std::string::npos; p = data.find(needle, p + 1)) ++seen;
      if (seen >= count) return true;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      if (!read_at_least(data, 1, left)) return false;
    }
  }
  // True when the other side closes the connection within `timeout` (bytes before are skipped).
  bool wait_closed(std::chrono::milliseconds timeout = kWait) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      set_timeout(fd_.get(), left);
      char buf[4096];
      auto r = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (r == 0) return true;
      if (r < 0) return errno == ECONNRESET;
    }
  }

 private:
  Fd fd_;
  bool connected_ = false;
};

// A listening TCP socket on 127.0.0.1, for outbound-connection tests.
class TcpServerPeer {
 public:
  TcpServerPeer() {
    socklen_t len = 0;
    auto addr = make_addr("127.0.0.1", 0, len);
    fd_ = Fd(::socket(AF_INET, SOCK_STREAM, 0));
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len);
    ::listen(fd_.get(), 8);
    set_timeout(fd_.get(), kWait);  // accept() honours SO_RCVTIMEO on Linux
  }
  std::uint16_t port() const { return local_port(fd_.get()); }
  std::optional<TcpPeer> accept() {
    int c = ::accept(fd_.get(), nullptr, nullptr);
    if (c < 0) return std::nullopt;
    return TcpPeer(Fd(c));
  }

 private:
  Fd fd_;
};

// A minimal valid request; `extra` adds header lines (each ending in CRLF).
inline std::string make_request(std::string_view method, std::string_view branch,
                                std::uint16_t via_port, std::string_view transport = "UDP",
                                std::string_view extra = {}, std::string_view call_id = "c1") {
  std::string m;
  m += std::string(method) + " sip:switch@127.0.0.1 SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + std::string(transport) + " 127.0.0.1:" + std::to_string(via_port) +
       ";branch=" + std::string(branch) + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <sip:alice@127.0.0.1>;tag=a1\r\n";
  m += "To: <sip:switch@127.0.0.1>\r\n";
  m += "Call-ID: " + std::string(call_id) + "\r\n";
  m += "CSeq: 1 " + std::string(method) + "\r\n";
  m += std::string(extra);
  m += "Content-Length: 0\r\n\r\n";
  return m;
}

}  // namespace ims::test
