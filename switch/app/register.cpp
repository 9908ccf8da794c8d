// SwitchTu: the registrar (RFC 3261 §10.3).
#include <algorithm>
#include <chrono>
#include <memory>

#include <spdlog/spdlog.h>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/registrar/contact.hpp"
#include "switch/registrar/response.hpp"

namespace ims::sw::app {

namespace {

// The address of record a REGISTER names in To (§10.3 step 3), as a login, when its host is
// one of ours; nullopt otherwise.
std::optional<std::string> aor_login(const sip::Message& request,
                                     const directory::Directory& directory) {
  const auto to = request.to();
  if (!to) return std::nullopt;
  const auto uri = sip::parse_uri(to->uri);
  if (!uri || uri->scheme == sip::UriScheme::Tel || !directory.is_local_domain(uri->host))
    return std::nullopt;
  return sip::unescape(uri->user);
}

}  // namespace

void SwitchTu::on_register(const txn::Key& server, const sip::Message& request,
                           const transport::Origin& origin) {
  const std::string to_tag = util::random_token(10);
  if (auto early = check_request(request, to_tag)) return send(server, std::move(*early));
  const directory::Directory& dir = *directory_;

  // §10.3 step 1: only our domains are registered here.
  const auto ruri = sip::parse_uri(request.request_uri());
  if (!ruri || ruri->scheme == sip::UriScheme::Tel || !dir.is_local_domain(ruri->host))
    return send(server, reply(request, 403, to_tag, "Domain Not Served Here"));

  const std::int64_t now = unix_now_ms();
  auto who = authn_.authenticate(request, dir, AuthRole::Registrar, to_tag, now);
  if (auto* rsp = std::get_if<sip::Message>(&who)) return send(server, std::move(*rsp));
  const std::string login = std::get<std::string>(std::move(who));

  // §10.3 step 3: an agent registers its own address, nobody else's.
  const auto aor = aor_login(request, dir);
  if (!aor || *aor != login) {
    spdlog::info("REGISTER by {} for {}: refused (403)", login, request.get(sip::HeaderId::To));
    return send(server, reply(request, 403, to_tag, "Not Allowed To Register This Address"));
  }

  auto parsed = registrar::parse_register(request);
  registrar::Outcome outcome;
  if (!parsed) {
    outcome = registrar::Outcome::rejected(parsed.error());
  } else {
    registrar::FlowInfo flow;
    flow.transport = std::string(transport::protocol_name(origin.protocol));
    flow.source_address = origin.source.address.to_string();
    flow.source_port = origin.source.port;
    if (transport::is_connection(origin.protocol)) {
      flow.flow_id = static_cast<std::uint64_t>(origin.flow);
      if (auto via = request.top_via()) {
        flow.sent_by_host = std::string(via->host);
        flow.sent_by_port = via->port.value_or(0);
      }
    }
    outcome = shared_->bindings.with([&](registrar::BindingTable& t) {
      return t.apply(*parsed, login, flow, now, settings_.registrar);
    });
  }
  if (!outcome.ok()) {
    spdlog::info("REGISTER {} from {}: {} {}", login, transport::to_string(origin.source),
                 outcome.status, outcome.reason);
    return send(server, registrar::make_register_response(request, outcome, now, to_tag));
  }

  // RFC 5626 §5.2: a device that registered over a connection is reached over it (it may be
  // behind NAT), so the connection stays open while the registration lasts, silent or not.
  if (transport::is_connection(origin.protocol)) {
    std::int64_t until_ms = 0;
    for (const auto& b : outcome.bindings)
      if (b.flow_id == static_cast<std::uint64_t>(origin.flow))
        until_ms = std::max(until_ms, b.expires_at_ms);
    if (until_ms > now) {
      const auto left = std::chrono::milliseconds(until_ms - now);
      stack_->transport().hold_open(origin.flow, std::chrono::steady_clock::now() + left);
    }
  }

  // Persist, then answer: the 200 goes out once every change is committed, so a registration
  // the client was told about survives a restart. A plain refresh (only the expiry moves) is
  // written too but not waited for: the binding is already stored, and a crash before the
  // write leaves it with the expiry of the previous 200.
  for (const auto& b : outcome.refreshed) {
    store_->put_binding(b, [login](Result<void> r) {
      if (!r) spdlog::error("REGISTER {}: refresh not stored: {}", login, r.error().message);
    });
  }
  struct Pending {
    std::size_t left = 0;
    bool failed = false;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = outcome.removed.size() + outcome.upserted.size();
  const bool reachable = !outcome.bindings.empty();
  auto finish = [this, alive = std::weak_ptr<int>(alive_), server, request, outcome, to_tag,
                 login, reachable, pending](Result<void> r) {
    if (alive.expired() || stopped_) return;
    if (!r) pending->failed = true;
    if (--pending->left > 0) return;
    if (pending->failed) {
      spdlog::error("REGISTER {}: registration not stored, answered 500", login);
      return send(server, reply(request, 500, to_tag, "Registration Not Stored"));
    }
    ++counters_.registrations;
    send(server, registrar::make_register_response(request, outcome, unix_now_ms(), to_tag));
    update_reachable(login);
    if (reachable) deliver_stored(login);
  };
  if (pending->left == 0) {  // a query, a plain refresh, or nothing changed
    ++pending->left;
    finish(Result<void>{});
  } else {
    for (const auto& [aor_key, contact] : outcome.removed)
      store_->remove_binding(aor_key, contact, finish);
    for (const auto& b : outcome.upserted) store_->put_binding(b, finish);
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("REGISTER {}: {} binding(s) now, {} changed, {} refreshed, {} removed", login,
                  outcome.bindings.size(), outcome.upserted.size(), outcome.refreshed.size(),
                  outcome.removed.size());
  }
}

}  // namespace ims::sw::app
