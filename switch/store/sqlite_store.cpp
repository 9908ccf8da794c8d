#include "switch/store/sqlite_store.hpp"

#include <future>
#include <optional>
#include <utility>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "switch/store/errors.hpp"
#include "switch/store/queries.hpp"
#include "switch/store/schema.hpp"
#include "switch/store/sqlite_store_ops.hpp"

namespace ims::sw::store {

namespace {

const char* to_pragma(SqliteStore::Synchronous s) {
  switch (s) {
    case SqliteStore::Synchronous::Full: return "FULL";
    case SqliteStore::Synchronous::Normal: return "NORMAL";
  }
  return "FULL";
}

Result<void> configure(Connection& db, const SqliteStore::Options& options) {
  sqlite3_busy_timeout(db.handle(), static_cast<int>(options.busy_timeout.count()));
  if (options.path != ":memory:") {
    // The first statement that reads the file: a file that is no database fails here.
    auto mode = db.prepare("PRAGMA journal_mode = WAL", "enable WAL");
    if (!mode) return mode.error();
    auto row = mode->step("enable WAL");
    if (!row) return row.error();
    auto got = *row ? mode->column_text(0) : std::string();
    if (got != "wal") {
      return Error{StoreErrc::Database,
                   fmt::format("store {}: enable WAL: journal mode is '{}', not 'wal' (a file "
                               "system without shared memory?)",
                               db.path(), got)};
    }
  }
  return db.exec(fmt::format("PRAGMA synchronous = {}", to_pragma(options.synchronous)),
                 "set synchronous");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options,
                                                       boost::asio::any_io_executor completions) {
  auto db = Connection::open(options.path);
  if (!db) return db.error();
  if (auto r = configure(*db, options); !r) return r.error();
  auto version = migrate(*db, migrations());
  if (!version) return version.error();
  spdlog::info("store {}: open, schema version {}, synchronous {}", options.path, *version,
               to_pragma(options.synchronous));
  std::optional<Connection> checkpoints;
  if (options.path != ":memory:") {
    // Configured like the writer: reading the journal mode also makes it see the WAL (a
    // connection that has read nothing yet checkpoints nothing).
    auto second = Connection::open(options.path);
    if (!second) return second.error();
    if (auto r = configure(*second, options); !r) return r.error();
    checkpoints.emplace(std::move(second).value());
  }
  std::optional<Connection> reads;
  if (options.path != ":memory:") {
    auto reader = Connection::open(options.path);
    if (!reader) return reader.error();
    if (auto r = configure(*reader, options); !r) return r.error();
    if (auto r = reader->exec("PRAGMA query_only = 1", "make the reader read-only"); !r)
      return r.error();
    reads.emplace(std::move(reader).value());
  }
  return std::make_unique<SqliteStore>(Key{}, options, std::move(db).value(),
                                       std::move(checkpoints), std::move(reads),
                                       std::move(completions));
}

SqliteStore::SqliteStore(Key, const Options& options, Connection db,
                         std::optional<Connection> checkpoints, std::optional<Connection> reads,
                         boost::asio::any_io_executor completions)
    : path_(options.path),
      max_batch_(options.max_batch == 0 ? 1 : options.max_batch),
      max_queue_(options.max_queue),
      commit_window_(options.commit_window),
      completions_(std::move(completions)),
      db_(std::move(db)),
      checkpoint_db_(std::move(checkpoints)),
      max_reads_(options.max_reads),
      reader_db_(std::move(reads)) {
  if (checkpoint_db_) {
    // Replaces SQLite's automatic checkpoint, which would run inside the commit.
    sqlite3_wal_hook(db_.handle(), &SqliteStore::on_wal_commit, this);
    checkpointer_ = std::thread([this] { run_checkpoints(); });
  }
  if (reader_db_) reader_ = std::thread([this] { run_reader(); });
  worker_ = std::thread([this] { run_worker(); });
}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::close() {
  std::lock_guard serial(close_mutex_);
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
  stop_reader();
  stop_checkpoints();
}

int SqliteStore::on_wal_commit(void* self, sqlite3* /*db*/, const char* /*name*/, int pages) {
  if (pages < kCheckpointPages) return SQLITE_OK;
  auto* store = static_cast<SqliteStore*>(self);
  {
    std::lock_guard lock(store->checkpoint_mutex_);
    store->checkpoint_due_ = true;
  }
  store->checkpoint_wake_.notify_one();
  return SQLITE_OK;
}

void SqliteStore::run_checkpoints() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      checkpoint_wake_.wait(lock, [this] { return checkpoint_due_ || checkpoint_stop_; });
      if (checkpoint_stop_) return;
      checkpoint_due_ = false;
    }
    // PASSIVE: copies what no reader still needs, without waiting for or blocking anyone.
    int log_pages = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_->handle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("store {}: checkpoint failed: {} (the log keeps growing until one succeeds)",
                   path_, sqlite3_errstr(rc));
    }
  }
}

