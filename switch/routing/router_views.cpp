// QueueRouter's read access: copies, so a view stays valid after the next input.
#include "switch/routing/router.hpp"

namespace ims::sw::routing {

std::optional<AgentView> QueueRouter::agent(std::string_view login) const {
  auto it = agents_.find(login);
  if (it == agents_.end()) return std::nullopt;
  const AgentState& a = it->second;
  AgentView v;
  v.login = a.login;
  v.presence = a.presence;
  if (a.reason) v.reason = *a.reason;
  v.reachable = a.reachable;
  v.sessions = a.sessions;
  v.reservations = a.reservations;
  v.capacity = a.capacity;
  v.idle_since_ms = a.idle_since_ms;
  v.misses = a.misses;
  v.free = a.free();
  for (const Membership& m : a.queues) v.queues.push_back(m.queue->number);
  if (a.counted) v.counters = *a.counted;
  return v;
}

std::optional<QueueView> QueueRouter::queue(std::string_view number, std::int64_t now_ms) const {
  auto it = queues_.find(number);
  if (it == queues_.end()) return std::nullopt;
  const QueueState& q = it->second;
  QueueView v;
  v.number = q.number;
  v.distribution = q.free.distribution();
  v.members = q.members.size();
  v.free_members = q.free.size();
  v.max_waiting = q.max_waiting;
  std::size_t rank = 0;
  for (const auto& [seq, entry] : q.line.entries()) {
    const InteractionState& i = *entry.interaction;
    v.waiting.push_back(WaitingView{i.id, ++rank, i.arrived_ms, seq});
  }
  if (!v.waiting.empty()) v.longest_wait_ms = now_ms - v.waiting.front().since_ms;
  v.offered_now = q.offered_now;
  v.connected_now = q.connected_now;
  v.counters = q.counters;
  return v;
}

std::optional<std::vector<std::string>> QueueRouter::members(std::string_view number) const {
  auto it = queues_.find(number);
  if (it == queues_.end()) return std::nullopt;
  std::vector<std::string> logins;
  logins.reserve(it->second.members.size());
  for (const AgentState* a : it->second.members) logins.emplace_back(a->login);
  return logins;
}

std::optional<InteractionView> QueueRouter::interaction(std::string_view id) const {
  auto it = interactions_.find(id);
  if (it == interactions_.end()) return std::nullopt;
  const InteractionState& i = it->second;
  InteractionView v;
  v.id = i.id;
  if (i.queue) {
    v.queue = i.queue->number;
    v.position = i.queue->line.position(i.seq);
  }
  v.stage = i.stage;
  v.agent = i.agent;
  v.since_ms = i.arrived_ms;
  v.arrival_seq = i.seq;
  v.skip = i.skip;
  return v;
}

}  // namespace ims::sw::routing
