#include "common/sip/cpim.hpp"

#include "common/util/strings.hpp"
#include "common/util/utf8.hpp"

namespace ims::sip {
namespace {

Error fail(std::string_view what) {
  return Error{make_error_code(MimeErrc::BadCpim), std::string(what)};
}

// RFC 3862 §3.6: TOKENCHAR is a printable ASCII character other than the separators; NAMECHAR
// also excludes '.', which separates a namespace prefix from the name.
constexpr bool is_token_char(char c) {
  return c > 0x20 && c < 0x7f &&
         std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}
constexpr bool is_name_char(char c) { return is_token_char(c) && c != '.'; }

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_name_char(c)) return false;
  return true;
}

// Header-name = [ Name-prefix "." ] Name
bool valid_header_name(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return valid_name(s);
  return valid_name(s.substr(0, dot)) && valid_name(s.substr(dot + 1));
}

constexpr bool is_ctl(char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; }

// One header line. Parameters: *( ";" Param-name [ "=" ( Token / Number / String ) ] ).
Result<CpimHeader> parse_header_line(std::string_view line) {
  for (char c : line)
    if (is_ctl(c)) return fail("control character in CPIM header");
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail("CPIM header without colon");
  CpimHeader h;
  h.name = line.substr(0, colon);
  if (!valid_header_name(h.name)) return fail("bad CPIM header name");
  const std::string_view rest = line.substr(colon + 1);
  std::size_t i = 0;
  while (i < rest.size() && rest[i] == ';') {
    const std::size_t name_start = ++i;
    while (i < rest.size() && is_token_char(rest[i]) && rest[i] != '=') ++i;
    if (i == name_start) return fail("empty CPIM header parameter name");
    if (i < rest.size() && rest[i] == '=') {
      ++i;
      if (i < rest.size() && rest[i] == '"') {
        for (++i; i < rest.size() && rest[i] != '"'; ++i)
          if (rest[i] == '\\') ++i;
        if (i >= rest.size()) return fail("unterminated CPIM parameter string");
        ++i;
      } else {
        const std::size_t value_start = i;
        while (i < rest.size() && is_token_char(rest[i])) ++i;
        if (i == value_start) return fail("empty CPIM header parameter value");
      }
    }
  }
  h.params = rest.substr(0, i);
  // The grammar asks for exactly one SP here; extra or missing whitespace is tolerated.
  while (i < rest.size() && util::is_lws(rest[i])) ++i;
  h.value = rest.substr(i);
  while (!h.value.empty() && util::is_lws(h.value.back())) h.value.remove_suffix(1);
  return h;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

}  // namespace

std::string_view CpimHeader::prefix() const {
  const std::size_t dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view{} : name.substr(0, dot);
}

std::string_view CpimHeader::local_name() const {
  const std::size_t dot = name.find('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

std::optional<std::string_view> CpimMessage::header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

std::vector<std::string_view> CpimMessage::values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& h : headers)
    if (h.name == name) out.push_back(h.value);
  return out;
}

std::optional<std::string_view> CpimMessage::namespace_uri(std::string_view prefix) const {
  // NS-header = "NS" ": " [ Name-prefix SP ] "<" URI ">"
  for (const auto& h : headers) {
    if (h.name != "NS") continue;
    const std::size_t open = h.value.find('<');
    const std::size_t close = h.value.rfind('>');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) continue;
    if (util::trim(h.value.substr(0, open)) == prefix)
      return h.value.substr(open + 1, close - open - 1);
  }
  return std::nullopt;
}

Result<CpimMessage> parse_cpim(std::string_view text) {
  CpimMessage msg;
  std::size_t pos = 0;
  while (true) {
    if (pos >= text.size()) return fail("CPIM message headers not ended by an empty line");
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos)
      return fail("CPIM message headers not ended by an empty line");
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (line.empty()) break;
    // RFC 3862 has no header folding: a line starting with whitespace is malformed.
    auto h = parse_header_line(line);
    if (!h) return h.error();
    msg.headers.push_back(*h);
  }
  auto entity = parse_entity(text.substr(pos));
  if (!entity) return entity.error();
  msg.content_headers = std::move(entity->headers);
  msg.content = entity->body;
  return msg;
}

Result<std::string> build_cpim(const CpimSpec& spec) {
  std::string out;
  for (const auto& h : spec.headers) {
    if (!valid_header_name(h.name)) return fail("bad CPIM header name");
    if (has_line_break(h.params) || has_line_break(h.value))
      return fail("line break in CPIM header");
    ((((out += h.name) += ':') += h.params) += ' ') += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  if (has_line_break(spec.content_type)) return fail("line break in Content-Type");
  if (!spec.content_type.empty()) ((out += "Content-Type: ") += spec.content_type) += "\r\n";
  for (const auto& h : spec.content_headers) {
    if (h.name.empty() || h.name.find(':') != std::string_view::npos || has_line_break(h.name) ||
        has_line_break(h.value))
      return fail("bad content header");
    (((out += h.name) += ": ") += h.value) += "\r\n";
  }
  out += "\r\n";
  out += spec.content;
  return out;
}

std::optional<std::string> cpim_unescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i >= value.size()) return std::nullopt;
    switch (value[i]) {
      case 'b': out += '\b'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '"':
      case '\'':
      case '\\': out += value[i]; break;
      case 'u': {
        if (i + 4 >= value.size()) return std::nullopt;
        unsigned cp = 0;
        for (std::size_t k = 1; k <= 4; ++k) {
          const char c = util::ascii_lower(value[i + k]);
          const bool digit = c >= '0' && c <= '9';
          if (!digit && !(c >= 'a' && c <= 'f')) return std::nullopt;
          cp = cp * 16 + unsigned(digit ? c - '0' : c - 'a' + 10);
        }
        util::append_utf8(out, cp);
        i += 4;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

}  // namespace ims::sip
