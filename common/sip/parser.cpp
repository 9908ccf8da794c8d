#include "common/sip/parser.hpp"

#include <algorithm>
#include <cstring>

#include "common/sip/chars.hpp"
#include "common/sip/head_parser.hpp"
#include "common/sip/message_parts.hpp"
#include "common/sip/validate.hpp"
#include "common/util/strings.hpp"

namespace ims::sip {
namespace {

class ParseCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip.parse"; }
  std::string message(int ev) const override {
    switch (ParseErrc(ev)) {
      case ParseErrc::Empty: return "empty message";
      case ParseErrc::BadStartLine: return "bad start line";
      case ParseErrc::HeadersTooLarge: return "header block too large";
      case ParseErrc::TooManyHeaders: return "too many header fields";
      case ParseErrc::Unterminated: return "header block not terminated";
      case ParseErrc::BadHeaderLine: return "bad header line";
      case ParseErrc::BadContentLength: return "bad or missing Content-Length";
      case ParseErrc::BodyTooLarge: return "message too large";
      case ParseErrc::DatagramTooShort: return "datagram shorter than Content-Length";
    }
    return "unknown sip.parse error";
  }
};

// Whether [p, end), the start of a start line whose end has not arrived, can still become one:
// it begins with a token character (a method, or "SIP/") and holds no control bytes. A TLS
// handshake or binary junk on the SIP port fails at its first byte instead of waiting for a
// line end that never comes.
bool start_line_prefix_ok(const char* p, const char* end, bool at_start) {
  if (p == end) return true;
  if (at_start && !chars::is_token(*p)) return false;
  for (; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return false;
  }
  return true;
}

void set_fault(Message::Parts& p, int status, std::string_view reason) {
  if (!p.fault) p.fault = Fault{status, std::string(reason)};
}

// The value of a "Content-Length:" or "l:" line starting at p, when complete in [p, end), else 0.
// Only a capacity hint, read while looking for the end of the headers so that a message's
// buffer is allocated once: validate() alone decides the real length.
std::size_t length_hint(const char* p, const char* end) {
  const std::string_view s(p, std::size_t(std::min<std::ptrdiff_t>(end - p, 48)));
  std::size_t i;
  if (s.size() > 14 && (s[0] | 0x20) == 'c' && util::iequals(s.substr(0, 14), "content-length"))
    i = 14;
  else if (s.size() > 1 && (s[0] | 0x20) == 'l' && (s[1] == ':' || chars::is_lws(s[1])))
    i = 1;
  else
    return 0;
  while (i < s.size() && chars::is_lws(s[i])) ++i;
  if (i >= s.size() || s[i] != ':') return 0;
  ++i;
  while (i < s.size() && chars::is_lws(s[i])) ++i;
  std::size_t v = 0, digits = 0;
  for (; i < s.size() && chars::is_digit(s[i]) && digits < 9; ++i, ++digits)
    v = v * 10 + std::size_t(s[i] - '0');
  return digits > 0 && i < s.size() && (s[i] == '\r' || s[i] == '\n') ? v : 0;
}

// Strings larger than this are released when the stream buffer empties, so that one large
// message does not pin its memory for the life of the connection.
constexpr std::size_t kKeepCapacity = 64 * 1024;

}  // namespace

const std::error_category& parse_category() {
  static const ParseCategory category;
  return category;
}

std::error_code make_error_code(ParseErrc e) { return {int(e), parse_category()}; }

