#pragma once
// What a watcher is told of an agent (RFC 3856 presence, PRODUCT §2): the agent's state for the
// IM channel as the switch sees it, and the PIDF document (RFC 3863) a NOTIFY carries for it.
//
// The state combines two facts the switch holds: whether the agent is logged in (a live
// registration of any device) and the state it chose (Ready, or Not Ready with a reason: by
// PUBLISH, the HTTP API, or the configured default). Busy by IM capacity is not told: sessions
// come and go too often for a presence document, and queue work already knows it.
//
//   logged in, Ready      -> <basic>open</basic>,   <note>Ready</note>
//   logged in, Not Ready  -> <basic>closed</basic>, <note>Not Ready: lunch</note> ("Not Ready"
//                            without a reason)
//   logged out            -> <basic>closed</basic>, <note>Logged out</note>
//
// Sans-I/O: values in, text out.

#include <cstdint>
#include <string>
#include <string_view>

#include "switch/agents/agent_state.hpp"

namespace ims::sw::agents {

enum class Availability : std::uint8_t { Ready, NotReady, LoggedOut };

struct WatchedState {
  Availability availability = Availability::LoggedOut;
  std::string reason;  // Not Ready only: the reason the agent gave ("" for none)

  friend bool operator==(const WatchedState&, const WatchedState&) = default;
};

// The state a watcher sees for an agent logged in or not, whose chosen state is `chosen`.
WatchedState watched_state(bool logged_in, const AgentState& chosen);

// The text of the PIDF <note>: "Ready", "Not Ready: <reason>", "Not Ready", "Logged out".
std::string note_of(const WatchedState& state);

// The PIDF document of a NOTIFY for `entity` (sip:<login>@<domain>): one tuple, open only for
// Ready, with note_of() as its note.
std::string watched_pidf(std::string_view entity, const WatchedState& state);

}  // namespace ims::sw::agents
