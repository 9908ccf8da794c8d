#include "tests/integration/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace ims::test {

std::string HttpReply::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers)
    if (name == lowercase_name) return value;
  return {};
}

std::vector<std::string> HttpReply::all(std::string_view lowercase_name) const {
  std::vector<std::string> out;
  for (const auto& [name, value] : headers)
    if (name == lowercase_name) out.push_back(value);
  return out;
}

HttpClient::HttpClient(const Listener& server, std::chrono::seconds timeout)
    : host_(server.hostport()) {
  const bool v6 = server.ipv6();
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int rc = -1;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(server.port);
    ::inet_pton(AF_INET6, server.address.c_str(), &a.sin6_addr);
    rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server.port);
    ::inet_pton(AF_INET, server.address.c_str(), &a.sin_addr);
    rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  if (rc != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpClient::HttpClient(const Listener& server, const std::string& ca_file,
                       std::chrono::seconds timeout)
    : HttpClient(server, timeout) {
  if (fd_ < 0) return;
  auto fail = [&](std::string why) {
    unsigned long e = 0;
    while ((e = ERR_get_error()) != 0) {
      char text[256];
      ERR_error_string_n(e, text, sizeof text);
      why += std::string(": ") + text;
    }
    tls_error_ = std::move(why);
    ::close(fd_);
    fd_ = -1;
  };
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_ || SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
    fail("cannot load " + ca_file);
    return;
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  ssl_ = SSL_new(ctx_);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server.address.c_str());
  SSL_set_fd(ssl_, fd_);
  if (SSL_connect(ssl_) != 1) fail("TLS handshake failed");
}

HttpClient::~HttpClient() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

long HttpClient::send_some(const char* data, std::size_t n) {
  if (ssl_) return SSL_write(ssl_, data, static_cast<int>(n));
  return ::send(fd_, data, n, MSG_NOSIGNAL);
}

long HttpClient::receive_some(char* data, std::size_t n) {
  if (ssl_) return SSL_read(ssl_, data, static_cast<int>(n));
  return ::recv(fd_, data, n, 0);
}

std::optional<HttpReply> HttpClient::request(
    std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: " +
                    host_ + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return raw(out);
}

std::optional<HttpReply> HttpClient::raw(std::string_view bytes) {
  if (fd_ < 0) return std::nullopt;
  while (!bytes.empty()) {
    const long n = send_some(bytes.data(), bytes.size());
    if (n <= 0) return std::nullopt;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return read_reply();
}

std::optional<HttpReply> HttpClient::read_reply() {
  for (;;) {
    const auto head_end = buffer_.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      HttpReply r;
      const std::string head = buffer_.substr(0, head_end);
      if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return std::nullopt;
      r.status = static_cast<unsigned>(std::stoul(head.substr(9, 3)));
      std::size_t at = head.find("\r\n");
      while (at != std::string::npos && at < head.size()) {
        const std::size_t next = head.find("\r\n", at + 2);
        const std::string line = head.substr(at + 2, next == std::string::npos ? std::string::npos
                                                                                : next - at - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          r.headers.emplace_back(std::move(name), std::move(value));
        }
        at = next;
      }
      const std::string declared = r.header("content-length");
      const std::size_t length = declared.empty() ? 0 : std::stoul(declared);
      if (buffer_.size() >= head_end + 4 + length) {
        r.body = buffer_.substr(head_end + 4, length);
        buffer_.erase(0, head_end + 4 + length);
        return r;
      }
    }
    char chunk[8192];
    const long n = receive_some(chunk, sizeof chunk);
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<double> metric_sum(const std::string& scrape, std::string_view name) {
  std::optional<double> sum;
  std::size_t at = 0;
  while (at < scrape.size()) {
    const std::size_t eol = std::min(scrape.find('\n', at), scrape.size());
    const std::string_view line(scrape.data() + at, eol - at);
    at = eol + 1;
    if (line.size() <= name.size() || line.substr(0, name.size()) != name) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;  // another metric with this name as its prefix
    const auto space = line.rfind(' ');
    sum = sum.value_or(0) + std::stod(std::string(line.substr(space + 1)));
  }
  return sum;
}

}  // namespace ims::test
