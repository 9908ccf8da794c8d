#include "switch/proxy/pager.hpp"
#include "switch/proxy/route.hpp"

#include <ctime>
#include <utility>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/sip/builders.hpp"
#include "common/sip/uri.hpp"
#include "common/transport/via_routing.hpp"
#include "common/util/random.hpp"
#include "switch/proxy/device.hpp"
#include "switch/proxy/loop.hpp"
#include "switch/store/errors.hpp"

namespace ims::sw::proxy {

namespace {

using sip::HeaderId;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 3261 §20.17: the Date header, RFC 1123 form in GMT.
std::string http_date(std::int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

}  // namespace

PagerProxy::PagerProxy(boost::asio::any_io_executor strand, stack::Stack& stack,
                       store::Store& store, Locator locator, SentBy sent_by,
                       PagerSettings settings)
    : strand_(std::move(strand)),
      stack_(&stack),
      store_(&store),
      locator_(std::move(locator)),
      sent_by_(std::move(sent_by)),
      settings_(settings) {}

PagerProxy::~PagerProxy() = default;

// ---- relaying ----------------------------------------------------------------------------------

void PagerProxy::relay(const txn::Key& server, sip::Message request,
                       const transport::Origin& origin, std::string sender, std::string target) {
  auto bindings = locator_(target);
  if (asks_for_tls(request.request_uri())) {
    // RFC 5630 §3.1.3: TLS to the device too, and not later over whatever it registers with.
    bindings = secure_only(bindings);
    if (bindings.empty()) {
      spdlog::info("MESSAGE {} -> {}: sips: and no device reached over TLS, 480 (call-id {})",
                   sender, target, request.call_id());
      ++counters_.failed;
      return answer(server, request, 480, "No Device Reached Over TLS");
    }
  }
  if (bindings.empty()) {
    spdlog::debug("MESSAGE {} -> {}: no contact registered, keeping it (call-id {})", sender,
                  target, request.call_id());
    keep_for_later(server, std::move(request), origin, sender, target);
    return;
  }
  std::size_t too_large = 0;
  auto done = [this, server, origin, sender, target](Fork& f, const ForkDecision& d) {
    switch (d.kind) {
      case ForkDecision::Kind::Wait:
        return;
      case ForkDecision::Kind::Forward2xx: {
        sip::Message rsp = std::move(*f.responses[*d.branch]);  // the fork ends with this call
        rsp.remove_first(HeaderId::Via);  // §16.7 step 3: our own Via goes
        if (auto r = stack_->respond(server, std::move(rsp)); !r)
          spdlog::debug("relayed 2xx not sent: {}", r.error().message);
        ++counters_.relayed;
        send_copies(f.request, origin, sender);
        return;
      }
      case ForkDecision::Kind::Final:
        if (d.retry_later) {
          spdlog::info("MESSAGE {} -> {}: no contact took it ({}), keeping it (call-id {})",
                       sender, target, d.status, f.request.call_id());
          keep_for_later(server, f.request, origin, sender, target, nullptr, f.withdrawal);
          return;
        }
        ++counters_.failed;
        if (d.branch && f.responses[*d.branch]) {
          sip::Message rsp = std::move(*f.responses[*d.branch]);
          rsp.remove_first(HeaderId::Via);
          if (auto r = stack_->respond(server, std::move(rsp)); !r)
            spdlog::debug("relayed {} not sent: {}", d.status, r.error().message);
        } else {
          answer(server, f.request, d.status);
        }
        return;
    }
  };
  if (auto id = start_fork(request, bindings, std::move(done), server, &too_large)) {
    watch_late(*id, Withdrawal{target, std::nullopt, false});
    return;
  }
  if (too_large > 0) {
    // RFC 3428 §4: no congestion-controlled flow to the target for a request this large.
    ++counters_.failed;
    answer(server, request, 513, "Message Too Large For UDP");
    return;
  }
  keep_for_later(server, std::move(request), origin, sender, target);
}

sip::Message PagerProxy::branch_request(const sip::Message& request, const store::Binding& b,
                                        transport::Protocol protocol,
                                        const transport::Endpoint& to) const {
  sip::Message m = request;
  m.set_request_uri(b.contact);  // §16.6 step 2
  const int mf = request.max_forwards();
  m.set(HeaderId::MaxForwards, std::to_string(mf < 0 ? 70 : mf - 1));  // §16.6 step 3
  // §16.6 step 8: our Via on top, with a branch of our own.
  m.add_front(HeaderId::Via, std::string("SIP/2.0/") + std::string(transport::via_token(protocol)) +
                                 " " + sent_by_(protocol, to) + ";branch=" +
                                 forward_branch(request, util::random_token(12)));
  return m;
}

std::optional<std::uint64_t> PagerProxy::start_fork(sip::Message& request,
                                                    const std::vector<store::Binding>& bindings,
                                                    Fork::Done done,
                                                    std::optional<txn::Key> upstream,
                                                    std::size_t* too_large) {
  struct Branch {
    sip::Message message;
    stack::Destination to;
  };
  std::vector<Branch> ready;
  for (const auto& b : bindings) {
    auto route = route_of(b);
    if (!route) continue;
    sip::Message m = branch_request(request, b, route->protocol, route->endpoint);
    if (route->protocol == transport::Protocol::Udp &&
        m.wire_size() > settings_.udp_size_limit) {
      if (too_large) ++*too_large;
      continue;
    }
    ready.push_back({std::move(m), stack::Destination{route->protocol, route->endpoint,
                                                      route->flow}});
  }
  if (ready.empty()) return std::nullopt;

  const std::uint64_t id = next_fork_++;
  auto fork = std::make_unique<Fork>(ready.size());
  fork->id = id;
  fork->request = std::move(request);
  fork->done = std::move(done);
  fork->upstream = std::move(upstream);
  Fork& f = *fork;
  forks_.emplace(id, std::move(fork));

  std::vector<std::size_t> failed;
  for (std::size_t i = 0; i < ready.size(); ++i) {
    auto key = stack_->send_request(std::move(ready[i].message), ready[i].to);
    if (!key) {
      spdlog::debug("branch to {} not sent: {}", transport::to_string(ready[i].to.endpoint),
                    key.error().message);
      f.branches.emplace_back();
      failed.push_back(i);
      continue;
    }
    f.branches.push_back(*key);
    branches_.emplace(*key, BranchRef{id, i});
  }
  f.timer = std::make_unique<boost::asio::steady_timer>(strand_, settings_.branch_timeout);
  f.timer->async_wait([this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    on_fork_timeout(id);
  });
  for (std::size_t i : failed) {
    on_branch_final(id, i, 503, nullptr);
    if (!forks_.count(id)) break;
  }
  return id;
}

bool PagerProxy::on_response(const txn::Key& client, sip::Message&& response) {
  auto it = branches_.find(client);
  if (it == branches_.end()) {
    if (!late_.count(client)) return false;
    if (response.status() >= 200) on_late_final(client, response.status());
    return true;
  }
  if (response.status() < 200) {
    relay_provisional(it->second.fork, std::move(response));
    return true;
  }
  const BranchRef ref = it->second;
  branches_.erase(it);
  on_branch_final(ref.fork, ref.branch, response.status(), &response);
  return true;
}

bool PagerProxy::on_client_failure(const txn::Key& client, txn::Failure failure) {
  auto it = branches_.find(client);
  if (it == branches_.end()) return late_.erase(client) > 0;
  const BranchRef ref = it->second;
  branches_.erase(it);
  on_branch_final(ref.fork, ref.branch, failure == txn::Failure::Timeout ? 408 : 503, nullptr);
  return true;
}

void PagerProxy::on_branch_final(std::uint64_t id, std::size_t branch, int status,
                                 sip::Message* response) {
  auto it = forks_.find(id);
  if (it == forks_.end()) return;
  Fork& f = *it->second;
  if (response && branch < f.responses.size()) f.responses[branch] = std::move(*response);
  const ForkDecision d = f.context.on_final(branch, status);
  if (d.kind != ForkDecision::Kind::Wait) finish(id, d);
}

void PagerProxy::relay_provisional(std::uint64_t id, sip::Message&& response) {
  if (response.status() == 100) return;  // hop by hop: our own transaction sends one if due
  auto it = forks_.find(id);
  if (it == forks_.end() || !it->second->upstream) return;  // a delivery or copy: no sender
  const int status = response.status();
  response.remove_first(HeaderId::Via);  // §16.7 step 3
  if (auto r = stack_->respond(*it->second->upstream, std::move(response)); !r)
    spdlog::debug("relayed {} not sent: {}", status, r.error().message);
}

void PagerProxy::on_fork_timeout(std::uint64_t id) {
  auto it = forks_.find(id);
  if (it == forks_.end()) return;
  Fork& f = *it->second;
  ForkDecision d;
  for (std::size_t i = 0; i < f.responses.size() && d.kind == ForkDecision::Kind::Wait; ++i)
    d = f.context.on_timeout(i);
  if (d.kind != ForkDecision::Kind::Wait) finish(id, d);
}

void PagerProxy::finish(std::uint64_t id, const ForkDecision& decision) {
  auto node = forks_.extract(id);
  if (node.empty()) return;
  std::unique_ptr<Fork> f = std::move(node.mapped());
  const bool watch = f->withdrawal && decision.kind != ForkDecision::Kind::Forward2xx;
  for (const auto& key : f->branches) {
    if (branches_.erase(key) > 0 && watch) late_.emplace(key, f->withdrawal);
  }
  if (f->timer) f->timer->cancel();
  f->done(*f, decision);  // may start further forks
}

void PagerProxy::watch_late(std::uint64_t fork, Withdrawal w) {
  // Not there when every branch failed at once: then no transaction runs to answer late.
  if (auto it = forks_.find(fork); it != forks_.end())
    it->second->withdrawal = std::make_shared<Withdrawal>(std::move(w));
}

void PagerProxy::on_late_final(const txn::Key& client, int status) {
  auto node = late_.extract(client);
  if (node.empty() || status < 200 || status >= 300) return;
  Withdrawal& w = *node.mapped();
  w.taken = true;
  withdraw_if_taken(w);
}

void PagerProxy::withdraw_if_taken(Withdrawal& w) {
  if (!w.taken || !w.id) return;
  const std::int64_t id = *w.id;
  w.id.reset();  // a second late 2xx (another device) deletes nothing more
  store_->delete_message(id, [alive = std::weak_ptr<int>(alive_), id,
                              recipient = w.recipient](Result<void> r) {
    if (alive.expired()) return;
    if (!r) {
      spdlog::error("stored message {} for {} was taken late but not withdrawn: {}; it will be "
                    "delivered again", id, recipient, r.error().message);
      return;
    }
    spdlog::info("stored message {} for {}: a device took it after the fork timeout; the stored "
                 "copy is withdrawn", id, recipient);
  });
}

void PagerProxy::answer(const txn::Key& server, const sip::Message& request, int status,
                        std::string_view reason) {
  sip::Message rsp = sip::make_response(request, status, reason, util::random_token(10));
  if (auto r = stack_->respond(server, std::move(rsp)); !r)
    spdlog::debug("{} not sent: {}", status, r.error().message);
}

// ---- store and forward -------------------------------------------------------------------------

void PagerProxy::keep_for_queue(const txn::Key& server, sip::Message request,
                                const transport::Origin& origin, std::string sender,
                                std::string queue, std::function<bool(std::int64_t id)> admit) {
  keep_for_later(server, std::move(request), origin, sender, queue, std::move(admit));
}

void PagerProxy::keep_taken(sip::Message request, std::string sender, std::string recipient,
                            std::function<bool(std::int64_t id)> stored) {
  keep_for_later(std::nullopt, std::move(request), transport::Origin{}, sender, recipient,
                 std::move(stored));
}

void PagerProxy::keep_for_later(std::optional<txn::Key> server, sip::Message request,
                                const transport::Origin& origin, const std::string& sender,
                                const std::string& target,
                                std::function<bool(std::int64_t id)> admit,
                                std::shared_ptr<Withdrawal> withdrawal) {
  store::StoredMessage m;
  m.recipient = target;
  m.sender_login = sender;
  m.from = std::string(request.get(HeaderId::From));
  m.to = std::string(request.get(HeaderId::To));
  m.content_type = std::string(request.get(HeaderId::ContentType));
  m.body = std::string(request.body());
  m.received_at_ms = now_ms();
  m.expires_at_ms =
      m.received_at_ms +
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.message_expiry).count();
  // The 202 goes out only after the store has committed the message (no loss on a crash).
  store_->store_message(
      std::move(m), settings_.queue_limit,
      [this, alive = std::weak_ptr<int>(alive_), server, origin, sender, target,
       request = std::move(request), admit = std::move(admit),
       withdrawal = std::move(withdrawal)](Result<std::int64_t> id) {
        if (alive.expired()) return;
        if (!id && id.error().code == store::make_error_code(store::StoreErrc::QueueFull)) {
          // A bound, not a fault: the agent has not collected what waits for it.
          ++counters_.failed;
          spdlog::warn("MESSAGE {} -> {}: {} stored messages already wait, refused (480)",
                       sender, target, settings_.queue_limit);
          if (server) {
            answer(*server, request, 480, "Recipient Message Queue Full");
          } else {
            spdlog::error("MESSAGE {} -> {} lost: its sender was answered already", sender,
                          target);
          }
          return;
        }
        if (!id && id.error().code == store::make_error_code(store::StoreErrc::Overloaded)) {
          ++counters_.store_errors;
          sip::Message rsp = sip::make_response(request, 503, "Store Busy", util::random_token(10));
          rsp.add(HeaderId::RetryAfter, "1");  // RFC 3261 §21.5.4
          if (!server) {
            spdlog::error("MESSAGE from {} for {} not kept: the store is overloaded", sender,
                          target);
          } else if (auto r = stack_->respond(*server, std::move(rsp)); !r) {
            spdlog::debug("503 not sent: {}", r.error().message);
          }
          return;
        }
        if (!id) {
          ++counters_.store_errors;
          spdlog::error("MESSAGE from {} not stored: {} (answered 500)", sender,
                        id.error().message);
          if (server) answer(*server, request, 500, "Message Store Unavailable");
          if (!server) spdlog::error("MESSAGE {} -> {} lost: its sender was answered already",
                                     sender, target);
          return;
        }
        const bool in_line = !admit || admit(*id);
        if (!in_line && !server) {
          // Its sender was told it was taken: it stays stored, and takes its place in the
          // queue's line at the next start (requeue).
          spdlog::warn("MESSAGE {} -> queue {}: the queue's line is full; kept in the store "
                       "until the next start",
                       sender, target);
          ++counters_.stored;
          return;
        }
        if (!in_line) {
          spdlog::info("MESSAGE {} -> queue {}: the queue's line is full, refused (486)", sender,
                       target);
          store_->delete_message(*id, [](Result<void>) {});
          ++counters_.failed;
          if (server) answer(*server, request, 486, "Queue Full");
          return;
        }
        ++counters_.stored;
        if (withdrawal) {  // a device may have taken it while it was being written
          withdrawal->id = *id;
          withdraw_if_taken(*withdrawal);
        }
        if (!server) return;  // its sender was answered when it was taken
        answer(*server, request, 202);
        send_copies(request, origin, sender);
      });
}

void PagerProxy::send_copies(const sip::Message& request, const transport::Origin& origin,
                             const std::string& sender) {
  std::vector<store::Binding> others;
  for (auto& b : locator_(sender))
    if (!same_device(b, origin)) others.push_back(std::move(b));
  if (others.empty()) return;
  // A new request in its own transaction: same From, To and body; the header marks it as a
  // copy of what the user sent from another device.
  sip::Message copy = sip::Message::request(sip::Method::Message, others.front().contact);
  copy.add(HeaderId::MaxForwards, "70");
  copy.add(HeaderId::From, request.get(HeaderId::From));
  copy.add(HeaderId::To, request.get(HeaderId::To));
  copy.add(HeaderId::CallId, stack_->new_call_id(""));  // owned by this core
  copy.add(HeaderId::CSeq, "1 MESSAGE");
  copy.add("Imswitch-Copy", "sent");
  copy.set_body(request.body(), request.get(HeaderId::ContentType));
  for (const auto& b : others) {
    sip::Message one = copy;
    if (start_fork(one, {b}, [](Fork&, const ForkDecision&) {}, std::nullopt)) ++counters_.copies;
  }
}

void PagerProxy::deliver_stored(const std::string& login) {
  if (!delivering_.insert(login).second) {
    // A device registered while a round runs: it may take what this round cannot (a TCP
    // device for a message too large for UDP), so another round follows this one.
    again_.insert(login);
    return;
  }
  store_->pending_messages(
      login, settings_.delivery_batch,
      [this, alive = std::weak_ptr<int>(alive_), login](
          Result<std::vector<store::StoredMessage>> batch) {
        if (alive.expired()) return;
        if (!batch) {
          ++counters_.store_errors;
          spdlog::error("stored messages for {} not read: {}", login, batch.error().message);
          round_done(login);
          return;
        }
        if (batch->empty()) {
          round_done(login);
          return;
        }
        spdlog::info("delivering {} stored message(s) to {}", batch->size(), login);
        deliver_next(login, std::move(*batch), 0, false);
      });
}

void PagerProxy::round_done(const std::string& login) {
  delivering_.erase(login);
  if (again_.erase(login) > 0) deliver_stored(login);
}

void PagerProxy::deliver_next(const std::string& login, std::vector<store::StoredMessage> batch,
                              std::size_t index, bool progress) {
  if (index == batch.size()) {
    // The batch is done; look for more (a full batch may not have been everything), unless
    // none of it could be delivered: the next batch would begin with the same messages.
    const bool full = batch.size() >= settings_.delivery_batch;
    if (full && progress) again_.insert(login);
    round_done(login);
    return;
  }
  const store::StoredMessage& m = batch[index];
  if (m.expires_at_ms <= now_ms()) {  // past its expiry: the periodic sweep drops and logs it
    deliver_next(login, std::move(batch), index + 1, progress);
    return;
  }
  const auto bindings = locator_(login);
  if (bindings.empty()) {
    round_done(login);  // offline again: the next registration resumes
    return;
  }
  sip::Message req = sip::Message::request(sip::Method::Message, bindings.front().contact);
  req.add(HeaderId::MaxForwards, "70");
  req.add(HeaderId::From, m.from);
  req.add(HeaderId::To, m.to);
  req.add(HeaderId::CallId, stack_->new_call_id(""));  // owned by this core
  req.add(HeaderId::CSeq, "1 MESSAGE");
  req.add(HeaderId::Date, http_date(m.received_at_ms));  // when the sender sent it
  req.set_body(m.body, m.content_type);
  const std::int64_t id = m.id;
  auto done = [this, login, batch, index, id](Fork&, const ForkDecision& d) {
    if (d.kind != ForkDecision::Kind::Forward2xx) {
      spdlog::info("stored message {} for {} not taken ({}); kept", id, login, d.status);
      round_done(login);
      return;
    }
    ++counters_.delivered;
    // Deleted only after the contact's 2xx; the next goes once the delete is committed, so
    // the order holds across a crash.
    store_->delete_message(id, [this, alive = std::weak_ptr<int>(alive_), login,
                                batch = std::move(batch), index](Result<void> r) mutable {
      if (alive.expired()) return;
      if (!r) {
        ++counters_.store_errors;
        spdlog::error("delivered message for {} not deleted: {}", login, r.error().message);
        round_done(login);
        return;
      }
      deliver_next(login, std::move(batch), index + 1, true);
    });
  };
  std::size_t too_large = 0;
  if (auto fork = start_fork(req, bindings, std::move(done), std::nullopt, &too_large)) {
    watch_late(*fork, Withdrawal{login, id, false});
  } else {
    // No device can carry this one now (too large for UDP, or unroutable): it stays stored for
    // a later registration, and the ones after it go on.
    spdlog::warn("stored message {} for {} ({} bytes) cannot reach any registered device{}; "
                 "kept", id, login, m.body.size(),
                 too_large ? " over UDP (needs a TCP device)" : "");
    deliver_next(login, std::move(batch), index + 1, progress);
  }
}

}  // namespace ims::sw::proxy
