#pragma once
// Failures the transaction layer reports as values (STYLE rule 7), with their own category.

#include <system_error>

namespace ims::txn {

enum class TxnErrc {
  MissingVia = 1,       // no parsable top Via: the message cannot be matched (§17.1.3, §17.2.3)
  MissingCSeq,          // no parsable CSeq
  MissingBranch,        // a request we send needs a z9hG4bK branch (§8.1.1.7)
  AckIsNotTransaction,  // the ACK for a 2xx is sent by the TU directly (§17.1.1.3)
  Duplicate,            // a transaction with that key already exists
  NoSuchTransaction,    // the key names no live transaction of the right kind
  TableFull,            // TableConfig::max_transactions reached: answer 503 statelessly
};

const std::error_category& txn_category();
std::error_code make_error_code(TxnErrc e);

}  // namespace ims::txn

template <>
struct std::is_error_code_enum<ims::txn::TxnErrc> : std::true_type {};
