// PresenceNotifier (subscribe.hpp): SUBSCRIBE/NOTIFY for the presence package on the wire.
#include "switch/app/subscribe.hpp"

#include <algorithm>
#include <limits>
#include <system_error>
#include <variant>

#include <spdlog/spdlog.h>

#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "common/util/strings.hpp"
#include "switch/agents/pidf.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

namespace {

using sip::HeaderId;

constexpr std::int64_t kMsPerSecond = 1000;
// Retry-After of a 503 at the switch's limit: subscriptions end at least this often.
constexpr std::string_view kRetryAfterFull = "60";

// A subscription's id: its dialog's (RFC 6665 §4.1.2.4: dialog and Event id name it; one usage
// per dialog here).
std::string id_of(const dialog::DialogId& d) {
  std::string out = d.call_id;
  out += '\n';
  out += d.local_tag;
  out += '\n';
  out += d.remote_tag;
  return out;
}


}  // namespace

PresenceNotifier::PresenceNotifier(boost::asio::any_io_executor strand, stack::Stack& stack,
                                   SharedState& shared, Authenticator& authn,
                                   std::shared_ptr<const directory::Directory> directory,
                                   agents::SubscribeSettings settings, SentBy sent_by,
                                   Respond respond)
    : strand_(strand),
      stack_(&stack),
      shared_(&shared),
      authn_(&authn),
      directory_(std::move(directory)),
      settings_(settings),
      sent_by_(std::move(sent_by)),
      respond_(std::move(respond)),
      timer_(strand) {}

PresenceNotifier::~PresenceNotifier() = default;

std::string PresenceNotifier::contact_for(const transport::Origin& origin) const {
  std::string c = "<sip:imswitch@" + sent_by_(origin.protocol, origin.source);
  if (origin.protocol != transport::Protocol::Udp)
    c += ";transport=" + std::string(transport::protocol_name(origin.protocol));
  return c + ">";
}

sip::Message PresenceNotifier::with_via(sip::Message request,
                                        const stack::Destination& to) const {
  request.add_front(HeaderId::Via, std::string("SIP/2.0/") +
                                       std::string(transport::via_token(to.protocol)) + " " +
                                       sent_by_(to.protocol, to.endpoint) + ";branch=z9hG4bK" +
                                       util::random_token(16) + ";rport");
  return request;
}

agents::WatchedState PresenceNotifier::state_of(const std::string& login) const {
  const std::int64_t now = unix_now_ms();
  const bool logged_in = shared_->bindings.with(
      [&](const registrar::BindingTable& t) { return !t.lookup(login, now).empty(); });
  // The queue desk hears of every change of the chosen state (SharedState::on_presence), by
  // PUBLISH, the HTTP API or the queues themselves; without it, the publications tell.
  if (shared_->queues) {
    if (auto view = shared_->queues->agent(login))
      return agents::watched_state(logged_in, agents::AgentState{view->presence, view->reason});
  }
  const auto chosen =
      shared_->presence.with([&](const agents::Publications& p) { return p.state_of(login, now); });
  return agents::watched_state(logged_in, chosen);
}

// ---- a new subscription -------------------------------------------------------------------------

