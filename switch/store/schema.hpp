#pragma once
// The store's schema history. Each Migration moves the file from version N-1 to N; the version
// a file is at lives in PRAGMA user_version. Adding a table (transcripts, contacts) is one more
// entry at the end of migrations(); entries already released are never edited.

#include <span>

#include "common/util/result.hpp"
#include "switch/store/sqlite_connection.hpp"

namespace ims::sw::store {

struct Migration {
  int version;              // 1, 2, 3 ... in order, no gaps
  const char* description;  // for logs and errors: "bindings and stored messages"
  const char* sql;          // one or more statements, run in the migration's transaction
};

// imswitch's migrations, oldest first.
std::span<const Migration> migrations();

// The version this build writes: migrations().back().version.
int schema_version();

// Brings `db` up to the last version in `list`: each missing migration runs in its own
// transaction together with the user_version update, so a failure leaves the file at the last
// version that completed. Before it changes a file that holds data (an older version, or tables
// at version 0), it copies the file to "<path>.v<version>-<UTC time>.bak" beside it and logs that
// name; when the copy fails, nothing is migrated and the error says why. A new, empty file needs
// no copy. A file newer than `list` is refused (StoreErrc::SchemaTooNew) with what to do.
// Returns the version the file is at afterwards.
[[nodiscard]] Result<int> migrate(Connection& db, std::span<const Migration> list);

}  // namespace ims::sw::store