// After the worker: the writer's connection, closed last, checkpoints what is left.
void SqliteStore::stop_checkpoints() {
  if (!checkpointer_.joinable()) return;
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stop_ = true;
  }
  checkpoint_wake_.notify_one();
  checkpointer_.join();
  checkpoint_db_.reset();
}

SqliteStore::Stats SqliteStore::stats() const {
  return Stats{commits_.load(), operations_.load(), failed_.load(), rejected_.load()};
}

std::size_t SqliteStore::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

// ---- operations ----

void SqliteStore::enqueue(std::unique_ptr<Op> op) {
  std::optional<StoreErrc> refused;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      refused = StoreErrc::Closed;
    } else if (queue_.size() >= max_queue_) {
      refused = StoreErrc::Overloaded;
    } else {
      queue_.push_back(std::move(op));
      // The worker sleeps only on an empty queue, or in the commit window until a full batch.
      wake = queue_.size() == 1 || queue_.size() >= max_batch_;
    }
  }
  if (!refused) {
    if (wake) wake_.notify_one();
    return;
  }
  refuse(std::move(op), *refused, max_queue_);
}

void SqliteStore::refuse(std::unique_ptr<Op> op, StoreErrc why, std::size_t bound) {
  ++rejected_;
  ++operations_;
  ++failed_;
  op->fail(why == StoreErrc::Closed
               ? Error{why, fmt::format("store {}: closed", path_)}
               : Error{why, fmt::format("store {}: overloaded: {} operations queued", path_,
                                        bound)});
  std::vector<std::unique_ptr<Op>> one;
  one.push_back(std::move(op));
  deliver(std::move(one));
}

// Runs the handlers of a settled batch on the completions executor, all in one posted
// function: one wake-up of the caller's event loop per commit rather than one per operation.
// The tracked executor counts as outstanding work until then, so the completion context's
// run() does not return while an operation is still in the store.
void SqliteStore::deliver(std::vector<std::unique_ptr<Op>> ops) {
  std::erase_if(ops, [](std::unique_ptr<Op>& op) {
    if (op->posted) return false;
    op->deliver();
    return true;
  });
  if (ops.empty()) return;
  auto tracked =
      boost::asio::prefer(completions_, boost::asio::execution::outstanding_work.tracked);
  // Asio 1.18's type-erased executors copy the function they are given: share the batch.
  auto shared = std::make_shared<std::vector<std::unique_ptr<Op>>>(std::move(ops));
  boost::asio::post(tracked, [shared] {
    for (const auto& op : *shared) op->deliver();
  });
}

Result<std::vector<Binding>> SqliteStore::load_bindings() {
  using R = Result<std::vector<Binding>>;
  // Shared: the worker may still be inside set_value() when this thread returns.
  auto promise = std::make_shared<std::promise<R>>();
  auto future = promise->get_future();
  auto op = std::make_unique<TypedOp<std::vector<Binding>>>(
      [](Connection& db) { return queries::load_bindings(db); },
      [promise](R r) { promise->set_value(std::move(r)); });
  op->posted = false;  // this thread waits on the future, not on an event loop
  enqueue(std::move(op));
  return future.get();
}

void SqliteStore::put_binding(Binding binding, Done done) {
  submit<void>([b = std::move(binding)](Connection& db) { return queries::put_binding(db, b); },
               std::move(done));
}

