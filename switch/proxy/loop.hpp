#pragma once
// Loop detection for the proxy (RFC 3261 §16.3 step 4, §16.6 step 8). Each request the proxy
// forwards carries, in its Via branch, a hash of the fields that identify the request as the
// proxy received it (Request-URI, From tag, To tag, Call-ID, CSeq number). A request that comes
// back with one of our Vias whose hash equals the request's own hash has looped; one whose
// Request-URI changed meanwhile is spiralling and goes on. Sans-I/O.

#include <string>
#include <string_view>

#include "common/sip/message.hpp"

namespace ims::sw::proxy {

// The branch prefix of every request this switch forwards, after the RFC 3261 magic cookie.
inline constexpr std::string_view kBranchPrefix = "z9hG4bKims";

// 16 hex digits over the request's identifying fields.
std::string loop_hash(const sip::Message& request);

// A branch for a request forwarded from `received`: prefix, unique part, '-', loop hash.
std::string forward_branch(const sip::Message& received, std::string_view unique);

// True when `request` carries a Via this switch added for this very request (a loop).
bool has_looped(const sip::Message& request);

}  // namespace ims::sw::proxy
