#pragma once
// TransactionTable: every live transaction of one SIP core, keyed as §17.1.3 and §17.2.3 say.
// It matches what the transport delivers to a transaction (or creates a server transaction for
// a new request), lets the TU start client transactions and answer server ones, and forwards
// timer expiries and transport errors. Sans-I/O like the machines it holds: each call returns an
// Outcome, the actions of one transaction tagged with its key, so the driver (common/stack) can
// arm a real timer per (key, TimerId) and route sends. A transaction is removed from the table
// the moment it emits Terminated. Owned by the stack; used on one strand; not thread-safe.
//
// How a driver uses it:
//   - transport delivered a request:  on_request(msg, reliability)
//       error TableFull -> answer 503 statelessly (never an ACK); other errors -> drop or 400
//       PassToTu{request other than ACK} -> a new server transaction: the TU answers with
//                                           respond(outcome.key, response)
//       PassToTu{ACK}                    -> the ACK of a 2xx (key set or not): for dialogs/proxy
//   - transport delivered a response: on_response(msg)
//       key set   -> the response of client transaction *key
//       key unset -> a stray response (§17.1.3 found nothing): the TU decides (RFC 6026:
//                    a proxy forwards a stray 2xx to INVITE, §16.7)
//   - TU sends a request (not an ACK): send_request(msg, reliability) -> client key
//   - a timer armed by StartTimer{id} for outcome.key fired: on_timer(key, id)
//   - sending a SendToTransport of outcome.key failed: on_transport_error(key)
//   - ReportToTu{failure} for a client key: the TU acts as on 408 / 503 (§8.1.3.1)
//   - Terminated: cancel nothing more (the machine already emitted CancelTimer for each armed
//     timer), forget per-transaction data of that key. Late timer expiries are ignored.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <variant>

#include "common/sip/message.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/client_invite.hpp"
#include "common/txn/client_non_invite.hpp"
#include "common/txn/key.hpp"
#include "common/txn/server_invite.hpp"
#include "common/txn/server_non_invite.hpp"
#include "common/txn/timers.hpp"
#include "common/util/result.hpp"

namespace ims::txn {

struct TableConfig {
  Timers timers;
  // Bound on live transactions (STYLE rule 9): a non-INVITE over UDP lives 64*T1 after its
  // final response, so a flood must not grow the table without limit.
  std::size_t max_transactions = 200'000;
  // Transactions there is room for from the start, without rehashing: a busy switch keeps tens
  // of thousands (a non-INVITE lingers after its answer). An agent needs a few; a load generator
  // runs thousands of agents, and 1 MB each would add up.
  std::size_t reserve = 1 << 16;
};

// The actions of one call, in order, and the transaction they belong to (nullopt: no
// transaction, e.g. a stray ACK or response handed to the TU).
struct Outcome {
  std::optional<Key> key;
  Actions actions;
};

struct TableStats {
  std::uint64_t client_created = 0;
  std::uint64_t server_created = 0;
  std::uint64_t retransmissions = 0;  // requests matched to a live server transaction
  std::uint64_t stray_acks = 0;
  std::uint64_t stray_responses = 0;
  std::uint64_t unmatchable = 0;      // no usable Via or CSeq
  std::uint64_t refused_full = 0;
  std::uint64_t terminated = 0;
};

class TransactionTable {
 public:
  explicit TransactionTable(TableConfig config = {});

  // A request from the transport; `transport` is how it arrived (and how responses leave).
  Result<Outcome> on_request(sip::Message request, Reliability transport);
  // A response from the transport.
  Outcome on_response(sip::Message response);
  // The TU sends a request through a new client transaction. The request carries its final
  // top Via with a z9hG4bK branch.
  Result<Outcome> send_request(sip::Message request, Reliability transport);
  // The TU answers a server transaction (provisional, final, or a 2xx retransmission).
  Result<Outcome> respond(const Key& server, sip::Message response);
  Outcome on_timer(const Key& key, TimerId id);
  // Drops a server transaction at once, whatever its state: the TU answered statelessly
  // (§16.11) and a retransmitted request is to be handled as a new one. The outcome ends in
  // Terminated so the driver cancels the transaction's timers. Empty when the key is unknown.
  Outcome abandon(const Key& key);
  Outcome on_transport_error(const Key& key);

  // §9.2: the live INVITE server transaction a CANCEL (its server key) targets.
  std::optional<Key> find_cancel_target(const Key& cancel) const;
  // The To tag the INVITE server transaction `invite` has answered with so far ("" if none).
  std::string invite_to_tag(const Key& invite) const;
  std::optional<ServerInvite::State> server_invite_state(const Key& key) const;
  bool contains(const Key& key) const { return txns_.count(key) != 0; }
  std::size_t size() const { return txns_.size(); }
  const TableStats& stats() const { return stats_; }
  const TableConfig& config() const { return config_; }

 private:
  // The INVITE machines are boxed: a table entry is sized by its largest alternative, and the
  // non-INVITE ones (MESSAGE, REGISTER) are the many that linger up to 64*T1 after their answer.
  using Machine = std::variant<std::unique_ptr<ClientInvite>, ClientNonInvite,
                               std::unique_ptr<ServerInvite>, ServerNonInvite>;
  using Map = std::unordered_map<Key, Machine, KeyHash>;

  Outcome matched_request(Map::iterator it, sip::Message request);
  // Tags the actions with the key; removes the transaction when they end in Terminated.
  Outcome finish(Map::iterator it, Actions actions);

  TableConfig config_;
  Map txns_;
  TableStats stats_;
};

}  // namespace ims::txn
