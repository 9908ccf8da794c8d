// SwitchTu: who may open an IM session (PRODUCT §4): the same policy as a pager MESSAGE (RFC 3261
// §16.3, §22.3): an authenticated local agent with the im task, speaking for itself, to a local
// agent with the im task. Then the B2BUA takes over.
#include <spdlog/spdlog.h>

#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/proxy/loop.hpp"

namespace ims::sw::app {

void SwitchTu::on_invite(const txn::Key& server, sip::Message request,
                         const transport::Origin& origin) {
  const std::string to_tag = util::random_token(10);
  if (auto early = check_request(request, to_tag)) return send(server, std::move(*early));
  const directory::Directory& dir = *directory_;

  const auto ruri = sip::parse_uri(request.request_uri());
  if (!ruri) return send(server, reply(request, 400, to_tag, "Bad Request-URI"));
  if (ruri->scheme != sip::UriScheme::Tel && !dir.is_local_domain(ruri->host))
    return send(server, reply(request, 403, to_tag, "Relaying Denied"));
  if (!strip_own_routes(request, dir))
    return send(server, reply(request, 403, to_tag, "Relaying Denied"));
  if (proxy::has_looped(request)) return send(server, reply(request, 482, to_tag));

  auto who = authn_.authenticate(request, dir, AuthRole::Proxy, to_tag, unix_now_ms());
  if (auto* rsp = std::get_if<sip::Message>(&who)) return send(server, std::move(*rsp));
  const std::string login = std::get<std::string>(std::move(who));

  const auto from = request.from();
  const auto from_user = from ? user_of(from->uri) : std::nullopt;
  if (!from_user || *from_user != login) {
    spdlog::info("INVITE authenticated as {} with From {}: refused (403)", login,
                 request.get(sip::HeaderId::From));
    return send(server, reply(request, 403, to_tag, "From Does Not Match Credentials"));
  }
  request.remove(sip::HeaderId::ProxyAuthorization);

  const directory::Agent* initiator = dir.agent(login);
  if (!initiator || !initiator->has_task("im")) {
    spdlog::info("IM from {}: refused 403 (no im task)", login);
    return send(server, reply(request, 403, to_tag, "Initiator Not Allowed To Use IM"));
  }
  const auto target_user = sip::unescape(ruri->user);
  const auto target = target_user ? dir.resolve(*target_user) : std::nullopt;
  if (!target) {
    spdlog::info("IM from {} to {}: refused 404 (unknown)", login, ruri->user);
    return send(server, reply(request, 404, to_tag, "No Such User"));
  }
  const auto* agent = std::get_if<const directory::Agent*>(&*target);
  if (!agent) return send(server, reply(request, 480, to_tag, "Queue Routing Not Available"));
  if (!(*agent)->has_task("im")) {
    spdlog::info("IM from {} to {}: refused 403 (target has no im task)", login, (*agent)->login);
    return send(server, reply(request, 403, to_tag, "Target Does Not Take IM"));
  }
  im_->start(server, std::move(request), origin, login, (*agent)->login, (*agent)->im_capacity);
}

}  // namespace ims::sw::app
