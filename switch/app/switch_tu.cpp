#include "switch/app/switch_tu.hpp"

#include <algorithm>

#include <boost/asio/ip/udp.hpp>
#include <spdlog/spdlog.h>

#include "common/util/random.hpp"
#include "switch/app/responder.hpp"

namespace ims::sw::app {

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// The source limiter's clock: monotonic milliseconds.
std::int64_t mono_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SwitchTu::SwitchTu(boost::asio::any_io_executor strand, store::Store& store,
                   std::shared_ptr<const directory::Directory> directory, SharedState& shared,
                   TuSettings settings, std::size_t core)
    : strand_(strand),
      store_(&store),
      directory_(std::move(directory)),
      shared_(&shared),
      core_(core),
      authn_(shared.verifier, settings.md5_only_user_agents),
      settings_(settings),
      limiter_(settings.source_limit),
      sweep_timer_(strand) {}

SwitchTu::~SwitchTu() = default;

void SwitchTu::attach(stack::Stack& stack) {
  stack_ = &stack;
  pager_ = std::make_unique<proxy::PagerProxy>(
      strand_, stack, *store_,
      [this](std::string_view login) { return lookup(login); },
      [this](transport::Protocol p, const transport::Endpoint& to) { return sent_by(p, to); },
      settings_.pager);
  im_ = std::make_unique<im::ImB2bua>(
      strand_, stack, *store_, shared_->im_sessions,
      [this](std::string_view login) { return lookup(login); },
      [this](transport::Protocol p, const transport::Endpoint& to) { return sent_by(p, to); },
      [] { return unix_now_ms(); }, settings_.im);
  if (shared_->queues) im_->set_queue_port(&shared_->queues->port(core_));
  // Stock clients' devices take part in sessions through pager MESSAGEs (PRODUCT §4b).
  im_->set_bridge(&shared_->bridges, core_, settings_.bridge, [this](std::string_view login) {
    const directory::Agent* a = directory_->agent(login);
    return a ? a->shown_name() : std::string();
  });
  im_->set_unplaced([this](const std::string& sender, const im::Unplaced& where,
                           std::vector<sip::Message> lines) {
    keep_unplaced(sender, where, std::move(lines));
  });
  notifier_ = std::make_unique<PresenceNotifier>(
      strand_, stack, *shared_, authn_, directory_, settings_.subscribe,
      [this](transport::Protocol p, const transport::Endpoint& to) { return sent_by(p, to); },
      [this](const txn::Key& server, sip::Message response) { send(server, std::move(response)); });
}

void SwitchTu::update_reachable(const std::string& login) {
  // Logged in or out: what its watchers see may change (subscribe.hpp).
  if (shared_->on_watched) shared_->on_watched(login);
  if (!shared_->queues) return;
  bool capable = false;
  for (const auto& b : lookup(login)) capable = capable || b.session_capable;
  shared_->queues->set_reachable(login, capable);
}

Result<std::size_t> SwitchTu::load_bindings() {
  auto loaded = store_->load_bindings();
  if (!loaded) return loaded.error();
  const std::size_t n = loaded->size();
  std::vector<std::string> logins;
  for (const auto& b : *loaded) logins.push_back(b.aor);
  shared_->bindings.with([&](registrar::BindingTable& t) { t.load(std::move(*loaded)); });
  std::sort(logins.begin(), logins.end());
  logins.erase(std::unique(logins.begin(), logins.end()), logins.end());
  for (const auto& login : logins) update_reachable(login);
  return n;
}

std::vector<store::Binding> SwitchTu::lookup(std::string_view login) const {
  const std::int64_t now = unix_now_ms();
  return shared_->bindings.with(
      [&](const registrar::BindingTable& t) { return t.lookup(login, now); });
}

void SwitchTu::deliver_stored(const std::string& login) {
  if (shared_->cores <= 1 || !shared_->on_core) {
    if (pager_) pager_->deliver_stored(login);
    return;
  }
  // One core delivers a login's stored messages, whichever core took the registration: two
  // devices registering at once on two cores must not get each message twice.
  const std::size_t owner = std::hash<std::string>{}(login) % shared_->cores;
  shared_->on_core(owner, [login](SwitchTu& tu) {
    if (!tu.stopped_ && tu.pager_) tu.pager_->deliver_stored(login);
  });
}

void SwitchTu::start() {
  if (core_ != 0) return;  // the sweep and the start-up work are core 0's
  if (!started_) {
    started_ = true;
    requeue_stored_messages();
    // Sessions the previous process left live ended with it (PRODUCT §4: the record says so).
    store_->end_live_sessions(unix_now_ms(), "switch-restart", [](Result<std::size_t> r) {
      if (!r) {
        spdlog::error("IM sessions left live by the previous run not closed: {}",
                      r.error().message);
      } else if (*r > 0) {
        spdlog::info("{} IM session(s) left live by the previous run recorded as ended", *r);
      }
    });
  }
  sweep_timer_.expires_after(settings_.sweep_interval);
  sweep_timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired() || stopped_) return;
    sweep();
    start();
  });
}

