// SwitchTu: the pager bridge's entrance (PRODUCT §4b). A MESSAGE from a device of the sender that
// is not session-capable (no binding with +imswitch.session is the device it came from, or the
// sender is not registered at all) may belong to an IM session: the reply of an invited plain
// device, or a stock client's next line to the queue it is talking to. The BridgeIndex says which
// session and on which core; that core's B2BUA takes it, and the answer comes back to the core
// whose transaction it is. A stock client's MESSAGE to a queue or routing point opens a session
// (with the queue's agent, or the agent the routing point names); a line written just after the agent ended one goes to that agent as a
// pager message. Everything else stays an ordinary pager message (message.cpp).
#include <spdlog/spdlog.h>

#include "switch/app/policy.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/im/body.hpp"
#include "switch/proxy/device.hpp"

namespace ims::sw::app {

im::BridgeSettings bridge_settings(const config::Im& im) {
  im::BridgeSettings b;
  b.idle = im.bridge_idle;
  b.late = im.bridge_late;
  return b;
}

bool SwitchTu::from_session_device(const std::string& login,
                                   const transport::Origin& origin) const {
  for (const auto& b : lookup(login))
    if (b.session_capable && proxy::same_device(b, origin)) return true;
  return false;
}

im::ImB2bua::Reply SwitchTu::reply_home(const txn::Key& server) {
  if (shared_->cores <= 1 || !shared_->on_core) {
    return [this, alive = std::weak_ptr<int>(alive_), server](sip::Message rsp) {
      if (alive.expired() || stopped_) return;
      send(server, std::move(rsp));
    };
  }
  // The session may run on another core; the transaction is this one's.
  return [shared = shared_, home = core_, server](sip::Message rsp) {
    shared->on_core(home, [server, rsp = std::move(rsp)](SwitchTu& tu) mutable {
      if (!tu.stopped_ && tu.stack_) tu.send(server, std::move(rsp));
    });
  };
}

bool SwitchTu::bridge_message(const txn::Key& server, sip::Message& request,
                              const transport::Origin& origin, const Admitted& admitted) {
  if (!im_ || from_session_device(admitted.sender, origin)) return false;
  const std::string address = address_of(admitted.target);
  const auto found = shared_->bridges.find(admitted.sender, address, unix_now_ms());

  if (const auto* live = std::get_if<im::BridgeIndex::LiveRef>(&found)) {
    const std::size_t owner = live->core;
    if (owner == core_ || shared_->cores <= 1 || !shared_->on_core) {
      return im_->on_plain_message(live->session, request, origin, admitted.sender,
                                   reply_home(server));
    }
    // Another core runs the session: it decides; if it has no use for the message, the
    // message comes back here as an ordinary pager message.
    shared_->on_core(owner, [home = core_, shared = shared_, session = live->session, server,
                             request, origin, admitted, dir = directory_,
                             reply = reply_home(server)](SwitchTu& tu) {
      if (!tu.stopped_ && tu.im_ &&
          tu.im_->on_plain_message(session, request, origin, admitted.sender, reply))
        return;
      shared->on_core(home, [server, request, origin, admitted, dir](SwitchTu& back) {
        if (!back.stopped_ && back.pager_) back.relay_admitted(server, request, origin, admitted);
      });
    });
    return true;
  }

  if (const auto* ended = std::get_if<im::BridgeIndex::Ended>(&found)) {
    // Typed while (or just after) the agent ended the session: it reaches that agent.
    const directory::Agent* agent = directory_->agent(ended->agent);
    if (!agent || !agent->has_task("im")) return false;
    spdlog::info("MESSAGE from {} to {} after IM session {} ended: to {} as a pager message "
                 "(call-id {})",
                 admitted.sender, address, ended->session, agent->login, request.call_id());
    pager_->relay(server, std::move(request), origin, admitted.sender, agent->login);
    return true;
  }

  // A stock client writing to a queue (or a routing point that leads to one) opens a session.
  if (std::holds_alternative<const directory::Agent*>(admitted.target)) return false;
  if (!shared_->queues || !im::is_message_type(request.get(sip::HeaderId::ContentType)))
    return false;
  routing::Facts facts = facts_of(admitted.sender, request);
  auto routed = shared_->queues->port(core_).route(address, facts);
  if (!routed) return false;  // route_message refuses it with 480, as for anyone
  if (auto* queue = std::get_if<im::QueueTerms>(&*routed)) {
    im_->start_bridged(std::move(request), origin, admitted.sender, address, std::move(*queue),
                       std::move(facts), reply_home(server));
    return true;
  }
  // A routing point that leads to an agent: a session with that agent.
  const directory::Agent* agent = directory_->agent(std::get<im::AgentTarget>(*routed).login);
  if (!agent || !agent->has_task("im")) return false;  // route_message refuses it (403)
  spdlog::info("MESSAGE from {}: routing point {} leads to agent {}", admitted.sender, address,
               agent->login);
  im_->start_bridged(std::move(request), origin, admitted.sender, address, agent->login,
                     agent->im_capacity, reply_home(server));
  return true;
}

}  // namespace ims::sw::app
