#include "common/sip/uri.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>
#include <vector>

#include "common/util/strings.hpp"

// SIP/SIPS URIs follow the grammar of RFC 3261 §25.1 (with the IPv4 dec-octet and IPv6 fixes of
// RFC 5954 / RFC 4291), tel URIs that of RFC 3966 §3. Parsing validates and returns views;
// comparison (§19.1.4, RFC 3966 §4) normalises into small strings, as it is off the fast path.

namespace ims::sip {
namespace {

class UriCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip.uri"; }
  std::string message(int ev) const override {
    switch (static_cast<UriErrc>(ev)) {
      case UriErrc::UnsupportedScheme: return "unsupported URI scheme";
      case UriErrc::BadUserinfo: return "bad user part";
      case UriErrc::BadHost: return "bad host";
      case UriErrc::BadPort: return "bad port";
      case UriErrc::BadParameter: return "bad URI parameter";
      case UriErrc::BadHeader: return "bad URI header";
      case UriErrc::BadEscape: return "bad escape";
      case UriErrc::BadCharacter: return "bad character";
      case UriErrc::BadTelNumber: return "bad telephone number";
    }
    return "bad URI";
  }
};

Error fail(UriErrc e, std::string_view what) {
  return Error{make_error_code(e), std::string(what)};
}

constexpr bool in(std::string_view set, char c) { return set.find(c) != std::string_view::npos; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(char c) { return is_digit(c) || in("abcdefABCDEF", c); }
constexpr int hex_value(char c) {
  return is_digit(c) ? c - '0' : (util::ascii_lower(c) - 'a' + 10);
}

// RFC 3261 §25.1 character classes.
constexpr bool is_unreserved(char c) { return is_alnum(c) || in("-_.!~*'()", c); }
constexpr bool user_char(char c) { return is_unreserved(c) || in("&=+$,;?/", c); }
constexpr bool password_char(char c) { return is_unreserved(c) || in("&=+$,", c); }
constexpr bool param_char(char c) { return is_unreserved(c) || in("[]/:&+$", c); }
constexpr bool header_char(char c) { return is_unreserved(c) || in("[]/?:+$", c); }
// RFC 2396 §2.2 reserved characters: their escaped and plain forms differ (§19.1.4).
constexpr bool is_reserved(char c) { return in(";/?:@&=+$,", c); }
// RFC 3966 §3.
constexpr bool is_visual_separator(char c) { return in("-.()", c); }
constexpr bool tel_pname_char(char c) { return is_alnum(c) || c == '-'; }
constexpr bool uric_char(char c) { return is_unreserved(c) || (is_reserved(c) && c != ';'); }

enum class Scan { Ok, BadChar, BadEscape };

// Every character of s is allowed or starts a valid %HH escape.
template <class Allowed>
Scan scan(std::string_view s, Allowed allowed) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return Scan::BadEscape;
      i += 2;
    } else if (!allowed(s[i])) {
      return Scan::BadChar;
    }
  }
  return Scan::Ok;
}

// Maps a scan failure to the component's error; Ok gives nullopt.
std::optional<Error> check(std::string_view s, bool (*allowed)(char), UriErrc component,
                           std::string_view what) {
  switch (scan(s, allowed)) {
    case Scan::Ok: return std::nullopt;
    case Scan::BadEscape: return fail(UriErrc::BadEscape, std::string("bad escape in ") += what);
    case Scan::BadChar: return fail(component, std::string("bad character in ") += what);
  }
  return std::nullopt;
}

using Ipv4 = std::array<std::uint8_t, 4>;
using Ipv6 = std::array<std::uint8_t, 16>;

// IPv4address with dec-octets 0-255 (RFC 5954 §4.1 tightened RFC 3261's 1*3DIGIT).
std::optional<Ipv4> parse_ipv4(std::string_view s) {
  Ipv4 out{};
  for (std::size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    std::size_t n = 0;
    unsigned v = 0;
    while (n < s.size() && n < 4 && is_digit(s[n])) v = v * 10 + unsigned(s[n++] - '0');
    if (n == 0 || n > 3 || v > 255) return std::nullopt;
    out[part] = std::uint8_t(v);
    s.remove_prefix(n);
  }
  if (!s.empty()) return std::nullopt;
  return out;
}

