// SwitchTu: who may send a pager MESSAGE or open an IM session (RFC 3428 §6-§7, RFC 3261 §16.3):
// no open relay, only authenticated local agents with the im task, only to local agents with
// it; then the pager proxy relays a MESSAGE (an INVITE goes to the B2BUA, invite.cpp).
#include <spdlog/spdlog.h>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/proxy/loop.hpp"

namespace ims::sw::app {


std::optional<SwitchTu::Admitted> SwitchTu::admit(const txn::Key& server, sip::Message& request,
                                                  std::string_view what) {
  const std::string to_tag = util::random_token(10);
  auto refuse = [&](int status, std::string_view reason = {}) -> std::optional<Admitted> {
    send(server, reply(request, status, to_tag, reason));
    return std::nullopt;
  };
  const auto ruri = sip::parse_uri(request.request_uri());
  if (auto early = check_request(request, ruri, to_tag)) {
    send(server, std::move(*early));
    return std::nullopt;
  }
  const directory::Directory& dir = *directory_;

  // §16.3 / RFC 3428 §7: the target must be ours (no open relay).
  if (!ruri) return refuse(400, "Bad Request-URI");
  if (ruri->scheme != sip::UriScheme::Tel && !dir.is_local_domain(ruri->host))
    return refuse(403, "Relaying Denied");
  if (!strip_own_routes(request, dir)) return refuse(403, "Relaying Denied");
  // §16.3 step 4: a request we forwarded came back unchanged (a Contact pointing at us).
  if (proxy::has_looped(request)) return refuse(482);

  auto who = authn_.authenticate(request, dir, AuthRole::Proxy, to_tag, unix_now_ms());
  if (auto* rsp = std::get_if<sip::Message>(&who)) {
    send(server, std::move(*rsp));
    return std::nullopt;
  }
  std::string login = std::get<std::string>(std::move(who));

  // The sender speaks for itself only: From names the authenticated agent.
  const auto from = request.from();
  const auto from_user = from ? user_of(from->uri) : std::nullopt;
  if (!from_user || *from_user != login) {
    spdlog::info("{} authenticated as {} with From {}: refused (403)", what, login,
                 request.get(sip::HeaderId::From));
    return refuse(403, "From Does Not Match Credentials");
  }
  // §22.3: credentials for our realm were consumed here; the agent's devices never see them.
  request.remove(sip::HeaderId::ProxyAuthorization);

  // PRODUCT §2: only agents with the im task take part in instant messaging.
  const directory::Agent* sender = dir.agent(login);
  if (!sender || !sender->has_task("im")) {
    spdlog::info("{} from {}: refused 403 (no im task)", what, login);
    return refuse(403, "Sender Not Allowed To Use IM");
  }
  const auto target_user = sip::unescape(ruri->user);
  const auto target = target_user ? dir.resolve(*target_user) : std::nullopt;
  if (!target) {
    spdlog::info("{} from {} to {}: refused 404 (unknown)", what, login, ruri->user);
    return refuse(404, "No Such User");
  }
  const auto* agent = std::get_if<const directory::Agent*>(&*target);
  if (agent && !(*agent)->has_task("im")) {
    spdlog::info("{} from {} to {}: refused 403 (target has no im task)", what, login,
                 (*agent)->login);
    return refuse(403, "Target Does Not Take IM");
  }
  return Admitted{std::move(login), *target};
}

void SwitchTu::on_message(const txn::Key& server, sip::Message request,
                          const transport::Origin& origin) {
  auto admitted = admit(server, request, "MESSAGE");
  if (!admitted) return;
  if (bridge_message(server, request, origin, *admitted)) return;
  relay_admitted(server, std::move(request), origin, *admitted);
}

void SwitchTu::relay_admitted(const txn::Key& server, sip::Message request,
                              const transport::Origin& origin, const Admitted& admitted) {
  const auto* agent = std::get_if<const directory::Agent*>(&admitted.target);
  if (!agent) return route_message(server, std::move(request), origin, admitted);
  pager_->relay(server, std::move(request), origin, admitted.sender, (*agent)->login);
}

}  // namespace ims::sw::app
