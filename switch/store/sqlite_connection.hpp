#pragma once
// Connection: one sqlite3 handle with a cache of prepared statements, and Statement: a cached
// statement in use, reset when it goes out of scope. Every failure becomes an Error whose message
// names the file and the step ("store /var/lib/imswitch.db: commit: database is locked").
//
// Owner: SqliteStore (its worker thread is the only user once the store is open). Not
// thread-safe: one thread at a time, as the handle is opened with SQLITE_OPEN_NOMUTEX.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "common/util/result.hpp"

namespace ims::sw::store {

class Connection;

// A prepared statement borrowed from a Connection's cache. Bound text and blobs are not copied:
// they must outlive the Statement. Destruction resets it and clears its bindings.
class Statement {
 public:
  Statement(Connection& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1 as in SQLite. A bind failure is reported by step().
  Statement& bind_text(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);  // NULs and all
  Statement& bind_int(int index, std::int64_t value);

  // One step: true when a row is ready, false when the statement is done.
  [[nodiscard]] Result<bool> step(std::string_view what);
  // Steps to the end, for statements that return no rows.
  [[nodiscard]] Result<void> run(std::string_view what);

  std::int64_t column_int(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;

 private:
  Connection* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;  // the first bind failure
};

class Connection {
 public:
  // Opens (creating if needed) the database at `path`; ":memory:" gives a private in-memory one.
  static Result<Connection> open(const std::string& path);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements that return no rows (DDL, PRAGMA, BEGIN); not cached.
  [[nodiscard]] Result<void> exec(const std::string& sql, std::string_view what);
  // The cached prepared statement for `sql` (one statement), prepared on first use.
  [[nodiscard]] Result<Statement> prepare(const std::string& sql, std::string_view what);
  // Runs a cached statement that returns no rows.
  [[nodiscard]] Result<void> run(const std::string& sql, std::string_view what);

  // An Error for SQLite result `rc` met during `what`, with SQLite's own message.
  Error error(int rc, std::string_view what) const;

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  int changes() const { return sqlite3_changes(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void close();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace ims::sw::store
