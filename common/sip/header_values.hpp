#pragma once
// Typed views of header values (RFC 3261 §20, §25.1). Each parse function takes one value (one
// list element for list headers) and returns views into that text, so the text must outlive the
// result. Nothing here allocates except unquote().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/method.hpp"
#include "common/util/result.hpp"

namespace ims::sip {

// A ";name=value;flag" parameter list, kept as text and read on demand. Names compare
// case-insensitively; values are returned as written (quotes included for quoted-string values).
class Params {
 public:
  Params() = default;
  explicit Params(std::string_view text) : text_(text) {}  // text starts at the first ';' or is ""

  std::string_view text() const { return text_; }
  bool has(std::string_view name) const;
  // The value of name: "" for a flag without '=', nullopt when absent.
  std::optional<std::string_view> get(std::string_view name) const;

  struct Param {
    std::string_view name;
    std::string_view value;
    bool has_value = false;
  };
  std::vector<Param> all() const;

 private:
  std::string_view text_;
};

// RFC 3261 §20.42: sent-protocol SP sent-by *( SEMI via-params )
struct Via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // "UDP", "TCP", "TLS", "WS", "WSS", "SCTP", other tokens
  std::string_view host;              // IPv6 references keep their brackets: "[::1]"
  std::optional<std::uint16_t> port;
  Params params;
  std::string_view branch;                     // "" when absent
  std::optional<std::string_view> received;    // RFC 3261 §18.2.1
  bool rport = false;                          // RFC 3581: present (with or without value)
  std::optional<std::uint16_t> rport_value;
};
Result<Via> parse_via(std::string_view value);

// name-addr / addr-spec with header parameters (From, To, Contact, Route, Record-Route,
// Reply-To, Refer-To ...). RFC 3261 §20.10, §25.1.
struct NameAddr {
  std::string_view display_name;  // raw, quotes kept when quoted; "" when none
  std::string_view uri;           // without the angle brackets
  bool angle_brackets = false;
  Params params;                  // header parameters after the address
  std::string_view tag;           // the tag parameter or ""
};
Result<NameAddr> parse_name_addr(std::string_view value);

// RFC 3261 §20.16: 1*DIGIT LWS Method; the number is < 2**31.
struct CSeq {
  std::uint32_t number = 0;
  Method method = Method::Unknown;
  std::string_view method_text;
};
Result<CSeq> parse_cseq(std::string_view value);

// RFC 3261 §20.15 / RFC 2045: type "/" subtype *( ";" parameter ). Type and subtype compare
// case-insensitively.
struct ContentType {
  std::string_view type;
  std::string_view subtype;
  Params params;
  bool is(std::string_view type, std::string_view subtype) const;
};
Result<ContentType> parse_content_type(std::string_view value);

// Splits a header value on the commas that separate list elements, ignoring commas inside
// quoted strings, angle brackets and (for auth headers) quoted parameter values. Elements are
// LWS-trimmed; empty elements are dropped.
std::vector<std::string_view> split_list(std::string_view value);

// The content of a quoted-string with its quoted-pairs resolved ("\"a\\\"b\"" -> a"b). Text that
// is not a quoted string is returned unchanged.
std::string unquote(std::string_view text);

}  // namespace ims::sip
