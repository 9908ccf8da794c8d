#include "client/agent.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "client/agent_core.hpp"
#include "client/bodies.hpp"
#include "client/errors.hpp"
#include "client/sip_text.hpp"
#include "common/auth/digest.hpp"
#include "common/sip/builders.hpp"
#include "common/sip/uri.hpp"
#include "common/transport/tls_context.hpp"
#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::client {
namespace detail {
AgentCore::AgentCore(boost::asio::any_io_executor executor, AgentOptions options,
                     AgentEvents& events)
    : executor_(executor),
      options_(std::move(options)),
      events_(&events),
      refresh_timer_(executor),
      publish_timer_(executor) {
  domain_ = options_.domain.empty() ? options_.server_host : options_.domain;
  reg_call_id_ = util::random_token(20);
  reg_tag_ = util::random_token(10);
  register_expires_ = options_.expires;
  pub_call_id_ = util::random_token(20);
  pub_tag_ = util::random_token(10);
  publish_expires_ = options_.publish_expires;
}

AgentCore::~AgentCore() { close(); }

Result<void> AgentCore::open() {
  if (options_.login.empty()) return Error{ClientErrc::BadOptions, "no login given"};
  auto server_ip = transport::parse_ip(options_.server_host);
  if (!server_ip) {
    return Error{ClientErrc::BadOptions,
                 "server host must be an IP address: " + options_.server_host};
  }
  auto local_ip = transport::parse_ip(options_.local_host);
  if (!local_ip) {
    return Error{ClientErrc::BadOptions,
                 "local host must be an IP address: " + options_.local_host};
  }
  server_ = transport::Endpoint::make(*server_ip, options_.server_port);
  const auto protocol = options_.transport;
  if (transport::is_secure(protocol)) {
    transport::TlsClientSettings tls;
    tls.ca_file = options_.tls_ca_file;
    tls.verify_peer = options_.tls_verify;
    auto context = transport::make_client_context(tls);
    if (!context) return Error{ClientErrc::BadOptions, context.error().message};
    options_.stack.transport.tls.client = std::move(*context);
    options_.stack.transport.tls.server_name =
        options_.tls_server_name.empty() ? options_.server_host : options_.tls_server_name;
  }
  stack_ = std::make_unique<stack::Stack>(executor_, options_.stack, *this);
  if (protocol == transport::Protocol::Udp || protocol == transport::Protocol::Tcp) {
    auto bound = stack_->listen(protocol, transport::Endpoint::make(*local_ip, options_.local_port));
    if (!bound) return bound.error();
    local_ = bound->local;
    local_name_ = transport::host_text(local_.address) + ":" + std::to_string(local_.port);
  } else {
    // No listener: the switch answers and calls over our connection.
    local_ = transport::Endpoint::make(*local_ip, 0);
    local_name_ = util::random_token(12) + ".invalid";
  }
  return {};
}

void AgentCore::close() {
  if (closed_) return;
  closed_ = true;
  refresh_timer_.cancel();
  publish_timer_.cancel();
  publish_jobs_.clear();
  for (auto& s : sessions_) s->on_agent_closed();
  sessions_.clear();
  pending_.clear();
  by_key_.clear();
  login_waiters_.clear();
  logout_waiters_.clear();
  if (stack_) stack_->close();
}

std::string AgentCore::uri_of(std::string_view user) const {
  auto ip = transport::parse_ip(domain_);
  return sip::format_sip_uri(user, ip ? transport::host_text(*ip) : domain_);
}

std::string AgentCore::aor() const { return uri_of(options_.login); }

std::string AgentCore::from_value(std::string_view tag) const {
  std::string out;
  if (!options_.display_name.empty()) out = auth::quote(options_.display_name) + " ";
  out += "<" + aor() + ">;tag=" + std::string(tag);
  return out;
}

std::string AgentCore::contact_uri() const {
  const auto protocol = options_.transport;
  const std::string params =
      protocol == transport::Protocol::Udp
          ? std::string()
          : ";transport=" + std::string(transport::protocol_name(protocol));
  if (local_.port == 0) return sip::format_sip_uri(options_.login, local_name_, std::nullopt, params);
  return sip::format_sip_uri(options_.login, transport::host_text(local_.address), local_.port,
                             params);
}

std::string AgentCore::contact_value() const { return "<" + contact_uri() + ">"; }

stack::Destination AgentCore::server() const {
  return stack::Destination{options_.transport, server_, std::nullopt};
}

std::string AgentCore::via_value() const {
  // §8.1.1.7: a branch unique per transaction, with the magic cookie; RFC 3581 rport.
  return fmt::format("SIP/2.0/{} {};rport;branch={}{}", transport::via_token(options_.transport),
                     local_name_, txn::kMagicCookie, util::random_token(16));
}

// ---- requests ---------------------------------------------------------------------------------

void AgentCore::add_credentials(sip::Message& request) {
  // RFC 7616 §3.4: a nonce may be used again with a higher nc, which saves a round trip per
  // request; an expired one comes back as a challenge with stale=true and is retried.
  const bool reg = request.method() == sip::Method::Register;
  DigestState& state = reg ? www_ : proxy_;
  auto credentials = state.next_credentials(options_.login, options_.password,
                                            request.method_text(), request.request_uri());
  if (!credentials) return;
  request.set(reg ? sip::HeaderId::Authorization : sip::HeaderId::ProxyAuthorization, *credentials);
}

Result<txn::Key> AgentCore::transmit(RequestId id, Pending& p) {
  sip::Message m = p.out.build();
  if (m.method() != sip::Method::Cancel) add_credentials(m);
  if (m.find(sip::HeaderId::UserAgent) == std::nullopt) m.add(sip::HeaderId::UserAgent, kUserAgent);
  m.add_front(sip::HeaderId::Via, via_value());
  auto key = stack_->send_request(m, server());
  if (!key) return key.error();
  p.sent = std::move(m);
  p.key = *key;
  by_key_[*key] = id;
  return *key;
}

Result<RequestId> AgentCore::send(Outgoing outgoing) {
  if (closed_) return Error{ClientErrc::Closed, "the agent is closed"};
  const RequestId id = ++last_request_;
  Pending p{std::move(outgoing), sip::Message::request(sip::Method::Unknown, "sip:x"), {}, 0};
  auto key = transmit(id, p);
  if (!key) return Error{ClientErrc::TransportFailed, "not sent: " + key.error().message};
  pending_.emplace(id, std::move(p));
  return id;
}

Result<void> AgentCore::cancel(RequestId id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return Error{ClientErrc::BadState, "the INVITE is already answered"};
  auto destination = stack_->destination_of(it->second.key);
  if (!destination) return Error{ClientErrc::BadState, "the INVITE transaction is gone"};
  // §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via as the INVITE, sent the
  // same way; its answer tells nothing the INVITE's 487 will not.
  sip::Message cancel = sip::make_cancel(it->second.sent);
  auto key = stack_->send_request(std::move(cancel), *destination);
  if (!key) return Error{ClientErrc::TransportFailed, "CANCEL not sent: " + key.error().message};
  return {};
}

Result<void> AgentCore::respond(const txn::Key& server_key, sip::Message response) {
  if (closed_) return Error{ClientErrc::Closed, "the agent is closed"};
  if (response.find(sip::HeaderId::Server) == std::nullopt)
    response.add(sip::HeaderId::Server, kUserAgent);
  auto sent = stack_->respond(server_key, std::move(response));
  if (!sent) return Error{ClientErrc::TransportFailed, sent.error().message};
  return {};
}

sip::Message AgentCore::send_ack(sip::Message ack) {
  ack.add_front(sip::HeaderId::Via, via_value());
  resend(ack);
  return ack;
}

void AgentCore::resend(const sip::Message& ack) {
  if (closed_) return;
  auto sent = stack_->send_stateless(ack, server());
  (void)sent;  // a lost ACK is repaired by the 2xx retransmission (§13.3.1.4)
}

void AgentCore::finish(RequestId id, Result<sip::Message> final) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (p.out.on_final) p.out.on_final(std::move(final), p.sent);
}