void PresenceNotifier::on_subscribe(const txn::Key& server, sip::Message request,
                                    const transport::Origin& origin) {
  if (stopped_) return;
  if (!request.to_tag().empty()) return on_refresh(server, std::move(request), origin);
  const std::string to_tag = util::random_token(10);
  auto refuse = [&](int status, std::string_view reason = {}) {
    ++counters_.refused;
    respond_(server, reply(request, status, to_tag, reason));
  };
  const auto ruri = sip::parse_uri(request.request_uri());
  if (auto early = check_request(request, ruri, to_tag)) return respond_(server, std::move(*early));
  const directory::Directory& dir = *directory_;
  if (ruri->scheme == sip::UriScheme::Tel || !dir.is_local_domain(ruri->host))
    return refuse(403, "Domain Not Served Here");
  if (!strip_own_routes(request, dir)) return refuse(403, "Relaying Denied");

  // RFC 6665 §4.2.1.1: one Event header naming a package we serve (489 with Allow-Events).
  const auto events = request.values(HeaderId::Event);
  if (refuse_bad_event(server, request, events, to_tag)) return;
  // RFC 3261 §21.4.7: the only body a presence NOTIFY carries here is PIDF.
  if (!agents::accepts_pidf(request.values(HeaderId::Accept)))
    return refuse_unacceptable(server, request, to_tag);

  // RFC 6665 §4.2.1.1, RFC 3856 §5.1: the subscriber is authenticated (a 407 as for MESSAGE) and
  // speaks for itself.
  const std::int64_t now = unix_now_ms();
  auto who = authn_->authenticate(request, dir, AuthRole::Proxy, to_tag, now);
  if (auto* rsp = std::get_if<sip::Message>(&who)) return respond_(server, std::move(*rsp));
  const std::string watcher = std::get<std::string>(std::move(who));
  const auto from = request.from();
  const auto from_user = from ? user_of(from->uri) : std::nullopt;
  if (!from_user || *from_user != watcher) {
    spdlog::info("SUBSCRIBE authenticated as {} with From {}: refused (403)", watcher,
                 request.get(HeaderId::From));
    return refuse(403, "From Does Not Match Credentials");
  }
  const auto user = sip::unescape(ruri->user);
  const directory::Agent* agent = user ? dir.agent(*user) : nullptr;
  if (!agent) {
    spdlog::info("SUBSCRIBE by {} to {}: no such agent (404)", watcher, request.request_uri());
    return refuse(404, "No Such Agent");
  }

  const auto granted = grant(server, request, to_tag);
  if (!granted) return;
  auto made = dialog::Dialog::from_uas(request, to_tag, contact_for(origin));
  if (!made) return refuse(400, made.error().message);
  Leg leg{std::move(*made), stack::Destination{origin.protocol, origin.source, origin.flow},
          std::string(util::trim(events.front())),
          "sip:" + agent->login + "@" + std::string(ruri->host)};
  const std::string& presentity = agent->login;

  auto ok = [&](std::uint32_t expires_s) {
    sip::Message rsp = reply(request, 200, to_tag);
    rsp.add(HeaderId::Expires, std::to_string(expires_s));
    rsp.add(HeaderId::Contact, contact_for(origin));
    respond_(server, std::move(rsp));
  };
  if (granted->expires_s == 0) {
    // RFC 6665 §4.4.3: a fetch. The state once, and the dialog ends with it.
    ok(0);
    spdlog::info("SUBSCRIBE by {} to {}: fetched", watcher, presentity);
    send_notify(leg, "terminated;reason=timeout", state_of(presentity), {});
    return;
  }

  const auto taken = shared_->subscriptions.with([&](agents::SubscriptionQuota& q) {
    return q.take(watcher, settings_.max_per_watcher, settings_.max_total);
  });
  switch (taken) {
    case agents::SubscriptionQuota::Taken::WatcherFull:
      spdlog::warn("SUBSCRIBE by {} to {}: refused, it holds {} subscriptions "
                   "(im.max_subscriptions_per_agent)",
                   watcher, presentity, settings_.max_per_watcher);
      return refuse(403, "Too Many Subscriptions");
    case agents::SubscriptionQuota::Taken::SwitchFull: {
      spdlog::warn("SUBSCRIBE by {} to {}: refused, the switch holds {} subscriptions "
                   "(im.max_subscriptions)",
                   watcher, presentity, settings_.max_total);
      ++counters_.refused;
      sip::Message rsp = reply(request, 503, to_tag, "Too Many Subscriptions");
      rsp.add(HeaderId::RetryAfter, kRetryAfterFull);
      return respond_(server, std::move(rsp));
    }
    case agents::SubscriptionQuota::Taken::Ok:
      break;
  }

  const std::string id = id_of(leg.dialog.id());
  const std::int64_t expires_at = now + static_cast<std::int64_t>(granted->expires_s) * kMsPerSecond;
  table_.add(agents::Subscription{id, watcher, presentity, expires_at});
  legs_.insert_or_assign(id, std::move(leg));
  ++counters_.subscribed;
  ok(granted->expires_s);
  spdlog::info("SUBSCRIBE by {} to {}: active for {} s (call-id {})", watcher, presentity,
               granted->expires_s, request.call_id());
  rearm();
  notify(id, true);
}

