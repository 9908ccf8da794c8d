#include "switch/app/api_state.hpp"

#include "switch/app/queue_desk.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

using nlohmann::json;

json agent_state(const directory::Agent& a, SharedState& shared) {
  json j;
  const std::int64_t now = unix_now_ms();
  const bool logged_in = shared.bindings.with([&](const registrar::BindingTable& t) {
    return !t.lookup(a.login, now).empty();
  });
  const auto view = shared.queues ? shared.queues->agent(a.login) : std::nullopt;
  if (!logged_in) {
    j["state"] = "logged_out";
  } else if (view && view->presence == routing::Presence::NotReady) {
    j["state"] = "not_ready";
    if (!view->reason.empty()) j["reason"] = view->reason;
  } else if (view && view->capacity > 0 && view->sessions >= view->capacity) {
    j["state"] = "busy";
  } else {
    j["state"] = "ready";
  }
  if (view) {
    j["sessions"] = view->sessions;
    j["capacity"] = view->capacity;
  }
  return j;
}

json queue_state(const directory::Queue& q, SharedState& shared) {
  json j = json::object();
  const auto view = shared.queues ? shared.queues->queue(q.number) : std::nullopt;
  if (!view) return j;
  j["waiting"] = view->waiting.size();
  j["longest_wait_ms"] = view->longest_wait_ms;
  j["members"] = view->members;
  j["free_members"] = view->free_members;
  j["offered_now"] = view->offered_now;
  j["connected_now"] = view->connected_now;
  return j;
}

}  // namespace ims::sw::app
