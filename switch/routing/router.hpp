#pragma once
// QueueRouter: the queue decisions of the switch (PRODUCT §1, §4) as a sans-I/O core. It knows
// which agents belong to which queue, which of them are free, and which interactions wait in
// which line; it answers "offer interaction X to agent A" and "X is now at position N", and the
// caller (the IM B2BUA driver) sends the INVITEs and the 182s and runs the timers (per-offer
// no-answer timer, wait limit). No I/O, no clock: time comes in as `now_ms`.
//
// Owner: the switch application (app::QueueDesk), one instance shared by every SIP core. Not
// thread-safe: the caller holds its one lock across every call, views included, and acts on the
// returned values after releasing it.
//
// Agents (by login) are Ready or Not Ready (with a reason), reachable or not (logged in with a
// session-capable contact), and carry live sessions and reservations (offers in flight) against
// their IM capacity. An agent is free when Ready, reachable and sessions + reservations <
// capacity. New agents start Not Ready and unreachable: the caller applies the configured default
// presence and the registrar's view. idle_since is the later of "last session ended" and "became
// Ready"; logging in while Ready counts as becoming Ready.
//
// Interactions are opaque ids chosen by the caller; each is in at most one queue at a time, from
// request() until leave(). Its life in the router:
//   request --> Offered --answered--> Connected --leave(Ended)--> gone
//      |          | declined / no_answer: the agent joins its skip set; the next free member gets
//      |          | the offer, or it goes back in line at its original arrival place
//      +--> Waiting --(an eligible agent frees)--> Offered
// Any stage may leave(); a reservation or session it holds is released.
//
// A queued session is counted by answered() (the reservation becomes a session) and ended by
// leave(LeaveReason::Ended). session_started / session_ended are for sessions outside a queue's
// offer (to an agent's address, or an agent's own as initiator); never both for one session.
//
// Cost: choosing an agent is O(log members + skipped) (FreeIndex); a line change is O(waiting),
// as is the list of position changes it produces (one 182 each).
//
// Fairness: an arriving interaction takes a free member at once if one exists that it does not
// skip; otherwise it waits. Invariant: no waiting interaction has a free member it does not skip.
// So when an agent frees, it is the only new candidate: it takes, in arrival order across all the
// queues it belongs to, the first waiting interaction that does not skip it, and goes on while it
// has capacity. An interaction every member skips waits until its wait limit (the caller's timer).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "switch/directory/directory.hpp"
#include "switch/routing/state.hpp"
#include "switch/routing/types.hpp"

namespace ims::sw::routing {

struct RequestOptions {
  // Agents not to offer: they declined or missed this interaction before (e.g. in a queue it
  // overflowed from). Kept, with every later decline and miss, until the interaction leaves.
  std::vector<std::string> skip;
  // An earlier Waiting::arrival_seq of this interaction: it gets that place in line back instead
  // of the end (e.g. after an overflow). Ignored unless this router issued it and no live
  // interaction holds it. The wait counted in this queue still starts at the request.
  std::optional<std::uint64_t> arrival_seq;
};

class QueueRouter {
 public:
  // What an input made possible: offers to send (the agents are reserved), positions to announce,
  // and agents the router set Not Ready itself (max_misses) for the caller to publish and log.
  struct Effects {
    std::vector<Offer> offers;
    std::vector<PositionChange> positions;
    std::vector<std::string> not_ready;
  };
  struct Reloaded {
    // Interactions whose queue vanished while they waited or were being offered (that
    // reservation is released): the caller fails them, and cancels the offer if one is ringing.
    // A connected session whose queue vanished carries on; its end is counted nowhere.
    std::vector<std::string> dropped;
    Effects effects;  // new members, added capacity and new queues may serve waiting interactions
  };
  using Outcome = std::variant<Offer, Waiting, QueueFull, UnknownQueue, AlreadyQueued>;

  // How many may wait in one queue's line is the queue's max_waiting (STYLE rule 9), capped by
  // `max_waiting` here. Offers in flight do not count, and an interaction put back after a
  // decline always gets its place.
  explicit QueueRouter(std::size_t max_waiting = directory::kMaxWaiting);
  QueueRouter(const QueueRouter&) = delete;  // the records point at each other
  QueueRouter& operator=(const QueueRouter&) = delete;