// RFC 3261 §18.3 for datagrams: without Content-Length the body is the rest of the datagram;
// bytes past Content-Length are discarded; a Content-Length past the end is a 400 (and a
// response is dropped). §7.5: CRLFs before the start line are ignored.
Result<Message> parse_datagram(std::string_view datagram, const Limits& limits) {
  if (datagram.size() > limits.max_datagram_bytes)
    return Error{make_error_code(ParseErrc::BodyTooLarge), "datagram larger than the limit"};
  std::size_t start = 0;
  while (start < datagram.size() && (datagram[start] == '\r' || datagram[start] == '\n')) ++start;
  if (datagram.find_first_not_of(" \t\r\n", start) == std::string_view::npos)
    return Error{make_error_code(ParseErrc::Empty), "empty datagram"};

  auto head = detail::parse_head(std::string(datagram.substr(start)), limits);
  if (!head) return head.error();
  Message::Parts& p = head->parts;
  const std::size_t end = head->end;
  const std::size_t rest = p.buf.size() - end;
  const detail::ContentLength cl = detail::validate(p, head->vias, limits);
  std::size_t body = 0;
  switch (cl.state) {
    case detail::ContentLength::State::Absent: body = rest; break;
    case detail::ContentLength::State::Valid:
      if (cl.value > rest)
        set_fault(p, 400, "Content-Length exceeds datagram");
      else
        body = cl.value;
      break;
    case detail::ContentLength::State::Invalid: set_fault(p, 400, "Bad Content-Length"); break;
    case detail::ContentLength::State::Conflicting:
      set_fault(p, 400, "Conflicting Content-Length");
      break;
  }
  if (body > limits.max_body_bytes) {
    set_fault(p, 413, "Message Body Too Large");
    body = 0;
  }
  p.buf.resize(end + body);  // trailing bytes of the datagram are not part of the message
  p.body = Span{std::uint32_t(end), std::uint32_t(body)};
  return Message::from_parts(std::move(p));
}

void StreamParser::feed(std::string_view bytes) {
  if (failed_) return;
  if (discard_ > 0) {
    const std::size_t k = std::min(discard_, bytes.size());
    discard_ -= k;
    bytes.remove_prefix(k);
  }
  if (bytes.empty()) return;
  // Compact: drop consumed bytes when they are at least half the buffer, so a long-lived
  // connection's buffer stays within a small multiple of one message (STYLE rule 9).
  if (pos_ == buf_.size()) {
    if (buf_.capacity() > kKeepCapacity) std::string().swap(buf_);
    buf_.clear();
    pos_ = scan_ = 0;
  } else if (pos_ > 0 && pos_ >= buf_.size() - pos_) {
    buf_.erase(0, pos_);
    scan_ = scan_ > pos_ ? scan_ - pos_ : 0;
    pos_ = 0;
  }
  buf_.append(bytes);
}

StreamParser::Event StreamParser::fail(ParseErrc code, std::string message) {
  failed_ = true;
  have_head_ = false;
  error_ = Error{make_error_code(code), std::move(message)};
  buf_.clear();
  pos_ = scan_ = 0;
  return Event::Error;
}

Message StreamParser::take_message() {
  Message out = std::move(msg_);
  msg_ = Message();  // never leave a moved-from message whose spans outlive its bytes
  return out;
}

StreamParser::Event StreamParser::next() {
  if (failed_) return Event::Error;
  if (have_head_) {
    if (buffered() < body_need_) return Event::NeedMore;
    msg_.set_body({buf_.data() + pos_, body_need_});
    pos_ += body_need_;
    have_head_ = false;
    return Event::Message;
  }
  if (discard_ > 0) return Event::NeedMore;
  while (pos_ < buf_.size() && buf_[pos_] == '\n') ++pos_;  // stray LFs between messages
  const std::size_t avail = buffered();
  if (avail == 0) return Event::NeedMore;
  const char* p = buf_.data() + pos_;
  if (p[0] == '\r') {
    // RFC 5626 §3.5.1 keep-alives: CRLFCRLF is a ping, a lone CRLF a pong. A CRLF that ends the
    // buffer is reported as a pong at once (a client waits for it); if the next bytes are
    // another CRLF, the pair was a ping split across reads and is reported as a ping too.
    if (avail < 2) return Event::NeedMore;
    if (p[1] == '\n') {
      if (avail >= 4 && p[2] == '\r' && p[3] == '\n') {
        pos_ += 4;
        lone_crlf_ = false;
        return Event::Ping;
      }
      if (lone_crlf_) {
        pos_ += 2;
        lone_crlf_ = false;
        return Event::Ping;
      }
      if (avail == 3 && p[2] == '\r') return Event::NeedMore;
      pos_ += 2;
      lone_crlf_ = avail == 2;
      return Event::Pong;
    }
  }
  lone_crlf_ = false;
  return take_head();
}

