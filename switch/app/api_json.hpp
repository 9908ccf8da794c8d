#pragma once
// What the HTTP API's endpoints share in reading requests and writing answers: times as Unix
// milliseconds and ISO 8601 text, search snippets with their marks, query parameters that are
// numbers, JSON bodies read without exceptions, and the store's failures as HTTP statuses.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/util/result.hpp"
#include "switch/http/message.hpp"

namespace ims::sw::app {

// "2026-12-06T10:36:50.123Z": UTC with milliseconds.
std::string utc_text(std::int64_t ms);

// The store marks matched words with STX/ETX; an API reader gets them as « and ».
std::string marked(std::string snippet);

// Unix milliseconds up to the year 9999.
inline constexpr std::uint64_t kMaxUnixMs = 253402300799999ULL;

// A Unix-ms query parameter into `out`: absent or empty leaves it alone; false when it is not a
// whole number.
bool read_ms(const http::Request& r, std::string_view name, std::optional<std::int64_t>& out);

// The `limit` query parameter: absent or empty gives `fallback`; else a whole number from 1 to
// `max`, or the 400 to answer.
Result<std::size_t> read_limit(const http::Request& r, std::size_t fallback, std::size_t max);

// The request body as JSON; an error saying why it is not (for a 400).
Result<nlohmann::json> json_body(const http::Request& r);

// A JSON member name as an error message quotes it: cut to 64 bytes, so that a hostile name
// does not make the answer as long as the request.
std::string field_name(std::string_view key);

// A store operation's failure as the API answers it: Invalid is the caller's fault (400),
// NotFound 404, anything else (overloaded, closed, I/O) 503.
http::Response store_failure(const Error& e);

}  // namespace ims::sw::app