// ---- within the dialog --------------------------------------------------------------------------

void PresenceNotifier::on_refresh(const txn::Key& server, sip::Message request,
                                  const transport::Origin& origin) {
  const std::string to_tag(request.to_tag());
  auto refuse = [&](int status, std::string_view reason = {}) {
    ++counters_.refused;
    respond_(server, reply(request, status, to_tag, reason));
  };
  if (auto early = check_request(request, to_tag)) return respond_(server, std::move(*early));
  const auto did = dialog::id_of_received_request(request);
  const std::string id = did ? id_of(*did) : std::string();
  const agents::Subscription* s = table_.find(id);
  auto leg_it = legs_.find(id);
  if (!s || leg_it == legs_.end()) return refuse(481, "Subscription Does Not Exist");
  Leg& leg = leg_it->second;

  const auto events = request.values(HeaderId::Event);
  if (refuse_bad_event(server, request, events, to_tag)) return;
  // RFC 6665 §4.1.2.4: another id would be a second subscription in this dialog: not kept here.
  if (agents::event_id(events.front()) != agents::event_id(leg.event))
    return refuse(481, "Subscription Does Not Exist");
  if (!agents::accepts_pidf(request.values(HeaderId::Accept)))
    return refuse_unacceptable(server, request, to_tag);
  const std::int64_t now = unix_now_ms();
  auto who = authn_->authenticate(request, *directory_, AuthRole::Proxy, to_tag, now);
  if (auto* rsp = std::get_if<sip::Message>(&who)) return respond_(server, std::move(*rsp));
  if (std::get<std::string>(who) != s->watcher) {
    spdlog::info("SUBSCRIBE refresh of {}'s subscription by {}: refused (403)", s->watcher,
                 std::get<std::string>(who));
    return refuse(403, "Not Your Subscription");
  }
  if (auto refusal = leg.dialog.on_request(request))
    return refuse(refusal->status, refusal->reason);
  // RFC 6665 §4.1.2.2: a refresh that fails leaves the subscription as it was.
  const auto granted = grant(server, request, to_tag);
  if (!granted) return;
  // The subscriber is reached where it last spoke from (a new connection, a new NAT binding).
  leg.to = stack::Destination{origin.protocol, origin.source, origin.flow};
  sip::Message rsp = reply(request, 200, to_tag);
  rsp.add(HeaderId::Expires, std::to_string(granted->expires_s));
  rsp.add(HeaderId::Contact, contact_for(origin));
  respond_(server, std::move(rsp));
  if (granted->expires_s == 0) {  // RFC 6665 §4.1.2.3: unsubscribe
    spdlog::info("subscription of {} to {} ended by the subscriber", s->watcher, s->presentity);
    return end(id, End::Timeout);
  }
  table_.refresh(id, now + static_cast<std::int64_t>(granted->expires_s) * kMsPerSecond);
  ++counters_.refreshed;
  spdlog::debug("subscription of {} to {} refreshed for {} s", s->watcher, s->presentity,
                granted->expires_s);
  rearm();
  notify(id, true);  // RFC 6665 §4.2.1.2: the current state after a refresh too
}

// ---- NOTIFY ------------------------------------------------------------------------------------

bool PresenceNotifier::refuse_bad_event(const txn::Key& server, const sip::Message& request,
                                        const std::vector<std::string_view>& events,
                                        const std::string& to_tag) {
  if (events.size() == 1 && agents::is_presence_event(events.front())) return false;
  ++counters_.refused;
  if (events.size() > 1) {
    respond_(server, reply(request, 400, to_tag, "Multiple Event Headers"));
    return true;
  }
  sip::Message rsp = reply(request, 489, to_tag);
  rsp.add(HeaderId::AllowEvents, agents::kPresenceEvent);
  respond_(server, std::move(rsp));
  return true;
}

