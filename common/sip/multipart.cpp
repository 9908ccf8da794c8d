#include "common/sip/multipart.hpp"

#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::sip {
namespace {

class MimeCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip.mime"; }
  std::string message(int ev) const override {
    switch (static_cast<MimeErrc>(ev)) {
      case MimeErrc::NotMultipart: return "not a multipart content type";
      case MimeErrc::NoBoundary: return "no multipart boundary";
      case MimeErrc::BadBoundary: return "bad multipart boundary";
      case MimeErrc::NoDelimiter: return "multipart body without a delimiter";
      case MimeErrc::NoCloseDelimiter: return "multipart body without close delimiter";
      case MimeErrc::BadPartHeader: return "bad MIME header line";
      case MimeErrc::TooManyParts: return "too many body parts";
      case MimeErrc::BadCpim: return "bad message/cpim body";
    }
    return "bad MIME body";
  }
};

Error fail(MimeErrc e, std::string_view what) {
  return Error{make_error_code(e), std::string(what)};
}

constexpr bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace, and at least one character.
bool valid_boundary(std::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// One line of text starting at pos: its content (without CR LF) and where the next line starts
// (text.size() when it is the last line).
struct Line {
  std::string_view content;
  std::size_t next = 0;
  bool terminated = false;  // ended by a line break
};

Line line_at(std::string_view text, std::size_t pos) {
  const std::size_t nl = text.find('\n', pos);
  if (nl == std::string_view::npos) return {text.substr(pos), text.size(), false};
  std::string_view content = text.substr(pos, nl - pos);
  if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
  return {content, nl + 1, true};
}

// A delimiter line found in a multipart body.
struct Delimiter {
  std::size_t start = 0;  // offset of "--boundary"
  std::size_t next = 0;   // offset after its line break
  bool close = false;
};

// The next line at or after from that is "--boundary" or "--boundary--", followed only by
// transport padding (RFC 2046 §5.1.1). Lines merely starting with the boundary are content.
std::optional<Delimiter> find_delimiter(std::string_view body, std::string_view dash,
                                        std::size_t from) {
  for (std::size_t p = body.find(dash, from); p != std::string_view::npos;
       p = body.find(dash, p + 1)) {
    if (p != 0 && body[p - 1] != '\n') continue;
    const Line line = line_at(body, p);
    std::string_view rest = line.content.substr(dash.size());
    const bool close = rest.starts_with("--");
    if (close) rest.remove_prefix(2);
    while (!rest.empty() && is_wsp(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) return Delimiter{p, line.next, close};
  }
  return std::nullopt;
}

}  // namespace

const std::error_category& mime_category() {
  static const MimeCategory category;
  return category;
}

std::error_code make_error_code(MimeErrc e) { return {static_cast<int>(e), mime_category()}; }

std::optional<std::string_view> MimeHeaders::find(std::string_view name) const {
  for (const auto& f : fields)
    if (util::iequals(f.name, name)) return f.value;
  return std::nullopt;
}

Result<std::string_view> multipart_boundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  const std::string_view type = util::trim(content_type.substr(0, content_type.find('/')));
  if (!util::iequals(type, "multipart")) return fail(MimeErrc::NotMultipart, "not multipart");
  std::string_view rest = semi == std::string_view::npos ? "" : content_type.substr(semi);
  // RFC 2045 §5.1: parameter := attribute "=" value; value := token / quoted-string.
  while (!rest.empty()) {
    rest.remove_prefix(1);  // ';'
    const std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    const std::string_view name = util::trim(rest.substr(0, eq));
    rest = rest.substr(eq + 1);
    while (!rest.empty() && is_wsp(rest.front())) rest.remove_prefix(1);
    std::string_view value;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t close = 1;
      while (close < rest.size() && rest[close] != '"') close += rest[close] == '\\' ? 2 : 1;
      if (close >= rest.size()) return fail(MimeErrc::BadBoundary, "unterminated quoted parameter");
      value = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
      const std::size_t next = rest.find(';');
      rest = next == std::string_view::npos ? "" : rest.substr(next);
    } else {
      const std::size_t next = rest.find(';');
      value = util::trim(rest.substr(0, next));
      rest = next == std::string_view::npos ? "" : rest.substr(next);
    }
    if (util::iequals(name, "boundary")) {
      if (!valid_boundary(value)) return fail(MimeErrc::BadBoundary, "bad multipart boundary");
      return value;
    }
  }
  return fail(MimeErrc::NoBoundary, "multipart without boundary");
}