void SwitchTu::stop() {
  stopped_ = true;
  sweep_timer_.cancel();
  pager_.reset();
  if (notifier_) notifier_->stop();
  if (im_) im_->stop();
  im_.reset();
}

void SwitchTu::set_directory(std::shared_ptr<const directory::Directory> directory) {
  directory_ = std::move(directory);
  if (notifier_) notifier_->set_directory(directory_);
}

void SwitchTu::on_request(const txn::Key& server, sip::Message request,
                          const transport::Origin& origin) {
  if (!stack_ || stopped_) return;
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{} {} from {}/{} (call-id {})", request.method_text(), request.request_uri(),
                  transport::protocol_name(origin.protocol), transport::to_string(origin.source),
                  request.call_id());
  }
  // A source that has not authenticated lately gets a bounded rate of requests that need
  // credentials (a flood of REGISTERs and MESSAGEs with none, or wrong ones, must not take the
  // core from the agents); a successful authentication lifts the limit for it.
  const bool gated = limiter_.enabled() && needs_credentials(request);
  std::uint64_t authenticated_before = 0;
  if (gated) {
    const auto now = mono_ms();
    if (!limiter_.admit(origin.source, now)) return shed_unauthenticated(server, request, origin);
    authenticated_before = authn_.counters().authenticated;
  }
  dispatch(server, std::move(request), origin);
  if (gated && authn_.counters().authenticated != authenticated_before)
    limiter_.trust(origin.source, mono_ms());
}

bool SwitchTu::vouches_for(const transport::Origin& origin) {
  return limiter_.trusted(origin.source, mono_ms());
}

bool SwitchTu::needs_credentials(const sip::Message& request) {
  switch (request.method()) {
    case sip::Method::Register:
    case sip::Method::Subscribe:
      return true;
    case sip::Method::Message:
    case sip::Method::Invite:
    case sip::Method::Publish:
      return request.to_tag().empty();  // in a session's dialog the B2BUA knows the peer
    case sip::Method::Ack:
    case sip::Method::Bye:
    case sip::Method::Cancel:
    case sip::Method::Options:
    case sip::Method::Info:
    case sip::Method::Update:
    case sip::Method::Prack:
    case sip::Method::Notify:
    case sip::Method::Refer:
    case sip::Method::Unknown:
      return false;
  }
  return false;
}

