#pragma once
// An agent's state for the IM channel as the agent sets it (PRODUCT §2): Ready, or Not Ready with a
// reason. Busy (by IM capacity) and logged out are derived elsewhere from sessions and
// registrations; this is only what the agent chose. Plain values, no behaviour.

#include <cstdint>
#include <string>
#include <string_view>

namespace ims::sw::agents {

// PIDF <basic>open</basic> is Ready, <basic>closed</basic> Not Ready (RFC 3863 §4.1.4).
enum class Presence : std::uint8_t { Ready, NotReady };

// "Ready", "Not Ready".
std::string_view presence_name(Presence presence);

struct AgentState {
  Presence presence = Presence::Ready;
  std::string reason;  // the PIDF <note>; "" when none (RFC 3863 §4.1.6)

  friend bool operator==(const AgentState&, const AgentState&) = default;
};

// "Ready", "Not Ready (lunch)": for log lines.
std::string describe(const AgentState& state);

}  // namespace ims::sw::agents
