#include "switch/app/api_json.hpp"

#include <ctime>
#include <system_error>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "switch/store/errors.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::app {

std::string utc_text(std::int64_t ms) {
  // Floor division: a time before 1970 keeps its milliseconds positive.
  std::int64_t seconds = ms / 1000;
  std::int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(static_cast<std::time_t>(seconds)),
                     millis);
}

std::string marked(std::string snippet) {
  std::string out;
  out.reserve(snippet.size() + 16);
  for (char c : snippet) {
    if (c == store::kMarkOpen[0]) {
      out += "\xC2\xAB";
    } else if (c == store::kMarkClose[0]) {
      out += "\xC2\xBB";
    } else {
      out += c;
    }
  }
  return out;
}

bool read_ms(const http::Request& r, std::string_view name, std::optional<std::int64_t>& out) {
  const auto v = r.query_value(name);
  if (!v || v->empty()) return true;
  const auto n = util::parse_uint(*v, kMaxUnixMs);
  if (!n) return false;
  out = static_cast<std::int64_t>(*n);
  return true;
}

Result<std::size_t> read_limit(const http::Request& r, std::size_t fallback, std::size_t max) {
  const auto v = r.query_value("limit");
  if (!v || v->empty()) return fallback;
  const auto n = util::parse_uint(*v, max);
  if (!n || *n == 0)
    return Error{std::make_error_code(std::errc::invalid_argument),
                 fmt::format("limit: a whole number from 1 to {}", max)};
  return static_cast<std::size_t>(*n);
}

Result<nlohmann::json> json_body(const http::Request& r) {
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_discarded())
    return Error{std::make_error_code(std::errc::invalid_argument),
                 r.body.empty() ? "the body must be JSON, and is empty" : "the body is not JSON"};
  return doc;
}

std::string field_name(std::string_view key) {
  constexpr std::size_t kMaxShown = 64;
  if (key.size() <= kMaxShown) return std::string(key);
  return std::string(key.substr(0, kMaxShown)) + "\xe2\x80\xa6";  // …
}

http::Response store_failure(const Error& e) {
  if (e.code == store::StoreErrc::Invalid) return http::error_response(400, e.message);
  if (e.code == store::StoreErrc::NotFound) return http::error_response(404, e.message);
  return http::error_response(503, "the store cannot answer: " + e.message);
}

}  // namespace ims::sw::app