// Colon-separated hex4 groups, the last of which may be an IPv4 address (two groups) when
// v4_last. Appends to groups; false on an empty group or a bad one.
bool parse_groups(std::string_view s, bool v4_last, std::vector<std::uint16_t>& groups) {
  if (s.empty()) return true;
  while (true) {
    const std::size_t colon = s.find(':');
    const std::string_view g = s.substr(0, colon);
    if (colon == std::string_view::npos && v4_last && g.find('.') != std::string_view::npos) {
      const auto v4 = parse_ipv4(g);
      if (!v4) return false;
      groups.push_back(std::uint16_t((*v4)[0] << 8 | (*v4)[1]));
      groups.push_back(std::uint16_t((*v4)[2] << 8 | (*v4)[3]));
      return true;
    }
    if (g.empty() || g.size() > 4 || !std::all_of(g.begin(), g.end(), is_hex)) return false;
    std::uint16_t v = 0;
    for (char c : g) v = std::uint16_t(v << 4 | hex_value(c));
    groups.push_back(v);
    if (groups.size() > 8) return false;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

// IPv6address per RFC 4291 §2.2, plus the RFC 3261 ABNF's "::" ":" IPv4address form, which
// RFC 5118 §4.10 says an implementation must tolerate ("[2001:db8:::192.0.2.1]").
std::optional<Ipv6> parse_ipv6(std::string_view s) {
  std::vector<std::uint16_t> head, tail;
  const std::size_t dc = s.find("::");
  if (dc == std::string_view::npos) {
    if (!parse_groups(s, true, head) || head.size() != 8) return std::nullopt;
  } else {
    std::string_view rest = s.substr(dc + 2);
    if (!rest.empty() && rest.front() == ':') {  // the RFC 3261 ABNF bug: only before IPv4
      rest.remove_prefix(1);
      if (!parse_ipv4(rest)) return std::nullopt;
    }
    if (rest.find("::") != std::string_view::npos) return std::nullopt;
    if (!parse_groups(s.substr(0, dc), false, head) || !parse_groups(rest, true, tail))
      return std::nullopt;
    if (head.size() + tail.size() > 7) return std::nullopt;
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
  }
  Ipv6 out{};
  for (std::size_t i = 0; i < 8; ++i) {
    out[2 * i] = std::uint8_t(head[i] >> 8);
    out[2 * i + 1] = std::uint8_t(head[i] & 0xff);
  }
  return out;
}

// hostname = *( domainlabel "." ) toplabel [ "." ]; toplabel starts with a letter.
bool valid_hostname(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return false;
  std::string_view label;
  while (true) {
    const std::size_t dot = s.find('.');
    label = s.substr(0, dot);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
    for (char c : label)
      if (!is_alnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return is_alpha(label.front());
}

std::optional<HostKind> classify_host(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return std::nullopt;
    if (!parse_ipv6(host.substr(1, host.size() - 2))) return std::nullopt;
    return HostKind::Ipv6;
  }
  if (parse_ipv4(host)) return HostKind::Ipv4;
  if (valid_hostname(host)) return HostKind::Name;
  return std::nullopt;
}

// Walks ";name[=value]" items (no quoting in URI parameters). f returns false to stop.
template <class F>
bool each_param(std::string_view params, char sep, F f) {
  while (!params.empty()) {
    params.remove_prefix(1);  // the separator
    const std::size_t end = params.find(sep);
    const std::string_view item = params.substr(0, end);
    params = end == std::string_view::npos ? std::string_view{} : params.substr(end);
    const std::size_t eq = item.find('=');
    const bool has_value = eq != std::string_view::npos;
    if (!f(item.substr(0, eq), has_value ? item.substr(eq + 1) : std::string_view{}, has_value))
      return false;
  }
  return true;
}

// uri-parameters, §19.1.1 and §25.1: pname [ "=" pvalue ], both 1*paramchar.
std::optional<Error> check_sip_params(std::string_view params) {
  std::optional<Error> err;
  each_param(params, ';', [&](std::string_view name, std::string_view value, bool has_value) {
    if (name.empty())
      err = fail(UriErrc::BadParameter, "empty URI parameter name");
    else if (has_value && value.empty())
      err = fail(UriErrc::BadParameter, "empty URI parameter value");
    else if (!(err = check(name, param_char, UriErrc::BadParameter, "URI parameter name")) &&
             !(err = check(value, param_char, UriErrc::BadParameter, "URI parameter value"))) {
      if (util::iequals(name, "ttl") && !util::parse_uint(value, 255))
        err = fail(UriErrc::BadParameter, "bad ttl parameter");
      else if (util::iequals(name, "maddr") && !classify_host(value))
        err = fail(UriErrc::BadParameter, "bad maddr parameter");
    }
    return !err;
  });
  return err;
}

// headers = "?" header *( "&" header ); header = hname "=" hvalue. text excludes the '?'.
std::optional<Error> check_headers(std::string_view headers) {
  if (headers.empty()) return fail(UriErrc::BadHeader, "empty URI headers");
  std::optional<Error> err;
  const std::string with_sep = std::string("&") += headers;
  each_param(with_sep, '&', [&](std::string_view name, std::string_view value, bool has_value) {
    if (name.empty() || !has_value)
      err = fail(UriErrc::BadHeader, "URI header without name=");
    else if (!(err = check(name, header_char, UriErrc::BadHeader, "URI header name")))
      err = check(value, header_char, UriErrc::BadHeader, "URI header value");
    return !err;
  });
  return err;
}

Result<Uri> parse_sip(std::string_view rest, Uri uri) {
  // userinfo ends at the first '@': neither user, password nor hostport may hold one.
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    uri.user = userinfo.substr(0, colon);
    if (colon != std::string_view::npos) {
      uri.has_password = true;
      uri.password = userinfo.substr(colon + 1);
    }
    if (uri.user.empty()) return fail(UriErrc::BadUserinfo, "empty user part");
    if (auto e = check(uri.user, user_char, UriErrc::BadUserinfo, "user part")) return *e;
    if (auto e = check(uri.password, password_char, UriErrc::BadUserinfo, "password")) return *e;
    rest.remove_prefix(at + 1);
  }
  const std::size_t end = rest.find_first_of(";?");
  std::string_view hostport = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);

  std::string_view port;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return fail(UriErrc::BadHost, "unbalanced '[' in host");
    uri.host = hostport.substr(0, close + 1);
    const std::string_view after = hostport.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail(UriErrc::BadHost, "bad IPv6 reference");
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else {
    const std::size_t colon = hostport.find(':');
    uri.host = hostport.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = hostport.substr(colon + 1);
  }
  if (uri.host.empty()) return fail(UriErrc::BadHost, "missing host");
  const auto kind = classify_host(uri.host);
  if (!kind) return fail(UriErrc::BadHost, "bad host");
  uri.host_kind = *kind;
  if (has_port) {
    const bool digits = !port.empty() && std::all_of(port.begin(), port.end(), is_digit);
    const auto p = digits ? util::parse_uint(port, 65535) : std::nullopt;
    if (!p) return fail(UriErrc::BadPort, "bad port");
    uri.port = std::uint16_t(*p);
  }

  const std::size_t q = rest.find('?');
  uri.params = Params(rest.substr(0, q));
  if (auto e = check_sip_params(uri.params.text())) return *e;
  if (q != std::string_view::npos) {
    uri.headers = rest.substr(q + 1);
    if (auto e = check_headers(uri.headers)) return *e;
  }
  return uri;
}

// global-number-digits = "+" *phonedigit DIGIT *phonedigit (RFC 3966 §3).
bool valid_global_number(std::string_view s) {
  if (s.size() < 2 || s.front() != '+') return false;
  s.remove_prefix(1);
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return is_digit(c) || is_visual_separator(c); }) &&
         std::any_of(s.begin(), s.end(), is_digit);
}

