#include "client/im_session.hpp"

#include <fmt/format.h>

#include "client/agent_core.hpp"
#include "client/bodies.hpp"
#include "client/errors.hpp"
#include "client/interaction.hpp"
#include "client/sip_text.hpp"
#include "common/sip/builders.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::client {
namespace {

using detail::kAllow;
using detail::kTextPlain;
using detail::user_of;

// RFC 3326: `SIP;cause=408;text="..."`. The cause, and the text into *text.
int reason_cause(std::string_view value, std::string* text) {
  const auto semi = value.find(';');
  if (semi == std::string_view::npos) return 0;
  sip::Params params(value.substr(semi));
  if (auto t = params.get("text")) *text = sip::unquote(*t);
  if (auto c = params.get("cause")) return static_cast<int>(util::parse_uint(*c, 999).value_or(0));
  return 0;
}

std::uint64_t session_version() {
  return static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() /
                                    std::chrono::seconds(1));
}

}  // namespace

ImSession::ImSession(Private, std::weak_ptr<detail::AgentCore> core, std::string me, Role role)
    : core_(std::move(core)), me_(std::move(me)), machine_(role) {}

ImSession::~ImSession() = default;

SessionStatus ImSession::status() const {
  return SessionStatus{machine_.state(), machine_.reason(), machine_.queue_position()};
}

const std::string& ImSession::initiator() const {
  return machine_.role() == Role::Initiator ? me_ : peer_;
}

std::shared_ptr<detail::AgentCore> ImSession::core_or_null() const {
  auto core = core_.lock();
  if (!core || core->closed()) return nullptr;
  return core;
}

Error ImSession::closed_error() const { return Error{ClientErrc::Closed, "the agent is closed"}; }

void ImSession::changed() {
  if (auto core = core_or_null()) core->post_state(shared_from_this(), status());
}

// ---- initiator ----------------------------------------------------------------------------------

Result<void> ImSession::start(std::string_view target, std::string first_text,
                              const Interaction& from) {
  return start(target, std::move(first_text), from.to_json());
}

Result<void> ImSession::start(std::string_view target, std::string first_text,
                              std::optional<std::string> case_json) {
  auto core = core_or_null();
  if (!core) return closed_error();
  if (target.empty()) return Error{ClientErrc::BadOptions, "no target"};
  if (auto ok = machine_.start(); !ok) return ok;
  peer_ = std::string(target);
  first_text_ = std::move(first_text);
  case_json_ = std::move(case_json);
  call_id_ = util::random_token(20);
  local_tag_ = util::random_token(10);
  core->adopt(shared_from_this());

  detail::Outgoing out;
  out.build = [self = shared_from_this(), core = core.get()] {
    const std::string uri = core->uri_of(self->peer_);
    sip::Message m = sip::Message::request(sip::Method::Invite, uri);
    m.add(sip::HeaderId::MaxForwards, "70");
    m.add(sip::HeaderId::From, core->from_value(self->local_tag_));
    m.add(sip::HeaderId::To, "<" + uri + ">");
    m.add(sip::HeaderId::CallId, self->call_id_);
    // §22.2: a retry after a challenge is a new request of the same dialog attempt: CSeq + 1.
    self->invite_cseq_ += 1;
    m.add(sip::HeaderId::CSeq, fmt::format("{} INVITE", self->invite_cseq_));
    m.add(sip::HeaderId::Contact, core->contact_value());
    m.add(sip::HeaderId::Allow, kAllow);
    const std::string sdp = sdp_without_media(
        core->login(), transport::host_text(core->local_endpoint().address), session_version(), 1);
    Body body = invite_body(sdp, self->first_text_, self->case_json_);
    m.set_body(body.text, body.content_type);
    return m;
  };
  std::weak_ptr<ImSession> weak = shared_from_this();
  out.on_provisional = [weak](const sip::Message& rsp) {
    if (auto self = weak.lock()) self->on_invite_provisional(rsp);
  };
  out.on_final = [weak](Result<sip::Message> final, const sip::Message& sent) {
    if (auto self = weak.lock()) self->on_invite_final(std::move(final), sent);
  };
  auto id = core->send(std::move(out));
  if (!id) {
    machine_.on_failure(EndReason::Failed);
    end_detail_ = id.error().message;
    changed();
    return {};  // the session exists and says why it failed
  }
  invite_request_ = *id;
  changed();
  return {};
}