void AgentCore::on_response(const txn::Key& client, sip::Message response) {
  auto k = by_key_.find(client);
  if (k == by_key_.end()) return on_stray_response(std::move(response), {});
  const RequestId id = k->second;
  auto it = pending_.find(id);
  if (it == pending_.end()) {
    by_key_.erase(k);
    return;
  }
  Pending& p = it->second;
  const int status = response.status();
  if (status < 200) {
    if (p.out.on_provisional) p.out.on_provisional(response);
    return;
  }
  by_key_.erase(k);
  if ((status == 401 || status == 407) && p.sent.method() != sip::Method::Cancel) {
    auto challenge = choose_challenge(response);
    if (challenge && worth_answering(*challenge, p.challenges)) {
      (status == 401 ? www_ : proxy_).on_challenge(std::move(*challenge));
      ++p.challenges;
      auto key = transmit(id, p);
      if (key) return;
    }
  }
  finish(id, std::move(response));
}

void AgentCore::on_client_failure(const txn::Key& client, txn::Failure failure) {
  auto k = by_key_.find(client);
  if (k == by_key_.end()) return;
  const RequestId id = k->second;
  by_key_.erase(k);
  Error error =
      failure == txn::Failure::Timeout
          ? Error{ClientErrc::NoAnswer, "no answer from " + transport::to_string(server_)}
          : Error{ClientErrc::TransportFailed, cannot_reach()};
  // A send that fails at once reports from inside Stack::send_request, before transmit() has
  // recorded the request: finish it on a later turn of the strand.
  post([id, error = std::move(error)](AgentCore& self) { self.finish(id, error); });
}

