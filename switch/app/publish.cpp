// SwitchTu: agent state for the IM channel set by SIP PUBLISH (PRODUCT §2). The switch is the event
// state compositor (RFC 3903 §6) of the presence package (RFC 3856) for its own agents: it checks
// the request's target (step 1), event package (step 2) and credentials (step 3, a 407 challenge as
// for MESSAGE), leaves steps 4 to 7 (entity-tags, expiry, PIDF body) to agents::Publications,
// writes the outcome to the store and answers once it is committed, so an entity-tag the client was
// given survives a restart. Every change of an agent's effective state is logged and handed to
// SharedState::on_presence. The HTTP API's PUT .../state goes the same way (set_state_by_api), with
// a publication of its own.
#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <system_error>

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

// Entity-tags are drawn at random: 16 base-62 characters, about 95 bits.
constexpr std::size_t kEtagChars = 16;
constexpr std::string_view kSipEtag = "SIP-ETag";         // RFC 3903 §11.3.1
constexpr std::string_view kSipIfMatch = "SIP-If-Match";  // RFC 3903 §11.3.2
// How long a state set through the HTTP API lasts unless replaced (README "HTTP API"): far longer
// than a device's publication, which its device refreshes, so that it does not revert to the
// default behind the agent's back; bounded, so that a forgotten one does not last for ever.
constexpr std::int64_t kApiStateLifetimeMs = 7LL * 24 * 3600 * 1000;

store::Publication to_record(const agents::Publication& p) {
  store::Publication r;
  r.login = p.login;
  r.etag = p.etag;
  r.basic = p.state.presence == agents::Presence::Ready ? store::PresenceBasic::Open
                                                        : store::PresenceBasic::Closed;
  r.note = p.state.reason;
  r.expires_at_ms = p.expires_at_ms;
  r.modified_at_ms = p.modified_at_ms;
  return r;
}

agents::Publication from_record(store::Publication r) {
  agents::Publication p;
  p.login = std::move(r.login);
  p.etag = std::move(r.etag);
  p.state.presence =
      r.basic == store::PresenceBasic::Open ? agents::Presence::Ready : agents::Presence::NotReady;
  p.state.reason = std::move(r.note);
  p.expires_at_ms = r.expires_at_ms;
  p.modified_at_ms = r.modified_at_ms;
  return p;
}

// Writes what an outcome asks of the store: the publications it removed, and the one it stored
// in place of the one it replaced. `done` once every write has completed, with whether all
// succeeded; at once when there is nothing to write.
void persist(store::Store& store, const agents::PublishOutcome& outcome,
             std::function<void(bool ok)> done) {
  struct Pending {
    std::size_t left = 0;
    bool failed = false;
    std::function<void(bool)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = outcome.removed.size() + (outcome.stored ? 1 : 0);
  pending->done = std::move(done);
  if (pending->left == 0) return pending->done(true);
  auto one = [pending](Result<void> r) {
    if (!r) pending->failed = true;
    if (--pending->left == 0) pending->done(!pending->failed);
  };
  for (const auto& p : outcome.removed) store.remove_publication(p.login, p.etag, one);
  if (outcome.stored) store.put_publication(to_record(*outcome.stored), outcome.replaced, one);
}

// One log line per change, then the listener (never under the publications' lock).
void announce(const SharedState& shared, const agents::StateChange& change, std::string_view how) {
  spdlog::info("agent {}: {}, {}", change.login, agents::describe(change.state), how);
  if (shared.on_presence)
    shared.on_presence(change.login, change.state.presence, change.state.reason);
}

}  // namespace

Result<std::size_t> SwitchTu::load_publications(const agents::PublishSettings& settings) {
  auto loaded = store_->load_publications();
  if (!loaded) return loaded.error();
  std::vector<agents::Publication> publications;
  publications.reserve(loaded->size());
  for (auto& r : *loaded) publications.push_back(from_record(std::move(r)));
  const std::size_t n = publications.size();
  const auto restored = shared_->presence.with([&](agents::Publications& p) {
    p.set_settings(settings);
    return p.load(std::move(publications), unix_now_ms());
  });
  for (const auto& change : restored) announce(*shared_, change, "restored from the store");
  return n;
}

void SwitchTu::expire_publications(std::int64_t now_ms) {
  auto expired = shared_->presence.with([&](agents::Publications& p) { return p.expire(now_ms); });
  for (const auto& p : expired.removed) {
    store_->remove_publication(p.login, p.etag, [](Result<void> r) {
      if (!r)
        spdlog::error("expired publication not removed from the store: {}", r.error().message);
    });
  }
  for (const auto& change : expired.changed) announce(*shared_, change, "publication expired");
}