std::optional<agents::Granted> PresenceNotifier::grant(const txn::Key& server,
                                                       const sip::Message& request,
                                                       const std::string& to_tag) {
  auto expires = expires_of(request);
  if (!expires) {
    ++counters_.refused;
    respond_(server, reply(request, 400, to_tag, expires.error().message));
    return std::nullopt;
  }
  const auto granted = agents::grant_expires(settings_, *expires);
  if (granted.status == 423) {
    ++counters_.refused;
    sip::Message rsp = reply(request, 423, to_tag);
    rsp.add(HeaderId::MinExpires, std::to_string(granted.min_expires));
    respond_(server, std::move(rsp));
    return std::nullopt;
  }
  return granted;
}

void PresenceNotifier::refuse_unacceptable(const txn::Key& server, const sip::Message& request,
                                           const std::string& to_tag) {
  ++counters_.refused;
  sip::Message rsp = reply(request, 406, to_tag);
  rsp.add(HeaderId::Accept, agents::kPidfContentType);
  respond_(server, std::move(rsp));
}

void PresenceNotifier::on_state_changed(const std::string& login) {
  if (stopped_) return;
  for (const auto& id : table_.watching(login)) notify(id, false);
}

void PresenceNotifier::notify(const std::string& id, bool force) {
  const agents::Subscription* s = table_.find(id);
  auto leg = legs_.find(id);
  if (!s || leg == legs_.end()) return;
  const auto state = state_of(s->presentity);
  if (!table_.notify(id, state, force)) return;
  // RFC 6665 §4.2.2: the time left, rounded up so the subscriber never refreshes late.
  const std::int64_t left_ms = std::max<std::int64_t>(s->expires_at_ms - unix_now_ms(), 0);
  const std::int64_t left_s =
      std::max<std::int64_t>((left_ms + kMsPerSecond - 1) / kMsPerSecond, 1);
  if (!send_notify(leg->second, "active;expires=" + std::to_string(left_s), state, id))
    drop(id, "NOTIFY could not be sent");
}

bool PresenceNotifier::send_notify(Leg& leg, std::string_view subscription_state,
                                   const agents::WatchedState& state, const std::string& id) {
  sip::Message n = leg.dialog.make_request(sip::Method::Notify);
  n.add(HeaderId::Event, leg.event);
  n.add(HeaderId::SubscriptionState, subscription_state);
  n.add(HeaderId::UserAgent, kServer);
  n.set_body(agents::watched_pidf(leg.entity, state), agents::kPidfContentType);
  auto key = stack_->send_request(with_via(std::move(n), leg.to), leg.to);
  if (!key) {
    spdlog::info("NOTIFY to {} not sent: {}", leg.dialog.remote_uri(), key.error().message);
    return false;
  }
  ++counters_.notifies;
  notifies_.emplace(*key, id);
  spdlog::debug("NOTIFY ({}) to {}: {}", subscription_state, leg.dialog.remote_uri(),
                agents::note_of(state));
  return true;
}

bool PresenceNotifier::on_response(const txn::Key& client, const sip::Message& response) {
  auto it = notifies_.find(client);
  if (it == notifies_.end()) return false;
  const int status = response.status();
  if (status < 200) return true;
  const std::string id = std::move(it->second);
  notifies_.erase(it);
  if (id.empty() || !table_.find(id)) return true;  // a final NOTIFY, or one already ended
  if (status < 300) {
    if (const auto owed = table_.answered(id)) notify(id, *owed);
    return true;
  }
  // RFC 6665 §4.2.2: a NOTIFY refused (481: the subscriber knows no such subscription) ends it.
  ++counters_.notify_failures;
  drop(id, "NOTIFY answered " + std::to_string(status));
  return true;
}

