#pragma once
// Parsing SIP from the wire (RFC 3261 §7, §18.3). Two modes:
// - datagrams: one message per datagram; a missing Content-Length means "the rest of the
//   datagram"; bytes after Content-Length's end are ignored (§18.3).
// - streams: an incremental parser that frames messages by Content-Length (mandatory on
//   streams), and reports CRLF keep-alives (RFC 5626 §3.5.1).
//
// Structural garbage (no start line, no header end) is an Error: the transport drops and counts
// it (and a stream closes). A SIP-shaped message that fails validation comes back as a Message
// with fault set, so the stack can answer a request with fault->status (responses with a fault
// are dropped). The choices made where the RFCs leave room:
// - Errors: a start line that is not SIP (an unknown version number is a 505 fault instead, a
//   status code outside 100-699 an error), a start line past max_start_line_bytes, a header
//   block past max_header_bytes (HeadersTooLarge), more than max_headers fields after list
//   splitting (TooManyHeaders), no empty line ending a datagram's headers (Unterminated), and a
//   datagram past max_datagram_bytes (BodyTooLarge). These cannot be answered reliably.
// - 400 faults, the reason phrase naming the fault: "Bad Header Line" (no colon, bad name,
//   continuation without a field), "NUL in Header" / "Control Character in Header" (controls
//   other than HT outside quoted-pairs), "Bad Start Line", "Bad Request-URI" (not scheme ":"
//   something, LWS or <> in it, a SIP URI with headers), "Missing X" / "Conflicting X" (a
//   repeat with a different value; identical repeats are tolerated) / "Bad X" for Call-ID,
//   From, To, CSeq, Via (at least one in every message), "CSeq Method Mismatch", "Bad
//   Max-Forwards" (not 1*DIGIT or above 255), "Too Many Via Headers" (past max_vias), and on
//   datagrams "Bad Content-Length", "Conflicting Content-Length", "Content-Length exceeds
//   datagram". 416 "Unsupported URI Scheme" for Request-URIs other than sip, sips, tel; 505
//   "Version Not Supported"; 413 "Message Body Too Large" past max_body_bytes. The first fault
//   found wins, in that order: start line, header lines, critical headers, body.

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
// - Content-Length is mandatory (RFC 3261 §18.3): missing, malformed or conflicting values are
//   Error BadContentLength, since the next message cannot be found (no guessing "0").
// - A body past max_body_bytes comes back as a Message with a 413 fault and no body; the body
//   bytes are skipped as they arrive (never buffered) and framing continues after them.
// - Limits apply before buffering: a first line that is not SIP fails as soon as it is complete,
//   and a header block without its empty line fails at max_header_bytes. Consumed bytes are
//   compacted away, so memory stays within about one message plus one read.
// - Keep-alives: CRLFCRLF is a Ping. A lone CRLF is a Pong, reported at once even when it is
//   all there is (a client waits for it); if another CRLF follows right after it, the pair was
//   a ping split across reads and is reported as a Ping as well.
// Not thread-safe; owned by the connection that feeds it.
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
  std::size_t scan_ = 0;       // buf_ offset before which no end of the header block was found
  std::size_t body_need_ = 0;  // body bytes msg_ still waits for (have_head_)
  std::size_t discard_ = 0;    // body bytes of an oversized message, dropped as they arrive
  std::size_t body_hint_ = 0;  // Content-Length seen while scanning the current header block
  bool have_head_ = false;     // msg_ holds a header block whose body is incomplete
  bool line_checked_ = false;  // the current message's first line looked like SIP
  bool lone_crlf_ = false;     // the last event was a Pong for a CRLF that ended the buffer
  bool failed_ = false;

  Event fail(ParseErrc code, std::string message);
  Event take_head();
};

}  // namespace ims::sip

template <>
struct std::is_error_code_enum<ims::sip::ParseErrc> : std::true_type {};
