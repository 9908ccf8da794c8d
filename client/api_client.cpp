#include "client/api_client.hpp"

#include <charconv>
#include <deque>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include "client/digest_client.hpp"
#include "client/errors.hpp"
#include "common/transport/types.hpp"
#include "common/util/strings.hpp"

namespace ims::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::system::error_code;
using nlohmann::json;

namespace {

// How much of an error answer that is not JSON goes into the message.
constexpr std::size_t kMaxQuotedErrorBytes = 200;

std::string_view method_name(HttpMethod m) {
  switch (m) {
    case HttpMethod::Get: return "GET";
    case HttpMethod::Put: return "PUT";
    case HttpMethod::Post: return "POST";
  }
  return "GET";
}

bhttp::verb verb_of(HttpMethod m) {
  switch (m) {
    case HttpMethod::Get: return bhttp::verb::get;
    case HttpMethod::Put: return bhttp::verb::put;
    case HttpMethod::Post: return bhttp::verb::post;
  }
  return bhttp::verb::get;
}

// "/api/v1/x?a=1&b=2", leaving out empty values.
std::string with_query(std::string path,
                       std::initializer_list<std::pair<std::string_view, std::string>> params) {
  char sep = '?';
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    path += sep;
    path += name;
    path += '=';
    path += url_escape(value);
    sep = '&';
  }
  return path;
}

std::string number_or_empty(std::size_t n) { return n == 0 ? std::string() : std::to_string(n); }
std::string number_or_empty(const std::optional<std::int64_t>& n) {
  return n ? std::to_string(*n) : std::string();
}

// What an error answer says: its {"error"}, else the start of its text, else the reason phrase.
std::string error_text(unsigned status, std::string_view reason, const std::string& body) {
  const auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    if (auto it = j.find("error"); it != j.end() && it->is_string())
      return fmt::format("{}: {}", status, it->get<std::string>());
  }
  std::string_view text = util::trim(body);
  if (!text.empty() && text.size() <= kMaxQuotedErrorBytes && text.find('\n') == text.npos)
    return fmt::format("{}: {}", status, text);
  return fmt::format("{}: {}", status, reason.empty() ? "error" : reason);
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> parse_api_url(std::string_view url) {
  auto bad = [&](std::string why) -> Error {
    return Error{ClientErrc::BadOptions, "API address " + std::string(url) + ": " + why};
  };
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || !util::iequals(url.substr(0, kScheme.size()), kScheme)) {
    if (url.find("://") != std::string_view::npos)
      return bad("only http:// is spoken (put a TLS terminator in front for https)");
    return bad("expected http://host:port");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return bad("expected no path after host:port");
  std::string_view host;
  std::optional<std::string_view> port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad("missing ']' after an IPv6 address");
    host = rest.substr(1, close - 1);
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("expected ':' and a port after ']'");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  std::string host_out(host);
  if (util::iequals(host, "localhost")) host_out = "127.0.0.1";
  if (host_out.empty() || !transport::parse_ip(host_out))
    return bad("the host must be an IP address");
  std::uint16_t port = 80;
  if (port_text) {
    unsigned v = 0;
    const char* end = port_text->data() + port_text->size();
    auto [p, ec] = std::from_chars(port_text->data(), end, v);
    if (port_text->empty() || ec != std::errc{} || p != end || v == 0 || v > 65535)
      return bad("the port must be 1-65535");
    port = static_cast<std::uint16_t>(v);
  }
  return std::make_pair(host_out, port);
}

std::string url_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

namespace detail {

// The connection and the queue of requests behind ApiClient. Owner: ApiClient (shared_ptr, so
// that the pending socket operations can hold it). Strand: the client's executor.
class ApiCore final : public std::enable_shared_from_this<ApiCore> {
 public:
  ApiCore(asio::any_io_executor executor, ApiOptions options)
      : executor_(executor), options_(std::move(options)), stream_(executor) {
    endpoint_ = asio::ip::tcp::endpoint(*transport::parse_ip(options_.host), options_.port);
    const bool v6 = options_.host.find(':') != std::string::npos;
    host_header_ = (v6 ? "[" + options_.host + "]" : options_.host) + ":" +
                   std::to_string(options_.port);
  }

