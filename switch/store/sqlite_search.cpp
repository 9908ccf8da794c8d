// SqliteStore's HTTP API operations (search.hpp, load_transcript) and the reader thread that
// runs its reads.

#include <utility>

#include "switch/store/errors.hpp"
#include "switch/store/queries.hpp"
#include "switch/store/search_queries.hpp"
#include "switch/store/sqlite_store.hpp"
#include "switch/store/sqlite_store_ops.hpp"

namespace ims::sw::store {

template <class T>
void SqliteStore::submit_read(std::function<Result<T>(Connection&)> body,
                              std::function<void(Result<T>)> handler) {
  auto op = std::make_unique<TypedOp<T>>(std::move(body), std::move(handler));
  if (!reader_db_) return enqueue(std::move(op));  // :memory: has one connection
  std::optional<StoreErrc> refused;
  {
    std::lock_guard lock(read_mutex_);
    if (reads_closed_) {
      refused = StoreErrc::Closed;
    } else if (reads_.size() >= max_reads_) {
      refused = StoreErrc::Overloaded;
    } else {
      reads_.push_back(std::move(op));
    }
  }
  if (refused) return refuse(std::move(op), *refused, max_reads_);
  read_wake_.notify_one();
}

void SqliteStore::run_reader() {
  for (;;) {
    std::unique_ptr<Op> op;
    {
      std::unique_lock lock(read_mutex_);
      read_wake_.wait(lock, [this] { return !reads_.empty() || reads_closed_; });
      if (reads_.empty()) return;  // closing, and every accepted read is done
      op = std::move(reads_.front());
      reads_.pop_front();
    }
    // One read transaction: the operation's statements see one snapshot of the file.
    if (auto begin = reader_db_->run("BEGIN", "begin read"); !begin) {
      op->fail(begin.error());
    } else {
      (void)op->execute(*reader_db_);
      if (auto end = reader_db_->run("COMMIT", "end read"); !end && op->ok()) op->fail(end.error());
      if (reader_db_->in_transaction()) (void)reader_db_->run("ROLLBACK", "end read");
    }
    ++operations_;
    if (!op->ok()) ++failed_;
    std::vector<std::unique_ptr<Op>> one;
    one.push_back(std::move(op));
    deliver(std::move(one));
  }
}

// After the worker, so that nothing accepted is lost; reads still queued run first.
void SqliteStore::stop_reader() {
  {
    std::lock_guard lock(read_mutex_);
    reads_closed_ = true;
  }
  read_wake_.notify_one();
  if (reader_.joinable()) reader_.join();
}

void SqliteStore::search_transcripts(TranscriptQuery query,
                                     std::function<void(Result<TranscriptPage>)> done) {
  submit_read<TranscriptPage>(
      [q = std::move(query)](Connection& db) { return queries::search_transcripts(db, q); },
      std::move(done));
}

void SqliteStore::list_sessions(SessionQuery query,
                                std::function<void(Result<SessionPage>)> done) {
  submit_read<SessionPage>(
      [q = std::move(query)](Connection& db) { return queries::list_sessions(db, q); },
      std::move(done));
}

void SqliteStore::load_transcript(std::string session_id,
                                  std::function<void(Result<Transcript>)> done) {
  submit_read<Transcript>(
      [id = std::move(session_id)](Connection& db) { return queries::load_transcript(db, id); },
      std::move(done));
}

void SqliteStore::upsert_contacts(std::vector<Contact> contacts, Done done) {
  submit<void>(
      [c = std::move(contacts)](Connection& db) { return queries::upsert_contacts(db, c); },
      std::move(done));
}

void SqliteStore::add_contact_history(std::vector<ContactHistoryEntry> entries, Done done) {
  submit<void>(
      [e = std::move(entries)](Connection& db) { return queries::add_contact_history(db, e); },
      std::move(done));
}

void SqliteStore::get_contact(std::string id, std::function<void(Result<Contact>)> done) {
  submit_read<Contact>(
      [id = std::move(id)](Connection& db) { return queries::get_contact(db, id); },
      std::move(done));
}

void SqliteStore::search_contacts(std::string text, std::size_t limit,
                                  std::function<void(Result<std::vector<Contact>>)> done) {
  submit_read<std::vector<Contact>>(
      [text = std::move(text), limit](Connection& db) {
        return queries::search_contacts(db, text, limit);
      },
      std::move(done));
}

void SqliteStore::contact_history(
    ContactHistoryQuery query, std::function<void(Result<std::vector<ContactHistoryItem>>)> done) {
  submit_read<std::vector<ContactHistoryItem>>(
      [q = std::move(query)](Connection& db) { return queries::contact_history(db, q); },
      std::move(done));
}

}  // namespace ims::sw::store
