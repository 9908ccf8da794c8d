#pragma once
// Small pieces of SIP text the client library writes and reads in several places (internal to
// client/).

#include <optional>
#include <string>
#include <string_view>

#include "common/sip/header_values.hpp"
#include "common/sip/message.hpp"

namespace ims::client::detail {

// The methods this UA takes (RFC 3261 §20.5), for Allow.
inline constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS";
inline constexpr std::string_view kUserAgent = "imswitch-client/0.1";
inline constexpr std::string_view kTextPlain = "text/plain;charset=utf-8";

// The user part of a From/To value's URI, unescaped ("alice" of "<sip:alice@h>;tag=1"); "" when
// there is none.
std::string user_of(const std::optional<sip::NameAddr>& name_addr);

// "404 Not Found": a response's status line for messages to people.
std::string status_line(const sip::Message& response);

}  // namespace ims::client::detail