  const ApiOptions& options() const { return options_; }
  std::string base_url() const { return "http://" + host_header_; }

  // text: the answer's body is not JSON; it is handed over as a JSON string.
  void enqueue(HttpMethod method, std::string target, std::optional<json> body,
               ApiClient::JsonCallback done, bool text = false) {
    if (closed_) return;
    if (jobs_.size() >= kMaxQueuedApiRequests) {
      return post_result(std::move(done),
                         Error{ClientErrc::BadState,
                               fmt::format("too many API requests waiting (at most {})",
                                           kMaxQueuedApiRequests)});
    }
    Job job{method, std::move(target), body ? body->dump() : std::string(), body.has_value(),
            std::move(done)};
    job.text = text;
    jobs_.push_back(std::move(job));
    if (!busy_) {
      busy_ = true;
      // Started on a later turn: the callback never runs inside the call that asked.
      asio::post(executor_, [self = shared_from_this()] {
        if (!self->closed_) self->start_front();
      });
    }
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    jobs_.clear();
    close_connection();
  }

 private:
  struct Job {
    HttpMethod method;
    std::string target;
    std::string body;
    bool has_body = false;
    ApiClient::JsonCallback done;
    int challenges = 0;     // 401s answered for it
    bool retried = false;   // resent once after a kept-alive connection broke
    bool text = false;      // the body as a JSON string, not parsed
  };

  void post_result(ApiClient::JsonCallback done, Result<json> result) {
    asio::post(executor_, [weak = weak_from_this(), done = std::move(done),
                           result = std::move(result)]() mutable {
      auto self = weak.lock();
      if (self && !self->closed_ && done) done(std::move(result));
    });
  }

  void start_front() {
    if (jobs_.empty()) {
      busy_ = false;
      return;
    }
    if (connected_) return send();
    connect();
  }

  void connect() {
    close_connection();
    stream_.expires_after(options_.timeout);
    stream_.async_connect(endpoint_, [self = shared_from_this()](const error_code& ec) {
      self->on_connected(ec);
    });
  }

  void on_connected(const error_code& ec) {
    if (closed_) return;
    if (ec) {
      close_connection();
      const std::string why = ec == beast::error::timeout
                                  ? fmt::format("no answer within {} s", options_.timeout.count())
                                  : ec.message();
      return finish(Error{ClientErrc::TransportFailed,
                          fmt::format("cannot reach {} ({})", host_header_, why)});
    }
    connected_ = true;
    answered_on_connection_ = 0;
    send();
  }

  void send() {
    Job& job = jobs_.front();
    request_ = {};
    request_.method(verb_of(job.method));
    request_.target(job.target);
    request_.version(11);
    request_.set(bhttp::field::host, host_header_);
    request_.set(bhttp::field::user_agent, "imswitch-client");
    request_.set(bhttp::field::accept, "application/json");
    if (!options_.admin_token.empty()) {
      request_.set(bhttp::field::authorization, "Bearer " + options_.admin_token);
    } else if (auto credentials = digest_.next_credentials(
                   options_.login, options_.password, method_name(job.method), job.target)) {
      request_.set(bhttp::field::authorization, *credentials);
    }
    if (job.has_body) {
      request_.set(bhttp::field::content_type, "application/json");
      request_.body() = job.body;
    }
    request_.prepare_payload();
    stream_.expires_after(options_.timeout);
    bhttp::async_write(stream_, request_,
                       [self = shared_from_this()](const error_code& ec, std::size_t) {
                         self->on_written(ec);
                       });
  }