// local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
bool valid_local_number(std::string_view s) {
  auto digit = [](char c) { return is_hex(c) || c == '*' || c == '#'; };
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return digit(c) || is_visual_separator(c); }) &&
         std::any_of(s.begin(), s.end(), digit);
}

Result<Uri> parse_tel(std::string_view rest, Uri uri) {
  const std::size_t semi = rest.find(';');
  uri.user = rest.substr(0, semi);
  uri.params = Params(semi == std::string_view::npos ? std::string_view{} : rest.substr(semi));
  const bool global = !uri.user.empty() && uri.user.front() == '+';
  if (global ? !valid_global_number(uri.user) : !valid_local_number(uri.user))
    return fail(UriErrc::BadTelNumber, "bad telephone number");
  bool has_context = false;
  std::optional<Error> err;
  each_param(uri.params.text(), ';', [&](std::string_view name, std::string_view value, bool has) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), tel_pname_char))
      err = fail(UriErrc::BadParameter, "bad tel parameter name");
    else if (has && value.empty())
      err = fail(UriErrc::BadParameter, "empty tel parameter value");
    else if (util::iequals(name, "phone-context")) {
      has_context = true;
      if (!valid_global_number(value) && !valid_hostname(value))
        err = fail(UriErrc::BadParameter, "bad phone-context");
    } else if (util::iequals(name, "ext")) {
      if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
            return is_digit(c) || is_visual_separator(c);
          }))
        err = fail(UriErrc::BadParameter, "bad ext parameter");
    } else if (util::iequals(name, "isub")) {
      err = check(value, uric_char, UriErrc::BadParameter, "isub parameter");
    } else {
      err = check(value, param_char, UriErrc::BadParameter, "tel parameter value");
    }
    return !err;
  });
  if (err) return *err;
  // §5.1.5: a local number is only meaningful within its context.
  if (!global && !has_context)
    return fail(UriErrc::BadTelNumber, "local number without phone-context");
  return uri;
}

