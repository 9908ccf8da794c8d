#include "switch/im/b2bua.hpp"

#include <array>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/dialog/dialog.hpp"
#include "common/sip/builders.hpp"
#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "switch/im/body.hpp"
#include "switch/im/live.hpp"
#include "switch/proxy/route.hpp"

namespace ims::sw::im {

using sip::HeaderId;

std::string without_tag(std::string_view value) {
  const auto a = sip::parse_name_addr(value);
  if (!a) return std::string(value);
  std::string out;
  if (!a->display_name.empty()) out.append(a->display_name).push_back(' ');
  out.append("<").append(a->uri).append(">");
  for (const auto& p : a->params.all()) {
    std::string name(p.name);
    for (auto& c : name) c = static_cast<char>(c | 0x20);
    if (name == "tag") continue;
    out.append(";").append(p.name);
    if (p.has_value) out.append("=").append(p.value);
  }
  return out;
}

namespace {

// Longer values are no contact's id (the store's bound).
constexpr std::size_t kMaxContactIdBytes = 256;

// The contact a consultation is about (PRODUCT §5): its case data's "contact_id", kept with the
// session so that the contact's history finds it; "" when there is none.
std::string contact_of(const sip::Message& invite) {
  for (auto& [key, value] : case_data(invite.get(HeaderId::ContentType), invite.body())) {
    if (key == "contact_id") return value.size() <= kMaxContactIdBytes ? value : std::string();
  }
  return {};
}

}  // namespace

ImB2bua::ImB2bua(boost::asio::any_io_executor strand, stack::Stack& stack, store::Store& store,
                 LiveSessions& live, Locator locator, SentBy sent_by, Clock clock,
                 ImSettings settings)
    : strand_(std::move(strand)),
      stack_(&stack),
      store_(&store),
      live_(&live),
      locator_(std::move(locator)),
      sent_by_(std::move(sent_by)),
      clock_(std::move(clock)),
      settings_(settings) {}

ImB2bua::~ImB2bua() = default;

ImB2bua::Live* ImB2bua::find(const std::string& id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

std::size_t ImB2bua::live_sessions_of(std::string_view login) const { return live_->of(login); }

std::size_t ImB2bua::live_sessions() const { return live_->total(); }

void ImB2bua::uncount(Live& s) {
  if (!s.counted) return;
  s.counted = false;
  const std::string& initiator = s.leg(Side::Initiator).login;
  const std::string& target = s.leg(Side::Target).login;
  live_->give_back(initiator, target);
  if (!queues_) return;
  queues_->session_ended(initiator);
  // An agent a queue's offer reached is the queue's to release (on_queued_end).
  const bool queue_agent = s.queued && !s.queued->direct;
  if (!target.empty() && !queue_agent) queues_->session_ended(target);
}

std::string ImB2bua::contact_for(transport::Protocol protocol,
                                 const transport::Endpoint& to) const {
  std::string c = "<sip:imswitch@" + sent_by_(protocol, to);
  if (protocol != transport::Protocol::Udp)
    c += ";transport=" + std::string(transport::protocol_name(protocol));
  return c + ">";
}

sip::Message ImB2bua::with_via(sip::Message request, const stack::Destination& to) const {
  request.add_front(HeaderId::Via, std::string("SIP/2.0/") +
                                       std::string(transport::via_token(to.protocol)) + " " +
                                       sent_by_(to.protocol, to.endpoint) +
                                       ";branch=z9hG4bK" + util::random_token(16) + ";rport");
  return request;
}

void ImB2bua::remember(Live& s, const txn::Key& key, ClientRef ref) {
  by_client_[key] = std::move(ref);
  s.clients.push_back(key);
}

void ImB2bua::answer(const txn::Key& server, const sip::Message& request, int status,
                     std::string_view reason, std::string_view to_tag) {
  sip::Message rsp = sip::make_response(request, status, reason, to_tag);
  if (auto r = stack_->respond(server, std::move(rsp)); !r)
    spdlog::debug("IM: {} not sent: {}", status, r.error().message);
}

// ---- a new session -----------------------------------------------------------------------------

void ImB2bua::refuse(const txn::Key& server, const sip::Message& invite, int status,
                     std::string_view reason, std::string_view why, std::string_view who) {
  ++counters_.refused;
  spdlog::info("IM {} refused {} ({}; call-id {})", who, status, why, invite.call_id());
  sip::Message rsp = sip::make_response(invite, status, reason, util::random_token(10));
  if (status == 503) rsp.add(HeaderId::RetryAfter, "5");
  if (status == 415) rsp.add(HeaderId::Accept, "multipart/mixed, text/plain, message/cpim");
  if (auto r = stack_->respond(server, std::move(rsp)); !r)
    spdlog::debug("IM: {} not sent: {}", status, r.error().message);
}

void ImB2bua::start(const txn::Key& server, sip::Message invite, const transport::Origin& origin,
                    std::string initiator, std::string target, unsigned target_capacity) {
  const std::string who = initiator + " -> " + target;
  auto first = first_message(invite.get(HeaderId::ContentType), invite.body());
  if (!first)
    return refuse(server, invite, 415, "First Message Required", first.error().message, who);
  switch (live_->take(initiator, target, settings_.max_sessions, target_capacity)) {
    case LiveSessions::Taken::SwitchFull:
      return refuse(server, invite, 503, "Too Many IM Sessions", "im.max_sessions reached", who);
    case LiveSessions::Taken::TargetFull:
      return refuse(server, invite, 486, "At IM Capacity", "target at its IM capacity", who);
    case LiveSessions::Taken::Ok:
      break;
  }
  // Counted from here: a refusal below gives the place back.
  struct Place {
    LiveSessions* live;
    const std::string& initiator;
    const std::string& target;
    bool kept = false;
    ~Place() {
      if (!kept) live->give_back(initiator, target);
    }
  } place{live_, initiator, target};

  auto bindings = locator_(target);
  if (proxy::asks_for_tls(invite.request_uri())) {
    // RFC 5630 §3.1.3: a sips: session is TLS on every hop, the devices' included.
    bindings = proxy::secure_only(bindings);
    if (bindings.empty())
      return refuse(server, invite, 480, "No Device Reached Over TLS",
                    "sips: and no device reached over TLS or WSS", who);
  }
  const std::vector<store::Binding> capable = session_devices(bindings);
  if (capable.empty()) {
    return refuse(server, invite, 480,
                  bindings.empty() ? "Not Logged In" : "No Session-Capable Device",
                  bindings.empty() ? "no registered contact"
                                   : "no contact registered with +imswitch.session",
                  who);
  }
  const std::string to_tag = util::random_token(10);
  const std::size_t devices = capable.size();
  Live* s = open(server, std::move(invite), origin, initiator,
                 Session(devices, settings_.invite_timeout), to_tag);
  if (!s) return;
  s->leg(Side::Target).login = target;
  if (add_branches(*s, capable) == 0) {
    refuse(server, s->invite, 480, "No Reachable Session-Capable Device",
           "no device reachable for its size", who);
    return forget(s->id);
  }
  // The Session was sized for every capable contact; rebuild it for those actually tried.
  if (s->branches.size() != devices) {
    s->core = Session(s->branches.size(), settings_.invite_timeout);
    const auto again = s->core.stamp_first(s->started_at_ms);
    if (const auto* st = std::get_if<Stamp>(&again)) s->first_stamp = *st;
  }
  place.kept = true;
  s->counted = true;
  if (queues_) {
    queues_->session_started(initiator);
    queues_->session_started(target);
  }
  ++counters_.started;
  answer(server, s->invite, 100);
  spdlog::info("IM session {} started: {} -> {}, initiator call-id {}, target call-id {}, {} "
               "device(s)",
               s->id, initiator, target, s->invite.call_id(), s->target_call_id,
               s->branches.size());
  record_start(*s, target, *first);
  run(*s, s->core.start());
  send_branches(*s, 0);
}

ImB2bua::Live* ImB2bua::open(const txn::Key& server, sip::Message invite,
                             const transport::Origin& origin, std::string initiator,
                             Session core, const std::string& to_tag, bool plain) {
  const stack::Destination back{origin.protocol, origin.source, origin.flow};
  std::optional<dialog::Dialog> uas;
  if (!plain) {
    auto made = dialog::Dialog::from_uas(invite, to_tag, contact_for(origin.protocol, origin.source));
    if (!made) {
      refuse(server, invite, 400, "Bad Dialog Headers", made.error().message, initiator);
      return nullptr;
    }
    uas = std::move(*made);
  }
  auto live = std::make_unique<Live>(std::move(core), strand_);
  Live& s = *live;
  // Time first, then random: ids (the store's keys for sessions and transcripts) grow in
  // start order, so the store appends to its indexes instead of writing all over them.
  s.id = fmt::format("im-{:011x}{}", static_cast<std::uint64_t>(clock_()), util::random_token(8));
  s.server = server;
  s.local_tag = to_tag;
  s.target_call_id = stack_->new_call_id("imswitch");  // owned by this core, like the first leg
  s.target_tag = util::random_token(10);
  s.started_at_ms = clock_();
  s.leg(Side::Initiator).dialog = std::move(uas);
  s.leg(Side::Initiator).to = back;
  if (plain) {
    // A stock client is answered where it wrote from, as From the address it wrote to, so that
    // its replies come back to the same session (bridge_index.hpp).
    const auto contact = sip::parse_name_addr(invite.get(HeaderId::Contact));
    const auto from = sip::parse_name_addr(invite.get(HeaderId::From));
    PlainPeer peer;
    peer.ruri = contact ? std::string(contact->uri) : from ? std::string(from->uri) : "";
    peer.from = without_tag(invite.get(HeaderId::To));
    peer.to = without_tag(invite.get(HeaderId::From));
    s.leg(Side::Initiator).plain = std::move(peer);
  }
  s.leg(Side::Initiator).login = std::move(initiator);
  s.invite = std::move(invite);
  // The first message is seq 1, stamped now.
  const auto stamped = s.core.stamp_first(s.started_at_ms);
  if (const auto* st = std::get_if<Stamp>(&stamped)) s.first_stamp = *st;

  const std::string id = s.id;
  sessions_.emplace(id, std::move(live));
  if (!plain) by_server_invite_[server] = id;
  by_dialog_[leg_key(s.target_call_id, s.target_tag)] = LegRef{id, Side::Target};
  return &s;
}

std::size_t ImB2bua::add_branches(Live& s, const std::vector<store::Binding>& contacts) {
  // One INVITE per device: same Call-ID, From tag and CSeq, a branch of its own. Branches of
  // an earlier offer (a queued session) keep their places.
  const std::string from =
      without_tag(s.invite.get(HeaderId::From)) + ";tag=" + s.target_tag;
  std::size_t added = 0;
  for (const auto& b : contacts) {
    if (!b.session_capable) {
      if (add_plain_branch(s, b)) ++added;
      continue;
    }
    auto route = proxy::route_of(b);
    if (!route) continue;
    const stack::Destination to{route->protocol, route->endpoint, route->flow};
    sip::Message m = sip::Message::request(sip::Method::Invite, b.contact);
    m.add(HeaderId::MaxForwards, "70");
    m.add(HeaderId::From, from);
    m.add(HeaderId::To, without_tag(s.invite.get(HeaderId::To)));
    m.add(HeaderId::CallId, s.target_call_id);
    m.add(HeaderId::CSeq, "1 INVITE");
    m.add(HeaderId::Contact, contact_for(to.protocol, to.endpoint));
    m.add(HeaderId::Allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE");
    m.add(kSessionHeader, s.id);
    if (s.first_stamp) m.add(kStampHeader, format_stamp(*s.first_stamp));
    if (auto subject = s.invite.find(HeaderId::Subject)) m.add(HeaderId::Subject, *subject);
    m.set_body(s.invite.body(), s.invite.get(HeaderId::ContentType));
    m = with_via(std::move(m), to);
    if (to.protocol == transport::Protocol::Udp &&
        m.serialize().size() > settings_.udp_size_limit)
      continue;  // RFC 3428 §6 / §18.1.1: too large for this device's UDP flow
    s.branches.push_back(
        BranchLeg{std::move(m), to, b.contact, std::nullopt, std::nullopt, std::nullopt});
    ++added;
  }
  return added;
}

void ImB2bua::record_start(Live& s, std::string target, const FirstMessage& first) {
  const std::string& id = s.id;
  store::SessionRecord rec;
  rec.id = id;
  if (s.queued) rec.queue = target;
  rec.initiator = s.leg(Side::Initiator).login;
  rec.target = target;
  rec.state = "live";
  rec.started_at_ms = s.started_at_ms;
  rec.initiator_call_id = std::string(s.invite.call_id());
  rec.target_call_id = s.target_call_id;
  rec.contact_id = contact_of(s.invite);
  store_->record_session_start(std::move(rec), [id](Result<void> r) {
    if (!r) spdlog::error("IM session {}: not recorded in the store: {}", id, r.error().message);
  });
  if (!s.first_stamp) return;
  store::TranscriptEntry e{id,    s.first_stamp->seq,  s.first_stamp->at_ms,
                           s.leg(Side::Initiator).login, std::move(target), first.content_type,
                           first.body};
  store_->append_message(std::move(e), [this, alive = std::weak_ptr<int>(alive_), id](
                                           Result<void> r) {
    if (alive.expired() || r) return;
    ++counters_.store_errors;
    spdlog::error("IM session {}: first message not stored: {}", id, r.error().message);
  });
}

void ImB2bua::send_branches(Live& s, std::size_t first) {
  const std::string id = s.id;
  std::vector<std::size_t> failed;
  for (std::size_t i = first; i < s.branches.size(); ++i) {
    auto key = stack_->send_request(s.branches[i].invite, s.branches[i].to);
    if (!key) {
      spdlog::info("IM session {}: INVITE to {} not sent: {}", id, s.branches[i].contact,
                   key.error().message);
      failed.push_back(i);
      continue;
    }
    s.branches[i].key = *key;
    remember(s, *key, ClientRef{id, Purpose::Branch, i, Side::Target});
  }
  for (std::size_t i : failed) {
    Live* again = find(id);
    if (!again) return;
    run(*again, again->core.on_final(i, 503));
  }
}

// ---- carrying out the Session's actions --------------------------------------------------------

void ImB2bua::run(Live& s, const Actions& actions) {
  for (const auto& a : actions) act(s, a);
}

void ImB2bua::act(Live& s, const Action& action) {
  if (const auto* a = std::get_if<AnswerInitiator>(&action)) return answer_initiator(s, *a);
  if (const auto* a = std::get_if<RelayProvisional>(&action)) {
    if (s.leg(Side::Initiator).plain) return;  // a stock client hears no ringing
    sip::Message rsp = sip::make_response(s.invite, a->status, {}, s.local_tag);
    rsp.add(HeaderId::Contact, contact_for(s.leg(Side::Initiator).to.protocol,
                                           s.leg(Side::Initiator).to.endpoint));
    rsp.add(kSessionHeader, s.id);
    if (auto r = stack_->respond(s.server, std::move(rsp)); !r)
      spdlog::debug("IM session {}: {} not relayed: {}", s.id, a->status, r.error().message);
    return;
  }
  if (const auto* a = std::get_if<CancelBranch>(&action)) return cancel_branch(s, *a);
  if (const auto* a = std::get_if<AckBranch>(&action)) return ack_branch(s, a->branch, false);
  if (const auto* a = std::get_if<ByeBranch>(&action)) return ack_branch(s, a->branch, true);
  if (const auto* a = std::get_if<SendBye>(&action)) return send_bye(s, a->to);
  if (const auto* a = std::get_if<StartInviteTimer>(&action)) return arm_invite_timer(s, a->after);
  if (std::holds_alternative<StopInviteTimer>(action)) {
    s.invite_timer.cancel();
    return;
  }
  if (const auto* a = std::get_if<OfferEnded>(&action)) return on_offer_ended(s, *a);
  if (const auto* a = std::get_if<SessionEnded>(&action)) return on_ended(s, *a);
}

void ImB2bua::answer_initiator(Live& s, const AnswerInitiator& a) {
  if (s.leg(Side::Initiator).plain) return answer_plain_initiator(s, a);
  const LegState& leg = s.leg(Side::Initiator);
  sip::Message rsp = sip::make_response(s.invite, a.status, {}, s.local_tag);
  rsp.add(kSessionHeader, s.id);
  // RFC 3326: why the switch itself gave up (a queue without an agent in time).
  if (a.status >= 300 && s.queued && !s.queued->reason.empty())
    rsp.add(HeaderId::Reason, s.queued->reason);
  if (a.status >= 200 && a.status < 300) {
    rsp.add(HeaderId::Contact, contact_for(leg.to.protocol, leg.to.endpoint));
    rsp.add(HeaderId::Allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE");
    if (s.first_stamp) rsp.add(kStampHeader, format_stamp(*s.first_stamp));
    // RFC 3325 §9.1: the initiator asked a queue; the answer says which agent took it.
    if (s.queued) rsp.add(kAssertedIdentity, "<" + agent_uri(s, s.queued->agent) + ">");
    if (a.branch && *a.branch < s.branches.size() && s.branches[*a.branch].last_2xx) {
      const sip::Message& ok = *s.branches[*a.branch].last_2xx;
      if (!ok.body().empty()) rsp.set_body(ok.body(), ok.get(HeaderId::ContentType));
    } else if (a.branch && *a.branch < s.branches.size() && s.branches[*a.branch].plain) {
      // A plain device cannot answer the offer: the switch does, with no media (RFC 3264 §6).
      std::string host = sent_by_(leg.to.protocol, leg.to.endpoint);
      host = host.substr(0, host.rfind(':'));
      if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
      rsp.set_body(empty_sdp(s.id, host), "application/sdp");
    }
    by_dialog_[leg_key(s.invite.call_id(), s.local_tag)] = LegRef{s.id, Side::Initiator};
  }
  if (auto r = stack_->respond(s.server, std::move(rsp)); !r)
    spdlog::warn("IM session {}: {} to the initiator not sent: {}", s.id, a.status,
                 r.error().message);
  if (a.status >= 200 && a.status < 300) arm_idle(s);
}

std::string ImB2bua::agent_uri(const Live& s, std::string_view login) {
  // The agent's address in the domain the initiator used (its INVITE's Request-URI host).
  const auto ruri = sip::parse_uri(s.invite.request_uri());
  std::string host = ruri ? std::string(ruri->host) : std::string("invalid");
  return "sip:" + std::string(login) + "@" + host;
}

void ImB2bua::cancel_branch(Live& s, const CancelBranch& c) {
  if (c.branch >= s.branches.size()) return;
  if (s.branches[c.branch].plain) return notify_plain_branch(s, c.branch, c.reason);
  BranchLeg& b = s.branches[c.branch];
  sip::Message cancel = sip::make_cancel(b.invite);
  cancel.add(HeaderId::Reason, c.reason);
  const stack::Destination to = b.key ? stack_->destination_of(*b.key).value_or(b.to) : b.to;
  auto key = stack_->send_request(std::move(cancel), to);
  if (!key) {
    spdlog::debug("IM session {}: CANCEL to {} not sent: {}", s.id, b.contact,
                  key.error().message);
    return;
  }
  remember(s, *key, ClientRef{s.id, Purpose::Cancel, c.branch, Side::Target});
}

void ImB2bua::ack_branch(Live& s, std::size_t branch, bool bye) {
  if (branch < s.branches.size() && s.branches[branch].plain)
    return accept_plain_branch(s, branch, bye);
  if (branch >= s.branches.size() || !s.branches[branch].last_2xx) return;
  BranchLeg& b = s.branches[branch];
  const sip::Message& ok = *b.last_2xx;
  const std::uint32_t cseq = b.invite.cseq() ? b.invite.cseq()->number : 1;
  LegState& target = s.leg(Side::Target);
  const bool winner = !bye && s.core.winner() == branch;
  if (winner && target.dialog && target.dialog->id().remote_tag == ok.to_tag()) {
    (void)stack_->send_stateless(with_via(target.dialog->make_ack(cseq), b.to), b.to);
    return;
  }
  auto d = dialog::Dialog::from_uac(b.invite, ok);
  if (!d) {
    spdlog::warn("IM session {}: 2xx from {} unusable ({}); not acknowledged", s.id, b.contact,
                 d.error().message);
    if (winner) run(s, s.core.on_leg_failure(Side::Target));
    return;
  }
  if (auto r = stack_->send_stateless(with_via(d->make_ack(cseq), b.to), b.to); !r)
    spdlog::debug("IM session {}: ACK not sent: {}", s.id, r.error().message);
  if (bye) {
    // §15: a session this switch no longer wants (decided otherwise already) ends at once.
    auto key = stack_->send_request(with_via(d->make_request(sip::Method::Bye), b.to), b.to);
    if (key) remember(s, *key, ClientRef{s.id, Purpose::Bye, branch, Side::Target});
    spdlog::info("IM session {}: late 2xx from {} acknowledged and ended with BYE", s.id,
                 b.contact);
    return;
  }
  if (winner) {
    target.dialog = std::move(*d);
    target.to = b.to;
    ++counters_.connected;
    if (s.queued) on_queued_answer(s);
    release_bridge_keys(s, false);  // its plain devices lost: what they write is pager again
    spdlog::info("IM session {}: accepted by {} at {}", s.id, target.login, b.contact);
  }
}

std::optional<txn::Key> ImB2bua::send_in_dialog(Live& s, Side to, sip::Message request,
                                               Purpose purpose) {
  const LegState& leg = s.leg(to);
  auto key = stack_->send_request(with_via(std::move(request), leg.to), leg.to);
  if (!key) {
    spdlog::info("IM session {}: request to the {} not sent: {}", s.id, side_name(to),
                 key.error().message);
    return std::nullopt;
  }
  remember(s, *key, ClientRef{s.id, purpose, 0, to});
  return *key;
}

void ImB2bua::send_bye(Live& s, Side to) {
  LegState& leg = s.leg(to);
  if (leg.plain) return end_plain_leg(s, to);
  if (!leg.dialog) return;
  (void)send_in_dialog(s, to, leg.dialog->make_request(sip::Method::Bye), Purpose::Bye);
}

void ImB2bua::arm_invite_timer(Live& s, std::chrono::milliseconds after) {
  s.invite_timer.expires_after(after);
  s.invite_timer.async_wait(
      [this, alive = std::weak_ptr<int>(alive_), id = s.id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        Live* live = find(id);
        if (!live) return;
        if (live->queued) {
          spdlog::info("IM session {}: no answer from {} within {} s (queue {})", id,
                       live->queued->agent, live->queued->terms.no_answer.count() / 1000,
                       live->queued->terms.number);
        } else {
          spdlog::info("IM session {}: no answer from {} within the invitation timer", id,
                       live->leg(Side::Target).login);
        }
        run(*live, live->core.on_invite_timeout());
      });
}

void ImB2bua::on_ended(Live& s, const SessionEnded& e) {
  s.invite_timer.cancel();
  s.idle_timer.cancel();
  release_bridge_keys(s, true);
  if (s.queued) on_queued_end(s);
  const std::string by = e.by ? s.leg(*e.by).login : std::string();
  spdlog::info("IM session {} ended: {}{}; {} -> {}, {} message(s), call-ids {} / {}", s.id,
               end_reason_name(e.reason), by.empty() ? std::string() : " by " + by,
               s.leg(Side::Initiator).login, s.leg(Side::Target).login, s.core.messages(),
               s.invite.call_id(), s.target_call_id);
  uncount(s);
  store_->record_session_end(s.id, clock_(), by, std::string(end_reason_name(e.reason)),
                             [id = s.id](Result<void> r) {
                               if (!r)
                                 spdlog::error("IM session {}: end not recorded: {}", id,
                                               r.error().message);
                             });
  // The dialogs stay a while: a crossing BYE gets its 200, late responses are absorbed.
  s.linger_timer.expires_after(settings_.linger);
  s.linger_timer.async_wait(
      [this, alive = std::weak_ptr<int>(alive_), id = s.id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        forget(id);
      });
}

void ImB2bua::forget(const std::string& id) {
  auto node = sessions_.extract(id);
  if (node.empty()) return;
  Live& s = *node.mapped();
  release_bridge_keys(s, true);
  by_server_invite_.erase(s.server);
  for (const auto& k : s.clients) by_client_.erase(k);
  by_dialog_.erase(leg_key(s.invite.call_id(), s.local_tag));
  by_dialog_.erase(leg_key(s.target_call_id, s.target_tag));
}

}  // namespace ims::sw::im
