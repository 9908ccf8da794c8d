#include "common/sip/header_values.hpp"

#include "common/sip/chars.hpp"
#include "common/util/strings.hpp"

namespace ims::sip {
namespace {

using chars::trim_lws;
constexpr auto npos = std::string_view::npos;

Error bad(std::string message) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(message)};
}

// Iterates the ";name[=value]" elements of a parameter list, LWS-trimmed around ';' and '='
// (RFC 3261 §25.1: SEMI and EQUAL allow LWS on both sides). Values may be quoted strings that
// contain ';'. f(name, value, has_value) returns false to stop.
template <class F>
void for_each_param(std::string_view text, F&& f) {
  std::size_t i = 0;
  while (i < text.size() && text[i] != ';') ++i;
  while (i < text.size()) {
    const std::size_t start = ++i;  // past ';'
    std::size_t eq = npos;
    while (i < text.size() && text[i] != ';') {
      if (text[i] == '"') {
        const std::size_t end = chars::skip_quoted(text, i);
        i = end == npos ? text.size() : end;
        continue;
      }
      if (text[i] == '=' && eq == npos) eq = i;
      ++i;
    }
    const std::string_view seg = text.substr(start, i - start);
    bool go;
    if (eq == npos)
      go = f(trim_lws(seg), std::string_view{}, false);
    else
      go = f(trim_lws(seg.substr(0, eq - start)), trim_lws(seg.substr(eq - start + 1)), true);
    if (!go) return;
  }
}

// Walks a parameter list, checking every parameter on the way: a token name and, when it has
// '=', a gen-value: token, host (IPv6 references included) or quoted-string (RFC 3261 §7.3.1
// generic-param), with LWS allowed around ';' and '='. Empty parameters (";;") and stray
// characters (",", "<") make the list invalid (RFC 4475 §3.1.2.1). f(name, value, has_value)
// sees each parameter and returns false to reject the list. One pass, one table lookup per
// character: this runs on every Via, From and To of every message.
template <class F>
bool scan_params(std::string_view t, F&& f) {
  const std::size_t n = t.size();
  std::size_t i = 0;
  const auto skip_lws_at = [&] {
    while (i < n && chars::is_lws(t[i])) ++i;
  };
  skip_lws_at();
  while (i < n) {
    if (t[i] != ';') return false;
    ++i;
    skip_lws_at();
    const std::size_t name_start = i;
    while (i < n && chars::is_token(t[i])) ++i;
    const std::string_view name = t.substr(name_start, i - name_start);
    if (name.empty()) return false;
    skip_lws_at();
    std::string_view value;
    bool has_value = false;
    if (i < n && t[i] == '=') {
      has_value = true;
      ++i;
      skip_lws_at();
      const std::size_t value_start = i;
      if (i < n && t[i] == '"') {
        i = chars::skip_quoted(t, i);
        if (i == npos) return false;
      } else {
        while (i < n && chars::is(t[i], chars::kParamValue)) ++i;
      }
      value = t.substr(value_start, i - value_start);
      if (value.empty()) return false;
      skip_lws_at();
    }
    if (!f(name, value, has_value)) return false;
  }
  return true;
}

bool valid_params(std::string_view text) {
  return scan_params(text, [](std::string_view, std::string_view, bool) { return true; });
}

// Length of the run of characters of class cls at the start of s.
std::size_t span_of(std::string_view s, std::uint16_t cls) {
  std::size_t i = 0;
  while (i < s.size() && chars::is(s[i], cls)) ++i;
  return i;
}

std::string_view skip_lws(std::string_view s) {
  while (!s.empty() && chars::is_lws(s.front())) s.remove_prefix(1);
  return s;
}

// Reads a token at the start of s, and the LWS after it.
std::string_view take_token(std::string_view& s) {
  const std::size_t n = span_of(s, chars::kToken);
  const std::string_view t = s.substr(0, n);
  s = skip_lws(s.substr(n));
  return t;
}

bool take_char(std::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s = skip_lws(s.substr(1));
  return true;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  std::uint64_t v = 0;
  if (!chars::parse_decimal(s, 65535, v)) return std::nullopt;
  return std::uint16_t(v);
}