// Looks for the empty line that ends the header block, resuming where the last call stopped so
// that a byte-by-byte feed stays linear, and enforcing the header limits before buffering more.
StreamParser::Event StreamParser::take_head() {
  const char* d = buf_.data();
  const std::size_t n = buf_.size();
  std::size_t from = std::max(scan_, pos_);
  std::size_t end = 0;
  while (end == 0) {
    const void* hit = from < n ? std::memchr(d + from, '\n', n - from) : nullptr;
    if (!hit) {
      if (!line_checked_ && !start_line_prefix_ok(d + from, d + n, from == pos_))
        return fail(ParseErrc::BadStartLine, "not a SIP start line");
      scan_ = n;
      break;
    }
    const std::size_t i = std::size_t(static_cast<const char*>(hit) - d);
    if (!line_checked_) {
      if (i - pos_ > limits_.max_start_line_bytes)
        return fail(ParseErrc::BadStartLine, "start line too long");
      if (!detail::plausible_start_line({d + pos_, i - pos_}))
        return fail(ParseErrc::BadStartLine, "not a SIP start line");
      line_checked_ = true;
    }
    if (i + 1 < n) {
      if (const std::size_t h = length_hint(d + i + 1, d + n)) body_hint_ = h;
    }
    if (i + 1 < n && d[i + 1] == '\n') {
      end = i + 2;
    } else if (i + 2 < n && d[i + 1] == '\r' && d[i + 2] == '\n') {
      end = i + 3;
    } else if (i + 2 >= n) {
      scan_ = i;  // cannot tell yet whether an empty line follows
      break;
    } else {
      from = i + 1;
    }
  }
  if (end == 0) {
    if (!line_checked_ && buffered() > limits_.max_start_line_bytes)
      return fail(ParseErrc::BadStartLine, "start line too long");
    if (buffered() > limits_.max_header_bytes)
      return fail(ParseErrc::HeadersTooLarge, "header block larger than the limit");
    return Event::NeedMore;
  }
  const std::size_t head_len = end - pos_;
  if (head_len > limits_.max_header_bytes)
    return fail(ParseErrc::HeadersTooLarge, "header block larger than the limit");

  // The message owns its bytes in one allocation: the head, and room for the body as the
  // Content-Length line announced it, as far as those bytes have arrived (memory follows what
  // the peer sent, not what it claims). reserve() below corrects a wrong hint.
  std::string copy;
  copy.reserve(head_len + std::min(body_hint_, n - end));
  copy.assign(d + pos_, head_len);
  body_hint_ = 0;
  auto head = detail::parse_head(std::move(copy), limits_);
  if (!head) return fail(ParseErrc(head.error().code.value()), head.error().message);
  const detail::ContentLength cl = detail::validate(head->parts, head->vias, limits_);
  // RFC 3261 §18.3: Content-Length is mandatory on streams. Without a usable one the next
  // message cannot be found, so the stream is closed rather than guessed at.
  switch (cl.state) {
    case detail::ContentLength::State::Absent:
      return fail(ParseErrc::BadContentLength, "no Content-Length on a stream");
    case detail::ContentLength::State::Invalid:
      return fail(ParseErrc::BadContentLength, "bad Content-Length");
    case detail::ContentLength::State::Conflicting:
      return fail(ParseErrc::BadContentLength, "conflicting Content-Length values");
    case detail::ContentLength::State::Valid: break;
  }
  pos_ = scan_ = end;
  line_checked_ = false;
  if (cl.value > limits_.max_body_bytes) {
    // The headers are delivered with a 413 fault so that a request can be answered; the body
    // is skipped as it arrives, never buffered, and framing continues after it.
    set_fault(head->parts, 413, "Message Body Too Large");
    msg_ = Message::from_parts(std::move(head->parts));
    const std::size_t k = std::min(cl.value, buffered());
    pos_ += k;
    discard_ = cl.value - k;
    return Event::Message;
  }
  if (cl.value > 0 && buffered() >= cl.value) head->parts.buf.reserve(head_len + cl.value);
  msg_ = Message::from_parts(std::move(head->parts));
  body_need_ = cl.value;
  have_head_ = true;
  return next();
}

}  // namespace ims::sip