  void on_written(const error_code& ec) {
    if (closed_) return;
    if (ec) return broken(ec);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(kApiHeaderBytes));
    parser_->body_limit(static_cast<std::uint64_t>(options_.max_response_bytes));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](const error_code& e, std::size_t) {
                               self->on_header(e);
                             });
  }

  // Beast 1.74's response parser applies body_limit to chunked bodies and bodies up to the
  // end of the connection, not to one announced by Content-Length: that one is checked here.
  void on_header(const error_code& ec) {
    if (closed_) return;
    if (ec) return read_failed(ec);
    if (const auto length = parser_->content_length();
        length && *length > options_.max_response_bytes) {
      return read_failed(bhttp::error::body_limit);
    }
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](const error_code& e, std::size_t) {
                        self->on_read(e);
                      });
  }

  void read_failed(const error_code& ec) {
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      close_connection();
      return finish(Error{ClientErrc::BadBody,
                          fmt::format("the answer from {} is larger than {} bytes", base_url(),
                                      options_.max_response_bytes)});
    }
    broken(ec);
  }

  void on_read(const error_code& ec) {
    if (closed_) return;
    if (ec) return read_failed(ec);
    auto response = parser_->release();
    parser_.reset();
    ++answered_on_connection_;
    if (!response.keep_alive()) close_connection();
    on_response(response);
  }

  // The connection failed while a request was out. A kept-alive connection the switch closed
  // meanwhile (idle) is not the switch's answer: the request goes once more on a new one.
  void broken(const error_code& ec) {
    const bool reused = answered_on_connection_ > 0;
    close_connection();
    Job& job = jobs_.front();
    if (ec == beast::error::timeout) {
      return finish(Error{ClientErrc::NoAnswer, fmt::format("no answer from {} within {} s",
                                                            base_url(), options_.timeout.count())});
    }
    if (reused && !job.retried) {
      job.retried = true;
      return connect();
    }
    finish(Error{ClientErrc::TransportFailed,
                 fmt::format("the connection to {} broke ({})", host_header_, ec.message())});
  }

  void on_response(const bhttp::response<bhttp::string_body>& response) {
    const unsigned status = response.result_int();
    const std::string& body = response.body();
    const std::string_view reason(response.reason().data(), response.reason().size());
    Job& job = jobs_.front();
    if (status == 401) {
      if (!options_.admin_token.empty()) {
        return finish(Error{ClientErrc::LoginRefused,
                            error_text(status, reason, body) +
                                " (the admin token is not the switch's)",
                            401});
      }
      std::vector<std::string_view> values;
      const auto range = response.equal_range(bhttp::field::www_authenticate);
      for (auto it = range.first; it != range.second; ++it)
        values.emplace_back(it->value().data(), it->value().size());
      auto challenge = choose_challenge(values);
      if (!challenge) {
        return finish(Error{ClientErrc::BadChallenge,
                            "401: the switch asks for credentials this client cannot give (no "
                            "usable Digest challenge)",
                            401});
      }
      if (!worth_answering(*challenge, job.challenges)) {
        return finish(Error{ClientErrc::LoginRefused, "401: wrong login or password", 401});
      }
      ++job.challenges;
      digest_.on_challenge(std::move(*challenge));
      return start_front();
    }
    if (status / 100 != 2) {
      return finish(Error{ClientErrc::Refused, error_text(status, reason, body),
                          static_cast<int>(status)});
    }
    if (job.text) return finish(json(body));
    if (util::trim(body).empty()) return finish(json::object());
    auto j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return finish(Error{ClientErrc::BadBody,
                          fmt::format("the answer from {} is not JSON", base_url())});
    }
    finish(std::move(j));
  }

  // Completes the front request and goes on with the next.
  void finish(Result<json> result) {
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    auto self = shared_from_this();
    if (job.done) job.done(std::move(result));
    if (closed_) return;  // the callback closed the client
    start_front();
  }

  void close_connection() {
    error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    parser_.reset();
    connected_ = false;
  }

  asio::any_io_executor executor_;
  ApiOptions options_;
  asio::ip::tcp::endpoint endpoint_;
  std::string host_header_;  // "127.0.0.1:8080"
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  DigestState digest_;
  std::deque<Job> jobs_;  // the front one is out
  bool busy_ = false;
  bool connected_ = false;
  std::size_t answered_on_connection_ = 0;
  bool closed_ = false;
};

}  // namespace detail

