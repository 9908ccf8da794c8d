#include "common/txn/errors.hpp"

#include <string>

namespace ims::txn {
namespace {

class Category : public std::error_category {
 public:
  const char* name() const noexcept override { return "txn"; }
  std::string message(int ev) const override {
    switch (static_cast<TxnErrc>(ev)) {
      case TxnErrc::MissingVia: return "missing or invalid Via";
      case TxnErrc::MissingCSeq: return "missing or invalid CSeq";
      case TxnErrc::MissingBranch: return "top Via has no z9hG4bK branch";
      case TxnErrc::AckIsNotTransaction: return "an ACK is sent without a transaction";
      case TxnErrc::Duplicate: return "transaction already exists";
      case TxnErrc::NoSuchTransaction: return "no such transaction";
      case TxnErrc::TableFull: return "transaction table full";
    }
    return "unknown txn error";
  }
};

}  // namespace

const std::error_category& txn_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(TxnErrc e) { return {static_cast<int>(e), txn_category()}; }

}  // namespace ims::txn