bool PresenceNotifier::on_client_failure(const txn::Key& client, txn::Failure failure) {
  auto it = notifies_.find(client);
  if (it == notifies_.end()) return false;
  const std::string id = std::move(it->second);
  notifies_.erase(it);
  if (id.empty() || !table_.find(id)) return true;
  ++counters_.notify_failures;
  drop(id, failure == txn::Failure::Timeout ? "NOTIFY unanswered" : "NOTIFY not delivered");
  return true;
}

// ---- the end of a subscription ------------------------------------------------------------------

void PresenceNotifier::forget(const agents::Subscription& s) {
  shared_->subscriptions.with([&](agents::SubscriptionQuota& q) { q.give_back(s.watcher); });
  legs_.erase(s.id);
}

void PresenceNotifier::end(const std::string& id, End why) {
  auto s = table_.remove(id);
  if (!s) return;
  std::string_view reason = "timeout";
  switch (why) {
    case End::Timeout: reason = "timeout"; break;
    case End::NoResource: reason = "noresource"; break;
    case End::Rejected: reason = "rejected"; break;
  }
  // RFC 6665 §4.2.2: the last NOTIFY says why, with the state as it is.
  if (auto leg = legs_.find(id); leg != legs_.end())
    send_notify(leg->second, "terminated;reason=" + std::string(reason),
                state_of(s->presentity), {});
  forget(*s);
  rearm();
}

void PresenceNotifier::drop(const std::string& id, std::string_view why) {
  auto s = table_.remove(id);
  if (!s) return;
  spdlog::info("subscription of {} to {} ended: {}", s->watcher, s->presentity, why);
  forget(*s);
  rearm();
}

void PresenceNotifier::on_flow_closed(transport::FlowId flow) {
  if (stopped_) return;
  std::vector<std::string> gone;
  for (const auto& [id, leg] : legs_)
    if (leg.to.protocol != transport::Protocol::Udp && leg.to.flow == flow) gone.push_back(id);
  for (const auto& id : gone) drop(id, "its connection closed");
}

void PresenceNotifier::set_directory(std::shared_ptr<const directory::Directory> directory) {
  directory_ = std::move(directory);
  if (stopped_) return;
  for (const auto& id : table_.ids()) {
    const agents::Subscription* s = table_.find(id);
    if (!s) continue;
    if (!directory_->agent(s->presentity)) {
      spdlog::info("subscription of {} to {} ended: {} left the directory", s->watcher,
                   s->presentity, s->presentity);
      end(id, End::NoResource);
    } else if (!directory_->agent(s->watcher)) {
      spdlog::info("subscription of {} to {} ended: {} left the directory", s->watcher,
                   s->presentity, s->watcher);
      end(id, End::Rejected);
    }
  }
}

// ---- expiry -------------------------------------------------------------------------------------

void PresenceNotifier::rearm() {
  if (stopped_) return;
  const auto next = table_.next_expiry();
  if (!next) {
    armed_for_.reset();
    timer_.cancel();
    return;
  }
  if (armed_for_ == next) return;
  armed_for_ = next;
  const std::int64_t wait = std::max<std::int64_t>(*next - unix_now_ms(), 0);
  timer_.expires_after(std::chrono::milliseconds(wait));  // cancels the wait before
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired() || stopped_) return;
    armed_for_.reset();
    on_timer();
  });
}

void PresenceNotifier::on_timer() {
  for (const auto& s : table_.expire(unix_now_ms())) {
    ++counters_.expired;
    spdlog::info("subscription of {} to {} expired", s.watcher, s.presentity);
    // RFC 6665 §4.2.2: terminated;reason=timeout, the state as it is.
    if (auto leg = legs_.find(s.id); leg != legs_.end())
      send_notify(leg->second, "terminated;reason=timeout", state_of(s.presentity), {});
    forget(s);
  }
  rearm();
}

void PresenceNotifier::stop() {
  stopped_ = true;
  timer_.cancel();
  for (const auto& id : table_.ids()) {
    if (auto s = table_.remove(id)) forget(*s);
  }
  notifies_.clear();
}

}  // namespace ims::sw::app