void ImSession::on_invite_provisional(const sip::Message& response) {
  // §9.1: a CANCEL waits for a provisional response, so it cannot overtake its INVITE.
  provisional_seen_ = true;
  if (cancel_wanted_ && !cancel_sent_) send_cancel_now();
  if (auto core = core_or_null(); core && response.status() > 100) {
    core->post_provisional(shared_from_this(), response.status());
  }
  if (machine_.on_provisional(response.status(), response.reason())) changed();
}

void ImSession::send_cancel_now() {
  auto core = core_or_null();
  if (!core) return;
  cancel_sent_ = true;
  (void)core->cancel(invite_request_);  // a lost race ends in the INVITE's own answer
}

void ImSession::on_invite_final(Result<sip::Message> final, const sip::Message& sent) {
  auto core = core_or_null();
  if (!core) return;
  if (!final) {
    end_detail_ = final.error().message;
    if (machine_.on_failure(machine_.cancelling() ? EndReason::Cancelled : EndReason::Failed)) {
      changed();
    }
    return;
  }
  const sip::Message& rsp = *final;
  if (rsp.status() / 100 != 2) {
    end_detail_ = fmt::format("{} {}", rsp.status(), rsp.reason());
    if (machine_.on_final_failure(rsp.status())) changed();
    return;
  }
  // §13.2.2.4: the 2xx makes the dialog; the ACK goes outside any transaction.
  auto d = dialog::Dialog::from_uac(sent, rsp);
  if (!d) {
    end_detail_ = "unusable 2xx: " + d.error().message;
    if (machine_.on_failure(EndReason::Failed)) changed();
    return;
  }
  dialog_ = std::move(*d);
  const std::uint32_t cseq = sent.cseq() ? sent.cseq()->number : invite_cseq_;
  ack_ = core->send_ack(dialog_->make_ack(cseq));
  if (!machine_.on_answered()) {
    // We cancelled and the answer crossed the CANCEL: take the session down again (§15).
    send_bye();
    changed();
    return;
  }
  switch_id_ = std::string(util::trim(rsp.find(kSessionHeader).value_or("")));
  // A queue or routing point was invited: the switch names the agent who took it (RFC 3325).
  if (auto asserted = rsp.find(kAssertedIdentity)) {
    auto addr = sip::parse_name_addr(*asserted);
    std::string who = addr ? user_of(std::optional<sip::NameAddr>(*addr)) : std::string();
    if (!who.empty()) {
      queue_ = peer_;
      peer_ = std::move(who);
    }
  }
  stamp_first_text(rsp, Direction::Sent);
  changed();
}

void ImSession::stamp_first_text(const sip::Message& carrier, Direction direction) {
  auto value = carrier.find(kStampHeader);
  if (!value || first_text_.empty()) return;
  auto stamp = parse_stamp(*value);
  if (!stamp) return;
  TranscriptEntry e{direction == Direction::Sent ? me_ : peer_, stamp->time, stamp->seq, direction,
                    first_text_};
  if (transcript_.add(e)) {
    if (auto core = core_or_null()) core->post_entry(shared_from_this(), std::move(e));
  }
}

void ImSession::on_stray_2xx(const sip::Message&) {
  if (ack_) {
    if (auto core = core_or_null()) core->resend(*ack_);
  }
}

void ImSession::send_bye(EndCallback done) {
  auto core = core_or_null();
  if (!core || !dialog_) return;
  detail::Outgoing out;
  out.build = [self = shared_from_this()] { return self->dialog_->make_request(sip::Method::Bye); };
  if (done) {
    out.on_final = [done](Result<sip::Message> final, const sip::Message&) {
      if (!final) return done(final.error());
      done(final->status());
    };
  }
  // The session is over whatever the answer; done only hears it.
  if (auto sent = core->send(std::move(out)); !sent && done) {
    core->post([done, e = sent.error()](detail::AgentCore&) { done(e); });
  }
}

// ---- recipient ----------------------------------------------------------------------------------