Result<MimeHeaders> parse_mime_headers(std::string_view text) {
  MimeHeaders out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const Line line = line_at(text, pos);
    const std::size_t content_end = line.content.data() - text.data() + line.content.size();
    pos = line.next;
    if (line.content.empty()) return fail(MimeErrc::BadPartHeader, "empty line in MIME headers");
    // A CR outside CRLF, NUL or another control character has no place in a header (RFC 5322
    // §2.2) and is a classic way to make two parsers disagree.
    for (char c : line.content) {
      if ((c >= 0 && c < 0x20 && c != '\t') || c == 0x7f)
        return fail(MimeErrc::BadPartHeader, "control character in MIME header");
    }
    if (is_wsp(line.content.front())) {
      // Folding (RFC 5322 §2.2.3): the value runs on to the end of this line.
      if (out.fields.empty()) return fail(MimeErrc::BadPartHeader, "continuation without header");
      MimeHeader& last = out.fields.back();
      const std::size_t start =
          last.value.empty() ? line.content.data() - text.data() : last.value.data() - text.data();
      last.value = util::trim(text.substr(start, content_end - start));
      continue;
    }
    const std::size_t colon = line.content.find(':');
    if (colon == std::string_view::npos)
      return fail(MimeErrc::BadPartHeader, "header without colon");
    MimeHeader h{util::trim(line.content.substr(0, colon)),
                 util::trim(line.content.substr(colon + 1))};
    if (h.name.empty()) return fail(MimeErrc::BadPartHeader, "header without name");
    for (char c : h.name) {
      if (c <= 32 || c >= 127) return fail(MimeErrc::BadPartHeader, "bad header name");
    }
    out.fields.push_back(h);
  }
  return out;
}

Result<Entity> parse_entity(std::string_view text) {
  Entity out;
  std::size_t pos = 0;
  std::size_t headers_end = text.size();
  std::size_t body_start = text.size();
  while (pos < text.size()) {
    const Line line = line_at(text, pos);
    if (line.content.empty() && line.terminated) {
      headers_end = pos;
      body_start = line.next;
      break;
    }
    pos = line.next;
  }
  auto headers = parse_mime_headers(text.substr(0, headers_end));
  if (!headers) return headers.error();
  out.headers = std::move(*headers);
  out.body = text.substr(body_start);
  return out;
}

Result<std::vector<BodyPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                              const MultipartLimits& limits) {
  if (!valid_boundary(boundary)) return fail(MimeErrc::BadBoundary, "bad multipart boundary");
  const std::string dash = std::string("--") += boundary;
  auto delim = find_delimiter(body, dash, 0);  // anything before it is preamble
  if (!delim) return fail(MimeErrc::NoDelimiter, "multipart body without delimiter");
  // §5.1.1: at least one body part comes before the close delimiter.
  if (delim->close) return fail(MimeErrc::NoDelimiter, "multipart body without parts");
  std::vector<BodyPart> parts;
  while (!delim->close) {
    const std::size_t start = delim->next;
    auto next = find_delimiter(body, dash, start);
    if (!next) return fail(MimeErrc::NoCloseDelimiter, "multipart body without close delimiter");
    // The line break before a delimiter belongs to the delimiter (§5.1.1).
    std::size_t end = next->start;
    if (end > start && body[end - 1] == '\n') --end;
    if (end > start && body[end - 1] == '\r') --end;
    if (parts.size() >= limits.max_parts)
      return fail(MimeErrc::TooManyParts, "too many body parts");
    auto entity = parse_entity(body.substr(start, end - start));
    if (!entity) return entity.error();
    parts.push_back(BodyPart{std::move(entity->headers), entity->body});
    delim = next;
  }
  return parts;
}

BuiltMultipart build_multipart(const std::vector<PartSpec>& parts, std::string_view subtype) {
  auto occurs = [&](const std::string& b) {
    for (const auto& p : parts) {
      if (p.body.find(b) != std::string_view::npos ||
          p.content_type.find(b) != std::string_view::npos)
        return true;
      for (const auto& h : p.headers)
        if (h.value.find(b) != std::string_view::npos) return true;
    }
    return false;
  };
  BuiltMultipart out;
  // 24 random characters collide with part content only by design of a hostile peer, which
  // cannot know them in advance; the check makes the body correct regardless.
  std::size_t len = 24;
  do {
    out.boundary = "ims-" + util::random_token(len);
    if (len < 60) len += 8;
  } while (occurs(out.boundary));

  for (const auto& p : parts) {
    ((out.body += "--") += out.boundary) += "\r\n";
    if (!p.content_type.empty()) ((out.body += "Content-Type: ") += p.content_type) += "\r\n";
    for (const auto& h : p.headers) (((out.body += h.name) += ": ") += h.value) += "\r\n";
    ((out.body += "\r\n") += p.body) += "\r\n";
  }
  ((out.body += "--") += out.boundary) += "--\r\n";
  out.content_type = ((std::string("multipart/") += subtype) += ";boundary=") += out.boundary;
  return out;
}

}  // namespace ims::sip
