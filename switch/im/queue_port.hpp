#pragma once
// QueuePort: how the IM B2BUA reaches the queues and routing points (PRODUCT §1, §4: the 182 and
// RONA rows) without owning them. The switch application implements it over the one
// routing::QueueRouter that every SIP core shares (behind one lock; later, a store shared by
// several switches), reads the clock and the directory for it, and delivers what a call makes
// possible for *other* interactions — an offer, a new place in line — to the core that owns
// each of them (ImB2bua::on_offer, ImB2bua::on_position), always posted, never inline.
//
// Interactions are named by the B2BUA's session ids.
//
// Owner: the application; used by each core's ImB2bua on that core's strand. Thread-safe.

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "common/util/result.hpp"
#include "switch/routing/router.hpp"
#include "switch/routing/rules.hpp"

namespace ims::sw::im {

// What a queued session needs of its queue (directory::Queue, copied: a reload may replace the
// directory while the session waits).
struct QueueTerms {
  std::string number;
  std::chrono::milliseconds no_answer{15000};    // no_answer_s: one offer's timer (RONA)
  std::chrono::milliseconds wait_limit{300000};  // wait_limit_s: then overflow or 480
  std::string overflow;                          // an address; empty: none
};
inline QueueTerms terms_of(const directory::Queue& queue) {
  return QueueTerms{queue.number, std::chrono::seconds(queue.no_answer_s),
                    std::chrono::seconds(queue.wait_limit_s), queue.overflow};
}

// Where an address leads: an agent (by login) or a queue.
struct AgentTarget {
  std::string login;
};
using RouteTarget = std::variant<AgentTarget, QueueTerms>;

class QueuePort {
 public:
  virtual ~QueuePort() = default;

  // The interaction asks `queue` for an agent: an Offer for it (the agent is reserved), Waiting
  // (its place in line), QueueFull, UnknownQueue or AlreadyQueued.
  virtual routing::QueueRouter::Outcome request(std::string_view queue,
                                                const std::string& interaction,
                                                routing::RequestOptions options) = 0;
  // The offered agent accepted: false when the interaction is no longer in its queue.
  [[nodiscard]] virtual bool answered(std::string_view interaction) = 0;
  // The offered agent declined, or let the offer time out (RONA): the next agent, or back in
  // line, arrives later through on_offer / on_position.
  virtual void declined(std::string_view interaction) = 0;
  virtual void no_answer(std::string_view interaction) = 0;
  // The interaction leaves its queue, at whatever stage.
  virtual void leave(std::string_view interaction, routing::LeaveReason reason) = 0;

  // Sessions that take an agent's IM capacity outside a queue's offer: both parties of a
  // session to an agent's address, the initiator of a session to a queue.
  virtual void session_started(std::string_view login) = 0;
  virtual void session_ended(std::string_view login) = 0;

  // Where `address` leads (routing points followed with `facts` at the switch's local time):
  // an agent or a queue of the directory in force.
  [[nodiscard]] virtual Result<RouteTarget> route(std::string_view address,
                                                  const routing::Facts& facts) = 0;
};

}  // namespace ims::sw::im