// §19.1.4: characters outside the reserved set equal their %HH form. Decode those escapes and
// keep the others (and '%') escaped with upper-case hex, so "%61" == "a" but "%3B" != ";".
std::string normalize(std::string_view s, bool fold_case) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      c = char(hex_value(s[i + 1]) << 4 | hex_value(s[i + 2]));
      i += 2;
      if (is_reserved(c) || c == '%') {
        out += '%';
        out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
        out += kHex[static_cast<unsigned char>(c) & 0xf];
        continue;
      }
    }
    out += fold_case ? util::ascii_lower(c) : c;
  }
  return out;
}

struct NormParam {
  std::string name;
  std::string value;
  bool has_value = false;
  bool operator<(const NormParam& o) const {
    return std::tie(name, value, has_value) < std::tie(o.name, o.value, o.has_value);
  }
  bool operator==(const NormParam& o) const = default;
};

std::vector<NormParam> normalized(std::string_view text, char sep, bool tel) {
  std::vector<NormParam> out;
  each_param(text, sep, [&](std::string_view name, std::string_view value, bool has) {
    NormParam p{normalize(name, true), {}, has};
    if (tel && p.name == "phone-context" && !value.starts_with('+')) {
      p.value = util::to_lower(value);  // a domain name
    } else if (tel && (p.name == "phone-context" || p.name == "ext")) {
      for (char c : value)
        if (!is_visual_separator(c)) p.value += c;  // digits compare without separators
    } else {
      // Method names are case-sensitive (§7.1), header values are compared as written;
      // everything else in a URI is case-insensitive (§19.1.4).
      p.value = normalize(value, sep != '&' && p.name != "method");
    }
    out.push_back(std::move(p));
    return true;
  });
  return out;
}

const NormParam* find_param(const std::vector<NormParam>& v, std::string_view name) {
  for (const auto& p : v)
    if (p.name == name) return &p;
  return nullptr;
}

// §19.1.4 uri-parameter rules; for duplicated names the first occurrence counts.
bool sip_params_equal(std::string_view a_text, std::string_view b_text) {
  const auto a = normalized(a_text, ';', false);
  const auto b = normalized(b_text, ';', false);
  auto must_match = [](std::string_view n) {
    return n == "transport" || n == "user" || n == "ttl" || n == "method" || n == "maddr";
  };
  for (const auto& p : a) {
    if (find_param(a, p.name) != &p) continue;
    const NormParam* q = find_param(b, p.name);
    if (!q) {
      if (must_match(p.name)) return false;
      continue;
    }
    if (p.has_value != q->has_value) return false;
    const bool same = p.name == "maddr" ? host_equal(p.value, q->value) : p.value == q->value;
    if (!same) return false;
  }
  for (const auto& q : b)
    if (must_match(q.name) && !find_param(a, q.name)) return false;
  return true;
}

