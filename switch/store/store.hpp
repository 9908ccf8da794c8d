#pragma once
// Store: the switch's durable state (registrations, stored pager messages, IM transcripts,
// agents' presence publications, contacts and their history),
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
#include "switch/store/search.hpp"

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
  // Gives stored message `id` to another recipient, keeping its place in delivery order: a
  // message kept for a queue goes to the agent who takes it. Fails with StoreErrc::NotFound
  // when the message is gone (delivered or expired).
  virtual void readdress_message(std::int64_t id, std::string recipient, Done done) = 0;

  // Removes bindings and stored messages whose expires_at_ms <= now_ms.
  virtual void expire(std::int64_t now_ms, std::function<void(Result<ExpiredCounts>)> done) = 0;

  // IM sessions (PRODUCT §4). A session is recorded when it starts (with the contact of its case
  // data, if any: contact_history finds it by that) and closed when it ends;
  // its messages are appended in seq order. A (session_id, seq) pair is written once: a second
  // append with the same pair fails and changes nothing.
  virtual void record_session_start(SessionRecord session, Done done) = 0;
  virtual void record_session_end(std::string session_id, std::int64_t ended_at_ms,
                                  std::string ended_by, std::string end_reason, Done done) = 0;
  virtual void append_message(TranscriptEntry entry, Done done) = 0;
  // A session to a queue (SessionRecord::queue) was taken by `agent`: its target from now on.
  virtual void record_session_answer(std::string session_id, std::string agent, Done done) = 0;
  // One offer of a queued session, once its outcome is known; (session_id, n) is written once.
  virtual void record_offer(OfferRecord offer, Done done) = 0;
  // Start-up: sessions still "live" in the file did not survive the previous process; they are
  // ended with `reason` at now_ms. Completes with how many there were.
  virtual void end_live_sessions(std::int64_t now_ms, std::string reason,
                                 std::function<void(Result<std::size_t>)> done) = 0;

  // Presence publications (RFC 3903, PRODUCT §2): every one stored, expired or not (the caller
  // decides), oldest modification first. Blocks until read; meant for start-up.
  [[nodiscard]] virtual Result<std::vector<Publication>> load_publications() = 0;
  // Inserts or replaces the publication with the same (login, etag). When `replaces` is not
  // empty, the publication of the same login with that entity-tag is deleted in the same
  // transaction: a refresh or modification moves a publication to a new entity-tag (RFC 3903
  // §4.1), and a crash never leaves both or neither.
  virtual void put_publication(Publication publication, std::string replaces, Done done) = 0;
  // Removes one publication (removed by its device, expired, or pushed out); removing one that
  // does not exist succeeds.
  virtual void remove_publication(std::string login, std::string etag, Done done) = 0;

  // The HTTP API's reads (search.hpp). Unlike the operations above they may run beside writes,
  // on a connection of their own: each sees every write that completed before it was called,
  // not necessarily one still in the store.
  //
  // Transcript full-text search, one page. Fails with Invalid for a cursor this store did not
  // give or words past kMaxSearchBytes / kMaxSearchWords; finds nothing (no failure) for words
  // with no letter or digit.
  virtual void search_transcripts(TranscriptQuery query,
                                  std::function<void(Result<TranscriptPage>)> done) = 0;
  // One page of IM sessions (SessionQuery). Fails with Invalid for a cursor this store did not
  // give.
  virtual void list_sessions(SessionQuery query,
                             std::function<void(Result<SessionPage>)> done) = 0;
  // One session with its offers and messages, read in one snapshot; fails with
  // StoreErrc::NotFound when there is no such session.
  virtual void load_transcript(std::string session_id,
                               std::function<void(Result<Transcript>)> done) = 0;

  // Contacts (PRODUCT §5). Inserts or updates each contact by id, all in one transaction: a bad
  // one (empty id, attributes not a JSON object) fails the whole batch with Invalid, naming it
  // ("contact 3 (id 'c-17'): attributes: not a JSON object"), and nothing is written. An update
  // keeps the created_at_ms first stored.
  virtual void upsert_contacts(std::vector<Contact> contacts, Done done) = 0;
  // Appends history entries (their ids are ignored), all or none: an entry of an unknown contact
  // fails the batch with NotFound, naming it.
  virtual void add_contact_history(std::vector<ContactHistoryEntry> entries, Done done) = 0;
  // Fails with NotFound when there is no such contact.
  virtual void get_contact(std::string id, std::function<void(Result<Contact>)> done) = 0;
  // Up to `limit` (at most kMaxSearchLimit) contacts whose name, email or phone contains `text`
  // (case is ignored for ASCII letters), by name then id. An empty text finds nothing.
  virtual void search_contacts(std::string text, std::size_t limit,
                               std::function<void(Result<std::vector<Contact>>)> done) = 0;
  // A contact's history entries and IM sessions, newest first (ContactHistoryQuery). An unknown
  // contact has an empty history: ask get_contact to tell the two apart.
  virtual void contact_history(
      ContactHistoryQuery query,
      std::function<void(Result<std::vector<ContactHistoryItem>>)> done) = 0;

  // Finishes every operation already accepted (their handlers are posted), then refuses new
  // ones with StoreErrc::Closed. Idempotent; the destructor calls it.
  virtual void close() = 0;
};

}  // namespace ims::sw::store
