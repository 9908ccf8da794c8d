// SwitchTu: pager MESSAGEs to a queue or a routing point (PRODUCT §3): the message goes to one
// agent, forked to that agent's devices as any pager message. When no member of the queue is
// free it is stored with the queue's number as its recipient (202 once on disk) and waits in the
// queue's line as an interaction of its own ("msg:<id>"); the member who takes it gets it as a
// stored message of its own (the store re-addresses it, keeping its order), so nothing is lost
// across a crash, and at start-up the queues' stored messages take their places in line again.
#include <charconv>

#include <spdlog/spdlog.h>

#include "common/util/random.hpp"
#include "switch/app/policy.hpp"
#include "switch/app/responder.hpp"
#include "switch/app/switch_tu.hpp"

namespace ims::sw::app {

namespace {

std::string message_interaction(std::int64_t id) {
  return std::string(kQueuedMessagePrefix) + std::to_string(id);
}

std::optional<std::int64_t> message_id(std::string_view interaction) {
  if (!interaction.starts_with(kQueuedMessagePrefix)) return std::nullopt;
  interaction.remove_prefix(kQueuedMessagePrefix.size());
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(interaction.data(), interaction.data() + interaction.size(), id);
  if (ec != std::errc{} || end != interaction.data() + interaction.size()) return std::nullopt;
  return id;
}

}  // namespace

void SwitchTu::route_message(const txn::Key& server, sip::Message request,
                             const transport::Origin& origin, const Admitted& admitted) {
  auto refuse = [&](int status, std::string_view reason) {
    send(server, reply(request, status, util::random_token(10), reason));
  };
  if (!shared_->queues) return refuse(480, "Queue Routing Not Available");
  const std::string address = address_of(admitted.target);
  auto routed = shared_->queues->port(core_).route(address, facts_of(admitted.sender, request));
  if (!routed) {
    spdlog::info("MESSAGE from {} to {}: no route ({}), refused 480", admitted.sender, address,
                 routed.error().message);
    return refuse(480, "No Route");
  }
  if (const auto* to = std::get_if<im::AgentTarget>(&*routed)) {
    const directory::Agent* agent = directory_->agent(to->login);
    if (!agent || !agent->has_task("im")) return refuse(403, "Target Does Not Take IM");
    return pager_->relay(server, std::move(request), origin, admitted.sender, agent->login);
  }
  const std::string queue = std::get<im::QueueTerms>(*routed).number;
  // A member who writes to its own queue is not its own answer.
  if (auto agent = shared_->queues->pick(queue, {admitted.sender})) {
    spdlog::info("MESSAGE from {} to queue {}: to {}", admitted.sender, queue, *agent);
    return pager_->relay(server, std::move(request), origin, admitted.sender, *agent);
  }
  // Nobody free: kept in the queue, then in its line once on disk.
  spdlog::info("MESSAGE from {} to queue {}: no member free, kept for the next", admitted.sender,
               queue);
  pager_->keep_for_queue(
      server, std::move(request), origin, admitted.sender, queue,
      [this, alive = std::weak_ptr<int>(alive_), queue, sender = admitted.sender](std::int64_t id) {
        if (alive.expired() || stopped_) return true;  // stored: taken up at the next start
        return line_up_message(queue, sender, id);
      });
}

bool SwitchTu::line_up_message(const std::string& queue, const std::string& sender,
                               std::int64_t id) {
  const std::string interaction = message_interaction(id);
  routing::RequestOptions options;
  options.skip = {sender};
  const auto outcome = shared_->queues->port(core_).request(queue, interaction, options);
  if (const auto* offer = std::get_if<routing::Offer>(&outcome)) {
    on_queued_message_offer(*offer);  // a member freed meanwhile
    return true;
  }
  return std::holds_alternative<routing::Waiting>(outcome);
}

void SwitchTu::keep_unplaced(const std::string& sender, const im::Unplaced& where,
                             std::vector<sip::Message> lines) {
  if (stopped_ || !pager_) return;
  if (where.queue && !shared_->queues) return;
  spdlog::info("{} line(s) from {} kept for {} {} as pager messages", lines.size(), sender,
               where.queue ? "queue" : "agent", where.recipient);
  for (auto& m : lines) {
    pager_->keep_taken(
        std::move(m), sender, where.recipient,
        [this, alive = std::weak_ptr<int>(alive_), where, sender](std::int64_t id) {
          if (alive.expired() || stopped_) return true;  // stored: taken up later
          if (where.queue) return line_up_message(where.recipient, sender, id);
          deliver_stored(where.recipient);  // to the agent's devices now, or at its next login
          return true;
        });
  }
}

void SwitchTu::on_queued_message_offer(const routing::Offer& offer) {
  if (stopped_ || !shared_->queues) return;
  const auto id = message_id(offer.interaction);
  if (!id) return;
  store_->readdress_message(
      *id, offer.agent,
      [this, alive = std::weak_ptr<int>(alive_), offer](Result<void> r) {
        if (alive.expired() || stopped_) return;
        im::QueuePort& port = shared_->queues->port(core_);
        if (!r) {
          // Gone (expired meanwhile), or the store failed: it leaves the line; a message still
          // stored is taken up again at the next start.
          spdlog::warn("stored message {} of queue {} not given to {}: {}", offer.interaction,
                       offer.queue, offer.agent, r.error().message);
          port.leave(offer.interaction, routing::LeaveReason::Abandoned);
          return;
        }
        spdlog::info("stored message {} of queue {} goes to {}", offer.interaction, offer.queue,
                     offer.agent);
        (void)port.answered(offer.interaction);
        port.leave(offer.interaction, routing::LeaveReason::Ended);
        deliver_stored(offer.agent);
      });
}

void SwitchTu::requeue_stored_messages() {
  if (!shared_->queues) return;
  for (const auto& q : directory_->queues()) {
    store_->pending_messages(
        q.number, settings_.pager.queue_limit,
        [this, alive = std::weak_ptr<int>(alive_), queue = q.number](
            Result<std::vector<store::StoredMessage>> r) {
          if (alive.expired() || stopped_) return;
          if (!r) {
            spdlog::error("messages kept for queue {} not read: {}", queue, r.error().message);
            return;
          }
          if (!r->empty())
            spdlog::info("{} message(s) kept for queue {} wait in its line", r->size(), queue);
          for (const auto& m : *r) {
            routing::RequestOptions options;
            options.skip = {m.sender_login};
            const auto outcome = shared_->queues->port(core_).request(
                queue, message_interaction(m.id), std::move(options));
            if (const auto* offer = std::get_if<routing::Offer>(&outcome))
              on_queued_message_offer(*offer);
          }
        });
  }
}

}  // namespace ims::sw::app