std::shared_ptr<ImSession> ImSession::incoming(const std::shared_ptr<detail::AgentCore>& core,
                                               const txn::Key& server, const sip::Message& invite) {
  auto refuse = [&](int status, std::string_view phrase) {
    (void)core->respond(server, sip::make_response(invite, status, phrase, util::random_token(10)));
    return nullptr;
  };
  auto content = read_invitation(invite.get(sip::HeaderId::ContentType), invite.body());
  if (!content) return refuse(400, "Unreadable IM Invitation Body");
  auto s = std::make_shared<ImSession>(Private{}, core, core->login(), Role::Recipient);
  s->local_tag_ = util::random_token(10);
  auto d = dialog::Dialog::from_uas(invite, s->local_tag_, core->contact_value());
  if (!d) return refuse(400, "Bad Dialog Request");
  s->dialog_ = std::move(*d);
  s->peer_ = user_of(invite.from());
  s->first_text_ = std::move(content->first_text);
  s->case_json_ = std::move(content->case_json);
  s->call_id_ = std::string(invite.call_id());
  s->switch_id_ = std::string(util::trim(invite.find(kSessionHeader).value_or("")));
  s->invite_server_ = server;
  s->invite_ = invite;
  // §13.3.1.1: alerting; the To tag makes the early dialog ours.
  sip::Message ringing = sip::make_response(invite, 180, {}, s->local_tag_);
  ringing.add(sip::HeaderId::Contact, core->contact_value());
  (void)core->respond(server, std::move(ringing));
  s->stamp_first_text(invite, Direction::Received);
  return s;
}

Result<void> ImSession::accept() {
  auto core = core_or_null();
  if (!core) return closed_error();
  if (auto ok = machine_.accept(); !ok) return ok;
  sip::Message ok = sip::make_response(*invite_, 200, {}, local_tag_);
  ok.add(sip::HeaderId::Contact, core->contact_value());
  ok.add(sip::HeaderId::Allow, kAllow);
  // RFC 3264 §6: the answer to an offer without media has none either.
  ok.set_body(sdp_without_media(core->login(), transport::host_text(core->local_endpoint().address),
                                session_version(), 1),
              "application/sdp");
  auto sent = core->respond(*invite_server_, std::move(ok));
  if (!sent) {
    end_detail_ = sent.error().message;
    machine_.on_failure(EndReason::Failed);
  }
  changed();
  return {};
}

Result<void> ImSession::reject() {
  auto core = core_or_null();
  if (!core) return closed_error();
  if (auto ok = machine_.reject(); !ok) return ok;
  (void)core->respond(*invite_server_, sip::make_response(*invite_, 603, {}, local_tag_));
  changed();
  return {};
}

void ImSession::on_ack(const sip::Message&) { acked_ = true; }

void ImSession::on_cancel(const sip::Message& cancel) {
  auto core = core_or_null();
  if (!core || !machine_.establishing()) return;
  // §9.2: the INVITE is answered 487; RFC 3326's Reason says why the switch gave up on us.
  (void)core->respond(*invite_server_, sip::make_response(*invite_, 487, {}, local_tag_));
  std::string text;
  const int cause = reason_cause(cancel.get(sip::HeaderId::Reason), &text);
  end_detail_ = text;
  if (machine_.on_remote_cancel(cause == 408 ? EndReason::TimedOut : EndReason::Cancelled)) {
    changed();
  }
}

void ImSession::on_server_failure(const txn::Key&) {
  // §13.3.1.4: no ACK for our 2xx; the UAS ends the dialog.
  if (machine_.state() == SessionState::Connected) {
    send_bye();
    end_detail_ = "no ACK for the 200";
    if (machine_.on_failure(EndReason::Failed)) changed();
  }
}

// ---- both ---------------------------------------------------------------------------------------

bool ImSession::owns_dialog(const sip::Message& request) const {
  if (!dialog_) return false;
  auto id = dialog::id_of_received_request(request);
  return id && *id == dialog_->id();
}

