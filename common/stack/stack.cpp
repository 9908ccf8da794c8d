#include "common/stack/stack.hpp"

#include <algorithm>
#include <bit>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/sip/builders.hpp"
#include "common/txn/errors.hpp"
#include "common/util/random.hpp"

namespace ims::stack {

namespace asio = boost::asio;
using transport::Origin;

namespace {

txn::Reliability reliability(transport::Protocol p) {
  return transport::is_reliable(p) ? txn::Reliability::Reliable : txn::Reliability::Unreliable;
}

std::optional<txn::Key> outcome_key_copy(const txn::Key* key) {
  if (!key) return std::nullopt;
  return *key;
}

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

Stack::Stack(asio::any_io_executor strand, Options options, TransactionUser& tu)
    : strand_(std::move(strand)),
      tu_(&tu),
      table_(options.txn),
      overload_(options.overload),
      wheel_(std::bit_ceil(std::max<std::size_t>(options.timer_slots, 8))),
      ticker_(strand_) {
  contexts_.reserve(std::min(options.txn.max_transactions, options.txn.reserve));
  if (options.count_by_method) counters_.by_method.enable();
  transport::MessageSink& sink = *this;
  // The transport sheds what is too late to answer (transport/overload.hpp).
  options.transport.max_queue_delay = options.overload.max_queue_delay;
  options.transport.max_rejections_per_s = options.overload.max_rejections_per_s;
  transport_ = std::make_unique<transport::TransportLayer>(strand_, options.transport, sink);
}

Stack::~Stack() { close(); }

Result<transport::ListenerInfo> Stack::listen(transport::Protocol protocol,
                                              const transport::Endpoint& where) {
  return transport_->listen(protocol, where);
}

const std::vector<transport::ListenerInfo>& Stack::listeners() const {
  return transport_->listeners();
}

void Stack::close() {
  alive_.reset();
  transport_->close();
  ticker_.cancel();
  ticking_ = false;
  wheel_ = TimerWheel<Context>(8);  // it points into the contexts
  contexts_.clear();
  clients_by_flow_.clear();
  pending_acks_.clear();
}

// ---- from the transport ------------------------------------------------------------------------

void Stack::on_message(sip::Message message, const Origin& origin) {
  if (message.is_request()) {
    on_request(std::move(message), origin);
  } else {
    on_response(std::move(message), origin);
  }
}

void Stack::on_request(sip::Message request, const Origin& origin) {
  ++counters_.requests_received;
  counters_.by_method.add_request(request.method());
  if (spdlog::should_log(spdlog::level::debug)) {  // to_string allocates: not on the hot path
    spdlog::debug("recv {} from {}/{} call-id {}", request.method_text(),
                  transport::protocol_name(origin.protocol), transport::to_string(origin.source),
                  request.call_id());
  }
  if (request.fault) {
    // The parser found the request SIP-shaped but invalid: answer with what it says (400 with
    // a reason naming the fault, 413, 505 ...), statelessly: it never reaches a transaction.
    const sip::Fault fault = *request.fault;
    answer_statelessly(request, fault.status, fault.reason, origin);
    return;
  }
  if (late_new_work(request, origin)) {
    ++counters_.overload_shed;
    counters_.by_method.add_response(request.method(), 503);
    answer_overloaded(request, "Overloaded", origin);
    note_overload("waited too long in the receive queue (sip.overload.max_queue_delay_ms)");
    return;
  }
  // The table takes the request; a copy is kept only when the table may refuse it for being
  // full, to build the 503 from.
  std::optional<sip::Message> kept;
  if (table_.size() >= table_.config().max_transactions) kept = request;
  auto outcome = table_.on_request(std::move(request), reliability(origin.protocol));
  if (!outcome) {
    if (outcome.error().code == txn::make_error_code(txn::TxnErrc::TableFull)) {
      ++counters_.overload_rejected;
      if (kept) {
        counters_.by_method.add_response(kept->method(), 503);
        answer_overloaded(*kept, "Too Many Transactions", origin);
      }
      note_overload("the transaction table is full (sip.limits.max_transactions; or shorten "
                    "sip.timers.completed_linger_ms)");
    } else {
      ++counters_.unmatchable_dropped;
      spdlog::debug("dropped request from {}: {}", transport::to_string(origin.source),
                    outcome.error().message);
    }
    return;
  }
  // A new server transaction: remember where the request came from, for its responses.
  if (outcome->key && !contexts_.count(*outcome->key)) {
    add_context(*outcome->key, Context{origin, std::nullopt});
  }
  process(std::move(*outcome), origin);
}

void Stack::on_response(sip::Message response, const Origin& origin) {
  ++counters_.responses_received;
  if (response.fault) {
    // §18.1.2 and STYLE rule 9: a malformed response is never answered, only dropped.
    ++counters_.bad_responses_dropped;
    spdlog::debug("dropped malformed response from {}: {}", transport::to_string(origin.source),
                  response.fault->reason);
    return;
  }
  process(table_.on_response(std::move(response)), origin);
}

void Stack::answer_statelessly(const sip::Message& request, int status, std::string_view reason,
                               const Origin& origin) {
  // §17.1.1.3: an ACK is never answered. Without a usable top Via a datagram has nowhere to go,
  // but a request that came on a connection is answered on it (§18.2.2 tries the connection
  // first), so a client that wrote a bad Via still learns why.
  const bool on_connection = transport::is_connection(origin.protocol);
  if (request.method() == sip::Method::Ack || (!request.top_via() && !on_connection)) {
    ++counters_.bad_requests_dropped;
    return;
  }
  ++counters_.bad_requests_answered;
  counters_.by_method.add_response(request.method(), status);
  auto rsp = sip::make_response(request, status, reason, util::random_token(10));
  auto sent = transport_->send_response(rsp, origin);
  if (!sent) {
    ++counters_.send_failures;
    spdlog::debug("stateless {} to {} not sent: {}", status, transport::to_string(origin.source),
                  sent.error().message);
  }
}

bool Stack::late_new_work(const sip::Message& request, const Origin& origin) {
  if (overload_.max_queue_delay.count() <= 0) return false;
  if (origin.received == std::chrono::system_clock::time_point{}) return false;  // no stamp
  // Work in progress goes on: an ACK or CANCEL ends what was started, a request with a To tag
  // belongs to a dialog.
  const auto method = request.method();
  if (method == sip::Method::Ack || method == sip::Method::Cancel || !request.to_tag().empty())
    return false;
  const auto waited = std::chrono::system_clock::now() - origin.received;
  if (waited <= overload_.max_queue_delay) return false;
  // A retransmission of a live transaction is absorbed below (its answer is re-sent): cheap,
  // and it keeps the client from retransmitting again.
  if (auto key = txn::server_key(request); key && table_.contains(*key)) return false;
  if (waited <= overload_.trusted_queue_delay && tu_->vouches_for(origin)) return false;
  worst_delay_ = std::max(worst_delay_, waited);
  return true;
}

bool Stack::answer_overloaded(const sip::Message& request, std::string_view reason,
                              const Origin& origin) {
  if (request.method() == sip::Method::Ack) return false;  // §17.1.1.3
  if (!request.top_via() && !transport::is_connection(origin.protocol)) return false;
  auto rsp = sip::make_response(request, 503, reason, util::random_token(10));
  // RFC 3261 §21.5.4, §20.33: when to come back, spread so that refused clients do not return
  // in step.
  const auto base = static_cast<std::uint32_t>(std::max<std::int64_t>(overload_.retry_after.count(), 1));
  rsp.add(sip::HeaderId::RetryAfter,
          std::to_string(std::uniform_int_distribution<std::uint32_t>(base, 2 * base)(rng_)));
  auto sent = transport_->send_response(rsp, origin);
  if (sent) return true;
  ++counters_.send_failures;
  spdlog::debug("503 to {} not sent: {}", transport::to_string(origin.source),
                sent.error().message);
  return false;
}

void Stack::note_overload(std::string_view why) {
  ++overload_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - overload_logged_ < std::chrono::seconds(10)) return;
  const auto worst = std::chrono::duration_cast<std::chrono::milliseconds>(worst_delay_);
  spdlog::warn("overload: {} new request(s) answered 503 since the last report; latest: {}; "
               "{} transactions live on this core, longest wait shed {} ms",
               overload_unlogged_, why, table_.size(), worst.count());
  overload_logged_ = now;
  overload_unlogged_ = 0;
  worst_delay_ = {};
}

void Stack::on_flow_closed(transport::FlowId flow) {
  // The transport may report a close from inside one of our own sends; handle it as a fresh
  // event so that no transaction context changes under a caller.
  std::weak_ptr<int> alive = alive_;
  asio::post(strand_, [this, alive, flow] {
    if (!alive.expired()) on_flow_gone(flow);
  });
}

void Stack::on_flow_gone(transport::FlowId flow) {
  // §17.1.4: a client transaction whose connection failed or closed before its final response
  // learns of a transport error now rather than at Timer B/F.
  if (auto it = clients_by_flow_.find(static_cast<std::uint64_t>(flow));
      it != clients_by_flow_.end()) {
    std::vector<txn::Key> keys = std::move(it->second);
    clients_by_flow_.erase(it);
    for (const auto& key : keys) {
      if (!contexts_.count(key)) continue;
      process(table_.on_transport_error(key), Origin{});
    }
  }
  tu_->on_flow_closed(flow);
}

// ---- from the TU -------------------------------------------------------------------------------

Result<void> Stack::respond(const txn::Key& server, sip::Message response) {
  auto it = contexts_.find(server);
  Origin origin = it != contexts_.end() ? it->second.origin : Origin{};
  // §13.3.1.4: a 2xx to an INVITE waits for its ACK: re-sent over UDP, watched over TCP.
  const bool awaits_ack = server.method == sip::Method::Invite && response.status() >= 200 &&
                          response.status() < 300;
  std::optional<sip::Message> copy;
  if (awaits_ack) copy = response;
  const int status = response.status();
  auto outcome = table_.respond(server, std::move(response));
  if (!outcome) return outcome.error();
  counters_.by_method.add_response(server.method, status);
  process(std::move(*outcome), origin);
  if (copy) arm_2xx_retransmission(server, *copy, !transport::is_reliable(origin.protocol));
  return {};
}

Result<void> Stack::respond_statelessly(const txn::Key& server, sip::Message response) {
  auto it = contexts_.find(server);
  if (it == contexts_.end() || !table_.contains(server))
    return Error{txn::make_error_code(txn::TxnErrc::NoSuchTransaction), "no such transaction"};
  const Origin origin = it->second.origin;
  counters_.by_method.add_response(server.method, response.status());
  auto sent = transport_->send_response(response, origin);
  process(table_.abandon(server), origin);
  if (!sent) {
    ++counters_.send_failures;
    return sent.error();
  }
  return {};
}

Result<void> Stack::reject_overloaded(const txn::Key& server, const sip::Message& request,
                                      std::string_view reason) {
  auto it = contexts_.find(server);
  if (it == contexts_.end() || !table_.contains(server))
    return Error{txn::make_error_code(txn::TxnErrc::NoSuchTransaction), "no such transaction"};
  const Origin origin = it->second.origin;
  counters_.by_method.add_response(server.method, 503);
  const bool sent = answer_overloaded(request, reason, origin);
  process(table_.abandon(server), origin);
  if (!sent) return Error{txn::make_error_code(txn::TxnErrc::NoSuchTransaction), "503 not sent"};
  return {};
}

Result<void> Stack::discard(const txn::Key& server) {
  auto it = contexts_.find(server);
  if (it == contexts_.end() || !table_.contains(server))
    return Error{txn::make_error_code(txn::TxnErrc::NoSuchTransaction), "no such transaction"};
  const Origin origin = it->second.origin;
  process(table_.abandon(server), origin);
  return {};
}

Result<txn::Key> Stack::send_request(sip::Message request, const Destination& to) {
  auto outcome = table_.send_request(std::move(request), reliability(to.protocol));
  if (!outcome) return outcome.error();
  if (!outcome->key) {
    return Error{txn::make_error_code(txn::TxnErrc::NoSuchTransaction), "no client key"};
  }
  txn::Key key = *outcome->key;
  add_context(key, Context{Origin{}, to});
  process(std::move(*outcome), Origin{});
  return key;
}

Result<transport::FlowId> Stack::send_stateless(const sip::Message& request,
                                                const Destination& to) {
  auto sent = transport_->send(to.protocol, to.endpoint, request.serialize(), to.flow);
  if (!sent) {
    ++counters_.send_failures;
    return sent.error();
  }
  return *sent;
}

std::optional<Destination> Stack::destination_of(const txn::Key& client) const {
  auto it = contexts_.find(client);
  if (it == contexts_.end()) return std::nullopt;
  return it->second.destination;
}

// ---- 2xx retransmission (§13.3.1.4) ------------------------------------------------------------

std::string Stack::ack_key_of(const sip::Message& m) {
  std::string k(m.call_id());
  k.push_back(' ');
  const auto c = m.cseq();
  k.append(std::to_string(c ? c->number : 0));
  k.push_back(' ');
  k.append(m.to_tag());
  return k;
}

void Stack::arm_2xx_retransmission(const txn::Key& server, const sip::Message& response,
                                   bool retransmit) {
  const auto t1 = table_.config().timers.t1;
  std::string key = ack_key_of(response);
  auto [it, fresh] = pending_acks_.try_emplace(key);
  PendingAck& p = it->second;
  if (!fresh) return;  // the TU re-sent the same 2xx: the running schedule covers it
  p.server = server;
  p.response = response;
  // Over a reliable transport nothing is re-sent: one wait of 64*T1 for the ACK.
  p.interval = retransmit ? t1 : table_.config().timers.timeout();
  p.timer = std::make_unique<asio::steady_timer>(strand_);
  p.timer->expires_after(p.interval);
  std::weak_ptr<int> alive = alive_;
  p.timer->async_wait([this, alive, key](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    on_2xx_timer(key);
  });
}

void Stack::on_2xx_timer(const std::string& ack_key) {
  auto it = pending_acks_.find(ack_key);
  if (it == pending_acks_.end()) return;
  PendingAck& p = it->second;
  const auto& timers = table_.config().timers;
  p.elapsed += p.interval;
  if (p.elapsed >= timers.timeout()) {
    // §13.3.1.4: no ACK within 64*T1; the TU ends the dialog (BYE).
    const txn::Key server = p.server;
    pending_acks_.erase(it);
    spdlog::debug("no ACK for the 2xx of {}", txn::describe(server));
    tu_->on_server_failure(server, txn::Failure::Timeout);
    return;
  }
  auto outcome = table_.respond(p.server, p.response);
  if (outcome) {
    ++counters_.retransmissions_sent;
    auto ctx = contexts_.find(p.server);
    process(std::move(*outcome), ctx != contexts_.end() ? ctx->second.origin : Origin{});
  }
  it = pending_acks_.find(ack_key);  // process() may have re-entered the TU
  if (it == pending_acks_.end()) return;
  it->second.interval = std::min(it->second.interval * 2, timers.t2);
  it->second.timer->expires_after(it->second.interval);
  std::weak_ptr<int> alive = alive_;
  it->second.timer->async_wait([this, alive, ack_key](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    on_2xx_timer(ack_key);
  });
}

// ---- carrying out the table's actions ----------------------------------------------------------

void Stack::process(txn::Outcome outcome, const Origin& arrival) {
  std::vector<Delivery> deliveries;
  std::vector<txn::Key> failed_sends;
  const txn::Key* key = outcome.key ? &*outcome.key : nullptr;
  for (auto& action : outcome.actions) carry_out(key, action, arrival, deliveries, failed_sends);
  // §17.1.4, §17.2.4: a transport error is an event for the transaction.
  for (const auto& k : failed_sends) process(table_.on_transport_error(k), arrival);
  for (auto& d : deliveries) deliver(d);
}

void Stack::carry_out(const txn::Key* key, txn::Action& action, const Origin& arrival,
                      std::vector<Delivery>& deliveries, std::vector<txn::Key>& failed_sends) {
  auto ctx_it = key ? contexts_.find(*key) : contexts_.end();
  Context* ctx = ctx_it != contexts_.end() ? &ctx_it->second : nullptr;
  std::visit(
      Overloaded{
          [&](txn::SendToTransport& a) {
            if (!key || !ctx) {
              spdlog::warn("stack: send without a transaction context dropped");
              return;
            }
            if (!send(*key, *ctx, a.message)) failed_sends.push_back(*key);
          },
          [&](txn::PassToTu& a) {
            Origin origin = ctx && key && key->role == txn::Role::Server ? ctx->origin : arrival;
            deliveries.push_back(Delivery{outcome_key_copy(key), std::move(a.message),
                                          std::nullopt, origin});
          },
          [&](txn::StartTimer& a) {
            if (key && ctx) start_timer(*key, *ctx, a.id, a.after);
          },
          [&](txn::CancelTimer& a) {
            if (ctx) cancel_timer(*ctx, a.id);
          },
          [&](txn::ReportToTu& a) {
            deliveries.push_back(Delivery{outcome_key_copy(key), std::nullopt, a.failure,
                                          ctx ? ctx->origin : arrival});
          },
          [&](txn::Terminated& a) {
            if (key) {
              if (spdlog::should_log(spdlog::level::trace)) {  // describe() allocates
                spdlog::trace("txn {} terminated: {}", txn::describe(*key),
                              txn::end_reason_name(a.reason));
              }
              forget(*key);
            }
          },
      },
      action);
}

Stack::Context& Stack::add_context(const txn::Key& key, Context ctx) {
  auto [it, fresh] = contexts_.emplace(key, std::move(ctx));
  if (fresh) it->second.key = &it->first;
  return it->second;
}

void Stack::forget(const txn::Key& key) {
  auto it = contexts_.find(key);
  if (it == contexts_.end()) return;
  wheel_.cancel_all(it->second, kTimerCount);
  const auto& dest = it->second.destination;
  if (dest && dest->flow && transport::is_connection(dest->protocol)) {
    auto f = clients_by_flow_.find(static_cast<std::uint64_t>(*dest->flow));
    if (f != clients_by_flow_.end()) {
      std::erase(f->second, key);
      if (f->second.empty()) clients_by_flow_.erase(f);
    }
  }
  contexts_.erase(it);
}

void Stack::deliver(Delivery& d) {
  if (d.failure) {
    if (!d.key) return;
    if (d.key->role == txn::Role::Client) {
      tu_->on_client_failure(*d.key, *d.failure);
    } else {
      tu_->on_server_failure(*d.key, *d.failure);
    }
    return;
  }
  if (!d.message) return;
  sip::Message& m = *d.message;
  if (m.is_response()) {
    if (d.key) {
      tu_->on_response(*d.key, std::move(m));
    } else {
      tu_->on_stray_response(std::move(m), d.origin);
    }
    return;
  }
  if (m.method() == sip::Method::Ack) {
    if (!pending_acks_.empty()) pending_acks_.erase(ack_key_of(m));
    return tu_->on_ack(std::move(m), d.origin);
  }
  if (!d.key) return;  // a new request always has its server transaction
  if (m.method() == sip::Method::Cancel) {
    // §9.2: a CANCEL that matches an INVITE transaction is answered 200 by the UAS core
    // whatever became of the INVITE, with the To tag of the INVITE's responses; the TU then
    // ends the INVITE with 487 if still pending.
    if (auto target = table_.find_cancel_target(*d.key)) {
      auto ok = respond(*d.key, sip::make_response(m, 200, {}, table_.invite_to_tag(*target)));
      if (!ok) spdlog::debug("200 to CANCEL not sent: {}", ok.error().message);
      return tu_->on_cancel(*target, m);
    }
  }
  tu_->on_request(*d.key, std::move(m), d.origin);
}

bool Stack::send(const txn::Key& key, Context& ctx, const sip::Message& message) {
  if (key.role == txn::Role::Server) {
    auto sent = transport_->send_response(message, ctx.origin);
    if (sent) return true;
    ++counters_.send_failures;
    spdlog::debug("response for {} not sent: {}", txn::describe(key), sent.error().message);
    return false;
  }
  if (!ctx.destination) return false;
  Destination& to = *ctx.destination;
  auto sent = transport_->send(to.protocol, to.endpoint, message.serialize(), to.flow);
  if (sent) {
    if (transport::is_connection(to.protocol) && to.flow != *sent) {
      clients_by_flow_[static_cast<std::uint64_t>(*sent)].push_back(key);
    }
    to.flow = *sent;  // retransmissions and the ACK follow the same flow
    return true;
  }
  ++counters_.send_failures;
  spdlog::debug("request for {} not sent: {}", txn::describe(key), sent.error().message);
  return false;
}

// ---- timers ------------------------------------------------------------------------------------

std::uint64_t Stack::tick_of(std::chrono::steady_clock::time_point t, bool round_up) const {
  const auto since = t - epoch_;
  if (since.count() <= 0) return 0;
  const auto n = static_cast<std::uint64_t>(since / kTick);
  return round_up && since % kTick != std::chrono::steady_clock::duration::zero() ? n + 1 : n;
}

void Stack::start_timer(const txn::Key& /*key*/, Context& ctx, txn::TimerId id,
                        txn::Duration after) {
  const auto t = static_cast<std::size_t>(id);
  ++ctx.gen(t);
  // A timer never fires early: its due tick is rounded up.
  wheel_.arm(ctx, t, tick_of(std::chrono::steady_clock::now() + after, true));
  keep_ticking();
}

void Stack::cancel_timer(Context& ctx, txn::TimerId id) {
  const auto t = static_cast<std::size_t>(id);
  ++ctx.gen(t);
  wheel_.cancel(ctx, t);
}

// The asio timer sleeps until the wheel's earliest due tick (at least the next one), not through
// every tick: a quiet stack, such as one agent's among thousands in a load generator, wakes
// only when something is due. A timer armed to come due sooner wakes it earlier (start_timer).
void Stack::keep_ticking() {
  if (wheel_.size() == 0) return;
  const std::uint64_t wake = std::max(wheel_.now() + 1, wheel_.next_due());
  if (ticking_ && wake >= wake_tick_) return;
  ticking_ = true;
  wake_tick_ = wake;
  ticker_.expires_at(epoch_ + kTick * static_cast<std::int64_t>(wake));  // cancels an earlier wait
  std::weak_ptr<int> alive = alive_;
  ticker_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    ticking_ = false;
    on_tick();
    keep_ticking();
  });
}

void Stack::on_tick() {
  const auto expired = wheel_.advance(tick_of(std::chrono::steady_clock::now(), false));
  if (expired.empty()) return;
  // Read everything from the contexts before acting: an expiry may end other transactions.
  struct Due {
    txn::Key key;
    txn::TimerId id;
    std::uint32_t gen;
  };
  std::vector<Due> due;
  due.reserve(expired.size());
  for (const auto& e : expired) {
    due.push_back(Due{*e.owner->key, static_cast<txn::TimerId>(e.timer), e.owner->gen(e.timer)});
  }
  for (const auto& d : due) {
    auto it = contexts_.find(d.key);
    if (it == contexts_.end()) continue;
    // Re-armed or cancelled by an earlier expiry of this same tick: stale.
    if (it->second.gen(static_cast<std::size_t>(d.id)) != d.gen) continue;
    const Origin origin = it->second.origin;  // process() may erase the context
    auto outcome = table_.on_timer(d.key, d.id);
    for (const auto& action : outcome.actions) {
      if (std::holds_alternative<txn::SendToTransport>(action)) ++counters_.retransmissions_sent;
    }
    process(std::move(outcome), origin);
  }
}

}  // namespace ims::stack