void SwitchTu::shed_unauthenticated(const txn::Key& server, const sip::Message& request,
                                    const transport::Origin& origin) {
  // Over UDP the request is dropped: an answer costs a send, would feed the flood, and could go
  // to a forged source address (a 401 is larger than the request that asked for it). Over a
  // connection the source is real and would otherwise wait for its timeout: 503 with
  // Retry-After.
  const bool udp = origin.protocol == transport::Protocol::Udp;
  auto done = udp ? stack_->discard(server)
                  : stack_->reject_overloaded(server, request, "Too Many Unauthenticated Requests");
  // Until the source's bucket has a token again its requests are dropped before parsing.
  if (udp) {
    const auto token = std::chrono::duration<double>(1.0 / limiter_.settings().per_second);
    stack_->transport().block_requests(
        origin.source, std::chrono::steady_clock::now() +
                           std::chrono::duration_cast<std::chrono::steady_clock::duration>(token));
  }
  if (!done) spdlog::debug("shed request not dropped: {}", done.error().message);
  ++limit_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - limit_logged_ < std::chrono::seconds(10)) return;
  spdlog::warn("{} request(s) without valid credentials shed over the per-source limit "
               "(sip.overload.unauthenticated_per_source_per_s) since the last report; latest "
               "{} from {}/{}; {} sources tracked",
               limit_unlogged_, request.method_text(), transport::protocol_name(origin.protocol),
               transport::to_string(origin.source), limiter_.tracked());
  limit_logged_ = now;
  limit_unlogged_ = 0;
}

void SwitchTu::dispatch(const txn::Key& server, sip::Message request,
                        const transport::Origin& origin) {
  switch (request.method()) {
    case sip::Method::Register:
      return on_register(server, request, origin);
    case sip::Method::Message:
      if (request.to_tag().empty()) return on_message(server, std::move(request), origin);
      break;  // in-dialog: an IM session's, below
    case sip::Method::Invite:
      if (request.to_tag().empty()) return on_invite(server, std::move(request), origin);
      break;  // re-INVITE: an IM session's, below
    case sip::Method::Publish:
      if (request.to_tag().empty()) return on_publish(server, std::move(request), origin);
      break;  // RFC 3903 §4: PUBLISH is sent outside a dialog
    case sip::Method::Subscribe:  // RFC 6665: new, or within its dialog
      if (notifier_) return notifier_->on_subscribe(server, std::move(request), origin);
      break;
    case sip::Method::Ack:
    case sip::Method::Bye:
    case sip::Method::Cancel:
    case sip::Method::Options:
    case sip::Method::Info:
    case sip::Method::Update:
    case sip::Method::Prack:
    case sip::Method::Notify:
    case sip::Method::Refer:
    case sip::Method::Unknown:
      break;
  }
  // Within an IM session's dialog: the B2BUA answers (481 for a stale one comes from below).
  if (im_ && !request.to_tag().empty() && im_->on_request(server, request, origin)) return;
  // §19.3: a To tag needs at least 32 bits of randomness; 10 base-62 characters give ~59.
  if (auto response = respond(request, util::random_token(10))) send(server, std::move(*response));
}

void SwitchTu::send(const txn::Key& server, sip::Message response) {
  const int status = response.status();
  // A digest challenge is answered statelessly (§16.11): nothing is worth remembering about a
  // request that carried no valid credentials, and a retransmission just gets a fresh nonce.
  // At high rates this halves the transactions kept alive by pager traffic.
  auto sent = status == 401 || status == 407 ? stack_->respond_statelessly(server, std::move(response))
                                             : stack_->respond(server, std::move(response));
  if (sent) {
    if (status >= 200) ++counters_.answered;
  } else {
    spdlog::warn("response {} not sent: {}", status, sent.error().message);
  }
}

void SwitchTu::on_ack(sip::Message ack, const transport::Origin& /*origin*/) {
  if (stopped_) return;
  if (im_ && im_->on_ack(ack)) return;
  spdlog::debug("ACK matching nothing (call-id {})", ack.call_id());
}

void SwitchTu::on_cancel(const txn::Key& invite, const sip::Message& cancel) {
  if (stopped_) return;
  if (im_ && im_->on_cancel(invite)) return;
  spdlog::debug("CANCEL for a finished INVITE (call-id {})", cancel.call_id());
}

// Client transactions belong to whoever sent the request: the B2BUA's keys are checked first,
// then the pager's, then the presence notifier's.
void SwitchTu::on_response(const txn::Key& client, sip::Message response) {
  if (stopped_) return;
  if (im_ && im_->on_response(client, response)) return;
  if (notifier_ && notifier_->on_response(client, response)) return;
  if (pager_ && pager_->on_response(client, std::move(response))) return;
  spdlog::debug("response {} for a finished request (call-id {})", response.status(),
                response.call_id());
}

