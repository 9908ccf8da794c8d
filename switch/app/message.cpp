// SwitchTu: pager MESSAGE policy (RFC 3428 §6-§7, RFC 3261 §16.3): no open relay, only
// authenticated local agents send, only to local targets; then the proxy relays.
#include <spdlog/spdlog.h>

#include "common/sip/header_values.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/proxy/loop.hpp"

namespace ims::sw::app {


void SwitchTu::on_message(const txn::Key& server, sip::Message request,
                          const transport::Origin& origin) {
  const std::string to_tag = util::random_token(10);
  if (auto early = check_request(request, to_tag)) return send(server, std::move(*early));
  const directory::Directory& dir = *directory_;

  // §16.3 / RFC 3428 §7: the target must be ours (no open relay).
  const auto ruri = sip::parse_uri(request.request_uri());
  if (!ruri) return send(server, reply(request, 400, to_tag, "Bad Request-URI"));
  if (ruri->scheme != sip::UriScheme::Tel && !dir.is_local_domain(ruri->host))
    return send(server, reply(request, 403, to_tag, "Relaying Denied"));
  if (!strip_own_routes(request, dir))
    return send(server, reply(request, 403, to_tag, "Relaying Denied"));
  // §16.3 step 4: a request we forwarded came back unchanged (a Contact pointing at us).
  if (proxy::has_looped(request)) return send(server, reply(request, 482, to_tag));

  const std::int64_t now = unix_now_ms();
  auto who = authn_.authenticate(request, dir, AuthRole::Proxy, to_tag, now);
  if (auto* rsp = std::get_if<sip::Message>(&who)) return send(server, std::move(*rsp));
  const std::string login = std::get<std::string>(std::move(who));

  // The sender speaks for itself only: From names the authenticated agent.
  const auto from = request.from();
  const auto from_user = from ? user_of(from->uri) : std::nullopt;
  if (!from_user || *from_user != login) {
    spdlog::info("MESSAGE authenticated as {} with From {}: refused (403)", login,
                 request.get(sip::HeaderId::From));
    return send(server, reply(request, 403, to_tag, "From Does Not Match Credentials"));
  }

  // §22.3: credentials for our realm were consumed here; the agent's devices never see them.
  request.remove(sip::HeaderId::ProxyAuthorization);

  // PRODUCT §2: only agents with the im task take part in instant messaging.
  const directory::Agent* sender = dir.agent(login);
  if (!sender || !sender->has_task("im"))
    return send(server, reply(request, 403, to_tag, "Sender Not Allowed To Use IM"));

  const auto target_user = sip::unescape(ruri->user);
  const auto target = target_user ? dir.resolve(*target_user) : std::nullopt;
  if (!target) return send(server, reply(request, 404, to_tag, "No Such User"));
  const auto* agent = std::get_if<const directory::Agent*>(&*target);
  if (!agent) {
    // Routing points and queues route pager messages to an agent in a later stage.
    return send(server, reply(request, 480, to_tag, "Queue Routing Not Available"));
  }
  if (!(*agent)->has_task("im"))
    return send(server, reply(request, 403, to_tag, "Target Does Not Take IM"));
  pager_->relay(server, std::move(request), origin, login, (*agent)->login);
}

}  // namespace ims::sw::app
