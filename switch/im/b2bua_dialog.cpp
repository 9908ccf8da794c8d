// ImB2bua within a session: in-dialog requests from either leg (MESSAGE, BYE, re-INVITE), ACK
// and CANCEL, and the responses and failures of the requests the switch sent.
#include <spdlog/spdlog.h>

#include "common/sip/builders.hpp"
#include "switch/im/b2bua.hpp"
#include "switch/im/live.hpp"

namespace ims::sw::im {

using sip::HeaderId;

// ---- requests within a session -----------------------------------------------------------------

bool ImB2bua::on_request(const txn::Key& server, const sip::Message& request,
                         const transport::Origin& origin) {
  if (request.to_tag().empty()) return false;
  auto it = by_dialog_.find(leg_key(request.call_id(), request.to_tag()));
  if (it == by_dialog_.end()) return false;
  const sip::Method m = request.method();
  if (m != sip::Method::Message && m != sip::Method::Bye && m != sip::Method::Invite &&
      m != sip::Method::Options)
    return false;  // the responder's 405/501
  Live* s = find(it->second.session);
  if (!s) return false;
  const Side side = it->second.side;
  LegState& leg = s->leg(side);
  if (!leg.dialog || leg.dialog->id().remote_tag != request.from_tag()) {
    answer(server, request, 481);
    return true;
  }
  if (auto refusal = leg.dialog->on_request(request)) {
    spdlog::info("IM session {}: {} from the {} refused {} ({})", s->id, request.method_text(),
                 side_name(side), refusal->status, refusal->reason);
    answer(server, request, refusal->status, refusal->reason);
    return true;
  }
  // The peer's latest flow is the way back to it (a TCP client may have reconnected).
  leg.to = stack::Destination{origin.protocol, origin.source, origin.flow};
  switch (m) {
    case sip::Method::Message:
      relay_message(*s, side, request, reply_to(server));
      break;
    case sip::Method::Bye: {
      const bool live = s->core.state() == State::Connected;
      answer(server, request, live || s->core.state() == State::Ended ? 200 : 481);
      if (live) spdlog::info("IM session {}: BYE from {}", s->id, leg.login);
      if (live && s->bye_must_wait()) {
        // Messages it sent just before are still being stored or relayed: they go on first.
        s->bye_after_storing = side;
        break;
      }
      run(*s, s->core.on_bye(side));
      break;
    }
    case sip::Method::Invite:
      relay_reinvite(*s, side, server, request);
      break;
    default:
      answer(server, request, 200);  // OPTIONS within the session: it is alive
      break;
  }
  return true;
}

ImB2bua::Reply ImB2bua::reply_to(const txn::Key& server) {
  return [this, alive = std::weak_ptr<int>(alive_), server](sip::Message rsp) {
    if (alive.expired()) return;
    const int status = rsp.status();
    if (auto r = stack_->respond(server, std::move(rsp)); !r)
      spdlog::debug("IM: {} not sent: {}", status, r.error().message);
  };
}

void ImB2bua::relay_message(Live& s, Side from, const sip::Message& request, Reply reply) {
  auto answer_with = [&](int status, std::string_view reason = {}) {
    if (reply) reply(sip::make_response(request, status, reason));
  };
  // RFC 3428 §6, RFC 3261 §18.1.1: a leg reached over UDP takes no request past the size limit,
  // and a session's leg has no other way to its device: refused before it is stamped or
  // stored, and the session stays up.
  if (s.leg(other(from)).to.protocol == transport::Protocol::Udp &&
      request.body().size() > settings_.udp_size_limit / 2 &&
      request.serialize().size() > settings_.udp_size_limit) {
    spdlog::info("IM session {}: a {}-byte message from the {} refused 513: the other leg is UDP",
                 s.id, request.body().size(), side_name(from));
    answer_with(513, "Message Too Large For The Other Party");
    return;
  }
  auto stamped = s.core.on_message(from, clock_());
  if (const int* refusal = std::get_if<int>(&stamped)) {
    answer_with(*refusal);
    return;
  }
  const Stamp stamp = std::get<Stamp>(stamped);
  store::TranscriptEntry e{s.id,
                           stamp.seq,
                           stamp.at_ms,
                           s.leg(from).login,
                           s.leg(other(from)).login,
                           std::string(request.get(HeaderId::ContentType)),
                           std::string(request.body())};
  // The transcript is the truth: the 200 (with the stamp) goes out once the message is stored,
  // then the message goes on to the other leg with the same stamp.
  ++s.storing;
  store_->append_message(
      std::move(e), [this, alive = std::weak_ptr<int>(alive_), id = s.id, from,
                     reply = std::move(reply), stamp, request](Result<void> r) {
        if (alive.expired()) return;
        relay_stored(id, from, reply, stamp, request, r);
        Live* live = find(id);
        if (!live) return;
        --live->storing;
        bye_when_settled(*live);
      });
}

void ImB2bua::bye_when_settled(Live& s) {
  if (s.bye_must_wait() || !s.bye_after_storing) return;
  const Side bye_from = *s.bye_after_storing;
  s.bye_after_storing.reset();
  run(s, s.core.on_bye(bye_from));
}

void ImB2bua::relay_stored(const std::string& id, Side from, const Reply& reply,
                           const Stamp& stamp, const sip::Message& request,
                           const Result<void>& r) {
  if (!r) {
    ++counters_.store_errors;
    spdlog::error("IM session {}: message {} not stored ({}); answered 500", id, stamp.seq,
                  r.error().message);
    if (reply) reply(sip::make_response(request, 500, "Transcript Unavailable"));
    return;
  }
  if (reply) {
    sip::Message ok = sip::make_response(request, 200);
    ok.add(kStampHeader, format_stamp(stamp));
    ok.add(kSessionHeader, id);
    reply(std::move(ok));
  }
  Live* live = find(id);
  if (!live || live->core.state() != State::Connected) return;
  LegState& to = live->leg(other(from));
  if (to.plain) return relay_to_plain(*live, other(from), stamp, request);
  if (!to.dialog) return;
  arm_idle(*live);
  sip::Message relay = to.dialog->make_request(sip::Method::Message);
  relay.add(kStampHeader, format_stamp(stamp));
  relay.add(kSessionHeader, id);
  relay.set_body(request.body(), request.get(HeaderId::ContentType));
  ++counters_.messages;
  ++live->relaying;
  if (to.relay_out) {
    to.relays.push_back(std::move(relay));
    return;
  }
  send_relay(*live, other(from), std::move(relay));
}

void ImB2bua::send_relay(Live& s, Side to, sip::Message relay) {
  s.leg(to).relay_out = true;
  if (send_in_dialog(s, to, std::move(relay), Purpose::Relay)) return;
  s.leg(to).relay_out = false;
  --s.relaying;
  run(s, s.core.on_leg_failure(to));
}

void ImB2bua::relay_answered(Live& s, Side to) {
  LegState& leg = s.leg(to);
  leg.relay_out = false;
  --s.relaying;
  if (!leg.relays.empty() && s.core.state() == State::Connected) {
    sip::Message next = std::move(leg.relays.front());
    leg.relays.pop_front();
    const std::string id = s.id;
    send_relay(s, to, std::move(next));
    if (!find(id)) return;
  }
  bye_when_settled(s);
}

void ImB2bua::relay_reinvite(Live& s, Side from, const txn::Key& server,
                             const sip::Message& request) {
  if (auto refusal = s.core.on_reinvite(from)) {
    answer(server, request, *refusal);
    return;
  }
  LegState& to = s.leg(other(from));
  if (!to.dialog) {
    s.core.on_reinvite_done();
    answer(server, request, 481);
    return;
  }
  sip::Message relay = to.dialog->make_request(sip::Method::Invite);
  relay.add(kSessionHeader, s.id);
  relay.set_body(request.body(), request.get(HeaderId::ContentType));
  const std::uint32_t cseq = relay.cseq() ? relay.cseq()->number : 0;
  s.reinvite = Live::Reinvite{from, server, request, cseq, false};
  spdlog::info("IM session {}: re-INVITE from the {} relayed", s.id, side_name(from));
  if (!send_in_dialog(s, other(from), std::move(relay), Purpose::ReInvite))
    on_reinvite_failure(s, 503);
}

void ImB2bua::on_reinvite_response(Live& s, const sip::Message& response) {
  const int status = response.status();
  if (status < 200 || !s.reinvite) return;
  const Side to = other(s.reinvite->from);
  LegState& leg = s.leg(to);
  if (status >= 300) return on_reinvite_failure(s, status);
  if (leg.dialog) {
    // §13.2.2.4: the switch acknowledges the answering leg itself, every time the 2xx comes.
    (void)stack_->send_stateless(with_via(leg.dialog->make_ack(s.reinvite->cseq), leg.to),
                                 leg.to);
    if (!s.reinvite->answered) leg.dialog->on_refresh_response(response);
  }
  if (s.reinvite->answered) return;
  s.reinvite->answered = true;
  const LegState& back = s.leg(s.reinvite->from);
  sip::Message ok = sip::make_response(s.reinvite->request, status);
  ok.add(HeaderId::Contact, contact_for(back.to.protocol, back.to.endpoint));
  ok.add(kSessionHeader, s.id);
  if (!response.body().empty()) ok.set_body(response.body(), response.get(HeaderId::ContentType));
  if (auto r = stack_->respond(s.reinvite->server, std::move(ok)); !r)
    spdlog::debug("IM session {}: re-INVITE answer not sent: {}", s.id, r.error().message);
  s.core.on_reinvite_done();
}

void ImB2bua::on_reinvite_failure(Live& s, int status) {
  if (!s.reinvite || s.reinvite->answered) return;
  s.reinvite->answered = true;
  // 488 and friends leave the IM session as it was (RFC 3261 §14.1); 481/408 say the leg died.
  answer(s.reinvite->server, s.reinvite->request, status == 503 ? 500 : status);
  s.core.on_reinvite_done();
  spdlog::info("IM session {}: re-INVITE answered {}", s.id, status);
  if (status == 481 || status == 408) run(s, s.core.on_leg_failure(other(s.reinvite->from)));
}

bool ImB2bua::on_ack(const sip::Message& ack) {
  if (ack.to_tag().empty()) return false;
  return by_dialog_.count(leg_key(ack.call_id(), ack.to_tag())) > 0;  // ends our 2xx's resends
}

bool ImB2bua::on_cancel(const txn::Key& invite) {
  auto it = by_server_invite_.find(invite);
  if (it == by_server_invite_.end()) return false;
  Live* s = find(it->second);
  if (!s) return false;
  if (s->core.state() == State::Establishing)
    spdlog::info("IM session {}: CANCEL from {}", s->id, s->leg(Side::Initiator).login);
  run(*s, s->core.on_initiator_cancel());
  return true;
}

// ---- responses to the switch's requests --------------------------------------------------------

bool ImB2bua::on_response(const txn::Key& client, const sip::Message& response) {
  auto it = by_client_.find(client);
  if (it == by_client_.end()) return false;
  const ClientRef ref = it->second;
  Live* s = find(ref.session);
  if (!s) return true;
  const int status = response.status();
  switch (ref.purpose) {
    case Purpose::Branch:
      on_branch_response(*s, ref.branch, response);
      break;
    case Purpose::ReInvite:
      on_reinvite_response(*s, response);
      break;
    case Purpose::Relay:
    case Purpose::PlainRelay:
      if (ref.purpose == Purpose::Relay && status >= 200) {
        relay_answered(*s, ref.side);
        s = find(ref.session);
        if (!s) return true;
      }
      if (status == 481 || status == 408) {
        spdlog::info("IM session {}: the {} answered {} to a relayed MESSAGE: leg gone", s->id,
                     side_name(ref.side), status);
        run(*s, s->core.on_leg_failure(ref.side));
      } else if (status >= 300) {
        spdlog::info("IM session {}: the {} answered {} to a relayed MESSAGE", s->id,
                     side_name(ref.side), status);
      }
      break;
    case Purpose::Bye:
    case Purpose::Cancel:
    case Purpose::PlainNotice:
      break;
  }
  return true;
}

void ImB2bua::on_branch_response(Live& s, std::size_t branch, const sip::Message& response) {
  const int status = response.status();
  if (branch >= s.branches.size()) return;
  if (s.branches[branch].plain) {
    // The invitation MESSAGE reached the device (2xx): it alerts its user, so the initiator
    // hears ringing. A failure is that device's answer to the session.
    if (status < 200) return;
    if (status < 300) return run(s, s.core.on_provisional(branch, 180));
    spdlog::info("IM session {}: invitation MESSAGE to {} answered {}", s.id,
                 s.branches[branch].contact, status);
    return run(s, s.core.on_final(branch, status));
  }
  if (status < 200) {
    run(s, s.core.on_provisional(branch, status));
    return;
  }
  if (status < 300) {
    // A 2xx that cannot make a dialog (no To tag, no usable Contact) cannot be ACKed or used:
    // that device counts as failed (502) and the others go on.
    if (auto d = dialog::Dialog::from_uac(s.branches[branch].invite, response); !d) {
      spdlog::warn("IM session {}: unusable 2xx from {} ({}), counted as 502", s.id,
                   s.branches[branch].contact, d.error().message);
      run(s, s.core.on_final(branch, 502));
      return;
    }
    s.branches[branch].last_2xx = response;
  }
  if (status >= 300 && s.core.state() == State::Establishing) {
    // A queued session's target is the agent offered it now.
    const std::string& who = s.queued ? s.queued->agent : s.leg(Side::Target).login;
    spdlog::info("IM session {}: {} answered {} from {}", s.id, who, status,
                 s.branches[branch].contact);
  }
  run(s, s.core.on_final(branch, status));
}

bool ImB2bua::on_client_failure(const txn::Key& client, txn::Failure failure) {
  auto it = by_client_.find(client);
  if (it == by_client_.end()) return false;
  const ClientRef ref = it->second;
  Live* s = find(ref.session);
  if (!s) return true;
  const int status = failure == txn::Failure::Timeout ? 408 : 503;
  switch (ref.purpose) {
    case Purpose::Branch:
      run(*s, s->core.on_final(ref.branch, status));
      break;
    case Purpose::Relay:
    case Purpose::PlainRelay:
      if (ref.purpose == Purpose::Relay) {
        relay_answered(*s, ref.side);
        s = find(ref.session);
        if (!s) return true;
      }
      spdlog::info("IM session {}: relayed MESSAGE to the {} failed ({}): leg gone", s->id,
                   side_name(ref.side), status);
      run(*s, s->core.on_leg_failure(ref.side));
      break;
    case Purpose::ReInvite:
      on_reinvite_failure(*s, status == 503 ? 503 : 408);
      break;
    case Purpose::Bye:
    case Purpose::Cancel:
    case Purpose::PlainNotice:
      break;
  }
  return true;
}

bool ImB2bua::on_server_failure(const txn::Key& server, txn::Failure /*failure*/) {
  auto it = by_server_invite_.find(server);
  if (it == by_server_invite_.end()) return false;
  Live* s = find(it->second);
  if (!s) return true;
  if (s->core.state() != State::Connected) return true;
  // §13.3.1.4: no ACK for our 2xx: the initiator's leg is dead; both legs are ended.
  spdlog::info("IM session {}: the initiator never acknowledged the 200", s->id);
  send_bye(*s, Side::Initiator);
  run(*s, s->core.on_leg_failure(Side::Initiator));
  return true;
}

bool ImB2bua::on_stray_response(const sip::Message& response) {
  const auto cseq = response.cseq();
  if (!cseq || cseq->method != sip::Method::Invite) return false;
  if (response.status() < 200 || response.status() >= 300) return false;
  auto it = by_dialog_.find(leg_key(response.call_id(), response.from_tag()));
  if (it == by_dialog_.end()) return false;
  Live* s = find(it->second.session);
  if (!s) return false;
  if (it->second.side == Side::Target && cseq->number == 1) {
    // A retransmitted 2xx to the target leg's INVITE: the branch it came from, by our Via.
    const std::string_view branch_id = response.branch();
    for (std::size_t i = 0; i < s->branches.size(); ++i) {
      if (s->branches[i].invite.branch() != branch_id) continue;
      const bool winner = s->core.winner() == i;
      if (!s->branches[i].last_2xx || !winner) s->branches[i].last_2xx = response;
      ack_branch(*s, i, !winner);
      return true;
    }
    return true;
  }
  // A retransmitted 2xx to a re-INVITE the switch relayed: ACK it again.
  LegState& leg = s->leg(it->second.side);
  if (leg.dialog)
    (void)stack_->send_stateless(with_via(leg.dialog->make_ack(cseq->number), leg.to), leg.to);
  return true;
}

void ImB2bua::stop() {
  // The stack is closed already: nothing more goes on the wire. What was live is recorded as
  // ended by the shutdown (the store commits it before the process exits).
  for (auto& [id, s] : sessions_) {
    if (s->core.state() == State::Ended) continue;
    (void)s->core.on_shutdown();
    if (s->queued) record_offer(*s, "cancelled");  // an offer still out when the switch stopped
    uncount(*s);
    store_->record_session_end(id, clock_(), "", std::string(end_reason_name(EndReason::Shutdown)),
                               [](Result<void>) {});
    s->invite_timer.cancel();
    s->linger_timer.cancel();
    s->wait_timer.cancel();
    s->keepalive_timer.cancel();
    s->idle_timer.cancel();
    release_bridge_keys(*s, true);
  }
  alive_.reset();
  sessions_.clear();
  by_server_invite_.clear();
  by_client_.clear();
  by_dialog_.clear();
}

}  // namespace ims::sw::im