void SqliteStore::remove_binding(std::string aor, std::string contact, Done done) {
  submit<void>([aor = std::move(aor), contact = std::move(contact)](
                   Connection& db) { return queries::remove_binding(db, aor, contact); },
               std::move(done));
}

void SqliteStore::remove_bindings(std::string aor, Done done) {
  submit<void>([aor = std::move(aor)](Connection& db) { return queries::remove_bindings(db, aor); },
               std::move(done));
}

void SqliteStore::store_message(StoredMessage message, std::size_t max_per_recipient,
                                std::function<void(Result<std::int64_t>)> done) {
  submit<std::int64_t>(
      [m = std::move(message), max_per_recipient](Connection& db) -> Result<std::int64_t> {
        if (max_per_recipient > 0) {
          auto n = queries::count_messages(db, m.recipient);
          if (!n) return n.error();
          if (*n >= max_per_recipient)
            return Error{make_error_code(StoreErrc::QueueFull),
                         "recipient " + m.recipient + " has " + std::to_string(*n) +
                             " stored messages (the limit)"};
        }
        return queries::insert_message(db, m);
      },
      std::move(done));
}

void SqliteStore::pending_messages(std::string recipient, std::size_t limit,
                                   std::function<void(Result<std::vector<StoredMessage>>)> done) {
  submit<std::vector<StoredMessage>>(
      [recipient = std::move(recipient), limit](Connection& db) {
        return queries::pending_messages(db, recipient, limit);
      },
      std::move(done));
}

void SqliteStore::delete_message(std::int64_t id, Done done) {
  submit<void>([id](Connection& db) { return queries::delete_message(db, id); }, std::move(done));
}

void SqliteStore::readdress_message(std::int64_t id, std::string recipient, Done done) {
  submit<void>(
      [id, recipient = std::move(recipient)](Connection& db) {
        return queries::readdress_message(db, id, recipient);
      },
      std::move(done));
}

void SqliteStore::expire(std::int64_t now_ms, std::function<void(Result<ExpiredCounts>)> done) {
  submit<ExpiredCounts>([now_ms](Connection& db) { return queries::expire(db, now_ms); },
                        std::move(done));
}

void SqliteStore::record_session_start(SessionRecord session, Done done) {
  submit<void>([s = std::move(session)](Connection& db) { return queries::insert_session(db, s); },
               std::move(done));
}

void SqliteStore::record_session_end(std::string session_id, std::int64_t ended_at_ms,
                                     std::string ended_by, std::string end_reason, Done done) {
  submit<void>(
      [id = std::move(session_id), ended_at_ms, by = std::move(ended_by),
       reason = std::move(end_reason)](Connection& db) {
        return queries::end_session(db, id, ended_at_ms, by, reason);
      },
      std::move(done));
}

void SqliteStore::record_session_answer(std::string session_id, std::string agent, Done done) {
  submit<void>(
      [id = std::move(session_id), agent = std::move(agent)](Connection& db) {
        return queries::answer_session(db, id, agent);
      },
      std::move(done));
}

void SqliteStore::record_offer(OfferRecord offer, Done done) {
  submit<void>([offer = std::move(offer)](Connection& db) { return queries::insert_offer(db, offer); },
               std::move(done));
}

void SqliteStore::append_message(TranscriptEntry entry, Done done) {
  submit<void>(
      [e = std::move(entry)](Connection& db) { return queries::insert_transcript_entry(db, e); },
      std::move(done));
}

void SqliteStore::end_live_sessions(std::int64_t now_ms, std::string reason,
                                    std::function<void(Result<std::size_t>)> done) {
  submit<std::size_t>(
      [now_ms, reason = std::move(reason)](Connection& db) {
        return queries::end_live_sessions(db, now_ms, reason);
      },
      std::move(done));
}

// As load_bindings: the caller's thread waits for the worker.
Result<std::vector<Publication>> SqliteStore::load_publications() {
  using R = Result<std::vector<Publication>>;
  auto promise = std::make_shared<std::promise<R>>();
  auto future = promise->get_future();
  auto op = std::make_unique<TypedOp<std::vector<Publication>>>(
      [](Connection& db) { return queries::load_publications(db); },
      [promise](R r) { promise->set_value(std::move(r)); });
  op->posted = false;
  enqueue(std::move(op));
  return future.get();
}