// absoluteURI's scheme ":" followed by something, with no character that cannot appear in a URI
// written in a header (RFC 3261 §25.1, RFC 3986 §3.1). Non-ASCII bytes are tolerated.
bool plausible_uri(std::string_view u) {
  if (u.empty() || !chars::is(u[0], chars::kAlpha)) return false;
  const std::size_t n = span_of(u, chars::kScheme);
  if (n >= u.size() - 1 || u[n] != ':') return false;
  for (char c : u)
    if (!chars::is(c, chars::kUri)) return false;
  return true;
}

// token *(LWS token), non-ASCII bytes tolerated (clients send unquoted UTF-8 names).
bool valid_token_display_name(std::string_view d) {
  for (char c : d)
    if (!chars::is_token(c) && !chars::is_lws(c) && std::uint8_t(c) < 0x80) return false;
  return true;
}

}  // namespace

bool Params::has(std::string_view name) const { return get(name).has_value(); }

std::optional<std::string_view> Params::get(std::string_view name) const {
  std::optional<std::string_view> out;
  for_each_param(text_, [&](std::string_view n, std::string_view v, bool) {
    if (!util::iequals(n, name)) return true;
    out = v;
    return false;
  });
  return out;
}

std::vector<Params::Param> Params::all() const {
  std::vector<Param> out;
  for_each_param(text_, [&out](std::string_view n, std::string_view v, bool has_value) {
    if (!n.empty()) out.push_back(Param{n, v, has_value});
    return true;
  });
  return out;
}

// RFC 3261 §20.42, §25.1: via-parm = sent-protocol LWS sent-by *( SEMI via-params ), where
// SLASH allows LWS on both sides; RFC 3581 rport; RFC 5118 IPv6 references.
Result<Via> parse_via(std::string_view value) {
  Via via;
  std::string_view s = trim_lws(value);
  via.protocol_name = take_token(s);
  if (via.protocol_name.empty() || !take_char(s, '/')) return bad("bad Via sent-protocol");
  via.protocol_version = take_token(s);
  if (via.protocol_version.empty() || !take_char(s, '/')) return bad("bad Via sent-protocol");
  const std::size_t tn = span_of(s, chars::kToken);
  via.transport = s.substr(0, tn);
  s.remove_prefix(tn);
  if (via.transport.empty() || s.empty() || !chars::is_lws(s[0])) return bad("bad Via transport");
  s = skip_lws(s);
  std::size_t hn;
  if (!s.empty() && s[0] == '[') {
    hn = s.find(']');
    if (hn == npos || s.substr(1, hn - 1).find(':') == npos) return bad("bad Via host");
    for (std::size_t i = 1; i < hn; ++i)
      if (!chars::is(s[i], chars::kHex) && s[i] != ':' && s[i] != '.') return bad("bad Via host");
    ++hn;
  } else {
    hn = span_of(s, chars::kHost);
    if (hn == 0) return bad("bad Via host");
  }
  via.host = s.substr(0, hn);
  s = skip_lws(s.substr(hn));
  if (take_char(s, ':')) {
    const std::size_t pn = span_of(s, chars::kDigit);
    via.port = parse_port(s.substr(0, pn));
    if (!via.port) return bad("bad Via port");
    s = skip_lws(s.substr(pn));
  }
  if (!s.empty() && s[0] != ';') return bad("bad Via sent-by");
  via.params = Params(s);
  bool bad_rport = false;
  bool have_branch = false;
  const bool ok = scan_params(s, [&](std::string_view n, std::string_view v, bool has_value) {
    // Only the first occurrence of each counts, as Params::get() would return it.
    if (chars::equals_lower(n, "branch")) {
      if (!have_branch) via.branch = v;
      have_branch = true;
    } else if (chars::equals_lower(n, "received")) {
      if (!via.received) via.received = v;
    } else if (chars::equals_lower(n, "rport") && !via.rport) {
      via.rport = true;
      if (has_value) {
        via.rport_value = parse_port(v);
        bad_rport = !via.rport_value;
      }
    }
    return !bad_rport;
  });
  if (bad_rport) return bad("bad Via rport");
  if (!ok) return bad("bad Via parameter");
  return via;
}

