#pragma once
// What the HTTP API says of an agent's or a queue's state now, shared by the endpoints that
// show it (directory search, agents, queues): read from the registrar (logged in or not) and
// the queue desk (Ready / Not Ready with its reason, sessions against capacity, a queue's
// line), both thread-safe.

#include <nlohmann/json.hpp>

#include "switch/directory/directory.hpp"

namespace ims::sw::app {

struct SharedState;

// {"state": logged_out | ready | not_ready | busy, "reason"?, "sessions"?, "capacity"?}
nlohmann::json agent_state(const directory::Agent& agent, SharedState& shared);

// {"waiting", "longest_wait_ms", "members", "free_members", "offered_now", "connected_now"}
// (empty when the desk does not know the queue).
nlohmann::json queue_state(const directory::Queue& queue, SharedState& shared);

}  // namespace ims::sw::app
