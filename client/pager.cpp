// AgentCore's pager messages (RFC 3428): sending, and receiving with copies marked.
#include <algorithm>

#include <fmt/format.h>

#include "client/agent_core.hpp"
#include "client/bodies.hpp"
#include "client/errors.hpp"
#include "client/sip_text.hpp"
#include "common/sip/builders.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::client::detail {

void AgentCore::send_pager(std::string_view target, std::string text, Agent::PagerCallback done) {
  auto complete = [this, done](Result<int> r) {
    if (done) post([done, r](AgentCore&) { done(r); });
  };
  if (target.empty()) return complete(Error{ClientErrc::BadOptions, "no target"});
  Outgoing out;
  out.build = [this, uri = uri_of(target), text = std::move(text), call_id = util::random_token(20),
               tag = util::random_token(10), cseq = std::uint32_t{0}]() mutable {
    sip::Message m = sip::Message::request(sip::Method::Message, uri);
    m.add(sip::HeaderId::MaxForwards, "70");
    m.add(sip::HeaderId::From, from_value(tag));
    m.add(sip::HeaderId::To, "<" + uri + ">");
    m.add(sip::HeaderId::CallId, call_id);
    m.add(sip::HeaderId::CSeq, fmt::format("{} MESSAGE", ++cseq));
    m.set_body(text, "text/plain;charset=utf-8");
    return m;
  };
  out.on_final = [complete](Result<sip::Message> final, const sip::Message&) {
    if (!final) return complete(final.error());
    if (final->status() / 100 == 2) return complete(final->status());
    complete(Error{ClientErrc::Refused, status_line(*final), final->status()});
  };
  auto id = send(std::move(out));
  if (!id) complete(id.error());
}

void AgentCore::on_pager_request(const txn::Key& server_key, const sip::Message& request) {
  PagerMessage m;
  m.from = user_of(request.from());
  m.to = user_of(request.to());
  m.content_type = std::string(request.get(sip::HeaderId::ContentType));
  m.body = std::string(request.body());
  auto text = message_text(m.content_type, m.body);
  if (!text) {
    // RFC 3428 §7: a type we cannot show is refused with 415.
    sip::Message rsp = sip::make_response(request, 415, {}, util::random_token(10));
    rsp.add(sip::HeaderId::Accept, "text/plain, message/cpim");
    (void)respond(server_key, std::move(rsp));
    return;
  }
  m.text = std::move(*text);
  m.copy = util::iequals(util::trim(request.find(kCopyHeader).value_or("")), "sent");
  answer(server_key, request, 200);
  post([m = std::move(m)](AgentCore& self) { self.events_->on_pager_message(m); });
}

}  // namespace ims::client::detail
