#include "switch/store/sqlite_connection.hpp"

#include <utility>

#include <fmt/format.h>

#include "switch/store/errors.hpp"

namespace ims::sw::store {
namespace {

// SQLite binds a null pointer as SQL NULL; an empty string must stay an empty string.
const char* non_null(std::string_view s) { return s.data() != nullptr ? s.data() : ""; }

}  // namespace

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

Statement& Statement::bind_text(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, non_null(text), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  int rc = bytes.empty()
               ? sqlite3_bind_zeroblob(stmt_, index, 0)
               : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Statement::step(std::string_view what) {
  if (bind_rc_ != SQLITE_OK) return db_->error(bind_rc_, what);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error(rc, what);
}

Result<void> Statement::run(std::string_view what) {
  for (;;) {
    auto row = step(what);
    if (!row) return row.error();
    if (!*row) return {};
  }
}

std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::column_text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string Statement::column_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

Result<Connection> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: one thread at a time uses the handle (the store's worker), so SQLite's own
  // per-call locking would only cost time.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  Connection conn(db, path);  // closes the handle on every path, even a failed open
  if (rc != SQLITE_OK) {
    if (db == nullptr)
      return Error{from_sqlite(rc), fmt::format("store {}: open: {}", path, sqlite3_errstr(rc))};
    return conn.error(rc, "open");
  }
  sqlite3_extended_result_codes(db, 1);
  return conn;
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      cache_(std::move(other.cache_)) {
  other.cache_.clear();
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
    other.cache_.clear();
  }
  return *this;
}

Connection::~Connection() { close(); }

void Connection::close() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<void> Connection::exec(const std::string& sql, std::string_view what) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, what);
  return {};
}

Result<Statement> Connection::prepare(const std::string& sql, std::string_view what) {
  if (auto it = cache_.find(sql); it != cache_.end()) return Statement(*this, it->second);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size() + 1),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return error(rc, what);
  cache_.emplace(sql, stmt);
  return Statement(*this, stmt);
}

Result<void> Connection::run(const std::string& sql, std::string_view what) {
  auto stmt = prepare(sql, what);
  if (!stmt) return stmt.error();
  return stmt->run(what);
}

Error Connection::error(int rc, std::string_view what) const {
  // sqlite3_errmsg describes the most recent failure on the handle, which is `rc` when the
  // caller reports right away; the generic text covers bind failures and a missing handle.
  const char* text = sqlite3_errstr(rc);
  if (db_ != nullptr && sqlite3_extended_errcode(db_) == rc) text = sqlite3_errmsg(db_);
  return Error{from_sqlite(rc), fmt::format("store {}: {}: {}", path_, what, text)};
}

}  // namespace ims::sw::store
