#include "switch/routing/router.hpp"

#include <algorithm>
#include <utility>

namespace ims::sw::routing {

namespace {

bool skips(const InteractionState& i, std::string_view login) {
  return std::find(i.skip.begin(), i.skip.end(), login) != i.skip.end();
}

std::uint32_t member_pos(const AgentState& a, const QueueState& q) {
  for (const Membership& m : a.queues)
    if (m.queue == &q) return m.pos;
  return 0;
}

}  // namespace

QueueRouter::QueueRouter(std::size_t max_waiting) : max_waiting_(max_waiting) {}

AgentState* QueueRouter::find_agent(std::string_view login) {
  auto it = agents_.find(login);
  return it == agents_.end() ? nullptr : &it->second;
}

InteractionState* QueueRouter::find_interaction(std::string_view id) {
  auto it = interactions_.find(id);
  return it == interactions_.end() ? nullptr : &it->second;
}

QueueState* QueueRouter::find_queue(std::string_view number) {
  auto it = queues_.find(number);
  return it == queues_.end() ? nullptr : &it->second;
}

void QueueRouter::unindex(AgentState& a) {
  for (Membership& m : a.queues) {
    if (m.free) m.queue->free.erase(*m.free);
    m.free.reset();
  }
}

void QueueRouter::index(AgentState& a) {
  if (!a.free()) return;
  for (Membership& m : a.queues) {
    m.free = m.queue->free.insert(&a, a.login, m.pos, a.idle_since_ms, a.load());
  }
}

template <class F>
void QueueRouter::change(AgentState& a, F&& f) {
  unindex(a);
  std::forward<F>(f)(a);
  index(a);
}

// --- agent inputs -------------------------------------------------------------------------------

QueueRouter::Effects QueueRouter::set_presence(std::string_view login, Presence p,
                                               std::string reason, std::int64_t now_ms) {
  Effects fx;
  AgentState* a = find_agent(login);
  if (!a) return fx;
  change(*a, [&](AgentState& s) {
    if (p == Presence::Ready && s.presence != Presence::Ready) {
      s.idle_since_ms = std::max(s.idle_since_ms, now_ms);
      s.misses = 0;  // else the first miss after a "no answer" Not Ready would repeat it
    }
    s.presence = p;
    if (reason.empty()) {
      s.reason.reset();
    } else {
      s.reason = std::move(reason);
    }
  });
  dispatch(*a, fx);
  finish(fx);
  return fx;
}

QueueRouter::Effects QueueRouter::set_reachable(std::string_view login, bool reachable,
                                                std::int64_t now_ms) {
  Effects fx;
  AgentState* a = find_agent(login);
  // Every REGISTER refresh reports the agent again: nothing to re-index when nothing changed.
  if (!a || a->reachable == reachable) return fx;
  change(*a, [&](AgentState& s) {
    // Logging in while Ready is becoming Ready: the agent did not sit idle while logged out.
    if (reachable && !s.reachable && s.presence == Presence::Ready) {
      s.idle_since_ms = std::max(s.idle_since_ms, now_ms);
    }
    s.reachable = reachable;
  });
  dispatch(*a, fx);
  finish(fx);
  return fx;
}

QueueRouter::Effects QueueRouter::session_started(std::string_view login) {
  if (AgentState* a = find_agent(login)) change(*a, [](AgentState& s) { ++s.sessions; });
  return {};
}

QueueRouter::Effects QueueRouter::session_ended(std::string_view login, std::int64_t now_ms) {
  Effects fx;
  AgentState* a = find_agent(login);
  if (!a) return fx;
  change(*a, [&](AgentState& s) {
    if (s.sessions > 0) --s.sessions;
    s.idle_since_ms = std::max(s.idle_since_ms, now_ms);
  });
  dispatch(*a, fx);
  finish(fx);
  return fx;
}

// --- interactions -------------------------------------------------------------------------------

QueueRouter::Outcome QueueRouter::request(std::string_view queue, std::string interaction,
                                          std::int64_t now_ms, RequestOptions opts) {
  QueueState* q = find_queue(queue);
  if (!q) return UnknownQueue{};
  if (interactions_.count(interaction) != 0) return AlreadyQueued{};
  AgentState* a = q->free.select(opts.skip);
  if (!a && q->line.size() >= q->max_waiting) {
    ++q->counters.refused;
    return QueueFull{};
  }
  const std::uint64_t seq = reusable(opts.arrival_seq) ? *opts.arrival_seq : next_seq_++;
  std::string key = interaction;
  InteractionState& i = interactions_[std::move(key)];
  i.id = std::move(interaction);
  i.queue = q;
  i.seq = seq;
  i.arrived_ms = now_ms;
  i.skip = std::move(opts.skip);
  ++q->counters.entered;
  if (a) {
    Effects fx;
    offer(i, *a, fx);
    return std::move(fx.offers.front());
  }
  Waiting w;
  w.arrival_seq = seq;
  w.position = q->line.insert(seq, &i);
  q->line.mark_reported(seq, w.position);
  q->line.collect_changes(q->number, w.moved_back);
  return w;
}

std::optional<std::string> QueueRouter::pick(std::string_view queue,
                                            const std::vector<std::string>& skip) {
  QueueState* q = find_queue(queue);
  if (!q) return std::nullopt;
  AgentState* a = q->free.select(skip);
  if (!a) return std::nullopt;
  q->free.note_offered(member_pos(*a, *q));
  q->last_offered = a->login;
  ++q->counters.entered;
  ++q->counters.offered;
  ++q->counters.answered;
  ++a->counters().offered;
  ++a->counters().answered;
  return std::string(a->login);
}

// An earlier arrival number comes back only if this router issued it and no live interaction
// holds it: arrival numbers are the lines' keys and order fairness across queues.
bool QueueRouter::reusable(std::optional<std::uint64_t> seq) const {
  if (!seq || *seq == 0 || *seq >= next_seq_) return false;
  return std::none_of(interactions_.begin(), interactions_.end(),
                      [&](const auto& kv) { return kv.second.seq == *seq; });
}

bool QueueRouter::answered(std::string_view interaction, std::int64_t now_ms) {
  InteractionState* i = find_interaction(interaction);
  if (!i || i->stage != Stage::Offered) return false;
  if (AgentState* a = find_agent(i->agent)) {
    if (a->reservations > 0) {
      // Load stays the same, so the agent keeps its place in the free indexes.
      --a->reservations;
      ++a->sessions;
    } else {
      change(*a, [](AgentState& s) { ++s.sessions; });  // a reload lost the reservation
    }
    a->misses = 0;
    ++a->counters().answered;
  }
  QueueState& q = *i->queue;
  ++q.counters.answered;
  const std::int64_t waited = now_ms - i->arrived_ms;
  q.counters.answered_wait_ms += waited;
  const auto bucket = std::lower_bound(kWaitBucketsMs.begin(), kWaitBucketsMs.end(), waited);
  if (bucket != kWaitBucketsMs.end()) ++q.counters.answered_waits[bucket - kWaitBucketsMs.begin()];
  --q.offered_now;
  ++q.connected_now;
  i->stage = Stage::Connected;
  i->answered_ms = now_ms;
  return true;
}

QueueRouter::Effects QueueRouter::declined(std::string_view interaction) {
  return refuse(interaction, false);
}

QueueRouter::Effects QueueRouter::no_answer(std::string_view interaction) {
  return refuse(interaction, true);
}

QueueRouter::Effects QueueRouter::refuse(std::string_view interaction, bool missed) {
  Effects fx;
  InteractionState* i = find_interaction(interaction);
  if (!i || i->stage != Stage::Offered) return fx;
  QueueState& q = *i->queue;
  AgentState* a = find_agent(i->agent);
  release_reservation(*i);
  ++(missed ? q.counters.no_answer : q.counters.declined);
  if (!skips(*i, i->agent)) i->skip.push_back(i->agent);
  i->agent.clear();
  if (a) {
    ++(missed ? a->counters().no_answer : a->counters().declined);
    if (missed) ++a->misses;
    if (missed && max_misses_ > 0 && a->misses >= max_misses_ && a->presence == Presence::Ready) {
      change(*a, [](AgentState& s) {
        s.presence = Presence::NotReady;
        s.reason = std::string("no answer");
      });
      fx.not_ready.emplace_back(a->login);
    }
  }
  if (!try_offer(*i, fx)) {
    q.line.insert(i->seq, i);  // its original place: a refusal does not cost it its turn
    touch(q);
  }
  if (a) dispatch(*a, fx);
  finish(fx);
  return fx;
}

QueueRouter::Effects QueueRouter::leave(std::string_view interaction, LeaveReason reason,
                                        std::int64_t now_ms) {
  Effects fx;
  auto it = interactions_.find(interaction);
  if (it == interactions_.end()) return fx;
  InteractionState& i = it->second;
  AgentState* a = i.stage == Stage::Waiting ? nullptr : find_agent(i.agent);
  QueueState* q = i.queue;
  switch (i.stage) {
    case Stage::Waiting:
      q->line.erase(i.seq);
      touch(*q);
      break;
    case Stage::Offered: release_reservation(i); break;
    case Stage::Connected:
      if (a) {
        change(*a, [&](AgentState& s) {
          if (s.sessions > 0) --s.sessions;
          s.idle_since_ms = std::max(s.idle_since_ms, now_ms);
        });
        a->counters().handle_ms += now_ms - i.answered_ms;
        ++a->counters().ended;
      }
      if (q) {
        q->counters.handle_ms += now_ms - i.answered_ms;
        ++q->counters.ended;
        --q->connected_now;
      }
      break;
  }
  if (i.stage != Stage::Connected && q) {
    switch (reason) {
      case LeaveReason::Abandoned:
      case LeaveReason::Ended: ++q->counters.abandoned; break;
      case LeaveReason::Overflowed: ++q->counters.overflowed; break;
      case LeaveReason::TimedOut: ++q->counters.timed_out; break;
    }
  }
  interactions_.erase(it);
  if (a) dispatch(*a, fx);
  finish(fx);
  return fx;
}

// --- decisions ----------------------------------------------------------------------------------

void QueueRouter::release_reservation(InteractionState& i) {
  if (AgentState* a = find_agent(i.agent)) {
    change(*a, [](AgentState& s) {
      if (s.reservations > 0) --s.reservations;
    });
  }
  if (i.queue) --i.queue->offered_now;
  i.stage = Stage::Waiting;
}

void QueueRouter::offer(InteractionState& i, AgentState& a, Effects& fx) {
  QueueState& q = *i.queue;
  if (q.line.erase(i.seq)) touch(q);
  i.stage = Stage::Offered;
  i.agent = a.login;
  change(a, [](AgentState& s) { ++s.reservations; });
  q.free.note_offered(member_pos(a, q));
  q.last_offered = a.login;
  ++q.offered_now;
  ++q.counters.offered;
  ++a.counters().offered;
  fx.offers.push_back(Offer{i.id, std::string(a.login), q.number});
}

bool QueueRouter::try_offer(InteractionState& i, Effects& fx) {
  AgentState* a = i.queue->free.select(i.skip);
  if (!a) return false;
  offer(i, *a, fx);
  return true;
}

// The agent just became free (or freer): by the invariant in the header it is the only new
// candidate for anyone waiting, so it serves the longest waiting that do not skip it.
void QueueRouter::dispatch(AgentState& a, Effects& fx) {
  while (a.free()) {
    InteractionState* best = nullptr;
    for (const Membership& m : a.queues) {
      for (const auto& [seq, entry] : m.queue->line.entries()) {
        if (best && best->seq < seq) break;
        if (skips(*entry.interaction, a.login)) continue;
        best = entry.interaction;
        break;
      }
    }
    if (!best) return;
    offer(*best, a, fx);
  }
}

// After a reload many agents may have become free at once: everyone waiting, in arrival order
// across the queues, gets the first free member its queue's distribution picks.
void QueueRouter::dispatch_all(Effects& fx) {
  std::vector<InteractionState*> waiting;
  for (auto& [number, q] : queues_) {
    for (const auto& [seq, entry] : q.line.entries()) waiting.push_back(entry.interaction);
  }
  std::sort(waiting.begin(), waiting.end(),
            [](const InteractionState* x, const InteractionState* y) { return x->seq < y->seq; });
  for (InteractionState* i : waiting) try_offer(*i, fx);
}

void QueueRouter::finish(Effects& fx) {
  for (QueueState* q : touched_) q->line.collect_changes(q->number, fx.positions);
  touched_.clear();
}

}  // namespace ims::sw::routing