Result<std::unique_ptr<ApiClient>> ApiClient::create(asio::any_io_executor executor,
                                                     ApiOptions options) {
  if (!transport::parse_ip(options.host))
    return Error{ClientErrc::BadOptions, "API host must be an IP address: " + options.host};
  if (options.port == 0) return Error{ClientErrc::BadOptions, "API port must be 1-65535"};
  if (options.admin_token.empty() && options.login.empty())
    return Error{ClientErrc::BadOptions, "the API needs a login and password, or the admin token"};
  if (options.timeout.count() <= 0)
    return Error{ClientErrc::BadOptions, "the API time-out must be at least 1 s"};
  auto core = std::make_shared<detail::ApiCore>(executor, std::move(options));
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(core)));
}

ApiClient::ApiClient(std::shared_ptr<detail::ApiCore> core) : core_(std::move(core)) {}
ApiClient::~ApiClient() { core_->close(); }

const ApiOptions& ApiClient::options() const { return core_->options(); }
std::string ApiClient::base_url() const { return core_->base_url(); }
void ApiClient::close() { core_->close(); }

void ApiClient::request(HttpMethod method, std::string target, std::optional<json> body,
                        JsonCallback done) {
  core_->enqueue(method, std::move(target), std::move(body), std::move(done));
}

void ApiClient::metrics(TextCallback done) {
  core_->enqueue(HttpMethod::Get, "/metrics", std::nullopt,
                 [done = std::move(done)](Result<json> r) {
                   if (!r) return done(r.error());
                   done(r->get<std::string>());
                 },
                 true);
}

void ApiClient::search_directory(std::string_view text, std::size_t limit, JsonCallback done) {
  request(HttpMethod::Get,
          with_query("/api/v1/directory", {{"q", std::string(text)}, {"limit", number_or_empty(limit)}}),
          std::nullopt, std::move(done));
}

void ApiClient::agent(std::string_view login, JsonCallback done) {
  request(HttpMethod::Get, "/api/v1/agents/" + url_escape(login), std::nullopt, std::move(done));
}

void ApiClient::set_state(std::string_view login, const AgentState& state, JsonCallback done) {
  json body{{"state", state.presence == Presence::Ready ? "ready" : "not_ready"}};
  if (state.presence == Presence::NotReady && !state.reason.empty()) body["reason"] = state.reason;
  request(HttpMethod::Put, "/api/v1/agents/" + url_escape(login) + "/state", std::move(body),
          std::move(done));
}

void ApiClient::queues(JsonCallback done) {
  request(HttpMethod::Get, "/api/v1/queues", std::nullopt, std::move(done));
}

void ApiClient::queue(std::string_view number, JsonCallback done) {
  request(HttpMethod::Get, "/api/v1/queues/" + url_escape(number), std::nullopt, std::move(done));
}

void ApiClient::search_transcripts(const TranscriptQuery& q, JsonCallback done) {
  request(HttpMethod::Get,
          with_query("/api/v1/transcripts", {{"q", q.words},
                                             {"party", q.party},
                                             {"since", number_or_empty(q.since_ms)},
                                             {"until", number_or_empty(q.until_ms)},
                                             {"limit", number_or_empty(q.limit)},
                                             {"cursor", q.cursor}}),
          std::nullopt, std::move(done));
}

void ApiClient::contact(std::string_view id, JsonCallback done) {
  request(HttpMethod::Get, "/api/v1/contacts/" + url_escape(id), std::nullopt, std::move(done));
}

void ApiClient::contact_history(std::string_view id, const HistoryQuery& q, JsonCallback done) {
  request(HttpMethod::Get,
          with_query("/api/v1/contacts/" + url_escape(id) + "/history",
                     {{"q", q.words},
                      {"limit", number_or_empty(q.limit)},
                      {"until", number_or_empty(q.until_ms)}}),
          std::nullopt, std::move(done));
}

void ApiClient::import_contacts(json contacts, JsonCallback done) {
  request(HttpMethod::Post, "/api/v1/contacts", std::move(contacts), std::move(done));
}

}  // namespace ims::client
