#include "common/txn/transaction_table.hpp"

#include <type_traits>
#include <utility>

#include "common/txn/errors.hpp"

namespace ims::txn {

namespace {

// A machine of type T in an entry (const or not), boxed or not; nullptr when the entry holds
// another type.
template <class T, class Machine>
auto machine_as(Machine& m) -> std::conditional_t<std::is_const_v<Machine>, const T*, T*> {
  if constexpr (std::is_same_v<T, ClientInvite> || std::is_same_v<T, ServerInvite>) {
    const auto* boxed = std::get_if<std::unique_ptr<T>>(&m);
    return boxed ? boxed->get() : nullptr;
  } else {
    return std::get_if<T>(&m);
  }
}

template <class T>
T& unboxed(std::unique_ptr<T>& p) { return *p; }
template <class T>
T& unboxed(T& t) { return t; }

}  // namespace

TransactionTable::TransactionTable(TableConfig config) : config_(std::move(config)) {
  // Buckets now, so that growing the table never rehashes it under load.
  txns_.reserve(std::min<std::size_t>(config_.max_transactions, config_.reserve));
}

Result<Outcome> TransactionTable::on_request(sip::Message request, Reliability transport) {
  auto key = server_key(request);
  if (!key) {
    ++stats_.unmatchable;
    return key.error();
  }
  const bool is_ack = request.method() == sip::Method::Ack;
  auto it = txns_.find(*key);
  if (it != txns_.end() && is_ack && key->rfc2543) {
    // §17.2.3: an RFC 2543 ACK also needs the To tag of the response we sent; without it, it
    // acknowledges something else (a 2xx from another element) and is stray here.
    const auto* invite = machine_as<ServerInvite>(it->second);
    if (invite && !invite->final_to_tag().empty() &&
        request.to_tag() != invite->final_to_tag())
      it = txns_.end();
  }
  if (it != txns_.end()) return matched_request(it, std::move(request));

  if (is_ack) {
    // The ACK of a 2xx is its own transaction end to end (§17.1.1.3): the TU (dialog, proxy
    // §16.7 / RFC 6026) takes it.
    ++stats_.stray_acks;
    Outcome out;
    out.actions.push_back(PassToTu{std::move(request)});
    return out;
  }
  if (txns_.size() >= config_.max_transactions) {
    ++stats_.refused_full;
    return Error{TxnErrc::TableFull, "transaction table full"};
  }
  ++stats_.server_created;
  Actions actions;
  if (key->method == sip::Method::Invite) {
    it = txns_.try_emplace(std::move(*key), std::make_unique<ServerInvite>(transport,
                                                                           config_.timers)).first;
    actions = machine_as<ServerInvite>(it->second)->start(std::move(request));
  } else {
    it = txns_.try_emplace(std::move(*key), std::in_place_type<ServerNonInvite>, transport,
                           config_.timers).first;
    actions = std::get<ServerNonInvite>(it->second).start(std::move(request));
  }
  return finish(it, std::move(actions));
}

Outcome TransactionTable::matched_request(Map::iterator it, sip::Message request) {
  Actions actions;
  if (auto* invite = machine_as<ServerInvite>(it->second)) {
    if (request.method() == sip::Method::Ack) {
      actions = invite->on_ack(std::move(request));
    } else {
      ++stats_.retransmissions;
      actions = invite->on_retransmitted_request();
    }
  } else if (auto* non_invite = machine_as<ServerNonInvite>(it->second)) {
    ++stats_.retransmissions;
    actions = non_invite->on_retransmitted_request();
  }
  return finish(it, std::move(actions));
}

Outcome TransactionTable::on_response(sip::Message response) {
  auto key = client_key(response);
  if (!key && key.error().code != make_error_code(TxnErrc::MissingBranch)) {
    ++stats_.unmatchable;  // no Via to send it on, no CSeq to judge it by: dropped
    return {};
  }
  auto it = key ? txns_.find(*key) : txns_.end();
  if (it == txns_.end()) {
    // §17.1.3 found no transaction: a retransmitted 2xx after M, a fork, or junk. The TU
    // decides (a proxy forwards 2xx to INVITE statelessly, RFC 6026; a UA drops the rest).
    ++stats_.stray_responses;
    Outcome out;
    out.actions.push_back(PassToTu{std::move(response)});
    return out;
  }
  Actions actions;
  if (auto* invite = machine_as<ClientInvite>(it->second)) {
    actions = invite->on_response(std::move(response));
  } else if (auto* non_invite = machine_as<ClientNonInvite>(it->second)) {
    actions = non_invite->on_response(std::move(response));
  }
  return finish(it, std::move(actions));
}

Result<Outcome> TransactionTable::send_request(sip::Message request, Reliability transport) {
  if (request.method() == sip::Method::Ack)
    return Error{TxnErrc::AckIsNotTransaction, "ACK for a 2xx is sent by the TU directly"};
  const auto via = request.top_via();
  if (!via || !has_magic_cookie(via->branch))
    return Error{TxnErrc::MissingBranch, "top Via branch must start with z9hG4bK"};
  auto key = client_key(request, *via);
  if (!key) return key.error();
  if (txns_.count(*key) != 0)
    return Error{TxnErrc::Duplicate, "client transaction exists: " + describe(*key)};
  if (txns_.size() >= config_.max_transactions) {
    ++stats_.refused_full;
    return Error{TxnErrc::TableFull, "transaction table full"};
  }
  ++stats_.client_created;
  Actions actions;
  Map::iterator it;
  if (key->method == sip::Method::Invite) {
    it = txns_.try_emplace(std::move(*key), std::make_unique<ClientInvite>(
                                                std::move(request), transport, config_.timers))
             .first;
    actions = machine_as<ClientInvite>(it->second)->start();
  } else {
    it = txns_.try_emplace(std::move(*key), std::in_place_type<ClientNonInvite>,
                           std::move(request), transport, config_.timers).first;
    actions = std::get<ClientNonInvite>(it->second).start();
  }
  return finish(it, std::move(actions));
}

Result<Outcome> TransactionTable::respond(const Key& server, sip::Message response) {
  auto it = txns_.find(server);
  if (it == txns_.end())
    return Error{TxnErrc::NoSuchTransaction, "no server transaction " + describe(server)};
  Actions actions;
  if (auto* invite = machine_as<ServerInvite>(it->second)) {
    actions = invite->on_response_from_tu(std::move(response));
  } else if (auto* non_invite = machine_as<ServerNonInvite>(it->second)) {
    actions = non_invite->on_response_from_tu(std::move(response));
  } else {
    return Error{TxnErrc::NoSuchTransaction, "not a server transaction: " + describe(server)};
  }
  return finish(it, std::move(actions));
}

Outcome TransactionTable::on_timer(const Key& key, TimerId id) {
  auto it = txns_.find(key);
  if (it == txns_.end()) return {};  // already terminated: a late expiry
  Actions actions =
      std::visit([id](auto& machine) { return unboxed(machine).on_timer(id); }, it->second);
  return finish(it, std::move(actions));
}

Outcome TransactionTable::on_transport_error(const Key& key) {
  auto it = txns_.find(key);
  if (it == txns_.end()) return {};
  Actions actions =
      std::visit([](auto& machine) { return unboxed(machine).on_transport_error(); }, it->second);
  return finish(it, std::move(actions));
}

std::optional<Key> TransactionTable::find_cancel_target(const Key& cancel) const {
  if (cancel.role != Role::Server || cancel.method != sip::Method::Cancel) return std::nullopt;
  Key target = cancelled_invite_key(cancel);
  auto it = txns_.find(target);
  if (it == txns_.end() || !machine_as<ServerInvite>(it->second)) return std::nullopt;
  return target;
}

std::string TransactionTable::invite_to_tag(const Key& invite) const {
  auto it = txns_.find(invite);
  if (it == txns_.end()) return {};
  const auto* t = machine_as<ServerInvite>(it->second);
  return t ? std::string(t->response_to_tag()) : std::string{};
}

std::optional<ServerInvite::State> TransactionTable::server_invite_state(const Key& key) const {
  auto it = txns_.find(key);
  if (it == txns_.end()) return std::nullopt;
  const auto* invite = machine_as<ServerInvite>(it->second);
  if (!invite) return std::nullopt;
  return invite->state();
}

Outcome TransactionTable::abandon(const Key& key) {
  auto it = txns_.find(key);
  if (it == txns_.end()) return {};
  Actions actions;
  actions.push_back(Terminated{});
  return finish(it, std::move(actions));
}

Outcome TransactionTable::finish(Map::iterator it, Actions actions) {
  Outcome out{it->first, std::move(actions)};
  if (!out.actions.empty() && std::holds_alternative<Terminated>(out.actions.back())) {
    // §17.1.1.2, §17.2.1: destroyed the instant it enters Terminated.
    txns_.erase(it);
    ++stats_.terminated;
  }
  return out;
}

}  // namespace ims::txn