void SwitchTu::on_stray_response(sip::Message response, const transport::Origin& /*origin*/) {
  if (stopped_) return;
  if (im_ && im_->on_stray_response(response)) return;
  spdlog::debug("stray response {} (call-id {})", response.status(), response.call_id());
}

void SwitchTu::on_client_failure(const txn::Key& client, txn::Failure failure) {
  if (stopped_) return;
  if (im_ && im_->on_client_failure(client, failure)) return;
  if (notifier_ && notifier_->on_client_failure(client, failure)) return;
  if (pager_) pager_->on_client_failure(client, failure);
}

void SwitchTu::on_server_failure(const txn::Key& server, txn::Failure failure) {
  if (stopped_) return;
  if (im_) im_->on_server_failure(server, failure);
}

void SwitchTu::on_flow_closed(transport::FlowId flow) {
  // Devices registered over the connection are reached at their registered address from now
  // on (a device that listens, as sipp and the client library do, gets a new connection);
  // every core hears of the close, the first one clears the flow.
  const auto changed = shared_->bindings.with(
      [&](registrar::BindingTable& t) { return t.forget_flow(static_cast<std::uint64_t>(flow)); });
  for (const auto& b : changed)
    spdlog::debug("registration of {} at {}: its connection closed", b.aor, b.contact);
  if (!stopped_ && notifier_) notifier_->on_flow_closed(flow);
}

void SwitchTu::sweep() {
  const std::int64_t now = unix_now_ms();
  auto expired =
      shared_->bindings.with([&](registrar::BindingTable& t) { return t.expire(now); });
  for (auto& b : expired) {
    spdlog::info("registration of {} at {} expired", b.aor, b.contact);
    update_reachable(b.aor);
    store_->remove_binding(b.aor, b.contact, [](Result<void> r) {
      if (!r) spdlog::error("expired registration not removed from the store: {}", r.error().message);
    });
  }
  expire_publications(now);
  store_->expire(now, [alive = std::weak_ptr<int>(alive_)](Result<store::ExpiredCounts> r) {
    if (alive.expired()) return;
    if (!r) {
      spdlog::error("store expiry sweep failed: {}", r.error().message);
      return;
    }
    for (const auto& m : r->dropped)
      spdlog::warn("stored message {} from {} to {} expired undelivered", m.id, m.sender_login,
                   m.recipient);
  });
}

std::string SwitchTu::sent_by(transport::Protocol protocol, const transport::Endpoint& to) {
  const transport::ListenerInfo* best = nullptr;
  for (const auto& l : stack_->listeners()) {
    if (l.protocol != protocol) continue;
    if (l.local.address.is_v6() == to.address.is_v6()) {
      best = &l;
      break;
    }
    if (!best) best = &l;
  }
  if (!best) return "invalid:9";  // no listener for this protocol: the send fails anyway
  boost::asio::ip::address address = best->local.address;
  if (address.is_unspecified()) {
    // Bound to every interface: name the address the kernel routes toward the peer from, found
    // once per peer address by connecting a UDP socket (nothing is sent).
    const std::string peer = to.address.to_string();
    auto it = source_address_cache_.find(peer);
    if (it == source_address_cache_.end()) {
      std::string ours = address.is_v6() ? "::1" : "127.0.0.1";
      boost::system::error_code ec;
      boost::asio::ip::udp::socket probe(strand_);
      probe.connect({to.address, 9}, ec);
      if (!ec) {
        auto local = probe.local_endpoint(ec);
        if (!ec) ours = local.address().to_string();
      }
      if (source_address_cache_.size() > 4096) source_address_cache_.clear();
      it = source_address_cache_.emplace(peer, ours).first;
    }
    if (auto parsed = transport::parse_ip(it->second)) address = *parsed;
  }
  return transport::host_text(address) + ":" + std::to_string(best->local.port);
}

}  // namespace ims::sw::app
