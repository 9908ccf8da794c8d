#include "switch/agents/watched_state.hpp"

#include "common/sip/pidf.hpp"

namespace ims::sw::agents {

WatchedState watched_state(bool logged_in, const AgentState& chosen) {
  if (!logged_in) return WatchedState{Availability::LoggedOut, {}};
  switch (chosen.presence) {
    case Presence::Ready: return WatchedState{Availability::Ready, {}};
    case Presence::NotReady: return WatchedState{Availability::NotReady, chosen.reason};
  }
  return WatchedState{Availability::Ready, {}};
}

std::string note_of(const WatchedState& state) {
  switch (state.availability) {
    case Availability::Ready: return "Ready";
    case Availability::NotReady:
      return state.reason.empty() ? std::string("Not Ready") : "Not Ready: " + state.reason;
    case Availability::LoggedOut: return "Logged out";
  }
  return "Logged out";
}

std::string watched_pidf(std::string_view entity, const WatchedState& state) {
  return sip::pidf_document(entity, state.availability == Availability::Ready, note_of(state));
}

}  // namespace ims::sw::agents
