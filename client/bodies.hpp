#pragma once
// The bodies and headers an IM session carries, built and read without I/O:
// - the INVITE body (PRODUCT §4): multipart/mixed of an SDP offer with zero m-lines (RFC 3264
//   §5 allows it; a voice consultation later adds m=audio), the first message as text/plain
//   and, for a consultation, the case data as application/json;
// - what an invitation offers: the first message from that multipart body or from a plain
//   text/plain or message/cpim body, and the case data;
// - the text of a MESSAGE body (text/plain, or message/cpim around text/plain);
// - the switch's stamp on a transcript message, `Imswitch-Stamp: <UTC time>;seq=<n>`.
// Reading views nothing past the call: results own their text.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.hpp"

namespace ims::client {

inline constexpr std::string_view kStampHeader = "Imswitch-Stamp";
inline constexpr std::string_view kCopyHeader = "Imswitch-Copy";
inline constexpr std::string_view kSessionHeader = "Imswitch-Session";
// In the 2xx to an INVITE of a queue or routing point: the agent who took it (RFC 3325 §9.1).
inline constexpr std::string_view kAssertedIdentity = "P-Asserted-Identity";
inline constexpr std::string_view kSessionFeatureTag = "+imswitch.session";

// A body with its Content-Type.
struct Body {
  std::string content_type;
  std::string text;
};

// An SDP session description without media (RFC 4566 §5; RFC 3264 §5: zero m-lines), from
// `origin_user` at `address` (an IPv4 or IPv6 literal) with session id and version.
std::string sdp_without_media(std::string_view origin_user, std::string_view address,
                              std::uint64_t session_id, std::uint64_t version);

// The INVITE body of a new IM session: multipart/mixed of SDP, text/plain (first_text) and,
// when case_json is given, application/json.
Body invite_body(std::string_view sdp, std::string_view first_text,
                 const std::optional<std::string>& case_json);

// What an incoming invitation offers.
struct InvitationContent {
  std::string first_text;                // "" when the INVITE carried no text
  std::optional<std::string> case_json;  // application/json part, as received
  std::optional<std::string> sdp;        // application/sdp part
};

// Reads an INVITE body: multipart/mixed (parts recognised by Content-Type, others ignored),
// text/plain, message/cpim, application/sdp, or no body. Fails (ClientErrc::BadBody) for a
// malformed multipart or cpim body.
Result<InvitationContent> read_invitation(std::string_view content_type, std::string_view body);

// The text of a MESSAGE body: text/plain (or no Content-Type), message/cpim wrapping
// text/plain. Fails for other types and malformed cpim.
Result<std::string> message_text(std::string_view content_type, std::string_view body);

// The switch's stamp on a message of the transcript.
struct Stamp {
  std::chrono::system_clock::time_point time;  // UTC, millisecond precision
  std::uint64_t seq = 0;                       // the session's message sequence, from 1
};

// Parses `2026-12-03T08:15:02.123Z;seq=3` (fraction optional, 1-9 digits, kept to ms; other
// parameters ignored). Fails (ClientErrc::BadBody) for anything else.
Result<Stamp> parse_stamp(std::string_view value);
// Writes a stamp as parse_stamp reads it, always with milliseconds.
std::string format_stamp(const Stamp& stamp);
// "2026-12-03T08:15:02.123Z" alone.
std::string format_utc_ms(std::chrono::system_clock::time_point time);

}  // namespace ims::client
