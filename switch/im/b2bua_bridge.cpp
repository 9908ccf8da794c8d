// ImB2bua's pager bridge (PRODUCT §4b; the rules are bridge.hpp's): a stock client's device takes
// part in a session through MESSAGEs outside any dialog. As a target's device it gets the
// invitation as a MESSAGE and accepts by replying; as a stock initiator it opens a session to a
// queue by writing to it. Its MESSAGEs come back through on_plain_message, found by the
// BridgeIndex; what the session sends it goes out as MESSAGE, down-converted to text/plain.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/sip/builders.hpp"
#include "common/util/random.hpp"
#include "switch/im/b2bua.hpp"
#include "switch/im/live.hpp"
#include "switch/proxy/device.hpp"
#include "switch/proxy/route.hpp"

namespace ims::sw::im {

using sip::HeaderId;

namespace {

constexpr std::string_view kPlainType = "text/plain;charset=UTF-8";
// Lines a waiting stock client may write before an agent answers (STYLE rule 9): past it each
// further one is refused (503, Retry-After), so the client knows it was not taken.
constexpr std::size_t kMaxHeldMessages = 50;

// The text of a message for a plain device, or what it is shown instead.
std::string shown_text(std::string_view content_type, std::string_view body) {
  auto text = plain_text(content_type, body);
  return text ? std::move(*text) : unshown_text(content_type);
}

}  // namespace

void ImB2bua::set_bridge(BridgeIndex* index, std::size_t core, BridgeSettings settings,
                         NameOf names) {
  bridges_ = index;
  core_ = core;
  bridge_ = settings;
  names_ = std::move(names);
}

std::string ImB2bua::name_of(std::string_view login) const {
  if (names_) {
    std::string n = names_(login);
    if (!n.empty()) return n;
  }
  return std::string(login);
}

std::vector<store::Binding> ImB2bua::session_devices(
    const std::vector<store::Binding>& bindings) const {
  std::vector<store::Binding> out;
  for (const auto& b : bindings)
    if (b.session_capable || bridges_) out.push_back(b);
  return out;
}

// ---- what the switch sends a plain device --------------------------------------------------

namespace {

sip::Message plain_request(const PlainPeer& peer, std::string call_id, std::string text,
                           std::string_view session, std::optional<Stamp> stamp) {
  sip::Message m = sip::Message::request(sip::Method::Message, peer.ruri);
  m.add(HeaderId::MaxForwards, "70");
  m.add(HeaderId::From, peer.from + ";tag=" + util::random_token(10));
  m.add(HeaderId::To, peer.to);
  m.add(HeaderId::CallId, std::move(call_id));
  m.add(HeaderId::CSeq, "1 MESSAGE");
  m.add(kSessionHeader, session);
  if (stamp) m.add(kStampHeader, format_stamp(*stamp));
  m.set_body(text, kPlainType);
  return m;
}

}  // namespace

bool ImB2bua::send_plain(Live& s, const PlainPeer& peer, const stack::Destination& to,
                         std::string text, std::optional<Stamp> stamp, Purpose purpose,
                         Side side) {
  sip::Message m = plain_request(peer, stack_->new_call_id("imswitch"), std::move(text), s.id,
                                 stamp);
  auto key = stack_->send_request(with_via(std::move(m), to), to);
  if (!key) {
    spdlog::info("IM session {}: MESSAGE to the {}'s plain device {} not sent: {}", s.id,
                 side_name(side), peer.ruri, key.error().message);
    return false;
  }
  remember(s, *key, ClientRef{s.id, purpose, 0, side});
  return true;
}

bool ImB2bua::add_plain_branch(Live& s, const store::Binding& b) {
  if (!bridges_) return false;
  auto route = proxy::route_of(b);
  if (!route) return false;
  const stack::Destination to{route->protocol, route->endpoint, route->flow};
  const std::string& initiator = s.leg(Side::Initiator).login;
  // The device's reply is addressed to the initiator: that pair finds this session.
  const bool held = std::any_of(s.bridge_keys.begin(), s.bridge_keys.end(), [&](const BridgeKey& k) {
    return !k.initiator && k.login == b.aor && k.peer == initiator;
  });
  if (!held) {
    if (!bridges_->add(b.aor, initiator, BridgeIndex::LiveRef{core_, s.id})) {
      spdlog::info("IM session {}: {}'s plain device {} not invited: another IM from {} waits "
                   "for its reply",
                   s.id, b.aor, b.contact, initiator);
      return false;
    }
    s.bridge_keys.push_back(BridgeKey{b.aor, initiator, false});
  }
  PlainPeer peer{b.contact, without_tag(s.invite.get(HeaderId::From)),
                 "<" + agent_uri(s, b.aor) + ">", b};
  auto first = first_message(s.invite.get(HeaderId::ContentType), s.invite.body());
  const std::string said = first ? shown_text(first->content_type, first->body) : std::string();
  sip::Message m = plain_request(peer, stack_->new_call_id("imswitch"),
                                 invitation_text(name_of(initiator), said), s.id, s.first_stamp);
  m = with_via(std::move(m), to);
  if (to.protocol == transport::Protocol::Udp && m.serialize().size() > settings_.udp_size_limit)
    return false;  // RFC 3428 §6: too large for this device's UDP flow
  s.branches.push_back(BranchLeg{std::move(m), to, b.contact, std::nullopt, std::nullopt,
                                 std::move(peer)});
  return true;
}

void ImB2bua::relay_to_plain(Live& s, Side to, const Stamp& stamp, const sip::Message& request) {
  LegState& leg = s.leg(to);
  const std::string_view type = request.get(HeaderId::ContentType);
  ++counters_.messages;
  if (!send_plain(s, *leg.plain, leg.to, shown_text(type, request.body()), stamp,
                  Purpose::PlainRelay, to)) {
    run(s, s.core.on_leg_failure(to));
    return;
  }
  arm_idle(s);
}

void ImB2bua::notify_plain_branch(Live& s, std::size_t branch, std::string_view reason) {
  const BranchLeg& b = s.branches[branch];
  const std::string initiator = name_of(s.leg(Side::Initiator).login);
  std::string text;
  if (reason == kReasonAnsweredElsewhere) {
    text = kAnsweredElsewhereText;
  } else {
    text = withdrawn_text(initiator, reason == kReasonTimeout);
  }
  spdlog::info("IM session {}: plain device {} told \"{}\"", s.id, b.contact, text);
  (void)send_plain(s, *b.plain, b.to, std::move(text), std::nullopt, Purpose::PlainNotice,
                   Side::Target);
}

void ImB2bua::accept_plain_branch(Live& s, std::size_t branch, bool late) {
  BranchLeg& b = s.branches[branch];
  // A reply to a decided invitation is never taken as an answer (on_plain_message), so a late
  // one does not get here; nothing to acknowledge in any case.
  if (late || s.core.winner() != branch) return;
  LegState& target = s.leg(Side::Target);
  target.plain = b.plain;
  target.to = b.to;
  if (target.login.empty() && b.plain->binding) target.login = b.plain->binding->aor;
  ++counters_.connected;
  if (s.queued) on_queued_answer(s);
  spdlog::info("IM session {}: accepted by {} at {} (plain device, pager bridge)", s.id,
               target.login, b.contact);
}

void ImB2bua::answer_plain_initiator(Live& s, const AnswerInitiator& a) {
  LegState& leg = s.leg(Side::Initiator);
  if (s.opening_reply) {
    // The stock client's opening MESSAGE is still unanswered: a refusal answers it.
    auto reply = std::move(s.opening_reply);
    s.opening_reply = nullptr;
    const bool refused = a.status >= 300;
    sip::Message rsp = sip::make_response(s.invite, refused ? a.status : 202, {},
                                          util::random_token(10));
    if (refused && s.queued && !s.queued->reason.empty())
      rsp.add(HeaderId::Reason, s.queued->reason);
    rsp.add(kSessionHeader, s.id);
    reply(std::move(rsp));
    if (refused) return;
  } else if (a.status >= 300) {
    // 487: it withdrew itself (/end). Otherwise nobody took it; it was told its lines were
    // taken, so they wait in the queue as pager messages for the next free member.
    if (a.status == 487) return;
    std::string text = no_agent_text(a.status);
    const std::string& agent = s.leg(Side::Target).login;
    std::optional<Unplaced> where;
    if (s.queued && !s.queued->terms.number.empty()) {
      where = Unplaced{s.queued->terms.number, true};
    } else if (!s.queued && !agent.empty()) {
      where = Unplaced{agent, false};
    }
    if (unplaced_ && where) {
      std::vector<sip::Message> lines;
      lines.push_back(s.invite);
      for (auto& m : s.held) lines.push_back(std::move(m));
      s.held.clear();
      spdlog::info("IM session {}: no agent took it ({}); {} line(s) of {} kept for {}", s.id,
                   a.status, lines.size(), leg.login, where->recipient);
      unplaced_(leg.login, *where, std::move(lines));
      text = where->queue ? std::string(kKeptForQueueText) : left_for_text(name_of(agent));
    }
    (void)send_plain(s, *leg.plain, leg.to, std::move(text), std::nullopt, Purpose::PlainNotice,
                     Side::Initiator);
    return;
  }
  if (a.status < 200 || a.status >= 300) return;
  // Connected: what the client wrote while it waited goes on now, in order.
  std::vector<sip::Message> held = std::move(s.held);
  s.held.clear();
  const std::string id = s.id;
  for (const auto& m : held) {
    Live* live = find(id);
    if (!live || live->core.state() != State::Connected) break;
    relay_message(*live, Side::Initiator, m, nullptr);
  }
  if (Live* live = find(id)) arm_idle(*live);
}

void ImB2bua::end_plain_leg(Live& s, Side to) {
  LegState& leg = s.leg(to);
  const auto by = s.core.ended_by();
  const std::string by_name = by && *by != to ? name_of(s.leg(*by).login) : std::string();
  const EndReason reason = s.core.end_reason().value_or(EndReason::Bye);
  (void)send_plain(s, *leg.plain, leg.to, ended_text(by_name, reason, bridge_.idle), std::nullopt,
                   Purpose::PlainNotice, to);
}

void ImB2bua::arm_idle(Live& s) {
  if (!bridges_ || s.core.state() != State::Connected) return;
  if (!s.leg(Side::Initiator).plain && !s.leg(Side::Target).plain) return;
  s.idle_timer.expires_after(bridge_.idle);  // cancels the wait before
  s.idle_timer.async_wait(
      [this, alive = std::weak_ptr<int>(alive_), id = s.id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        Live* live = find(id);
        if (!live || live->core.state() != State::Connected) return;
        spdlog::info("IM session {}: no message for {} s (im.bridge_idle_s): ending it", id,
                     std::chrono::duration_cast<std::chrono::seconds>(bridge_.idle).count());
        run(*live, live->core.on_idle());
      });
}

void ImB2bua::release_bridge_keys(Live& s, bool ended) {
  if (!bridges_ || s.bridge_keys.empty()) return;
  const auto winner = s.core.winner();
  const bool plain_won = winner && *winner < s.branches.size() && s.branches[*winner].plain;
  std::vector<BridgeKey> keep;
  for (auto& k : s.bridge_keys) {
    if (!ended) {
      if (k.initiator || plain_won) {
        keep.push_back(std::move(k));
      } else {
        bridges_->remove(k.login, k.peer, s.id);
      }
      continue;
    }
    // The stock initiator's late replies go to the agent who had it, unless it ended the
    // session itself (then its next message starts a new one).
    const std::string& agent = s.leg(Side::Target).login;
    const bool by_client = s.core.ended_by() == Side::Initiator;
    if (k.initiator && winner && !by_client && !agent.empty() && bridge_.late.count() > 0) {
      bridges_->ended(k.login, k.peer, s.id, agent, clock_() + bridge_.late.count());
    } else {
      bridges_->remove(k.login, k.peer, s.id);
    }
  }
  s.bridge_keys = std::move(keep);
}

// ---- what a plain device sends -------------------------------------------------------------

bool ImB2bua::on_plain_message(const std::string& id, const sip::Message& request,
                               const transport::Origin& origin, const std::string& sender,
                               Reply reply) {
  Live* s = find(id);
  if (!s) return false;
  PlainRole role = PlainRole::Invited;
  bool open = false;
  std::optional<std::size_t> branch;
  LegState& init = s->leg(Side::Initiator);
  if (init.plain && init.login == sender) {
    role = PlainRole::Initiator;
    open = true;
  } else if (s->core.state() == State::Establishing) {
    for (std::size_t i = 0; i < s->branches.size() && !branch; ++i) {
      const BranchLeg& b = s->branches[i];
      if (b.plain && b.plain->binding && b.plain->binding->aor == sender &&
          proxy::same_device(*b.plain->binding, origin) && s->core.branch_open(i))
        branch = i;
    }
    open = branch.has_value();
  } else {
    open = s->leg(Side::Target).plain && s->leg(Side::Target).login == sender;
  }
  const std::string_view type = request.get(HeaderId::ContentType);
  const auto text = plain_text(type, request.body());
  const PlainCommand command = text ? plain_command(*text) : PlainCommand::Text;
  const PlainStep step = plain_step(role, s->core.state(), open, command);
  if (step == PlainStep::NotMine) return false;
  auto answer_with = [&](int status, std::string_view reason = {}) {
    sip::Message rsp = sip::make_response(request, status, reason, util::random_token(10));
    rsp.add(kSessionHeader, id);
    if (status == 415) rsp.add(HeaderId::Accept, "text/plain, message/cpim");
    reply(std::move(rsp));
  };
  if (!is_message_type(type) && !type.empty()) {
    // isComposing (RFC 3994), files ...: nothing a transcript holds; the device hears so.
    spdlog::info("IM session {}: a {} MESSAGE from {}'s plain device refused 415 (call-id {})",
                 s->id, type, sender, request.call_id());
    answer_with(415, "Only Text In This Session");
    return true;
  }
  ++counters_.bridged;
  spdlog::info("IM session {}: MESSAGE from {}'s plain device ({}): {} (call-id {})", s->id,
               sender, role == PlainRole::Initiator ? "initiator" : "invited",
               plain_step_name(step), request.call_id());
  const Side side = role == PlainRole::Initiator ? Side::Initiator : Side::Target;
  if (role == PlainRole::Initiator) init.to = stack::Destination{origin.protocol, origin.source, origin.flow};
  switch (step) {
    case PlainStep::Accept: {
      run(*s, s->core.on_final(*branch, 200));
      // The reply that accepted is the target's first message of the session.
      Live* again = find(id);
      if (!again || again->core.state() != State::Connected) {
        answer_with(481);
        return true;
      }
      relay_message(*again, Side::Target, request, std::move(reply));
      return true;
    }
    case PlainStep::Decline:
      answer_with(200);
      run(*s, s->core.on_final(*branch, 603));
      return true;
    case PlainStep::Relay:
      relay_message(*s, side, request, std::move(reply));
      return true;
    case PlainStep::End:
      answer_with(200);
      if (s->bye_must_wait()) {
        s->bye_after_storing = side;  // its last messages are still being stored or relayed
      } else {
        run(*s, s->core.on_bye(side));
      }
      return true;
    case PlainStep::Withdraw:
      answer_with(200);
      run(*s, s->core.on_initiator_cancel());
      return true;
    case PlainStep::Hold:
      if (s->held.size() >= kMaxHeldMessages) {
        spdlog::warn("IM session {}: {} lines from {} wait for an agent already; refused 503",
                     s->id, s->held.size(), sender);
        sip::Message busy = sip::make_response(request, 503, "Too Many Lines Waiting",
                                               util::random_token(10));
        busy.add(HeaderId::RetryAfter, "30");
        reply(std::move(busy));
        return true;
      }
      // RFC 3428 §7: 202, it is accepted but not delivered yet (no agent has answered).
      answer_with(202);
      s->held.push_back(request);
      return true;
    case PlainStep::NotMine:
      break;
  }
  return false;
}

void ImB2bua::refuse_opening(const sip::Message& request, const std::string& who, int status,
                             std::string_view reason, std::string_view why, const Reply& reply) {
  ++counters_.refused;
  spdlog::info("IM {} refused {} ({}; call-id {})", who, status, why, request.call_id());
  sip::Message rsp = sip::make_response(request, status, reason, util::random_token(10));
  if (status == 503) rsp.add(HeaderId::RetryAfter, "5");
  if (status == 415) rsp.add(HeaderId::Accept, "text/plain, message/cpim");
  reply(std::move(rsp));
}

// In line, offered or ringing: 202, the message is taken in (RFC 3428 §7). A refusal meanwhile
// answered it already, or ended the session.
void ImB2bua::accept_opening(const std::string& id) {
  Live* s = find(id);
  if (!s || !s->opening_reply) return;
  auto reply = std::move(s->opening_reply);
  s->opening_reply = nullptr;
  sip::Message rsp = sip::make_response(s->invite, 202, {}, util::random_token(10));
  rsp.add(kSessionHeader, id);
  reply(std::move(rsp));
}

void ImB2bua::start_bridged(sip::Message request, const transport::Origin& origin,
                            std::string sender, std::string address, QueueTerms queue,
                            routing::Facts facts, Reply reply) {
  const std::string who = sender + " (plain device) -> queue " + queue.number;
  auto refuse_with = [&](int status, std::string_view reason, std::string_view why) {
    refuse_opening(request, who, status, reason, why, reply);
  };
  auto first = first_message(request.get(HeaderId::ContentType), request.body());
  if (!first) return refuse_with(415, "Only Text Opens A Session", first.error().message);
  if (!queues_ || !bridges_) return refuse_with(480, "Queues Not Available", "no queue port");
  if (live_->take(sender, {}, settings_.max_sessions, 0) == LiveSessions::Taken::SwitchFull)
    return refuse_with(503, "Too Many IM Sessions", "im.max_sessions reached");
  Live* s = open(txn::Key{}, std::move(request), origin, sender, Session::queued(),
                 util::random_token(10), true);
  if (!s) return live_->give_back(sender, {});
  const std::string id = s->id;
  if (!bridges_->add(sender, address, BridgeIndex::LiveRef{core_, id})) {
    // Two first messages crossed on two cores: the other one's session takes the next ones.
    refuse_with(486, "Already In A Session", "a session of the same client to the same address");
    live_->give_back(sender, {});
    return forget(id);
  }
  s->bridge_keys.push_back(BridgeKey{sender, address, true});
  s->counted = true;
  s->queued.emplace();
  s->queued->facts = std::move(facts);
  s->queued->skip.push_back(sender);
  s->opening_reply = std::move(reply);
  queues_->session_started(sender);
  ++counters_.started;
  ++counters_.queued;
  spdlog::info("IM session {} started: {} (plain device, pager bridge) -> queue {} at {}, "
               "call-id {}",
               id, sender, queue.number, address, s->invite.call_id());
  record_start(*s, queue.number, *first);
  enter_queue(*s, std::move(queue));
  accept_opening(id);
}

void ImB2bua::start_bridged(sip::Message request, const transport::Origin& origin,
                            std::string sender, std::string address, std::string agent,
                            unsigned agent_capacity, Reply reply) {
  const std::string who = sender + " (plain device) -> " + agent + " via " + address;
  auto refuse_with = [&](int status, std::string_view reason, std::string_view why) {
    refuse_opening(request, who, status, reason, why, reply);
  };
  auto first = first_message(request.get(HeaderId::ContentType), request.body());
  if (!first) return refuse_with(415, "Only Text Opens A Session", first.error().message);
  if (!bridges_) return refuse_with(480, "Sessions Not Available", "the bridge is off");
  switch (live_->take(sender, agent, settings_.max_sessions, agent_capacity)) {
    case LiveSessions::Taken::SwitchFull:
      return refuse_with(503, "Too Many IM Sessions", "im.max_sessions reached");
    case LiveSessions::Taken::TargetFull:
      return refuse_with(486, "At IM Capacity", "the agent is at its IM capacity");
    case LiveSessions::Taken::Ok:
      break;
  }
  const std::vector<store::Binding> devices = session_devices(locator_(agent));
  if (devices.empty()) {
    live_->give_back(sender, agent);
    return refuse_with(480, "Not Logged In", "the agent has no registered contact");
  }
  Live* s = open(txn::Key{}, std::move(request), origin, sender,
                 Session(devices.size(), settings_.invite_timeout), util::random_token(10), true);
  if (!s) return live_->give_back(sender, agent);
  const std::string id = s->id;
  s->leg(Side::Target).login = agent;
  if (!bridges_->add(sender, address, BridgeIndex::LiveRef{core_, id})) {
    refuse_with(486, "Already In A Session", "a session of the same client to the same address");
    live_->give_back(sender, agent);
    return forget(id);
  }
  s->bridge_keys.push_back(BridgeKey{sender, address, true});
  if (add_branches(*s, devices) == 0) {
    refuse_with(480, "No Reachable Device", "no device reachable for its size");
    live_->give_back(sender, agent);
    return forget(id);
  }
  if (s->branches.size() != devices.size()) {
    s->core = Session(s->branches.size(), settings_.invite_timeout);
    const auto again = s->core.stamp_first(s->started_at_ms);
    if (const auto* st = std::get_if<Stamp>(&again)) s->first_stamp = *st;
  }
  s->counted = true;
  s->opening_reply = std::move(reply);
  if (queues_) {
    queues_->session_started(sender);
    queues_->session_started(agent);
  }
  ++counters_.started;
  spdlog::info("IM session {} started: {} (plain device, pager bridge) -> {} via {}, call-id "
               "{}, target call-id {}, {} device(s)",
               id, sender, agent, address, s->invite.call_id(), s->target_call_id,
               s->branches.size());
  record_start(*s, agent, *first);
  run(*s, s->core.start());
  send_branches(*s, 0);
  accept_opening(id);
}

}  // namespace ims::sw::im
