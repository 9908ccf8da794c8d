// SwitchTu: who may open an IM session (PRODUCT §4): the same policy as a pager MESSAGE (RFC 3261
// §16.3, §22.3): an authenticated local agent with the im task, speaking for itself, to a local
// agent with the im task, a queue or a routing point. Routing points are followed to an agent or
// a queue (PRODUCT §1); then the B2BUA takes over.
#include <spdlog/spdlog.h>

#include "common/util/random.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

void SwitchTu::on_invite(const txn::Key& server, sip::Message request,
                         const transport::Origin& origin) {
  auto admitted = admit(server, request, "IM");
  if (!admitted) return;
  if (const auto* agent = std::get_if<const directory::Agent*>(&admitted->target)) {
    return im_->start(server, std::move(request), origin, admitted->sender, (*agent)->login,
                      (*agent)->im_capacity);
  }
  auto refuse = [&](int status, std::string_view reason) {
    send(server, reply(request, status, util::random_token(10), reason));
  };
  if (!shared_->queues) return refuse(480, "Queue Routing Not Available");
  const std::string address = address_of(admitted->target);
  routing::Facts facts = facts_of(admitted->sender, request);
  auto routed = shared_->queues->port(core_).route(address, facts);
  if (!routed) {
    spdlog::info("IM from {} to {}: no route ({}), refused 480", admitted->sender, address,
                 routed.error().message);
    return refuse(480, "No Route");
  }
  if (auto* queue = std::get_if<im::QueueTerms>(&*routed)) {
    return im_->start_queued(server, std::move(request), origin, admitted->sender,
                             std::move(*queue), std::move(facts));
  }
  // A routing point that leads to an agent: a session to that agent's address.
  const directory::Agent* agent = directory_->agent(std::get<im::AgentTarget>(*routed).login);
  if (!agent || !agent->has_task("im")) return refuse(403, "Target Does Not Take IM");
  spdlog::info("IM from {}: routing point {} leads to agent {}", admitted->sender, address,
               agent->login);
  im_->start(server, std::move(request), origin, admitted->sender, agent->login,
             agent->im_capacity);
}

}  // namespace ims::sw::app
