#pragma once
// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), with IPv6 references as RFC 5118 describes.
// A Uri holds views into the text it was parsed from; the text must outlive it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "common/sip/header_values.hpp"
#include "common/util/result.hpp"

namespace ims::sip {

enum class UriScheme : std::uint8_t { Sip, Sips, Tel };
enum class HostKind : std::uint8_t { Name, Ipv4, Ipv6, None };  // None: tel URIs

struct Uri {
  UriScheme scheme = UriScheme::Sip;
  std::string_view user;      // escaped form as written; for tel: the number
  std::string_view password;  // rarely used; kept for round-trip and comparison
  bool has_password = false;
  std::string_view host;      // IPv6 references with brackets: "[2001:db8::10]"
  HostKind host_kind = HostKind::None;
  std::optional<std::uint16_t> port;
  Params params;              // uri-parameters: ";transport=tcp;lr"
  std::string_view headers;   // after '?', without it: "subject=x&priority=urgent"

  std::optional<std::string_view> param(std::string_view name) const { return params.get(name); }
};

// Why parse_uri failed. UnsupportedScheme lets a request be answered 416 rather than 400
// (RFC 3261 §8.2.2.1); everything else is a syntax error in the named component.
enum class UriErrc {
  UnsupportedScheme = 1,  // not sip, sips or tel
  BadUserinfo,
  BadHost,
  BadPort,
  BadParameter,
  BadHeader,
  BadEscape,
  BadCharacter,           // a space, control or non-ASCII byte anywhere in the URI
  BadTelNumber,           // RFC 3966 telephone-subscriber
};
const std::error_category& uri_category();
std::error_code make_error_code(UriErrc e);

// Parses an absolute SIP/SIPS/tel URI. Schemes compare case-insensitively. Escapes are
// validated (a '%' must start %HH) but left in place; use unescape() for the decoded text.
Result<Uri> parse_uri(std::string_view text);

// Decodes %HH escapes; nullopt when an escape is malformed.
std::optional<std::string> unescape(std::string_view text);

// URI equality as RFC 3261 §19.1.4 defines it: scheme, user and password case-sensitive after
// unescaping; host case-insensitive; no port ≠ default port; transport, user, ttl, method and
// maddr must match when present in either; other parameters only when present in both; headers
// must all match. tel URIs compare per RFC 3966 §4 (visual separators ignored).
bool uri_equal(const Uri& a, const Uri& b);

// IPv6 address comparison for hosts in brackets ("[::1]" == "[0:0:0:0:0:0:0:1]"), RFC 5118 §4.
bool host_equal(std::string_view a, std::string_view b);

// Writes a SIP URI: "sip:user@host:port;params". host may be an IPv6 address with or without
// brackets; brackets are added when missing.
std::string format_sip_uri(std::string_view user, std::string_view host,
                           std::optional<std::uint16_t> port = std::nullopt,
                           std::string_view params = {}, bool sips = false);

}  // namespace ims::sip

template <>
struct std::is_error_code_enum<ims::sip::UriErrc> : std::true_type {};