std::string AgentCore::cannot_reach() const {
  std::string text = "cannot reach " + transport::to_string(server_);
  const std::string why = stack_->transport().setup_failure(server_);
  if (!why.empty()) text += " (" + why + ")";
  return text;
}

void AgentCore::on_stray_response(sip::Message response, const transport::Origin&) {
  // A 2xx to our INVITE retransmitted after the transaction ended: ACK it again (§13.2.2.4).
  auto cseq = response.cseq();
  if (response.status() / 100 != 2 || !cseq || cseq->method != sip::Method::Invite) return;
  if (auto s = session_of(response.call_id())) s->on_stray_2xx(response);
}

// ---- incoming requests ------------------------------------------------------------------------

void AgentCore::answer(const txn::Key& server_key, const sip::Message& request, int status,
                       std::string_view reason) {
  sip::Message rsp = sip::make_response(request, status, reason, util::random_token(10));
  if (status == 405 || (request.method() == sip::Method::Options && status == 200)) {
    rsp.add(sip::HeaderId::Allow, kAllow);
  }
  (void)respond(server_key, std::move(rsp));
}

void AgentCore::on_request(const txn::Key& server_key, sip::Message request,
                           const transport::Origin&) {
  if (closed_) return;
  if (!request.to_tag().empty()) {
    auto s = session_of(request.call_id());
    if (s && s->owns_dialog(request))
      return s->on_in_dialog_request(server_key, std::move(request));
    if (request.method() == sip::Method::Options) return answer(server_key, request, 200);
    return answer(server_key, request, 481);  // §12.2.2
  }
  switch (request.method()) {
    case sip::Method::Message: return on_pager_request(server_key, request);
    case sip::Method::Invite: return on_invite(server_key, request);
    case sip::Method::Options: return answer(server_key, request, 200);
    case sip::Method::Bye:
    case sip::Method::Cancel: return answer(server_key, request, 481);
    case sip::Method::Ack:
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
  answer(server_key, request, 405);
}

void AgentCore::on_invite(const txn::Key& server_key, const sip::Message& request) {
  if (session_of(request.call_id())) return answer(server_key, request, 482);  // a loop
  auto session = ImSession::incoming(shared_from_this(), server_key, request);
  if (!session) return;  // answered already (400)
  sessions_.push_back(session);
  post_invitation(session);
}

void AgentCore::on_ack(sip::Message ack, const transport::Origin&) {
  if (auto s = session_of(ack.call_id())) s->on_ack(ack);
}

void AgentCore::on_cancel(const txn::Key& invite, const sip::Message& cancel) {
  for (auto& s : sessions_) {
    if (s->invitation_key_is(invite)) return s->on_cancel(cancel);
  }
}

void AgentCore::on_server_failure(const txn::Key& server_key, txn::Failure) {
  for (auto& s : sessions_) {
    if (s->invitation_key_is(server_key)) return s->on_server_failure(server_key);
  }
}

// ---- sessions ---------------------------------------------------------------------------------

std::shared_ptr<ImSession> AgentCore::new_session() {
  auto s = std::make_shared<ImSession>(ImSession::Private{}, weak_from_this(), options_.login,
                                       Role::Initiator);
  if (!closed_) sessions_.push_back(s);
  return s;
}

std::vector<std::shared_ptr<ImSession>> AgentCore::sessions() const { return sessions_; }

void AgentCore::adopt(const std::shared_ptr<ImSession>& session) {
  if (std::find(sessions_.begin(), sessions_.end(), session) == sessions_.end()) {
    sessions_.push_back(session);
  }
}

void AgentCore::forget(const ImSession& session) {
  std::erase_if(sessions_, [&](const auto& s) { return s.get() == &session; });
}

std::shared_ptr<ImSession> AgentCore::session_of(std::string_view call_id) const {
  for (const auto& s : sessions_) {
    if (!s->call_id().empty() && s->call_id() == call_id) return s;
  }
  return nullptr;
}

void AgentCore::post_state(const std::shared_ptr<ImSession>& s, SessionStatus status) {
  post([s, status](AgentCore& self) { self.events_->on_session_state(s, status); });
}

void AgentCore::post_provisional(const std::shared_ptr<ImSession>& s, int status) {
  post([s, status](AgentCore& self) { self.events_->on_session_provisional(s, status); });
}

void AgentCore::post_entry(const std::shared_ptr<ImSession>& s, TranscriptEntry entry) {
  post([s, entry = std::move(entry)](AgentCore& self) {
    self.events_->on_transcript_entry(s, entry);
  });
}

void AgentCore::post_invitation(const std::shared_ptr<ImSession>& s) {
  post([s](AgentCore& self) { self.events_->on_invitation(s); });
}

}  // namespace detail

