#include "common/sip/message.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>

#include "common/sip/message_parts.hpp"
#include "common/util/strings.hpp"

namespace ims::sip {
namespace {

constexpr std::string_view kVersion = "SIP/2.0";

void append_uint(std::string& out, std::uint64_t v) {
  char tmp[24];
  const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
  out.append(tmp, std::size_t(r.ptr - tmp));
}

// Line breaks in text given to a mutator become spaces: a value or reason phrase can never
// smuggle in a header line (values copied from parsed messages never hold CR or LF; text from
// elsewhere might). For a header value this is what unfolding would have done (§7.3.1).
Span unbreak(std::string& buf, Span s) {
  char* const text = buf.data() + s.off;
  // Two vectorised scans find the (rare) line break faster than a test per byte.
  if (!std::memchr(text, '\r', s.len) && !std::memchr(text, '\n', s.len)) return s;
  std::replace_if(text, text + s.len, [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return s;
}

}  // namespace

Message Message::from_parts(Parts&& p) {
  Message m;
  m.buf_ = std::move(p.buf);
  m.fields_ = std::move(p.fields);
  m.method_text_ = p.method_text;
  m.request_uri_ = p.request_uri;
  m.reason_ = p.reason;
  m.body_ = p.body;
  m.method_ = p.method;
  m.status_ = p.status;
  m.is_request_ = p.is_request;
  m.fault = std::move(p.fault);
  return m;
}

Message Message::request(Method method, std::string_view request_uri,
                         std::string_view method_text) {
  Message m;
  m.buf_.reserve(512);
  m.is_request_ = true;
  m.method_ = method;
  m.method_text_ =
      unbreak(m.buf_, m.append(method == Method::Unknown ? method_text : method_name(method)));
  m.request_uri_ = unbreak(m.buf_, m.append(request_uri));
  m.fields_.reserve(12);
  return m;
}

Message Message::response(int status, std::string_view reason) {
  Message m;
  m.buf_.reserve(512);
  m.is_request_ = false;
  m.status_ = status;
  m.reason_ = unbreak(m.buf_, m.append(reason.empty() ? reason_phrase(status) : reason));
  m.fields_.reserve(12);
  return m;
}

Span Message::append(std::string_view text) {
  // std::string::append copies correctly from a view into buf_ itself, even on reallocation.
  const Span s{std::uint32_t(buf_.size()), std::uint32_t(text.size())};
  buf_.append(text.data(), text.size());
  return s;
}

Method Message::method() const {
  if (is_request_) return method_;
  const auto c = cseq();
  return c ? c->method : Method::Unknown;
}

std::string_view Message::method_text() const {
  if (is_request_) return view(method_text_);
  const auto c = cseq();
  return c ? c->method_text : std::string_view{};
}

std::string_view Message::request_uri() const { return view(request_uri_); }
void Message::set_request_uri(std::string_view uri) { request_uri_ = unbreak(buf_, append(uri)); }

std::string_view Message::reason() const { return view(reason_); }

void Message::set_status(int status, std::string_view reason) {
  status_ = status;
  reason_ = unbreak(buf_, append(reason.empty() ? reason_phrase(status) : reason));
}

std::optional<std::string_view> Message::find(HeaderId id) const {
  for (const HeaderField& f : fields_)
    if (f.id == id) return view(f.value);
  return std::nullopt;
}

std::optional<std::string_view> Message::find(std::string_view name) const {
  const HeaderId id = header_id_from_name(name);
  if (id != HeaderId::Other) return find(id);
  for (const HeaderField& f : fields_)
    if (f.id == HeaderId::Other && util::iequals(view(f.name), name)) return view(f.value);
  return std::nullopt;
}

std::size_t Message::count(HeaderId id) const {
  return std::size_t(std::count_if(fields_.begin(), fields_.end(),
                                   [id](const HeaderField& f) { return f.id == id; }));
}

std::vector<std::string_view> Message::values(HeaderId id) const {
  std::vector<std::string_view> out;
  for (const HeaderField& f : fields_)
    if (f.id == id) out.push_back(view(f.value));
  return out;
}

std::vector<std::string_view> Message::values(std::string_view name) const {
  const HeaderId id = header_id_from_name(name);
  if (id != HeaderId::Other) return values(id);
  std::vector<std::string_view> out;
  for (const HeaderField& f : fields_)
    if (f.id == HeaderId::Other && util::iequals(view(f.name), name)) out.push_back(view(f.value));
  return out;
}

namespace {
// True when v points into s: name and value are appended one after the other, and the first
// append may move the bytes the second view points at.
bool aliases(const std::string& s, std::string_view v) {
  const std::less_equal<const char*> le;
  return !v.empty() && le(s.data(), v.data()) && le(v.data() + v.size(), s.data() + s.size());
}
}  // namespace

void Message::add(HeaderId id, std::string_view value) {
  if (id == HeaderId::Other) return;  // a name is needed; use add(name, value)
  add_field(id, canonical_name(id), value);  // the id is known: no lookup of the name
}

void Message::add(std::string_view name, std::string_view value) {
  add_field(header_id_from_name(name), name, value);
}

void Message::add_field(HeaderId id, std::string_view name, std::string_view value) {
  if (aliases(buf_, name) || aliases(buf_, value)) {
    const std::string n(name), v(value);
    add_field(id, n, v);
    return;
  }
  HeaderField f;
  f.id = id;
  f.name = unbreak(buf_, append(name));
  f.value = unbreak(buf_, append(util::trim(value)));
  fields_.push_back(f);
}

void Message::add_front(HeaderId id, std::string_view value) {
  if (id == HeaderId::Other) return;
  const auto pos = std::find_if(fields_.begin(), fields_.end(),
                                [id](const HeaderField& f) { return f.id == id; });
  const auto index = pos == fields_.end() ? 0 : std::size_t(pos - fields_.begin());
  HeaderField f;
  f.id = id;
  f.name = append(canonical_name(id));
  f.value = unbreak(buf_, append(util::trim(value)));
  fields_.insert(fields_.begin() + std::ptrdiff_t(index), f);
}

void Message::set(HeaderId id, std::string_view value) {
  const auto first = std::find_if(fields_.begin(), fields_.end(),
                                  [id](const HeaderField& f) { return f.id == id; });
  if (id == HeaderId::Other) return;
  if (first == fields_.end()) {
    add(id, value);
    return;
  }
  first->value = unbreak(buf_, append(util::trim(value)));
  const auto index = first - fields_.begin();
  fields_.erase(std::remove_if(fields_.begin() + index + 1, fields_.end(),
                               [id](const HeaderField& f) { return f.id == id; }),
                fields_.end());
}

std::size_t Message::remove(HeaderId id) {
  return std::size_t(std::erase_if(fields_, [id](const HeaderField& f) { return f.id == id; }));
}

bool Message::remove_first(HeaderId id) {
  const auto it = std::find_if(fields_.begin(), fields_.end(),
                               [id](const HeaderField& f) { return f.id == id; });
  if (it == fields_.end()) return false;
  fields_.erase(it);
  return true;
}

void Message::remove(std::string_view name) {
  const HeaderId id = header_id_from_name(name);
  if (id != HeaderId::Other) {
    remove(id);
    return;
  }
  std::erase_if(fields_, [&](const HeaderField& f) {
    return f.id == HeaderId::Other && util::iequals(view(f.name), name);
  });
}

void Message::set_body(std::string_view body, std::string_view content_type) {
  body_ = append(body);
  if (!content_type.empty()) set(HeaderId::ContentType, content_type);
}

std::optional<CSeq> Message::cseq() const {
  const auto v = find(HeaderId::CSeq);
  if (!v) return std::nullopt;
  auto r = parse_cseq(*v);
  if (!r) return std::nullopt;
  return *r;
}

std::optional<Via> Message::top_via() const {
  const auto v = find(HeaderId::Via);
  if (!v) return std::nullopt;
  auto r = parse_via(*v);
  if (!r) return std::nullopt;
  return *r;
}

std::optional<NameAddr> Message::from() const {
  const auto v = find(HeaderId::From);
  if (!v) return std::nullopt;
  auto r = parse_name_addr(*v);
  if (!r) return std::nullopt;
  return *r;
}

std::optional<NameAddr> Message::to() const {
  const auto v = find(HeaderId::To);
  if (!v) return std::nullopt;
  auto r = parse_name_addr(*v);
  if (!r) return std::nullopt;
  return *r;
}

std::string_view Message::from_tag() const {
  const auto f = from();
  return f ? f->tag : std::string_view{};
}

std::string_view Message::to_tag() const {
  const auto t = to();
  return t ? t->tag : std::string_view{};
}

std::string_view Message::branch() const {
  const auto v = top_via();
  return v ? v->branch : std::string_view{};
}

int Message::max_forwards() const {
  const auto v = find(HeaderId::MaxForwards);
  if (!v) return -1;
  const auto n = util::parse_uint(*v, 0x7fffffff);
  return n ? int(*n) : -1;
}

std::string Message::serialize() const {
  std::string out;
  serialize_to(out);
  return out;
}

// RFC 3261 §7: start line, header fields, empty line, body. Content-Length always reflects the
// real body (§20.14), written where the message had it so that field order is preserved.
void Message::serialize_to(std::string& out) const {
  out.reserve(out.size() + buf_.size() + fields_.size() * 4 + 48);
  if (is_request_) {
    out.append(view(method_text_)).push_back(' ');
    out.append(view(request_uri_)).push_back(' ');
    out.append(kVersion);
  } else {
    out.append(kVersion).push_back(' ');
    append_uint(out, std::uint64_t(status_ < 0 ? 0 : status_));
    out.push_back(' ');
    out.append(view(reason_));
  }
  out.append("\r\n");
  bool wrote_length = false;
  for (const HeaderField& f : fields_) {
    if (f.id == HeaderId::ContentLength) {
      if (wrote_length) continue;
      wrote_length = true;
      out.append(view(f.name)).append(": ");
      append_uint(out, body_.len);
    } else {
      out.append(view(f.name)).append(": ").append(view(f.value));
    }
    out.append("\r\n");
  }
  if (!wrote_length) {
    out.append("Content-Length: ");
    append_uint(out, body_.len);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(view(body_));
}

std::size_t Message::heap_bytes() const {
  // A string's own room (15 bytes in libstdc++) is inside the object, not on the heap.
  const std::size_t text = buf_.capacity() > std::string().capacity() ? buf_.capacity() + 1 : 0;
  return text + fields_.capacity() * sizeof(HeaderField);
}

std::size_t Message::wire_size() const {
  const auto digits = [](std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 10) v /= 10, ++n;
    return n;
  };
  std::size_t n = kVersion.size() + 2;  // start line and its CRLF
  if (is_request_) {
    n += method_text_.len + 1 + request_uri_.len + 1;
  } else {
    n += 1 + digits(std::uint64_t(status_ < 0 ? 0 : status_)) + 1 + reason_.len;
  }
  bool wrote_length = false;
  for (const HeaderField& f : fields_) {
    if (f.id == HeaderId::ContentLength) {
      if (wrote_length) continue;
      wrote_length = true;
      n += f.name.len + 2 + digits(body_.len) + 2;
    } else {
      n += f.name.len + 2 + f.value.len + 2;
    }
  }
  if (!wrote_length) n += std::string_view("Content-Length: ").size() + digits(body_.len) + 2;
  return n + 2 + body_.len;
}

}  // namespace ims::sip