void SwitchTu::on_publish(const txn::Key& server, sip::Message request,
                          const transport::Origin& /*origin*/) {
  const std::string to_tag = util::random_token(10);
  auto refuse = [&](int status, std::string_view reason = {}) {
    send(server, reply(request, status, to_tag, reason));
  };
  const auto ruri = sip::parse_uri(request.request_uri());
  if (auto early = check_request(request, ruri, to_tag)) return send(server, std::move(*early));
  const directory::Directory& dir = *directory_;

  // RFC 3903 §6 step 1: the Request-URI names the presentity, one of our agents.
  if (ruri->scheme == sip::UriScheme::Tel || !dir.is_local_domain(ruri->host))
    return refuse(403, "Domain Not Served Here");
  if (!strip_own_routes(request, dir)) return refuse(403, "Relaying Denied");

  // Step 2: one Event header naming the presence package (RFC 6665 §8.3.2: 489 with Allow-Events).
  const auto events = request.values(sip::HeaderId::Event);
  if (events.size() > 1) return refuse(400, "Multiple Event Headers");
  if (events.empty() || !agents::is_presence_event(events.front())) {
    sip::Message rsp = reply(request, 489, to_tag);
    rsp.add(sip::HeaderId::AllowEvents, agents::kPresenceEvent);
    return send(server, std::move(rsp));
  }

  // Step 3: authenticated as for MESSAGE (RFC 3261 §22.3), speaking for itself only.
  const std::int64_t now = unix_now_ms();
  auto who = authn_.authenticate(request, dir, AuthRole::Proxy, to_tag, now);
  if (auto* rsp = std::get_if<sip::Message>(&who)) return send(server, std::move(*rsp));
  const std::string login = std::get<std::string>(std::move(who));
  const auto from = request.from();
  const auto from_user = from ? user_of(from->uri) : std::nullopt;
  if (!from_user || *from_user != login) {
    spdlog::info("PUBLISH authenticated as {} with From {}: refused (403)", login,
                 request.get(sip::HeaderId::From));
    return refuse(403, "From Does Not Match Credentials");
  }
  const directory::Agent* agent = dir.agent(login);
  const auto presentity = sip::unescape(ruri->user);
  if (!agent || !presentity || dir.agent(*presentity) != agent) {
    spdlog::info("PUBLISH by {} for {}: refused (403)", login, request.request_uri());
    return refuse(403, "Not Allowed To Publish For Another Agent");
  }
  // PRODUCT §2: the state is the IM channel's, which only agents with the im task have.
  if (!agent->has_task("im")) return refuse(403, "Agent Does Not Take IM");

  agents::PublishRequest publish;
  publish.login = agent->login;
  const auto if_match = request.values(kSipIfMatch);
  if (if_match.size() > 1) return refuse(400, "Multiple SIP-If-Match Headers");
  if (!if_match.empty()) publish.if_match = std::string(util::trim(if_match.front()));
  auto expires = expires_of(request);
  if (!expires) return refuse(400, expires.error().message);
  publish.expires = *expires;
  publish.has_body = !request.body().empty();
  publish.content_type = std::string(request.get(sip::HeaderId::ContentType));
  publish.body = std::string(request.body());

  const std::string etag = util::random_token(kEtagChars);
  auto outcome = shared_->presence.with(
      [&](agents::Publications& p) { return p.publish(publish, etag, now); });
  if (!outcome.ok()) {
    spdlog::info("PUBLISH by {}: refused ({} {})", login, outcome.status, outcome.reason);
    sip::Message rsp = reply(request, outcome.status, to_tag, outcome.reason);
    if (outcome.status == 423)
      rsp.add(sip::HeaderId::MinExpires, std::to_string(outcome.min_expires));
    if (outcome.status == 415) rsp.add(sip::HeaderId::Accept, agents::kPidfContentType);
    return send(server, std::move(rsp));
  }
  if (outcome.changed) announce(*shared_, *outcome.changed, "by PUBLISH");

  // Persist, then answer (RFC 3903 §6 step 7: SIP-ETag and Expires in the 2xx).
  persist(*store_, outcome,
          [this, alive = std::weak_ptr<int>(alive_), server, request, to_tag, login,
           etag = outcome.etag, expires_s = outcome.expires_s](bool stored) {
            if (alive.expired() || stopped_) return;
            if (!stored) {
              spdlog::error("PUBLISH by {}: publication not stored, answered 500", login);
              return send(server, reply(request, 500, to_tag, "Publication Not Stored"));
            }
            sip::Message ok = reply(request, 200, to_tag);
            ok.add(kSipEtag, etag);
            ok.add(sip::HeaderId::Expires, std::to_string(expires_s));
            send(server, std::move(ok));
          });
}

void SwitchTu::set_state_by_api(const std::string& login, agents::AgentState state,
                                const std::string& by, std::function<void(Result<void>)> done) {
  if (stopped_) {
    return done(Error{std::make_error_code(std::errc::operation_canceled),
                      "the switch is stopping"});
  }
  const std::int64_t now = unix_now_ms();
  const std::string etag = std::string(agents::kApiEtagPrefix) + util::random_token(kEtagChars);
  auto outcome = shared_->presence.with([&](agents::Publications& p) {
    return p.set_by_api(login, std::move(state), etag, now + kApiStateLifetimeMs, now);
  });
  if (outcome.changed) {
    announce(*shared_, *outcome.changed, "set by " + by + " through the HTTP API");
  } else {
    spdlog::info("agent {}: {} (no change), set by {} through the HTTP API", login,
                 agents::describe(outcome.stored->state), by);
  }
  persist(*store_, outcome,
          [this, alive = std::weak_ptr<int>(alive_), login, done = std::move(done)](bool stored) {
            if (alive.expired() || stopped_) return;
            if (stored) return done(Result<void>{});
            spdlog::error("agent {}: state set by the HTTP API not stored", login);
            done(Error{std::make_error_code(std::errc::io_error),
                       "the state is set but could not be stored"});
          });
}

}  // namespace ims::sw::app
