#pragma once
// ApiClient: the agent's side of the switch's HTTP/JSON API (PRODUCT §6, README "HTTP API"):
// the Team Communicator search, agents and their state, queues, transcript search, contacts and
// their history. One keep-alive HTTP/1.1 connection (Boost.Beast), requests sent one at a time
// in the order asked (a bounded queue), each bounded by a time-out and its answer by a size.
//
// Authentication: an agent's SIP login and password over HTTP Digest (RFC 7616): the first 401's
// challenge (SHA-256 before MD5) is answered once, later requests carry credentials at once on
// the same nonce with a rising nonce count (§3.4), and a stale=true challenge is answered again;
// a second challenge that is not stale means the password is wrong. Or the operator's admin
// token, sent as Authorization: Bearer.
//
// Every answer arrives as JSON or as an Error a person understands: "cannot reach
// 127.0.0.1:8080 (Connection refused)" (ClientErrc::TransportFailed), "no answer from
// http://127.0.0.1:8080 within 15 s" (NoAnswer), "401: wrong login or password" (LoginRefused),
// the switch's {"error"} with its status ("404: no such agent", Refused, Error::status set), an
// answer that is not JSON or too large (BadBody).
//
// Owner: the application (unique_ptr); destroying it, or close(), stops at once and no callback
// follows. Strand: the executor given to create(): every call is made there and every callback
// runs there, never from inside the call that asked.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>

#include "client/presence.hpp"
#include "common/util/result.hpp"

namespace ims::client {

// Bounds (STYLE rule 9); the defaults of ApiOptions.
inline constexpr std::size_t kDefaultApiResponseBytes = 8 * 1024 * 1024;
inline constexpr std::size_t kApiHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxQueuedApiRequests = 64;

struct ApiOptions {
  std::string host = "127.0.0.1";  // an IP literal (no DNS), IPv6 without brackets
  std::uint16_t port = 8080;
  // Digest with the agent's SIP credentials, unless admin_token is set (then Bearer).
  std::string login;
  std::string password;
  std::string admin_token;
  // Per request: connecting, sending and the whole answer.
  std::chrono::seconds timeout{15};
  std::size_t max_response_bytes = kDefaultApiResponseBytes;
};

// "http://host[:port][/]" (IPv6 in brackets; port 80 when absent) into host and port. Fails with
// a sentence for another scheme, a path, a host that is not an IP literal (or "localhost") or a
// bad port.
Result<std::pair<std::string, std::uint16_t>> parse_api_url(std::string_view url);

// Percent-encodes everything but RFC 3986's unreserved characters (§2.3), for a path segment or
// a query value.
std::string url_escape(std::string_view text);

enum class HttpMethod { Get, Put, Post };

// GET /api/v1/transcripts: every word must occur; the rest narrows the search.
struct TranscriptQuery {
  std::string words;
  std::string party;                  // "": any
  std::optional<std::int64_t> since_ms;  // Unix milliseconds
  std::optional<std::int64_t> until_ms;
  std::size_t limit = 0;              // 0: the switch's default
  std::string cursor;                 // a previous page's next_cursor
};

// GET /api/v1/contacts/{id}/history.
struct HistoryQuery {
  std::string words;                  // "": every item
  std::size_t limit = 0;              // 0: the switch's default
  std::optional<std::int64_t> until_ms;  // a previous page's next_until
};

namespace detail {
class ApiCore;
}

class ApiClient {
 public:
  // The answer's JSON (2xx), or why there is none.
  using JsonCallback = std::function<void(Result<nlohmann::json>)>;
  using TextCallback = std::function<void(Result<std::string>)>;

  // Fails (ClientErrc::BadOptions) for a host that is not an IP literal, port 0, Digest without
  // a login, or a zero time-out. Connects on the first request.
  static Result<std::unique_ptr<ApiClient>> create(boost::asio::any_io_executor executor,
                                                   ApiOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const ApiOptions& options() const;
  std::string base_url() const;  // "http://127.0.0.1:8080"

  // Any endpoint: target is the path and query ("/api/v1/queues"); body goes as
  // application/json (PUT, POST).
  void request(HttpMethod method, std::string target, std::optional<nlohmann::json> body,
               JsonCallback done);

  // The endpoints by name, paths and queries built and escaped here.
  void search_directory(std::string_view text, std::size_t limit, JsonCallback done);
  void agent(std::string_view login, JsonCallback done);
  // PUT /api/v1/agents/{login}/state: {"state":"ready"} or {"state":"not_ready","reason":..}.
  void set_state(std::string_view login, const AgentState& state, JsonCallback done);
  void queues(JsonCallback done);
  void queue(std::string_view number, JsonCallback done);
  void search_transcripts(const TranscriptQuery& query, JsonCallback done);
  void contact(std::string_view id, JsonCallback done);
  void contact_history(std::string_view id, const HistoryQuery& query, JsonCallback done);
  // GET /metrics: the Prometheus text as it came (no credentials are needed there).
  void metrics(TextCallback done);
  // POST /api/v1/contacts with an array of contacts (admin token): {"upserted": n}.
  void import_contacts(nlohmann::json contacts, JsonCallback done);

  // Closes the connection; requests still waiting are dropped without their callbacks.
  // Idempotent.
  void close();

 private:
  explicit ApiClient(std::shared_ptr<detail::ApiCore> core);
  std::shared_ptr<detail::ApiCore> core_;
};

}  // namespace ims::client
