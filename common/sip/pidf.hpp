#pragma once
// Writing a PIDF document (RFC 3863), the body of a presence PUBLISH or NOTIFY (RFC 3856): one
// tuple with its <basic> status and an optional <note>. Shared by the client library (which
// publishes an agent's state) and the switch (which will notify it); the switch's reader is
// switch/agents/pidf.hpp. Pure functions, no I/O.

#include <string>
#include <string_view>

namespace ims::sip {

inline constexpr std::string_view kPidfContentType = "application/pidf+xml";  // RFC 3863 §7
inline constexpr std::string_view kPidfNamespace = "urn:ietf:params:xml:ns:pidf";

// Text with XML's five markup characters as entities, for attribute values and text nodes.
std::string xml_escape(std::string_view text);

// A whole PIDF document: <presence entity="..."> with one <tuple id="..."> whose <basic> is
// "open" (open = true) or "closed", and <note> when `note` is not empty (RFC 3863 §4.1.4-§4.1.6).
std::string pidf_document(std::string_view entity, bool open, std::string_view note,
                          std::string_view tuple_id = "im");

}  // namespace ims::sip
