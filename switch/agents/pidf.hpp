#pragma once
// PIDF (RFC 3863), the part imswitch reads and writes: the presence document an agent's device
// PUBLISHes (RFC 3903) to say Ready or Not Ready, and the one the switch builds for an agent's
// state (for NOTIFY). Sans-I/O: text in, values out.
//
// What is read: the root must be <presence> in the PIDF namespace (any prefix, or the default
// namespace); of its first <tuple>, <status><basic> (open = Ready, closed = Not Ready) and the
// first <note>; failing a tuple note, the first <note> directly under <presence>. Elements of other
// namespaces (RPID, data model) and later tuples are skipped. The note is the reason: whitespace
// runs become one space (a note cannot forge a log line) and it is cut to kMaxNoteBytes at a
// character boundary.
//
// There is no XML library among the allowed dependencies, so this is a small reader of its own,
// bounded for hostile input (STYLE rule 9): the document size, element depth, attributes per
// element and namespace declarations in scope are capped; the text must be UTF-8 without control
// characters; DOCTYPE is refused, so no DTD and no entity is ever expanded beyond the five
// predefined ones and character references (XML 1.0 §4.1, §4.6). Every failure is a PidfErrc with a
// short sentence, fit for a 400 reason phrase.

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "common/sip/pidf.hpp"
#include "common/util/result.hpp"
#include "switch/agents/agent_state.hpp"

namespace ims::sw::agents {

using sip::kPidfContentType;  // RFC 3863 §7
using sip::kPidfNamespace;

inline constexpr std::size_t kMaxPidfBytes = 64 * 1024;
inline constexpr std::size_t kMaxPidfDepth = 32;       // nested elements
inline constexpr std::size_t kMaxPidfAttributes = 32;  // on one element
inline constexpr std::size_t kMaxPidfNamespaces = 64;  // xmlns declarations in scope at once
inline constexpr std::size_t kMaxNoteBytes = 256;      // longer reasons are cut

enum class PidfErrc {
  TooLarge = 1,       // over kMaxPidfBytes
  BadEncoding,        // not UTF-8, or a character XML does not allow
  Malformed,          // not well-formed XML, or past a bound (depth, attributes, namespaces)
  DoctypeNotAllowed,  // <!DOCTYPE ...>: no DTD, no entity declarations
  NotPidf,            // the root is not <presence> in the PIDF namespace
  NoStatus,           // no <basic> in the first tuple's <status>
  BadStatus,          // <basic> is neither open nor closed
};

const std::error_category& pidf_category();
std::error_code make_error_code(PidfErrc e);

// The state a PIDF document states.
[[nodiscard]] Result<AgentState> parse_pidf(std::string_view document);

// A PIDF document for `entity` (the agent's address, sip:<login>@<domain>) in `state`: one tuple
// `tuple_id` whose basic status is open or closed, with the reason as its note.
std::string build_pidf(std::string_view entity, const AgentState& state,
                       std::string_view tuple_id = "im");

// Content-Type application/pidf+xml, parameters allowed, case-insensitive (RFC 3261 §7.3.1).
bool is_pidf_content_type(std::string_view content_type);

}  // namespace ims::sw::agents

template <>
struct std::is_error_code_enum<ims::sw::agents::PidfErrc> : std::true_type {};