// ---- Agent ------------------------------------------------------------------------------------

Result<std::unique_ptr<Agent>> Agent::create(boost::asio::any_io_executor executor,
                                             AgentOptions options, AgentEvents& events) {
  auto core = std::make_shared<detail::AgentCore>(executor, std::move(options), events);
  auto opened = core->open();
  if (!opened) return opened.error();
  return std::unique_ptr<Agent>(new Agent(std::move(core)));
}

Agent::Agent(std::shared_ptr<detail::AgentCore> core) : core_(std::move(core)) {}
Agent::~Agent() { close(); }

const AgentOptions& Agent::options() const { return core_->options(); }
std::string Agent::aor() const { return core_->aor(); }
transport::Endpoint Agent::local_endpoint() const { return core_->local_endpoint(); }
bool Agent::logged_in() const { return core_->logged_in(); }
std::uint64_t Agent::retransmissions() const { return core_->retransmissions(); }
void Agent::login(LoginCallback done) { core_->login(std::move(done)); }
void Agent::logout(DoneCallback done) { core_->logout(std::move(done)); }
void Agent::send_pager(std::string_view target, std::string text, PagerCallback done) {
  core_->send_pager(target, std::move(text), std::move(done));
}
void Agent::set_ready(StateCallback done) {
  core_->set_agent_state(AgentState{Presence::Ready, {}}, std::move(done));
}
void Agent::set_not_ready(std::string reason, StateCallback done) {
  core_->set_agent_state(AgentState{Presence::NotReady, std::move(reason)}, std::move(done));
}
std::optional<AgentState> Agent::agent_state() const { return core_->agent_state(); }
std::shared_ptr<ImSession> Agent::new_session() { return core_->new_session(); }

Result<std::shared_ptr<ImSession>> Agent::consult(const Interaction& from, std::string_view target,
                                                  std::string first_text) {
  auto session = core_->new_session();
  if (auto started = session->start(target, std::move(first_text), from); !started) {
    core_->forget(*session);
    return started.error();
  }
  return session;
}
std::vector<std::shared_ptr<ImSession>> Agent::sessions() const { return core_->sessions(); }
void Agent::close() { core_->close(); }

}  // namespace ims::client
