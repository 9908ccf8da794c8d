#pragma once
// Store: the switch's durable state (registrations, stored pager messages; transcripts later),
// as an interface so that SQLite (one switch) and PostgreSQL (several switches, PRODUCT §8) can
// both stand behind it.
//
// Every asynchronous operation completes exactly once, by posting its handler to the executor
// the store was opened with (never inline, never on the store's own thread). A successful write
// completes only after it is durable: a caller that answers the network from the handler (202
// Accepted for a stored MESSAGE) has nothing to lose if the process dies right after. A failed
// operation changes nothing. Operations from one thread are applied in the order they were made.
// The operation calls themselves are thread-safe and never block on I/O.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/util/result.hpp"
#include "switch/store/records.hpp"

namespace ims::sw::store {

using Done = std::function<void(Result<void>)>;

// A stored message that expire() dropped undelivered: enough for the caller's log line.
struct ExpiredMessage {
  std::int64_t id = 0;
  std::string recipient;
  std::string sender_login;
  std::int64_t received_at_ms = 0;
};

struct ExpiredCounts {
  std::size_t bindings = 0;             // registrations removed
  std::size_t messages = 0;             // stored messages dropped undelivered
  std::vector<ExpiredMessage> dropped;  // one per dropped message, oldest first
};

class Store {
 public:
  virtual ~Store() = default;

  // All bindings, unexpired or not (the registrar decides), with flow_id 0: a flow does not
  // survive a restart. Blocks until read; meant for start-up.
  [[nodiscard]] virtual Result<std::vector<Binding>> load_bindings() = 0;

  // Inserts or replaces the binding with the same (aor, contact). Contacts are compared as the
  // exact strings given; URI equivalence (RFC 3261 §19.1.4) is the registrar's business.
  virtual void put_binding(Binding binding, Done done) = 0;
  // Removes one binding; removing one that does not exist succeeds.
  virtual void remove_binding(std::string aor, std::string contact, Done done) = 0;
  // Removes every binding of `aor` (REGISTER with Contact: *, RFC 3261 §10.3 step 6).
  virtual void remove_bindings(std::string aor, Done done) = 0;

  // Stores a message (its id is ignored) and completes with the id assigned; ids increase, and
  // delivery order is id order.
  // With max_per_recipient > 0, fails with StoreErrc::QueueFull (storing nothing) when the
  // recipient already has that many messages stored; the count and the insert are one
  // transaction.
  virtual void store_message(StoredMessage message, std::size_t max_per_recipient,
                             std::function<void(Result<std::int64_t>)> done) = 0;
  // Up to `limit` messages for `recipient`, lowest id first, expired or not.
  virtual void pending_messages(std::string recipient, std::size_t limit,
                                std::function<void(Result<std::vector<StoredMessage>>)> done) = 0;
  // Deletes a message after its 2xx delivery; deleting one that is gone succeeds.
  virtual void delete_message(std::int64_t id, Done done) = 0;

  // Removes bindings and stored messages whose expires_at_ms <= now_ms.
  virtual void expire(std::int64_t now_ms, std::function<void(Result<ExpiredCounts>)> done) = 0;

  // Finishes every operation already accepted (their handlers are posted), then refuses new
  // ones with StoreErrc::Closed. Idempotent; the destructor calls it.
  virtual void close() = 0;
};

}  // namespace ims::sw::store