  // Takes the agents and queues of a (new) directory: on start and on every reload. Agents and
  // queues still present keep their live state and counters; members are recomputed (the
  // `members` list, then agents matching `skills`, in directory order); capacity follows
  // im_capacity; a round-robin cursor stays after the member it last offered.
  Reloaded set_directory(const directory::Directory& dir);
  // Consecutive no-answers after which the router sets an agent Not Ready ("no answer"); 0: never.
  void set_max_misses(unsigned n) { max_misses_ = n; }

  // Agent inputs; unknown logins are ignored. Each returns what became possible.
  Effects set_presence(std::string_view login, Presence p, std::string reason, std::int64_t now_ms);
  Effects set_reachable(std::string_view login, bool reachable, std::int64_t now_ms);
  Effects session_started(std::string_view login);                     // a direct session
  Effects session_ended(std::string_view login, std::int64_t now_ms);  // idle_since = now

  // Interaction `interaction` asks queue `queue` for an agent: an Offer (the agent is reserved),
  // Waiting (put in line), QueueFull (the queue's max_waiting wait already and nobody is free),
  // UnknownQueue, or AlreadyQueued (the id is in a queue already).
  Outcome request(std::string_view queue, std::string interaction, std::int64_t now_ms,
                  RequestOptions opts = {});

  // A pager message to `queue` (PRODUCT §3): the free member the distribution picks now (none
  // of `skip`, such as its sender), which
  // takes it at once (counted offered and answered; nothing is reserved, a pager message holds
  // no capacity), or nullopt when none is free or there is no such queue. The message then
  // waits as an interaction of its own (request()).
  std::optional<std::string> pick(std::string_view queue,
                                  const std::vector<std::string>& skip = {});

  // The offer was answered: the reservation becomes a session, misses are reset. False when the
  // interaction has no offer in flight (it left meanwhile): the caller ends the agent's leg.
  [[nodiscard]] bool answered(std::string_view interaction, std::int64_t now_ms);
  // The agent refused, or the no-answer timer fired: the reservation is released, the agent
  // joins the interaction's skip set, and the interaction is offered to the next free member or
  // put back in line at its original place (a PositionChange for it). The released agent may
  // then take another waiting interaction. no_answer counts a miss (see set_max_misses).
  // Both do nothing for an interaction without an offer in flight.
  Effects declined(std::string_view interaction);
  Effects no_answer(std::string_view interaction);
  // The interaction leaves its queue, in any stage: out of the line (those behind move up), its
  // reservation released or its session ended (idle_since = now); the freed agent may take the
  // next one. Counted by stage and reason: before an answer as abandoned (Abandoned, Ended),
  // overflowed or timed_out; after one as an ended session with its handle time.
  Effects leave(std::string_view interaction, LeaveReason reason, std::int64_t now_ms);

  // Read access for the HTTP API and the tests.
  std::optional<AgentView> agent(std::string_view login) const;
  std::optional<QueueView> queue(std::string_view number, std::int64_t now_ms) const;
  // A queue's members' logins (its `members`, then the agents its skills matched); nullopt for
  // an unknown queue.
  std::optional<std::vector<std::string>> members(std::string_view number) const;
  std::optional<InteractionView> interaction(std::string_view id) const;

 private:
  template <class V>
  using Map = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  AgentState* find_agent(std::string_view login);
  InteractionState* find_interaction(std::string_view id);
  QueueState* find_queue(std::string_view number);
  bool reusable(std::optional<std::uint64_t> seq) const;

  // Every change to what orders or admits an agent in a FreeIndex goes through here.
  template <class F>
  void change(AgentState& a, F&& f);
  void unindex(AgentState& a);
  void index(AgentState& a);

  void offer(InteractionState& i, AgentState& a, Effects& fx);
  bool try_offer(InteractionState& i, Effects& fx);
  void dispatch(AgentState& a, Effects& fx);
  void dispatch_all(Effects& fx);
  Effects refuse(std::string_view interaction, bool missed);
  void release_reservation(InteractionState& i);
  void touch(QueueState& q) { touched_.push_back(&q); }
  void finish(Effects& fx);

  void reload_agents(const directory::Directory& dir);
  void reload_queues(const directory::Directory& dir, Reloaded& out);

  std::size_t max_waiting_;
  unsigned max_misses_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint32_t generation_ = 0;  // set_directory calls (wraps after 4e9 reloads: harmless)
  Map<AgentState> agents_;
  Map<QueueState> queues_;
  Map<InteractionState> interactions_;
  std::vector<QueueState*> touched_;  // lines changed by the current input
};

}  // namespace ims::sw::routing
