#pragma once
// message/cpim (RFC 3862): message headers (From, To, cc, DateTime, Subject, NS, Require and
// namespaced extensions such as "MyFeatures.VitalMessageOption"), an empty line, then the
// encapsulated MIME entity (Content-Type ..., an empty line, the content). In SIP the outer
// MIME headers are the SIP message's own, so a SIP body starts at the message headers.
// Parsing returns views into the text, which must outlive the result. No I/O, no state.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sip/multipart.hpp"
#include "common/util/result.hpp"

namespace ims::sip {

// One message header: Header-name ":" *( ";" Parameter ) SP Header-value (RFC 3862 §3).
struct CpimHeader {
  std::string_view name;    // as written, namespace prefix included
  std::string_view params;  // ";lang=fr", or "" when none
  std::string_view value;   // as written (escapes of §2.3 not decoded), trailing LWS trimmed

  std::string_view prefix() const;      // "MyFeatures" for "MyFeatures.VitalMessageOption", or ""
  std::string_view local_name() const;  // "VitalMessageOption"
};

struct CpimMessage {
  std::vector<CpimHeader> headers;  // message headers, in order
  MimeHeaders content_headers;      // the encapsulated entity's headers (Content-Type ...)
  std::string_view content;         // the encapsulated entity's body

  // Message header names are case-sensitive (RFC 3862 §3.1): "From", "To", "cc", "DateTime".
  std::optional<std::string_view> header(std::string_view name) const;
  std::vector<std::string_view> values(std::string_view name) const;
  // Content-Type of the encapsulated entity, "" when absent.
  std::string_view content_type() const {
    return content_headers.find("Content-Type").value_or("");
  }
  // The URI an NS header binds prefix to ("" for the default namespace), RFC 3862 §3.4.
  std::optional<std::string_view> namespace_uri(std::string_view prefix) const;
};

// Parses a message/cpim body. CRLF or bare LF line breaks. Fails (MimeErrc::BadCpim or a MIME
// header error) on a malformed header line or when the empty line ending the message headers
// is missing.
Result<CpimMessage> parse_cpim(std::string_view text);

// What build_cpim writes: message headers, then Content-Type (when not empty) and the other
// content headers, then the content.
struct CpimSpec {
  std::vector<CpimHeader> headers;
  std::string_view content_type;
  std::vector<MimeHeader> content_headers;
  std::string_view content;
};

// Writes a message/cpim body with CRLF line breaks. Fails on a header name that is not a
// (prefixed) Name or a name or value holding a line break.
Result<std::string> build_cpim(const CpimSpec& spec);

// Decodes the character escapes of RFC 3862 §2.3 (\uXXXX as UTF-8, \b \t \n \r \" \' \\);
// nullopt when an escape is malformed.
std::optional<std::string> cpim_unescape(std::string_view value);

}  // namespace ims::sip
