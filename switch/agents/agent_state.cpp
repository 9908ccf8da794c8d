#include "switch/agents/agent_state.hpp"

namespace ims::sw::agents {

std::string_view presence_name(Presence presence) {
  switch (presence) {
    case Presence::Ready: return "Ready";
    case Presence::NotReady: return "Not Ready";
  }
  return "Ready";
}

std::string describe(const AgentState& state) {
  std::string out(presence_name(state.presence));
  if (!state.reason.empty()) out += " (" + state.reason + ")";
  return out;
}

}  // namespace ims::sw::agents