// RFC 3261 §20.10, §25.1: (name-addr / addr-spec) *( SEMI param ). In the addr-spec form
// everything after the first ';' is a header parameter, and the URI may not contain ',' or '?'.
Result<NameAddr> parse_name_addr(std::string_view value) {
  NameAddr na;
  std::string_view s = trim_lws(value);
  if (s.empty()) return bad("empty address");
  std::size_t lt = npos;
  if (s[0] == '"') {
    const std::size_t end = chars::skip_quoted(s, 0);
    if (end == npos) return bad("unterminated quoted display name");
    na.display_name = s.substr(0, end);
    lt = end;
    while (lt < s.size() && chars::is_lws(s[lt])) ++lt;
    if (lt >= s.size() || s[lt] != '<') return bad("display name without <address>");
  } else {
    lt = s.find('<');
    if (lt != npos) {
      na.display_name = trim_lws(s.substr(0, lt));
      if (!valid_token_display_name(na.display_name)) return bad("bad display name");
    }
  }
  std::string_view rest;
  if (lt != npos) {
    const std::size_t gt = s.find('>', lt + 1);
    if (gt == npos) return bad("missing '>'");
    na.uri = s.substr(lt + 1, gt - lt - 1);
    na.angle_brackets = true;
    rest = skip_lws(s.substr(gt + 1));
    if (!rest.empty() && rest[0] != ';') return bad("text after '>'");
  } else {
    const std::size_t semi = s.find(';');
    na.uri = trim_lws(s.substr(0, semi));
    if (semi != npos) rest = s.substr(semi);
    if (na.uri.find_first_of(",?") != npos) return bad("addr-spec with ',' or '?' needs <>");
  }
  if (!plausible_uri(na.uri)) return bad("bad URI in address");
  bool have_tag = false;
  const bool ok = scan_params(rest, [&](std::string_view n, std::string_view v, bool) {
    if (!have_tag && chars::equals_lower(n, "tag")) {
      na.tag = v;
      have_tag = true;
    }
    return true;
  });
  if (!ok) return bad("bad address parameter");
  na.params = Params(rest);
  return na;
}

// RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method, the number below 2**31.
Result<CSeq> parse_cseq(std::string_view value) {
  std::string_view s = trim_lws(value);
  const std::size_t n = span_of(s, chars::kDigit);
  std::uint64_t number = 0;
  if (!chars::parse_decimal(s.substr(0, n), 0x7fffffff, number)) return bad("bad CSeq number");
  if (n >= s.size() || !chars::is_lws(s[n])) return bad("bad CSeq");
  const std::string_view m = skip_lws(s.substr(n));
  if (!is_token(m)) return bad("bad CSeq method");
  CSeq c;
  c.number = std::uint32_t(number);
  c.method_text = m;
  c.method = method_from_name(m);
  return c;
}

// RFC 3261 §20.15: m-type SLASH m-subtype *( SEMI m-parameter ), SLASH allowing LWS around it.
Result<ContentType> parse_content_type(std::string_view value) {
  ContentType ct;
  std::string_view s = trim_lws(value);
  ct.type = take_token(s);
  if (ct.type.empty() || !take_char(s, '/')) return bad("bad media type");
  ct.subtype = take_token(s);
  if (ct.subtype.empty()) return bad("bad media subtype");
  if (!s.empty() && s[0] != ';') return bad("bad media type");
  if (!valid_params(s)) return bad("bad media type parameter");
  ct.params = Params(s);
  return ct;
}

bool ContentType::is(std::string_view t, std::string_view st) const {
  return util::iequals(type, t) && util::iequals(subtype, st);
}

std::vector<std::string_view> split_list(std::string_view value) {
  std::vector<std::string_view> out;
  chars::for_each_element(value, [&out](std::string_view e) {
    out.push_back(e);
    return true;
  });
  return out;
}

std::string unquote(std::string_view text) {
  const std::string_view t = trim_lws(text);
  if (t.size() < 2 || t.front() != '"' || t.back() != '"') return std::string(text);
  std::string out;
  out.reserve(t.size() - 2);
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    if (t[i] == '\\' && i + 2 < t.size()) ++i;
    out.push_back(t[i]);
  }
  return out;
}

}  // namespace ims::sip
