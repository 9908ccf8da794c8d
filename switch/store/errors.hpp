#pragma once
// Failures the store reports as values (STYLE rule 7), with their own category. SQLite result
// codes are folded into the few kinds a caller can act on; the message keeps SQLite's words.

#include <system_error>

namespace ims::sw::store {

enum class StoreErrc {
  Overloaded = 1,  // the operation queue is at Options::max_queue: answer 503, try later
  Closed,          // close() was called: the store takes no more operations
  Busy,            // another process holds the database lock past the busy timeout
  CannotOpen,      // the file or its directory cannot be opened or created
  DiskFull,        // the disk (or a quota) is full
  ReadOnly,        // the file or its directory is not writable
  Corrupt,         // not an SQLite database, or a damaged one
  SchemaTooNew,    // the file was written by a newer imswitch (PRAGMA user_version)
  Database,        // any other SQLite failure
  QueueFull,       // store_message: the recipient already has its limit of stored messages
  NotFound,        // load_transcript: no such session; get_contact: no such contact
  Invalid,         // a request the store cannot take as given: a bad cursor, a contact without
                   // an id, attributes that are not JSON (the message says which and why)
};

const std::error_category& store_category();
std::error_code make_error_code(StoreErrc e);

// The StoreErrc for an SQLite result code (primary or extended).
std::error_code from_sqlite(int rc);

}  // namespace ims::sw::store

template <>
struct std::is_error_code_enum<ims::sw::store::StoreErrc> : std::true_type {};
