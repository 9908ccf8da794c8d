#include "common/sip/head_parser.hpp"

#include <cstring>

#include "common/sip/chars.hpp"
#include "common/sip/parser.hpp"
#include "common/util/strings.hpp"

namespace ims::sip::detail {
namespace {

constexpr auto npos = std::string_view::npos;

Error error(ParseErrc e, std::string message) {
  return Error{make_error_code(e), std::move(message)};
}

void set_fault(Message::Parts& p, int status, std::string_view reason) {
  if (!p.fault) p.fault = Fault{status, std::string(reason)};
}

Span span_of(const std::string& buf, std::string_view v) {
  return Span{std::uint32_t(v.data() - buf.data()), std::uint32_t(v.size())};
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (RFC 3261 §25.1; "SIP" is case-insensitive).
bool is_version(std::string_view v) {
  if (v == "SIP/2.0") return true;
  if (v.size() < 7 || !util::iequals(v.substr(0, 4), "SIP/")) return false;
  v.remove_prefix(4);
  const std::size_t dot = v.find('.');
  if (dot == npos) return false;
  return chars::all_of(v.substr(0, dot), chars::kDigit) &&
         chars::all_of(v.substr(dot + 1), chars::kDigit);
}

// RFC 3261 §25.1: a control character other than HT may appear in a header value only as a
// quoted-pair inside a quoted-string ("\" %x00-09 / %x0B-0C / %x0E-7F), as RFC 4475 §3.1.1.2
// exercises with an escaped NUL, BEL and DEL in a display name.
bool controls_only_quoted(std::string_view v) {
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (quoted && c == '\\' && i + 1 < v.size() && v[i + 1] != '\r' && v[i + 1] != '\n') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (chars::is(c, chars::kCtl) && c != '\t') {
      return false;
    }
  }
  return true;
}

// Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version SP
// Status-Code SP Reason-Phrase (RFC 3261 §7.1, §7.2). Runs of SP and trailing LWS are tolerated
// (RFC 4475 §3.1.2.9, §3.1.2.10), leading LWS is not; LWS inside the Request-URI is a 400
// (§3.1.2.8), reported by validate().
Result<void> parse_start_line(const std::string& buf, std::string_view line, Message::Parts& p) {
  while (!line.empty() && chars::is_lws(line.back())) line.remove_suffix(1);
  if (line.size() >= 4 && util::iequals(line.substr(0, 4), "SIP/")) {
    const std::size_t sp = line.find(' ');
    const std::string_view version = line.substr(0, sp);
    if (sp == npos || !is_version(version)) return error(ParseErrc::BadStartLine, "bad version");
    std::string_view rest = line.substr(sp + 1);
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
    if (rest.size() < 3 || !chars::all_of(rest.substr(0, 3), chars::kDigit) ||
        (rest.size() > 3 && rest[3] != ' '))
      return error(ParseErrc::BadStartLine, "bad status code");
    const int status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    if (status < 100 || status > 699) return error(ParseErrc::BadStartLine, "bad status code");
    p.is_request = false;
    p.status = status;
    p.reason = span_of(buf, rest.size() > 3 ? rest.substr(4) : rest.substr(3));
    if (version != "SIP/2.0" && !util::iequals(version, "SIP/2.0"))
      set_fault(p, 505, "Version Not Supported");
    return {};
  }
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.rfind(' ');
  if (sp1 == npos || sp1 == sp2 || sp1 == 0)
    return error(ParseErrc::BadStartLine, "bad request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view version = line.substr(sp2 + 1);
  const std::string_view uri = chars::trim_lws(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (!is_token(method) || !is_version(version) || uri.empty())
    return error(ParseErrc::BadStartLine, "bad request line");
  p.is_request = true;
  p.method = method_from_name(method);
  p.method_text = span_of(buf, method);
  p.request_uri = span_of(buf, uri);
  if (version != "SIP/2.0" && !util::iequals(version, "SIP/2.0"))
    set_fault(p, 505, "Version Not Supported");
  return {};
}

// Collects one header field (its continuation lines already joined) and stores it, split into
// list elements for the list headers of RFC 3261 §7.3.1. Its functions, and next_line(), are
// forced inline: they run once per header line, and call overhead was a tenth of a parse.
class FieldSink {
 public:
  FieldSink(std::string& buf, Message::Parts& p, const Limits& l, std::size_t& vias)
      : buf_(buf), p_(p), limits_(l), vias_(vias) {}

  // controls: the scanner saw a control character other than HT in the field's lines. False
  // when the field count passes max_headers.
  [[gnu::always_inline]] bool store(Span name, std::size_t value_begin, std::size_t value_end,
                                    bool controls) {
    const std::string_view value =
        chars::trim_lws({buf_.data() + value_begin, value_end - value_begin});
    if (controls && !controls_only_quoted(value))
      set_fault(p_, 400,
                value.find('\0') != npos ? "NUL in Header" : "Control Character in Header");
    const HeaderId id = header_id_from_name({buf_.data() + name.off, name.len});
    if (is_split_list(id) && value.find(',') != npos) {
      bool over = false;
      chars::for_each_element(value, [&](std::string_view e) {
        over = !push(id, name, e);
        return !over;
      });
      return !over;
    }
    return push(id, name, value);
  }

 private:
  [[gnu::always_inline]] bool push(HeaderId id, Span name, std::string_view value) {
    if (p_.fields.size() >= limits_.max_headers) return false;
    vias_ += id == HeaderId::Via;
    p_.fields.push_back(HeaderField{id, name, span_of(buf_, value)});
    return true;
  }

  std::string& buf_;
  Message::Parts& p_;
  const Limits& limits_;
  std::size_t& vias_;
};

// One line of the header block: [begin, content_end) without its line break, next = the offset
// after the LF. controls: a control character other than HT occurs in the content.
struct Line {
  std::size_t content_end = 0;
  std::size_t next = 0;
  bool controls = false;
};

// Finds the end of the line starting at pos: LF or CRLF (RFC 3261 §7 says CRLF; a bare LF is
// accepted as many stacks do). A lone CR is a control character, not a line break.
[[gnu::always_inline]] inline bool next_line(const char* data, std::size_t size, std::size_t pos,
                                             Line& line) {
  const char* end = data + size;
  const char* q = data + pos;
  line.controls = false;
  for (;;) {
    q = chars::find_control(q, end);
    if (q == end) return false;
    if (*q == '\n') {
      line.content_end = std::size_t(q - data);
      line.next = line.content_end + 1;
      return true;
    }
    if (*q == '\r' && q + 1 < end && q[1] == '\n') {
      line.content_end = std::size_t(q - data);
      line.next = line.content_end + 2;
      return true;
    }
    if (*q != '\t') line.controls = true;
    ++q;
  }
}

}  // namespace

bool plausible_start_line(std::string_view line) {
  line = chars::trim_lws(util::trim(line));
  if (line.size() >= 4 && util::iequals(line.substr(0, 4), "SIP/")) return true;
  const std::size_t sp = line.rfind(' ');
  return sp != npos && is_version(line.substr(sp + 1)) && line.find(' ') < sp;
}

Result<Head> parse_head(std::string&& buffer, const Limits& limits) {
  Head h;
  Message::Parts& p = h.parts;
  p.buf = std::move(buffer);
  std::string& buf = p.buf;
  const char* data = buf.data();
  const std::size_t size = buf.size();

  Line line;
  const bool have_first = next_line(data, std::min(size, limits.max_start_line_bytes + 2), 0, line);
  if (!have_first)
    return size > limits.max_start_line_bytes
               ? error(ParseErrc::BadStartLine, "start line too long")
               : error(ParseErrc::Unterminated, "no end of start line");
  if (line.controls) set_fault(p, 400, "Bad Start Line");
  if (auto r = parse_start_line(buf, {data, line.content_end}, p); !r) return r.error();

  p.fields.reserve(std::min<std::size_t>(limits.max_headers, size / 24 + 8));
  FieldSink sink(buf, p, limits, h.vias);
  bool pending = false;
  bool pending_controls = false;
  Span name{};
  std::size_t value_begin = 0, value_end = 0;
  std::size_t pos = line.next;
  for (;;) {
    if (pos > limits.max_header_bytes) return error(ParseErrc::HeadersTooLarge, "header too large");
    const std::size_t window = std::min(size, limits.max_header_bytes + 2);
    if (!next_line(data, window, pos, line)) {
      return window < size ? error(ParseErrc::HeadersTooLarge, "header too large")
                           : error(ParseErrc::Unterminated, "no empty line after the headers");
    }
    if (line.content_end == pos) {  // the empty line
      if (line.next > limits.max_header_bytes)
        return error(ParseErrc::HeadersTooLarge, "header too large");
      if (pending)
        if (!sink.store(name, value_begin, value_end, pending_controls))
          return error(ParseErrc::TooManyHeaders, "too many header fields");
      h.end = line.next;
      return h;
    }
    if (chars::is_lws(data[pos])) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous field; the
      // line break and the indentation are equivalent to a single SP, so spaces replace the
      // line break in place and the value stays one contiguous span.
      if (!pending) {
        set_fault(p, 400, "Bad Header Line");
      } else {
        for (std::size_t i = value_end; i < pos; ++i) buf[i] = ' ';
        value_end = line.content_end;
        pending_controls = pending_controls || line.controls;
      }
    } else {
      if (pending)
        if (!sink.store(name, value_begin, value_end, pending_controls))
          return error(ParseErrc::TooManyHeaders, "too many header fields");
      pending = false;
      // header-name = token, then optional LWS, then ':' (HCOLON, RFC 3261 §25.1). The line
      // break at content_end is neither, so it bounds both loops.
      std::size_t i = pos;
      while (chars::is_token(data[i])) ++i;
      name = Span{std::uint32_t(pos), std::uint32_t(i - pos)};
      while (chars::is_lws(data[i])) ++i;
      if (name.len == 0 || i >= line.content_end || data[i] != ':') {
        set_fault(p, 400, "Bad Header Line");
      } else {
        pending = true;
        pending_controls = line.controls;
        value_begin = i + 1;
        value_end = line.content_end;
      }
    }
    pos = line.next;
  }
}

}  // namespace ims::sip::detail
