#pragma once
// The registration a REGISTER asks for, read from its Contact and Expires headers (RFC 3261
// §10.2, §10.3 steps 6-7, §20.10, §20.19), with the feature tags the switch cares about (RFC
// 3840: +imswitch.session; RFC 5626: +sip.instance, reg-id). Pure parsing: no table, no time.
//
// Choices where the RFCs leave room, each answered by parse_register():
// - Contact URIs must be sip or sips: the switch can only forward to SIP (a tel or mailto
//   binding would never be reachable) -> 400 "Unsupported Contact URI Scheme".
// - A malformed Expires header or expires parameter counts as 3600 (RFC 3261 §20.19 SHOULD);
//   a value above 2**32-1 counts as 2**32-1. The table clamps it to its maximum afterwards.
// - q: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"] (§25.1), anything else -> 400 "Invalid q-value".
// - +sip.instance must have a non-empty (quoted) value; reg-id must be 1..2**31-1 (RFC 5626
//   §4.2) -> 400 otherwise.
// - "*" alone, with "Expires: 0" and no other Contact (§10.3 step 6) -> else 400.
// - More than max_contacts Contact values in one request -> 403 "Too Many Contacts" (a named
//   bound, STYLE rule 9).
// Reason phrases are constant strings: nothing received is ever echoed into a status line.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/sip/message.hpp"
#include "common/util/result.hpp"

namespace ims::sw::registrar {

// Contact values one REGISTER may carry. Far above what a device sends (one, two with
// outbound), low enough that matching stays cheap.
inline constexpr std::size_t kMaxContactsPerRequest = 32;
// RFC 3261 §20.19: malformed expiration values count as an hour.
inline constexpr std::uint32_t kMalformedExpires = 3600;

// One Contact value of a REGISTER.
struct ContactSpec {
  std::string uri;           // without angle brackets, as written
  std::string display_name;  // raw (quotes kept), may be empty
  std::string params;        // header parameters as written, minus "expires" (";q=0.5;+x")
  std::optional<std::uint32_t> expires;  // the expires parameter (§10.2.1.1)
  std::uint16_t q_millis = 1000;
  bool session_capable = false;  // +imswitch.session present and not "FALSE" (RFC 3840 §9)
  std::string instance;          // +sip.instance without its quotes ("<urn:uuid:...>"), or ""
  std::optional<std::uint32_t> reg_id;  // RFC 5626 reg-id
};

// What a REGISTER asks the registrar to do.
struct RegisterRequest {
  bool wildcard = false;              // "Contact: *": remove every binding
  std::vector<ContactSpec> contacts;  // empty and !wildcard: a query
  std::optional<std::uint32_t> expires_header;
  std::string call_id;
  std::uint32_t cseq = 0;
};

enum class RegisterErrc {
  BadContact = 1,     // 400: unparsable Contact value
  UnsupportedScheme,  // 400: Contact URI not sip/sips
  InvalidQValue,      // 400
  BadInstance,        // 400: +sip.instance without a value
  BadRegId,           // 400
  BadWildcard,        // 400: "*" with other contacts or a non-zero expiry
  MissingCallId,      // 400 (the parser rejects these first; kept for built messages)
  BadCSeq,            // 400
  TooManyContacts,    // 403: over kMaxContactsPerRequest, or the agent's limit
};
const std::error_category& register_category();
std::error_code make_error_code(RegisterErrc e);

// The status for a parse failure: 403 for TooManyContacts, else 400.
int status_for(const std::error_code& code);

// Reads a REGISTER. The Error's message is the reason phrase to answer with.
Result<RegisterRequest> parse_register(const sip::Message& request,
                                       std::size_t max_contacts = kMaxContactsPerRequest);

// RFC 3261 §25.1 qvalue, as thousandths (0..1000); nullopt when malformed.
std::optional<std::uint16_t> parse_qvalue(std::string_view text);

// delta-seconds (§25.1): digits, saturating at 2**32-1; nullopt when not all digits.
std::optional<std::uint32_t> parse_delta_seconds(std::string_view text);

// params (";a=1;b") without the parameter named name (any case); the text unchanged when it has
// none, so parameters round-trip as written.
std::string strip_param(std::string_view params, std::string_view name);

// The RFC 3840 boolean feature tag named name in params: present as a flag, or with the value
// "TRUE" (quotes optional, case-insensitive).
bool feature_tag_set(std::string_view params, std::string_view name);

}  // namespace ims::sw::registrar

template <>
struct std::is_error_code_enum<ims::sw::registrar::RegisterErrc> : std::true_type {};
