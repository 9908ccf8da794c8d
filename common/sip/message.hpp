#pragma once
// Message: one SIP request or response (RFC 3261 §7). A message owns its bytes in one buffer;
// header fields are offsets into it, so a Message copies and moves by value and views never
// dangle across a copy. Views returned by accessors are valid until the next mutation of the
// message (a mutation may grow the buffer). Not thread-safe; owned by whoever holds it.
//
// The parser (parser.hpp) fills a Message from the wire and validates the critical headers
// (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length). A message that is SIP-shaped but
// invalid carries a Fault: the status and reason phrase it must be answered with (requests) or
// the reason it is dropped (responses).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/header_id.hpp"
#include "common/sip/header_values.hpp"
#include "common/sip/method.hpp"

namespace ims::sip {

// Offsets into Message's buffer.
struct Span {
  std::uint32_t off = 0;
  std::uint32_t len = 0;
};

struct HeaderField {
  HeaderId id = HeaderId::Other;
  Span name;   // as spelt on the wire; canonical spelling for fields the stack added
  Span value;  // LWS-trimmed; folded lines already unfolded to spaces
};

// Why a received message cannot be processed, and what to answer (requests only).
struct Fault {
  int status = 400;    // 400, 413, 416, 420, 505, 513 ...
  std::string reason;  // reason phrase naming the fault: "Bad CSeq", "Missing Call-ID"
};

class Message {
 public:
  // An empty request with the given start line; method_text is used for Method::Unknown.
  static Message request(Method method, std::string_view request_uri,
                         std::string_view method_text = {});
  // An empty response with the given status line; reason "" means the standard phrase.
  static Message response(int status, std::string_view reason = {});

  bool is_request() const { return is_request_; }
  bool is_response() const { return !is_request_; }

  // Request line. For responses method() is CSeq's method.
  Method method() const;
  std::string_view method_text() const;  // the method token as on the wire
  std::string_view request_uri() const;
  void set_request_uri(std::string_view uri);

  // Status line.
  int status() const { return status_; }
  std::string_view reason() const;
  void set_status(int status, std::string_view reason = {});

  // Headers, in wire order. List headers (is_split_list) hold one element per field.
  const std::vector<HeaderField>& fields() const { return fields_; }
  std::string_view name(const HeaderField& f) const { return view(f.name); }
  std::string_view value(const HeaderField& f) const { return view(f.value); }

  // First value of a header, or nullopt when absent.
  std::optional<std::string_view> find(HeaderId id) const;
  // By name: case-insensitive, compact forms and known headers mapped to their id.
  std::optional<std::string_view> find(std::string_view name) const;
  // First value or "".
  std::string_view get(HeaderId id) const { return find(id).value_or(std::string_view{}); }
  std::size_t count(HeaderId id) const;
  // All values of a header in order (one per field).
  std::vector<std::string_view> values(HeaderId id) const;
  std::vector<std::string_view> values(std::string_view name) const;

  // Mutation. Values are copied in; they may be views into this same message.
  void add(HeaderId id, std::string_view value);                 // after the last field
  void add(std::string_view name, std::string_view value);       // unknown or known by name
  void add_front(HeaderId id, std::string_view value);           // before the first field of id,
                                                                  // or at the top when none
  void set(HeaderId id, std::string_view value);                 // replace all fields of id
  std::size_t remove(HeaderId id);                               // all fields; returns count
  bool remove_first(HeaderId id);
  void remove(std::string_view name);                            // all fields of that name

  // Body. set_body also sets Content-Type (when content_type is not empty); Content-Length is
  // always written from the body's real size by the serializer.
  std::string_view body() const { return view(body_); }
  void set_body(std::string_view body, std::string_view content_type = {});

  // Critical headers, validated by the parser. For messages built locally they reflect the
  // fields present (absent: empty/nullopt/-1).
  std::string_view call_id() const { return get(HeaderId::CallId); }
  std::optional<CSeq> cseq() const;
  std::optional<Via> top_via() const;
  std::optional<NameAddr> from() const;
  std::optional<NameAddr> to() const;
  std::string_view from_tag() const;
  std::string_view to_tag() const;
  std::string_view branch() const;  // top Via's branch parameter, or ""
  int max_forwards() const;         // -1 when absent

  // Wire form. Content-Length is (re)written from the body size, in place of any existing
  // Content-Length field or after the last header when there is none.
  std::string serialize() const;
  void serialize_to(std::string& out) const;
  // serialize().size(), without building it.
  std::size_t wire_size() const;
  // Bytes the message holds on the heap (its buffer's and header index's capacity, fault
  // excluded): what keeping it costs.
  std::size_t heap_bytes() const;

  // Set by the parser for a SIP-shaped message it cannot process (see Fault).
  std::optional<Fault> fault;

  // The parser's construction path: the message takes ownership of the bytes. Used by parser.cpp.
  struct Parts;
  static Message from_parts(Parts&& parts);

 private:
  std::string_view view(Span s) const { return {buf_.data() + s.off, s.len}; }
  Span append(std::string_view text);  // copies text into buf_, returns its span
  // Appends a field whose id the caller knows; name and value may be views into buf_.
  void add_field(HeaderId id, std::string_view name, std::string_view value);

  std::string buf_;                 // wire bytes as received, then anything added by mutation
  std::vector<HeaderField> fields_;
  Span method_text_;                // request
  Span request_uri_;                // request
  Span reason_;                     // response
  Span body_;
  Method method_ = Method::Unknown;
  int status_ = 0;
  bool is_request_ = true;
};

// The standard reason phrase for a status code (RFC 3261 §21 and extensions), "" if unknown.
std::string_view reason_phrase(int status);

}  // namespace ims::sip
