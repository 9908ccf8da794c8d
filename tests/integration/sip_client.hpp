#pragma once
// Minimal SIP clients for black-box tests: UDP and TCP sockets on loopback with receives bounded
// by a deadline (poll on real sockets), an independent response reader and request builders.
// Deliberately shares no code with common/sip: the switch is judged by what it puts on the wire.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/integration/harness.hpp"

namespace ims::test {

// A SIP message as read off the wire, for assertions.
struct SipMessage {
  std::string start_line;
  int status = 0;           // responses; 0 for requests
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed
  std::string body;

  // First value of a header (case-insensitive; compact forms v, i, f, t, l, m, c, k, s, e).
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  // A ";name=value" parameter of the first value of a header: "" for a flag, nullopt if absent.
  std::optional<std::string> param(std::string_view header_name, std::string_view param) const;
};
std::optional<SipMessage> parse_sip(std::string_view bytes);

// Unique tokens for branches, tags and Call-IDs.
std::string unique_token();

class UdpClient {
 public:
  // A socket bound to 127.0.0.1:0 or [::1]:0; nullptr and *error on failure.
  static std::unique_ptr<UdpClient> open(bool ipv6, std::string* error);
  ~UdpClient();
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  std::uint16_t local_port() const { return port_; }
  std::string local_address() const { return ipv6_ ? "::1" : "127.0.0.1"; }
  std::string local_hostport() const;
  bool send_to(const Listener& to, std::string_view datagram);
  // One datagram, or nullopt when none arrives within timeout.
  std::optional<std::string> receive(Millis timeout);
  // Datagrams until one carries a final response (>= 200), skipping 1xx and, when call_id is not
  // empty, anything for another call. nullopt on timeout.
  std::optional<SipMessage> final_response(Millis timeout, std::string_view call_id = {});

 private:
  UdpClient() = default;
  int fd_ = -1;
  bool ipv6_ = false;
  std::uint16_t port_ = 0;
};

class TcpClient {
 public:
  // Connects with a deadline; nullptr and *error on failure.
  static std::unique_ptr<TcpClient> connect(const Listener& to, Millis timeout, std::string* error);
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  std::uint16_t local_port() const { return port_; }
  std::string local_address() const { return ipv6_ ? "::1" : "127.0.0.1"; }
  std::string local_hostport() const;
  // Writes every byte within timeout; false when the peer closed or reset, or on timeout.
  bool send(std::string_view data, Millis timeout = 5s);
  void shutdown_write();
  // The next complete message framed by Content-Length; nullopt on timeout or close.
  std::optional<std::string> receive_message(Millis timeout);
  // Like UdpClient::final_response.
  std::optional<SipMessage> final_response(Millis timeout, std::string_view call_id = {});
  // Raw bytes as they come (e.g. a CRLF pong); "" on timeout or close.
  std::string receive_some(Millis timeout);
  // True once the peer has closed or reset the connection within timeout. Bytes arriving
  // meanwhile are kept for receive_message.
  bool wait_closed(Millis timeout);
  bool peer_closed() const { return closed_; }

 private:
  TcpClient() = default;
  bool fill(Millis timeout);  // one read into buf_; false on timeout or close
  int fd_ = -1;
  bool ipv6_ = false;
  bool closed_ = false;
  std::uint16_t port_ = 0;
  std::string buf_;
};

// A request built for tests: start line, the usual headers, optional extra header lines (each
// without CRLF) and body. Content-Length is the body size unless content_length is set.
struct RequestSpec {
  std::string method = "OPTIONS";
  std::string uri;              // e.g. "sip:127.0.0.1:5060"
  std::string transport = "UDP";
  std::string sent_by;          // Via sent-by, e.g. "127.0.0.1:40000"
  bool rport = true;
  std::string branch;           // default: z9hG4bK + unique token
  std::string call_id;          // default: unique
  std::vector<std::string> extra_headers;
  std::string body;
  std::optional<std::string> content_length;  // written verbatim when set ("-1", "abc")
};
std::string build_request(RequestSpec& spec);  // fills defaults back into spec

// An OPTIONS to the switch's listener from a client at sent_by.
RequestSpec options_to(const Listener& to, const std::string& sent_by);

}  // namespace ims::test
