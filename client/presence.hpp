#pragma once
// The agent's state for the IM channel as the client library sets it on the switch (PRODUCT §2):
// Ready, or Not Ready with a reason, published with SIP PUBLISH (RFC 3903) in a PIDF document (RFC
// 3863) for the presence event package (RFC 3856). Values and the PIDF writer; Agent::set_ready() /
// set_not_ready() do the publishing (presence.cpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/sip/pidf.hpp"

namespace ims::client {

// <basic>open</basic> is Ready, <basic>closed</basic> Not Ready.
enum class Presence : std::uint8_t { Ready, NotReady };

struct AgentState {
  Presence presence = Presence::Ready;
  std::string reason;  // Not Ready's reason ("lunch"), sent as the PIDF <note>; may be ""

  friend bool operator==(const AgentState&, const AgentState&) = default;
};

// "Ready", "Not Ready".
std::string_view to_string(Presence presence);
// "Ready", "Not Ready: lunch".
std::string describe(const AgentState& state);

using sip::kPidfContentType;

// The PIDF document for `entity` (sip:<login>@<domain>) in `state`: one tuple, its basic status and
// the reason as its note, XML-escaped.
std::string pidf_document(std::string_view entity, const AgentState& state);

}  // namespace ims::client
