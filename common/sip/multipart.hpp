#pragma once
// MIME bodies made of parts: multipart/* (RFC 2046 §5.1), as carried in SIP bodies (RFC 3261
// §7.4, RFC 5621). Parsing returns views into the body text, which must outlive the result;
// building returns owned text. Nested multiparts are not descended into: a part whose
// Content-Type is multipart/* can be parsed again with its own boundary. No I/O, no state.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/util/result.hpp"

namespace ims::sip {

enum class MimeErrc {
  NotMultipart = 1,  // Content-Type is not multipart/*
  NoBoundary,        // no boundary parameter
  BadBoundary,       // empty, longer than 70, or a character outside bchars (RFC 2046 §5.1.1)
  NoDelimiter,       // the body never starts a part (RFC 2046 asks for at least one)
  NoCloseDelimiter,  // the last part is not closed by "--boundary--"
  BadPartHeader,     // a header line without a name and colon
  TooManyParts,      // past MultipartLimits::max_parts
  BadCpim,           // message/cpim structure (see cpim.hpp)
};
const std::error_category& mime_category();
std::error_code make_error_code(MimeErrc e);

// One header field of a MIME entity. The value is trimmed; a folded value keeps its line
// breaks (RFC 5322 §2.2.3), which header value parsers treat as whitespace.
struct MimeHeader {
  std::string_view name;
  std::string_view value;
};

// Header fields of a MIME entity, in order.
struct MimeHeaders {
  std::vector<MimeHeader> fields;
  // The first value of a header, names compared case-insensitively (RFC 2045 §3).
  std::optional<std::string_view> find(std::string_view name) const;
};

struct BodyPart {
  MimeHeaders headers;
  std::string_view body;  // without the line break that precedes the next delimiter
  // Content-Type, or "" when absent (then text/plain; charset=us-ascii, RFC 2046 §5.1).
  std::string_view content_type() const { return headers.find("Content-Type").value_or(""); }
};

struct MultipartLimits {
  std::size_t max_parts = 32;
};

// The boundary parameter of a multipart Content-Type value ("multipart/mixed;boundary=xyz"),
// quotes removed. Fails unless the type is multipart/* with a valid boundary.
Result<std::string_view> multipart_boundary(std::string_view content_type);

// Splits a multipart body on its boundary. The preamble and epilogue are ignored; a missing
// close delimiter is an error. Line breaks may be CRLF or bare LF.
Result<std::vector<BodyPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                              const MultipartLimits& limits = {});

// Parses a header block ("Name: value" lines, folding allowed) that ends at the end of text.
Result<MimeHeaders> parse_mime_headers(std::string_view text);

// Splits an entity at its first empty line into headers and body. An entity without an empty
// line is all headers. When the entity starts with an empty line it has no headers.
struct Entity {
  MimeHeaders headers;
  std::string_view body;
};
Result<Entity> parse_entity(std::string_view text);

// A part to build: Content-Type (omitted when empty), other header fields, the body.
struct PartSpec {
  std::string_view content_type;
  std::vector<MimeHeader> headers;
  std::string_view body;
};

struct BuiltMultipart {
  std::string boundary;
  std::string body;
  std::string content_type;  // "multipart/mixed;boundary=..." for the Content-Type header
};

// Builds a multipart body with a random boundary that occurs in none of the parts. subtype is
// "mixed", "alternative", "related" ...
BuiltMultipart build_multipart(const std::vector<PartSpec>& parts,
                               std::string_view subtype = "mixed");

}  // namespace ims::sip

template <>
struct std::is_error_code_enum<ims::sip::MimeErrc> : std::true_type {};
