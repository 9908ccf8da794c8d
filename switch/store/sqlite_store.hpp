#pragma once
// SqliteStore: the Store on one SQLite file in WAL mode (PRODUCT §6: no server to install).
//
// One worker thread owns the connection. Callers enqueue operations (any thread, never blocking
// on I/O); the worker takes everything queued, up to max_batch, and runs it as ONE transaction
// (BEGIN IMMEDIATE ... COMMIT), each operation inside its own savepoint so that one failure
// undoes only that operation. Only after COMMIT returns does it post the completions, so a
// handler runs after its data is on disk (with synchronous = full, fsync'd: it survives a power
// cut, not only kill -9). When COMMIT fails, every operation of the batch gets the error. Under
// load many operations share one fsync; the event loop never waits for one.
//
// The queue is bounded: past max_queue an operation fails at once with StoreErrc::Overloaded,
// which the SIP layer answers with 503.
//
// The HTTP API's reads (searches, sessions, transcripts, contacts: Store's "may run beside
// writes") run on a reader thread with a connection of its own, one read transaction each, so
// that a search of a large transcript table never holds up a write: WAL lets a reader and the
// writer work at once. Their queue has its own bound, max_reads. A ":memory:" store has one
// connection: they go to the worker like the rest. Contact writes (upsert_contacts,
// add_contact_history) are writes.
//
// Checkpoints (copying the WAL into the database file, with an fsync) run on a thread and a
// connection of their own, in PASSIVE mode, which never holds up a writer: a commit never waits
// for one. The writer asks for one when the WAL passes kCheckpointPages after a commit.
//
// Owner: the application (unique_ptr). Threads: operations may be called from any thread;
// handlers run on the completions executor. close() and the destructor must not be called from
// the worker (they are not: no handler runs there).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "common/util/result.hpp"
#include "switch/store/errors.hpp"
#include "switch/store/sqlite_connection.hpp"
#include "switch/store/store.hpp"

namespace ims::sw::store {

class SqliteStore final : public Store {
 public:
  // PRAGMA synchronous (https://sqlite.org/pragma.html#pragma_synchronous) in WAL mode: Full
  // fsyncs the log at every commit (durable across power loss); Normal fsyncs only at
  // checkpoints (durable across a process crash, may lose the last commits on power loss).
  enum class Synchronous { Full, Normal };

  struct Options {
    std::string path;  // the database file; ":memory:" (tests only) has no WAL and no durability
    Synchronous synchronous = Synchronous::Full;
    std::size_t max_batch = 256;                   // operations per transaction
    // While writers are concurrent (several operations waiting, or some arrived during the
    // last commit), the worker waits this long (or until max_batch are queued) before it
    // begins the transaction, so that more operations share the commit. A lone operation is
    // committed at once.
    std::chrono::milliseconds commit_window{0};
    std::size_t max_queue = 10000;                 // queued operations before Overloaded
    std::chrono::milliseconds busy_timeout{5000};  // wait for another process's lock
    std::size_t max_reads = 256;                   // queued API reads before Overloaded
  };

  struct Stats {
    std::uint64_t commits = 0;     // transactions committed
    std::uint64_t operations = 0;  // operations completed, rejected ones included
    std::uint64_t failed = 0;      // of which failed, rejected ones included
    std::uint64_t rejected = 0;    // of which refused without running: Overloaded or Closed
  };

  // Opens or creates the file, turns on WAL, applies missing migrations and starts the worker.
  // Errors name the file: "store /var/lib/imswitch/store.db: open: unable to open database file".
  static Result<std::unique_ptr<SqliteStore>> open(const Options& options,
                                                   boost::asio::any_io_executor completions);

