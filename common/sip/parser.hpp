#pragma once
// Parsing SIP from the wire (RFC 3261 §7, §18.3). Two modes:
// - datagrams: one message per datagram; a missing Content-Length means "the rest of the
//   datagram"; bytes after Content-Length's end are ignored (§18.3).
// - streams: an incremental parser that frames messages by Content-Length (mandatory on
//   streams), and reports CRLF keep-alives (RFC 5626 §3.5.1).
//
// Structural garbage (no start line, no header end) is an Error: the transport drops and counts
// it (and a stream closes). A SIP-shaped message that fails validation comes back as a Message
// with fault set, so the stack can answer a request with fault->status.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

#include "common/sip/limits.hpp"
#include "common/sip/message.hpp"
#include "common/util/result.hpp"

namespace ims::sip {

enum class ParseErrc {
  Empty = 1,           // nothing but whitespace
  BadStartLine,        // not "METHOD uri SIP/x.y" nor "SIP/x.y code reason"
  HeadersTooLarge,     // past Limits::max_header_bytes (stream: connection closes)
  TooManyHeaders,
  Unterminated,        // datagram without the blank line ending the headers
  BadHeaderLine,       // a header line without a colon or with an invalid name
  BadContentLength,    // stream framing cannot continue
  BodyTooLarge,
  DatagramTooShort,    // Content-Length larger than the datagram holds
};
const std::error_category& parse_category();
std::error_code make_error_code(ParseErrc e);

// Parses one datagram.
Result<Message> parse_datagram(std::string_view datagram, const Limits& limits = {});

// Incremental parser for one stream (TCP, TLS). Feed bytes as they arrive, then call next()
// until it returns NeedMore. After an Error the stream cannot be resynchronised: close it.
class StreamParser {
 public:
  explicit StreamParser(Limits limits = {}) : limits_(limits) {}

  enum class Event {
    NeedMore,  // no complete item buffered
    Message,   // take it with take_message()
    Ping,      // CRLFCRLF keep-alive: answer with a single CRLF (RFC 5626 §3.5.1)
    Pong,      // a lone CRLF between messages
    Error      // see error()
  };

  void feed(std::string_view bytes);
  Event next();
  Message take_message();
  const Error& error() const { return error_; }
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  Limits limits_;
  std::string buf_;
  std::size_t pos_ = 0;
  Message msg_;
  Error error_;
};

}  // namespace ims::sip

template <>
struct std::is_error_code_enum<ims::sip::ParseErrc> : std::true_type {};
