#include "switch/store/errors.hpp"

#include <string>

#include <sqlite3.h>

namespace ims::sw::store {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "store"; }
  std::string message(int ev) const override {
    switch (static_cast<StoreErrc>(ev)) {
      case StoreErrc::Overloaded: return "store overloaded";
      case StoreErrc::Closed: return "store closed";
      case StoreErrc::Busy: return "database is locked";
      case StoreErrc::CannotOpen: return "cannot open database file";
      case StoreErrc::DiskFull: return "disk full";
      case StoreErrc::ReadOnly: return "database is read-only";
      case StoreErrc::Corrupt: return "not a database or corrupt";
      case StoreErrc::SchemaTooNew: return "schema is newer than this program";
      case StoreErrc::Database: return "database error";
      case StoreErrc::QueueFull: return "recipient's message queue is full";
      case StoreErrc::NotFound: return "no such record";
      case StoreErrc::Invalid: return "invalid request";
    }
    return "unknown store error";
  }
};

}  // namespace

const std::error_category& store_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(StoreErrc e) { return {static_cast<int>(e), store_category()}; }

std::error_code from_sqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StoreErrc::Busy;
    case SQLITE_CANTOPEN: return StoreErrc::CannotOpen;
    case SQLITE_FULL: return StoreErrc::DiskFull;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return StoreErrc::ReadOnly;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return StoreErrc::Corrupt;
    default: return StoreErrc::Database;
  }
}

}  // namespace ims::sw::store
