#pragma once
// A small HTTP/1.1 client for tests against the switch's API: one connection, requests written
// whole, each response read whole (Content-Length) with a bounded wait.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/harness.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace ims::test {

struct HttpReply {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase, in order
  std::string body;
  // The first value of a header ("" when absent), or all of them.
  std::string header(std::string_view lowercase_name) const;
  std::vector<std::string> all(std::string_view lowercase_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(const Listener& server, std::chrono::seconds timeout = std::chrono::seconds(5));
  // HTTPS: TLS first, the server's certificate verified against `ca_file` (PEM) and required
  // to name the address connected to. tls_error() says why the handshake failed.
  HttpClient(const Listener& server, const std::string& ca_file,
             std::chrono::seconds timeout = std::chrono::seconds(5));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  const std::string& tls_error() const { return tls_error_; }
  // Sends one request (Host and Content-Length added) and reads its response; nullopt when the
  // connection failed, closed or the wait ran out.
  std::optional<HttpReply> request(std::string_view method, std::string_view target,
                                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                                   std::string_view body = {});
  std::optional<HttpReply> get(std::string_view target) { return request("GET", target); }
  // Raw bytes out, one response back (for malformed requests).
  std::optional<HttpReply> raw(std::string_view bytes);

 private:
  std::optional<HttpReply> read_reply();
  long send_some(const char* data, std::size_t n);
  long receive_some(char* data, std::size_t n);
  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;  // HTTPS only
  ssl_st* ssl_ = nullptr;
  std::string tls_error_;
  std::string host_;
  std::string buffer_;
};

// The sum over its labels of every sample of metric `name` in a Prometheus text scrape;
// nullopt when the metric has no sample.
std::optional<double> metric_sum(const std::string& scrape, std::string_view name);

}  // namespace ims::test