  class Key {  // lets open() use make_unique on the public constructor, and no one else
    friend class SqliteStore;
    Key() = default;
  };
  SqliteStore(Key, const Options& options, Connection db, std::optional<Connection> checkpoints,
              std::optional<Connection> reads, boost::asio::any_io_executor completions);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  [[nodiscard]] Result<std::vector<Binding>> load_bindings() override;
  void put_binding(Binding binding, Done done) override;
  void remove_binding(std::string aor, std::string contact, Done done) override;
  void remove_bindings(std::string aor, Done done) override;
  void store_message(StoredMessage message, std::size_t max_per_recipient,
                     std::function<void(Result<std::int64_t>)> done) override;
  void pending_messages(std::string recipient, std::size_t limit,
                        std::function<void(Result<std::vector<StoredMessage>>)> done) override;
  void delete_message(std::int64_t id, Done done) override;
  void readdress_message(std::int64_t id, std::string recipient, Done done) override;
  void expire(std::int64_t now_ms, std::function<void(Result<ExpiredCounts>)> done) override;
  void record_session_start(SessionRecord session, Done done) override;
  void record_session_end(std::string session_id, std::int64_t ended_at_ms, std::string ended_by,
                          std::string end_reason, Done done) override;
  void append_message(TranscriptEntry entry, Done done) override;
  void record_session_answer(std::string session_id, std::string agent, Done done) override;
  void record_offer(OfferRecord offer, Done done) override;
  void end_live_sessions(std::int64_t now_ms, std::string reason,
                         std::function<void(Result<std::size_t>)> done) override;
  void load_transcript(std::string session_id,
                       std::function<void(Result<Transcript>)> done) override;
  [[nodiscard]] Result<std::vector<Publication>> load_publications() override;
  void put_publication(Publication publication, std::string replaces, Done done) override;
  void remove_publication(std::string login, std::string etag, Done done) override;
  void search_transcripts(TranscriptQuery query,
                          std::function<void(Result<TranscriptPage>)> done) override;
  void list_sessions(SessionQuery query,
                     std::function<void(Result<SessionPage>)> done) override;
  void upsert_contacts(std::vector<Contact> contacts, Done done) override;
  void add_contact_history(std::vector<ContactHistoryEntry> entries, Done done) override;
  void get_contact(std::string id, std::function<void(Result<Contact>)> done) override;
  void search_contacts(std::string text, std::size_t limit,
                       std::function<void(Result<std::vector<Contact>>)> done) override;
  void contact_history(ContactHistoryQuery query,
                       std::function<void(Result<std::vector<ContactHistoryItem>>)> done) override;
  void close() override;

  Stats stats() const;
  std::size_t queue_depth() const;
  const std::string& path() const { return path_; }

 private:
  class Op;  // one queued operation, type-erased (sqlite_store_ops.hpp)
  template <class T>
  class TypedOp;

  template <class T>
  void submit(std::function<Result<T>(Connection&)> body, std::function<void(Result<T>)> handler);
  void enqueue(std::unique_ptr<Op> op);
  // Fails an operation that will not run (Closed, Overloaded) and delivers it.
  void refuse(std::unique_ptr<Op> op, StoreErrc why, std::size_t bound);
  // An API read: to the reader thread, or to the worker when there is none (sqlite_search.cpp).
  template <class T>
  void submit_read(std::function<Result<T>(Connection&)> body,
                   std::function<void(Result<T>)> handler);
  void run_reader();
  void stop_reader();
  void run_worker();
  void run_batch(std::vector<std::unique_ptr<Op>>& batch);  // commits; the caller delivers
  void deliver(std::vector<std::unique_ptr<Op>> ops);
  std::size_t run_transaction(std::vector<std::unique_ptr<Op>>& batch, std::size_t from);
  // sqlite3_wal_hook: after each commit, on the worker.
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  void run_checkpoints();
  void stop_checkpoints();

  const std::string path_;
  const std::size_t max_batch_;
  const std::size_t max_queue_;
  const std::chrono::milliseconds commit_window_;
  boost::asio::any_io_executor completions_;
  Connection db_;  // used by the worker thread only

  mutable std::mutex mutex_;  // guards queue_ and closing_; never held across a handler or a log
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Op>> queue_;
  bool closing_ = false;

  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> operations_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> rejected_{0};

  std::mutex close_mutex_;  // serialises close() callers around the join

  static constexpr int kCheckpointPages = 1000;  // SQLite's own auto-checkpoint size
  std::optional<Connection> checkpoint_db_;      // the checkpoint thread's; none for :memory:
  std::mutex checkpoint_mutex_;                  // guards the two flags below
  std::condition_variable checkpoint_wake_;
  bool checkpoint_due_ = false;
  bool checkpoint_stop_ = false;
  std::thread checkpointer_;

  const std::size_t max_reads_;
  std::optional<Connection> reader_db_;  // the reader thread's; none for :memory:
  std::mutex read_mutex_;                // guards reads_ and reads_closed_
  std::condition_variable read_wake_;
  std::deque<std::unique_ptr<Op>> reads_;
  bool reads_closed_ = false;
  std::thread reader_;

  std::thread worker_;      // last: started after everything above exists
};

}  // namespace ims::sw::store