void ImSession::on_in_dialog_request(const txn::Key& server, sip::Message request) {
  auto core = core_or_null();
  if (!core) return;
  auto answer = [&](int status, std::string_view phrase = {}) {
    sip::Message rsp = sip::make_response(request, status, phrase);
    if (status == 405) rsp.add(sip::HeaderId::Allow, kAllow);
    (void)core->respond(server, std::move(rsp));
  };
  if (auto refusal = dialog_->on_request(request)) return answer(refusal->status, refusal->reason);
  switch (request.method()) {
    case sip::Method::Bye:
      answer(200);
      if (machine_.on_remote_bye()) changed();
      return;
    case sip::Method::Message: {
      if (machine_.state() == SessionState::Ended || machine_.state() == SessionState::Done) {
        return answer(481);
      }
      auto text = message_text(request.get(sip::HeaderId::ContentType), request.body());
      if (!text) return answer(415);
      answer(200);
      TranscriptEntry e{peer_, std::chrono::system_clock::now(), 0, Direction::Received,
                        std::move(*text)};
      if (auto value = request.find(kStampHeader)) {
        if (auto stamp = parse_stamp(*value)) {
          e.time = stamp->time;
          e.seq = stamp->seq;
        }
      }
      if (e.seq == 0) e.seq = transcript_.empty() ? 1 : transcript_.entries().back().seq + 1;
      if (transcript_.add(e)) core->post_entry(shared_from_this(), std::move(e));
      return;
    }
    case sip::Method::Invite:
      // A re-INVITE (voice consultation, m=audio) is not handled by this library; RFC 3261
      // §14.2 lets the session go on unchanged.
      return answer(488);
    case sip::Method::Options: return answer(200);
    case sip::Method::Ack:
    case sip::Method::Cancel:
    case sip::Method::Register:
    case sip::Method::Info:
    case sip::Method::Update:
    case sip::Method::Prack:
    case sip::Method::Subscribe:
    case sip::Method::Notify:
    case sip::Method::Publish:
    case sip::Method::Refer:
    case sip::Method::Unknown: break;
  }
  answer(405);
}

Result<void> ImSession::send(std::string text, SendCallback done) {
  auto core = core_or_null();
  if (!core) return closed_error();
  if (auto ok = machine_.check_send(); !ok) return ok;
  detail::Outgoing out;
  out.build = [self = shared_from_this(), text] {
    sip::Message m = self->dialog_->make_request(sip::Method::Message);
    m.set_body(text, kTextPlain);
    return m;
  };
  std::weak_ptr<ImSession> weak = shared_from_this();
  out.on_final = [weak, text, done](Result<sip::Message> final, const sip::Message&) {
    auto self = weak.lock();
    if (!self) return;
    auto host = self->core_or_null();
    if (!host) return;
    auto complete = [&](Result<TranscriptEntry> r) {
      if (done) host->post([done, r](detail::AgentCore&) { done(r); });
    };
    if (!final) return complete(final.error());
    const sip::Message& rsp = *final;
    if (rsp.status() / 100 != 2) {
      // §12.2.1.2: 481 or 408 to an in-dialog request ends the dialog.
      if (rsp.status() == 481 || rsp.status() == 408) {
        self->end_detail_ = fmt::format("{} {}", rsp.status(), rsp.reason());
        if (self->machine_.on_failure(EndReason::Failed)) self->changed();
      }
      return complete(
          Error{ClientErrc::Refused, fmt::format("{} {}", rsp.status(), rsp.reason()), rsp.status()});
    }
    TranscriptEntry e{self->me_, std::chrono::system_clock::now(), 0, Direction::Sent, text};
    if (auto value = rsp.find(kStampHeader)) {
      if (auto stamp = parse_stamp(*value)) {
        e.time = stamp->time;
        e.seq = stamp->seq;
      }
    }
    if (e.seq == 0) {
      e.seq = self->transcript_.empty() ? 1 : self->transcript_.entries().back().seq + 1;
    }
    if (self->transcript_.add(e)) host->post_entry(self, e);
    complete(e);
  };
  auto id = core->send(std::move(out));
  if (!id) return id.error();
  return {};
}

Result<void> ImSession::end(EndCallback done) {
  auto core = core_or_null();
  if (!core) return closed_error();
  auto action = machine_.end();
  if (!action) return action.error();
  switch (*action) {
    case SessionMachine::EndAction::Cancel:
      cancel_wanted_ = true;
      if (provisional_seen_) send_cancel_now();
      if (done) core->post([done](detail::AgentCore&) { done(200); });
      return {};  // Ended(Cancelled) comes with the INVITE's answer
    case SessionMachine::EndAction::Bye: send_bye(std::move(done)); break;
    case SessionMachine::EndAction::Decline:
      (void)core->respond(*invite_server_, sip::make_response(*invite_, 603, {}, local_tag_));
      if (done) core->post([done](detail::AgentCore&) { done(603); });
      break;
  }
  changed();
  return {};
}

Result<void> ImSession::done() {
  auto core = core_or_null();
  if (auto ok = machine_.done(); !ok) return ok;
  if (core) {
    core->forget(*this);
    changed();
  }
  return {};
}

void ImSession::on_agent_closed() {
  if (machine_.on_failure(EndReason::Failed)) end_detail_ = "the agent closed";
}

}  // namespace ims::client
