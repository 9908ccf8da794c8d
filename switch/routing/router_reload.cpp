// QueueRouter::set_directory: taking a new directory while interactions are in flight.
#include <algorithm>
#include <iterator>
#include <utility>

#include "switch/routing/router.hpp"

namespace ims::sw::routing {

QueueRouter::Reloaded QueueRouter::set_directory(const directory::Directory& dir) {
  Reloaded out;
  ++generation_;
  reload_agents(dir);
  reload_queues(dir, out);
  for (auto it = agents_.begin(); it != agents_.end();) {
    // A vanished agent's offer in flight or session still ends through its interaction, which
    // finds the login gone and skips the agent's side.
    it = it->second.generation == generation_ ? std::next(it) : agents_.erase(it);
  }
  for (auto& [login, a] : agents_) index(a);
  dispatch_all(out.effects);
  finish(out.effects);
  return out;
}

// Agents still present keep presence, sessions, reservations, idle time and counters; their
// memberships are rebuilt by reload_queues, so every free-index entry goes first.
void QueueRouter::reload_agents(const directory::Directory& dir) {
  for (auto& [login, a] : agents_) {
    unindex(a);
    a.queues.clear();
  }
  for (const directory::Agent& d : dir.agents()) {
    auto [it, added] = agents_.try_emplace(d.login);
    AgentState& a = it->second;
    if (added) a.login = it->first;
    a.capacity = d.im_capacity;
    a.generation = generation_;
  }
}

void QueueRouter::reload_queues(const directory::Directory& dir, Reloaded& out) {
  for (const directory::Queue& dq : dir.queues()) {
    auto [it, added] = queues_.try_emplace(dq.number);
    QueueState& q = it->second;
    if (added) q.number = dq.number;
    q.generation = generation_;
    q.max_waiting = std::min<std::size_t>(dq.max_waiting, max_waiting_);
    q.free = FreeIndex(dq.distribution);
    q.members.clear();
    auto add = [&q](AgentState* a) {
      // Members are added queue by queue, so a duplicate has this queue as its last membership.
      if (!a || (!a->queues.empty() && a->queues.back().queue == &q)) return;
      a->queues.push_back(Membership{&q, static_cast<std::uint32_t>(q.members.size()), {}});
      q.members.push_back(a);
    };
    for (const std::string& login : dq.members) add(find_agent(login));
    if (dq.skills) {
      for (const directory::Agent& d : dir.agents()) {
        if (dq.skills->matches(d)) add(find_agent(d.login));
      }
    }
    AgentState* last = q.last_offered.empty() ? nullptr : find_agent(q.last_offered);
    const bool still_member = last && !last->queues.empty() && last->queues.back().queue == &q;
    q.free.set_cursor(still_member ? last->queues.back().pos + 1 : 0);
  }

  // Interactions of vanished queues: those not yet answered have nowhere to go. Reported in
  // arrival order, the order the caller would fail them in by hand.
  std::vector<std::pair<std::uint64_t, std::string>> dropped;
  for (auto it = interactions_.begin(); it != interactions_.end();) {
    InteractionState& i = it->second;
    if (!i.queue || i.queue->generation == generation_) {
      ++it;
      continue;
    }
    if (i.stage == Stage::Connected) {
      i.queue = nullptr;
      ++it;
      continue;
    }
    // Free indexes are rebuilt after this, so the reservation is released without change().
    if (AgentState* a = i.stage == Stage::Offered ? find_agent(i.agent) : nullptr) {
      if (a->reservations > 0) --a->reservations;
    }
    dropped.emplace_back(i.seq, std::move(i.id));
    it = interactions_.erase(it);
  }
  std::sort(dropped.begin(), dropped.end());
  for (auto& [seq, id] : dropped) out.dropped.push_back(std::move(id));
  for (auto it = queues_.begin(); it != queues_.end();) {
    it = it->second.generation == generation_ ? std::next(it) : queues_.erase(it);
  }
}

}  // namespace ims::sw::routing
