// ImB2bua for sessions to a queue (PRODUCT §4, the 182 / RONA rows): the initiator's INVITE
// waits while the QueuePort looks for an agent, each offer INVITEs one agent's devices, a decline
// or a no-answer asks for the next, the wait limit overflows or gives up.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/sip/builders.hpp"
#include "common/util/random.hpp"
#include "switch/im/b2bua.hpp"
#include "switch/im/live.hpp"

namespace ims::sw::im {

namespace {

using sip::HeaderId;

// RFC 3261 §13.3.1.1: a UAS that holds an INVITE for more than three minutes sends a provisional
// response every minute, so that proxies on the way do not give up on it (Timer C).
constexpr std::chrono::seconds kQueuedRefresh{60};

constexpr std::string_view kReasonNoAgent = "SIP;cause=480;text=\"no agent available\"";
constexpr std::string_view kReasonQueueFull = "SIP;cause=486;text=\"queue full\"";

}  // namespace

void ImB2bua::start_queued(const txn::Key& server, sip::Message invite,
                           const transport::Origin& origin, std::string initiator,
                           QueueTerms queue, routing::Facts facts) {
  const std::string who = initiator + " -> queue " + queue.number;
  auto first = first_message(invite.get(HeaderId::ContentType), invite.body());
  if (!first)
    return refuse(server, invite, 415, "First Message Required", first.error().message, who);
  if (!queues_) return refuse(server, invite, 480, "Queues Not Available", "no queue port", who);
  // The agent is not known yet: the initiator and the switch's total are counted now, the agent
  // once it answers.
  if (live_->take(initiator, {}, settings_.max_sessions, 0) == LiveSessions::Taken::SwitchFull)
    return refuse(server, invite, 503, "Too Many IM Sessions", "im.max_sessions reached", who);
  Live* s = open(server, std::move(invite), origin, initiator, Session::queued(),
                 util::random_token(10));
  if (!s) return live_->give_back(initiator, {});
  s->counted = true;
  s->queued.emplace();
  s->queued->facts = std::move(facts);
  s->queued->skip.push_back(initiator);  // a member asking its own queue is not offered it
  queues_->session_started(initiator);
  ++counters_.started;
  ++counters_.queued;
  answer(server, s->invite, 100);
  spdlog::info("IM session {} started: {} -> queue {}, initiator call-id {}", s->id, initiator,
               queue.number, s->invite.call_id());
  record_start(*s, queue.number, *first);
  enter_queue(*s, std::move(queue));
}

void ImB2bua::enter_queue(Live& s, QueueTerms terms) {
  QueuedState& q = *s.queued;
  q.terms = std::move(terms);
  q.wait_over = false;
  q.direct = false;
  s.wait_timer.expires_after(q.terms.wait_limit);
  s.wait_timer.async_wait(
      [this, alive = std::weak_ptr<int>(alive_), id = s.id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        on_wait_limit(id);
      });
  routing::RequestOptions options;
  options.skip = q.skip;
  const auto outcome = queues_->request(q.terms.number, s.id, std::move(options));
  if (const auto* offer = std::get_if<routing::Offer>(&outcome)) {
    q.in_queue = true;
    return offer_to(s, offer->agent, q.terms.no_answer);
  }
  if (const auto* waiting = std::get_if<routing::Waiting>(&outcome)) {
    q.in_queue = true;
    spdlog::info("IM session {}: waiting in queue {} at position {}", s.id, q.terms.number,
                 waiting->position);
    send_queued(s, waiting->position);
    return arm_keepalive(s);
  }
  if (std::holds_alternative<routing::QueueFull>(outcome)) {
    spdlog::info("IM session {}: queue {} is full", s.id, q.terms.number);
    if (!q.terms.overflow.empty()) return overflow(s);
    q.reason = kReasonQueueFull;
    return run(s, s.core.give_up(486));
  }
  // UnknownQueue (a reload removed it) or AlreadyQueued (a fault of ours): nobody will come.
  spdlog::warn("IM session {}: queue {} refused it ({})", s.id, q.terms.number,
               std::holds_alternative<routing::UnknownQueue>(outcome) ? "no such queue"
                                                                      : "already queued");
  q.reason = kReasonNoAgent;
  run(s, s.core.give_up(480));
}

void ImB2bua::on_offer(const routing::Offer& offer) {
  Live* s = find(offer.interaction);
  // Gone or decided meanwhile: the port released the reservation when it left the queue.
  if (!s || !s->queued || s->core.state() != State::Establishing || s->core.offer_active())
    return;
  offer_to(*s, offer.agent, s->queued->terms.no_answer);
}

void ImB2bua::offer_to(Live& s, const std::string& agent, std::chrono::milliseconds timeout) {
  QueuedState& q = *s.queued;
  q.agent = agent;
  s.keepalive_timer.cancel();
  const std::vector<store::Binding> capable = session_devices(locator_(agent));
  const std::size_t first = s.core.branches();
  if (capable.empty() || add_branches(s, capable) == 0) {
    // Logged out between the choice and now: like a decline, the next agent is asked.
    spdlog::info("IM session {}: {} has no reachable device for a session", s.id, agent);
    ++q.offers;
    q.offer_queue = q.direct ? std::string() : q.terms.number;
    q.offered_at_ms = clock_();
    q.offer_recorded = false;
    return on_offer_ended(s, OfferEnded{OfferOutcome::Unavailable, 480});
  }
  ++counters_.offers;
  ++q.offers;
  q.offer_queue = q.direct ? std::string() : q.terms.number;
  q.offered_at_ms = clock_();
  q.offer_recorded = false;
  spdlog::info("IM session {}: offered to {} ({}, {} device(s))", s.id, agent,
               q.direct ? "overflow" : "queue " + q.terms.number, s.branches.size() - first);
  run(s, s.core.offer(s.branches.size() - first, timeout));
  send_branches(s, first);
}

void ImB2bua::on_offer_ended(Live& s, const OfferEnded& e) {
  QueuedState& q = *s.queued;
  record_offer(s, offer_outcome_name(e.outcome));
  spdlog::info("IM session {}: {} {} the offer ({})", s.id, q.agent,
               e.outcome == OfferOutcome::Declined ? "declined"
               : e.outcome == OfferOutcome::NoAnswer ? "did not answer" : "could not take",
               e.status);
  if (q.direct) return run(s, s.core.give_up(e.status));  // an overflow agent: its answer stands
  q.skip.push_back(q.agent);
  if (q.wait_over) {
    // The wait limit passed during the offer: no further agent of this queue.
    queues_->leave(s.id, q.terms.overflow.empty() ? routing::LeaveReason::TimedOut
                                                  : routing::LeaveReason::Overflowed);
    q.in_queue = false;
    return overflow(s);
  }
  const std::string id = s.id;
  if (e.outcome == OfferOutcome::NoAnswer) {
    queues_->no_answer(id);
  } else {
    queues_->declined(id);
  }
  // The next agent, or the way back into line, arrives as on_offer / on_position.
  if (Live* again = find(id); again && again->core.state() == State::Establishing)
    arm_keepalive(*again);
}

void ImB2bua::on_wait_limit(const std::string& id) {
  Live* s = find(id);
  if (!s || !s->queued || s->core.state() != State::Establishing) return;
  QueuedState& q = *s->queued;
  spdlog::info("IM session {}: waited {} s in queue {}", id, q.terms.wait_limit.count() / 1000,
               q.terms.number);
  if (s->core.offer_active()) {
    q.wait_over = true;  // the agent ringing now may still take it
    return;
  }
  if (q.in_queue) {
    queues_->leave(id, q.terms.overflow.empty() ? routing::LeaveReason::TimedOut
                                                : routing::LeaveReason::Overflowed);
    q.in_queue = false;
  }
  overflow(*s);
}

void ImB2bua::overflow(Live& s) {
  QueuedState& q = *s.queued;
  if (q.terms.overflow.empty()) {
    q.reason = kReasonNoAgent;
    return run(s, s.core.give_up(480));
  }
  const std::string from = q.terms.number;
  auto routed = queues_->route(q.terms.overflow, q.facts);
  if (!routed) {
    spdlog::warn("IM session {}: overflow {} of queue {} leads nowhere: {}", s.id,
                 q.terms.overflow, from, routed.error().message);
    q.reason = kReasonNoAgent;
    return run(s, s.core.give_up(480));
  }
  if (auto* queue = std::get_if<QueueTerms>(&*routed)) {
    spdlog::info("IM session {}: overflows from queue {} to queue {}", s.id, from, queue->number);
    return enter_queue(s, std::move(*queue));
  }
  const std::string agent = std::get<AgentTarget>(*routed).login;
  spdlog::info("IM session {}: overflows from queue {} to agent {}", s.id, from, agent);
  s.wait_timer.cancel();
  q.direct = true;
  offer_to(s, agent, settings_.invite_timeout);
}

void ImB2bua::on_dropped(const std::string& interaction) {
  Live* s = find(interaction);
  if (!s || !s->queued || s->core.state() != State::Establishing) return;
  spdlog::warn("IM session {}: queue {} was removed from the directory", s->id,
               s->queued->terms.number);
  s->queued->in_queue = false;  // the router has let it go already
  s->queued->reason = kReasonNoAgent;
  run(*s, s->core.give_up(480));
}

void ImB2bua::on_position(const routing::PositionChange& change) {
  Live* s = find(change.interaction);
  if (!s || !s->queued || s->core.state() != State::Establishing || s->core.offer_active())
    return;
  if (change.position == s->queued->position) return;
  send_queued(*s, change.position);
}

void ImB2bua::send_queued(Live& s, std::size_t position) {
  s.queued->position = position;
  // The position is the reason phrase's first number (PRODUCT §4): "182 Queued 2".
  sip::Message rsp =
      sip::make_response(s.invite, 182, fmt::format("Queued {}", position), s.local_tag);
  rsp.add(HeaderId::Contact, contact_for(s.leg(Side::Initiator).to.protocol,
                                         s.leg(Side::Initiator).to.endpoint));
  rsp.add(kSessionHeader, s.id);
  if (auto r = stack_->respond(s.server, std::move(rsp)); !r)
    spdlog::debug("IM session {}: 182 not sent: {}", s.id, r.error().message);
}

void ImB2bua::arm_keepalive(Live& s) {
  s.keepalive_timer.expires_after(kQueuedRefresh);
  s.keepalive_timer.async_wait(
      [this, alive = std::weak_ptr<int>(alive_), id = s.id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        Live* live = find(id);
        if (!live || !live->queued || live->core.state() != State::Establishing) return;
        if (!live->core.offer_active() && live->queued->position > 0)
          send_queued(*live, live->queued->position);
        arm_keepalive(*live);
      });
}

void ImB2bua::on_queued_answer(Live& s) {
  QueuedState& q = *s.queued;
  s.wait_timer.cancel();
  s.keepalive_timer.cancel();
  s.leg(Side::Target).login = q.agent;
  live_->add(q.agent);
  record_offer(s, "answered");
  store_->record_session_answer(s.id, q.agent, [id = s.id](Result<void> r) {
    if (!r) spdlog::error("IM session {}: answer not recorded: {}", id, r.error().message);
  });
  if (q.direct) {
    queues_->session_started(q.agent);
  } else if (!queues_->answered(s.id)) {
    spdlog::warn("IM session {}: answered by {} after it left queue {}", s.id, q.agent,
                 q.terms.number);
  }
}

void ImB2bua::record_offer(Live& s, std::string_view outcome) {
  QueuedState& q = *s.queued;
  if (q.offer_recorded) return;
  q.offer_recorded = true;
  store::OfferRecord o{s.id,           q.offers,         q.offer_queue, q.agent,
                       q.offered_at_ms, std::string(outcome)};
  store_->record_offer(std::move(o), [id = s.id](Result<void> r) {
    if (!r) spdlog::error("IM session {}: offer not recorded: {}", id, r.error().message);
  });
}

void ImB2bua::on_queued_end(Live& s) {
  QueuedState& q = *s.queued;
  record_offer(s, "cancelled");  // an offer still out when it ended
  s.wait_timer.cancel();
  s.keepalive_timer.cancel();
  if (!queues_ || !q.in_queue) return;
  q.in_queue = false;
  const bool answered = s.core.winner().has_value();
  queues_->leave(s.id, answered ? routing::LeaveReason::Ended : routing::LeaveReason::Abandoned);
}

}  // namespace ims::sw::im
