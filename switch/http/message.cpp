#include "switch/http/message.hpp"

#include <algorithm>
#include <system_error>

#include <nlohmann/json.hpp>

#include "common/sip/uri.hpp"

namespace ims::sw::http {

namespace {

std::optional<std::string_view> first(const std::vector<std::pair<std::string, std::string>>& v,
                                      std::string_view name) {
  auto it = std::find_if(v.begin(), v.end(), [&](const auto& p) { return p.first == name; });
  if (it == v.end()) return std::nullopt;
  return std::string_view(it->second);
}

Error bad_escape(std::string_view what) {
  return Error{std::make_error_code(std::errc::invalid_argument),
               "malformed percent-escape in the " + std::string(what)};
}

}  // namespace

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Get:
      return "GET";
    case Method::Head:
      return "HEAD";
    case Method::Post:
      return "POST";
    case Method::Put:
      return "PUT";
    case Method::Delete:
      return "DELETE";
    case Method::Other:
      break;
  }
  return "OTHER";
}

std::optional<std::string_view> Request::query_value(std::string_view name) const {
  return first(query, name);
}
std::optional<std::string_view> Request::param(std::string_view name) const {
  return first(params, name);
}
std::optional<std::string_view> Request::header(std::string_view lowercase_name) const {
  return first(headers, lowercase_name);
}

Response json_response(unsigned status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  // Invalid UTF-8 from a stored text must not throw here: it is replaced.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(unsigned status, std::string_view message) {
  return json_response(status, nlohmann::json{{"error", std::string(message)}});
}

Result<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    std::string name(item.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
    std::replace(name.begin(), name.end(), '+', ' ');
    std::replace(value.begin(), value.end(), '+', ' ');
    auto n = sip::unescape(name);
    auto v = sip::unescape(value);
    if (!n || !v || n->find('\0') != std::string::npos || v->find('\0') != std::string::npos)
      return bad_escape("query");
    out.emplace_back(std::move(*n), std::move(*v));
  }
  return out;
}

Result<std::string> decode_path(std::string_view path) {
  auto p = sip::unescape(path);
  if (!p || p->find('\0') != std::string::npos) return bad_escape("path");
  return std::move(*p);
}

}  // namespace ims::sw::http