void SqliteStore::put_publication(Publication publication, std::string replaces, Done done) {
  submit<void>(
      [p = std::move(publication), replaces = std::move(replaces)](Connection& db) {
        return queries::put_publication(db, p, replaces);
      },
      std::move(done));
}

void SqliteStore::remove_publication(std::string login, std::string etag, Done done) {
  submit<void>([login = std::move(login), etag = std::move(etag)](
                   Connection& db) { return queries::remove_publication(db, login, etag); },
               std::move(done));
}

// ---- the worker ----

void SqliteStore::run_worker() {
  std::vector<std::unique_ptr<Op>> batch;
  // Waiting for company only pays when writers are concurrent: when more than one operation is
  // waiting, or some arrived while the last batch was being committed. A writer that waits for
  // each answer (one REGISTER at a time) never finds either, so it is never held.
  bool busy = false;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything accepted is done
      if (commit_window_.count() > 0 && (busy || queue_.size() > 1) &&
          queue_.size() < max_batch_ && !closing_) {
        wake_.wait_for(lock, commit_window_,
                       [this] { return queue_.size() >= max_batch_ || closing_; });
      }
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    {
      // Before the answers go out: nothing queued now was sent in reply to one of them.
      std::lock_guard lock(mutex_);
      busy = !queue_.empty();
    }
    deliver(std::move(batch));
    batch.clear();  // moved from: clear() makes it empty again
  }
}

void SqliteStore::run_batch(std::vector<std::unique_ptr<Op>>& batch) {
  std::size_t from = 0;
  while (from < batch.size()) from = run_transaction(batch, from);
  std::uint64_t failures = 0;
  const Error* first_failure = nullptr;
  for (auto& op : batch) {
    if (!op->ok()) {
      ++failures;
      if (first_failure == nullptr) first_failure = &op->error();
    }
  }
  operations_ += batch.size();
  failed_ += failures;
  if (first_failure != nullptr) {
    spdlog::warn("{} ({} of {} operations in the batch failed)", first_failure->message, failures,
                 batch.size());
  }
}

// Runs batch[from...] as one transaction; returns the index of the first operation it did not
// settle (batch.size() when it settled them all). An operation that fails is undone alone (its
// savepoint); if SQLite had to roll back the whole transaction (disk full, I/O error), the
// operations before it in this transaction lost their writes and fail with it, and the rest go
// to a new transaction.
std::size_t SqliteStore::run_transaction(std::vector<std::unique_ptr<Op>>& batch,
                                         std::size_t from) {
  const std::size_t n = batch.size();
  auto fail_succeeded = [&](std::size_t first, std::size_t last, const Error& e) {
    for (std::size_t j = first; j < last; ++j) {
      if (batch[j]->ok()) batch[j]->fail(e);
    }
  };
  if (auto begin = db_.run("BEGIN IMMEDIATE", "begin"); !begin) {
    for (std::size_t j = from; j < n; ++j) batch[j]->fail(begin.error());
    return n;
  }
  for (std::size_t i = from; i < n; ++i) {
    Op& op = *batch[i];
    if (auto sp = db_.run("SAVEPOINT op", "savepoint"); !sp) {
      op.fail(sp.error());
    } else if (op.execute(db_)) {
      if (auto rel = db_.run("RELEASE op", "release savepoint"); !rel) op.fail(rel.error());
    }
    if (!op.ok() && db_.in_transaction()) {
      (void)db_.run("ROLLBACK TO op", "roll back savepoint");
      (void)db_.run("RELEASE op", "release savepoint");
    }
    if (!db_.in_transaction()) {
      Error lost =
          op.ok() ? Error{StoreErrc::Database, fmt::format("store {}: transaction lost", path_)}
                  : op.error();
      fail_succeeded(from, i + 1, lost);
      return i + 1;
    }
  }
  if (auto commit = db_.run("COMMIT", "commit"); !commit) {
    if (db_.in_transaction()) (void)db_.run("ROLLBACK", "roll back");
    fail_succeeded(from, n, commit.error());
    return n;
  }
  ++commits_;
  return n;
}

}  // namespace ims::sw::store