bool same_multiset(std::vector<NormParam> a, std::vector<NormParam> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::string headers_with_sep(std::string_view h) {
  return h.empty() ? std::string() : std::string("&") += h;
}

bool sip_equal(const Uri& a, const Uri& b) {
  // userinfo is case-sensitive; an absent user or password never equals a present one.
  if (a.user.empty() != b.user.empty() || a.has_password != b.has_password) return false;
  if (normalize(a.user, false) != normalize(b.user, false)) return false;
  if (normalize(a.password, false) != normalize(b.password, false)) return false;
  // A name never equals an address, even the one it resolves to.
  if (a.host_kind != b.host_kind || !host_equal(a.host, b.host)) return false;
  if (a.port != b.port) return false;  // no port is not 5060
  if (!sip_params_equal(a.params.text(), b.params.text())) return false;
  // Header components are never ignored; their order is not significant.
  return same_multiset(normalized(headers_with_sep(a.headers), '&', false),
                       normalized(headers_with_sep(b.headers), '&', false));
}

std::string tel_digits(std::string_view number) {
  std::string out;
  for (char c : number)
    if (!is_visual_separator(c)) out += util::ascii_lower(c);
  return out;
}

// RFC 3966 §4: both global or both local, digits equal without separators, the same parameter
// names on both sides with equal values, case-insensitively, in any order.
bool tel_equal(const Uri& a, const Uri& b) {
  if (tel_digits(a.user) != tel_digits(b.user)) return false;  // '+' is kept, so global != local
  return same_multiset(normalized(a.params.text(), ';', true),
                       normalized(b.params.text(), ';', true));
}

}  // namespace

const std::error_category& uri_category() {
  static const UriCategory category;
  return category;
}

std::error_code make_error_code(UriErrc e) { return {static_cast<int>(e), uri_category()}; }

Result<Uri> parse_uri(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return fail(UriErrc::BadCharacter, "space or control character in URI");
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return fail(UriErrc::UnsupportedScheme, "URI without scheme");
  const std::string_view scheme = text.substr(0, colon);
  Uri uri;
  if (util::iequals(scheme, "sip"))
    uri.scheme = UriScheme::Sip;
  else if (util::iequals(scheme, "sips"))
    uri.scheme = UriScheme::Sips;
  else if (util::iequals(scheme, "tel"))
    uri.scheme = UriScheme::Tel;
  else
    return fail(UriErrc::UnsupportedScheme, "unsupported URI scheme");
  const std::string_view rest = text.substr(colon + 1);
  if (uri.scheme == UriScheme::Tel) return parse_tel(rest, uri);
  return parse_sip(rest, uri);
}

std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2])) return std::nullopt;
    out += char(hex_value(text[i + 1]) << 4 | hex_value(text[i + 2]));
    i += 2;
  }
  return out;
}

bool uri_equal(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;  // sip and sips are never equivalent
  return a.scheme == UriScheme::Tel ? tel_equal(a, b) : sip_equal(a, b);
}

bool host_equal(std::string_view a, std::string_view b) {
  const auto a6 = parse_ipv6(util::without_brackets(a));
  const auto b6 = parse_ipv6(util::without_brackets(b));
  if (a6 || b6) return a6 && b6 && *a6 == *b6;
  const auto a4 = parse_ipv4(a);
  const auto b4 = parse_ipv4(b);
  if (a4 && b4) return *a4 == *b4;
  return util::iequals(a, b);
}

std::string format_sip_uri(std::string_view user, std::string_view host,
                           std::optional<std::uint16_t> port, std::string_view params, bool sips) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = sips ? "sips:" : "sip:";
  // Characters the user part may not carry are escaped; existing %HH escapes are kept, so an
  // already escaped user is written unchanged.
  for (std::size_t i = 0; i < user.size(); ++i) {
    const char c = user[i];
    const bool escape_start =
        c == '%' && i + 2 < user.size() && is_hex(user[i + 1]) && is_hex(user[i + 2]);
    if (user_char(c) || escape_start) {
      out += c;
    } else {
      out += '%';
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    }
  }
  if (!user.empty()) out += '@';
  const bool bracket = host.find(':') != std::string_view::npos && !host.starts_with('[');
  if (bracket) out += '[';
  out += host;
  if (bracket) out += ']';
  if (port) (out += ':') += std::to_string(*port);
  if (!params.empty() && params.front() != ';') out += ';';
  out += params;
  return out;
}

}  // namespace ims::sip
