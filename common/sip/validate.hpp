#pragma once
// Checks of the critical headers of a received message (RFC 3261 §8.2, §16.3, §20; STYLE rule
// 10). Private to common/sip: the parser calls it after parse_head. A failed check sets
// Message::fault (first fault wins); Content-Length is only reported, since what a bad one means
// depends on the transport (§18.3).

#include <cstddef>

#include "common/sip/limits.hpp"
#include "common/sip/message_parts.hpp"

namespace ims::sip::detail {

struct ContentLength {
  enum class State { Absent, Valid, Invalid, Conflicting } state = State::Absent;
  std::size_t value = 0;  // when Valid
};

// Runs on the parts before they become a Message, so that the transport can frame the body with
// the result. vias: the number of Via values parse_head counted.
ContentLength validate(Message::Parts& p, std::size_t vias, const Limits& limits);

}  // namespace ims::sip::detail
