#pragma once
// The switch's HTTP API as values: a request as the router hands it to a handler (method, path,
// decoded query, path parameters, headers, body, the peer) and the response a handler gives
// back. JSON everywhere: an error is {"error": "<what>"} with the status that fits (RFC 9110).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/transport/types.hpp"
#include "common/util/result.hpp"

namespace ims::sw::http {

enum class Method : std::uint8_t { Get, Head, Post, Put, Delete, Other };
std::string_view method_name(Method m);

struct Request {
  Method method = Method::Get;
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
  std::vector<std::pair<std::string, std::string>> params;  // from the route's {name}s
  std::vector<std::pair<std::string, std::string>> headers; // names lowercase
  std::string body;
  transport::Endpoint peer;
  bool secure = false;  // it came over TLS (ServerOptions::tls)

  // The first value of a query parameter or route parameter, or of a header (by lowercase name).
  std::optional<std::string_view> query_value(std::string_view name) const;
  std::optional<std::string_view> param(std::string_view name) const;
  std::optional<std::string_view> header(std::string_view lowercase_name) const;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/-Length
  std::string body;
};

// A JSON body with the status.
Response json_response(unsigned status, const nlohmann::json& body);
// {"error": message}, with the status.
Response error_response(unsigned status, std::string_view message);

// Splits "a=1&b=x%20y+z" into decoded pairs ('+' is a space in a query, RFC 1866 §8.2.1). An
// escape that is not two hex digits, or one that decodes to a NUL, is an error.
Result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);
// Percent-decodes a path (no '+' rule); the same errors.
Result<std::string> decode_path(std::string_view path);

}  // namespace ims::sw::http
