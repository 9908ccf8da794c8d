#pragma once
// The files `imtool contacts import` reads, turned into what POST /api/v1/contacts takes: a JSON
// array of {"id","name","email","phone","company","notes","attributes":{...}}. The whole file is
// checked before anything is sent, so a bad row stops the import with nothing written; then the
// contacts go in batches small enough for the switch's request bounds. Plain functions.

#include <cstddef>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/util/result.hpp"

namespace ims::tool {

// Bounds (STYLE rule 9).
inline constexpr std::size_t kMaxImportFileBytes = 256 * 1024 * 1024;
inline constexpr std::size_t kMaxImportContacts = 1'000'000;
// Per POST: the switch takes up to 10,000 contacts, in at most http.max_body_bytes (1 MiB by
// default).
inline constexpr std::size_t kMaxImportBatch = 1000;
inline constexpr std::size_t kMaxImportBatchBytes = 900 * 1024;
// What the switch takes of one contact (POST /api/v1/contacts): checked here first, so that a
// file the switch would refuse halfway is refused whole.
inline constexpr std::size_t kMaxContactIdBytes = 256;
inline constexpr std::size_t kMaxContactFieldBytes = 1024;      // name, email, phone, company
inline constexpr std::size_t kMaxContactNotesBytes = 64 * 1024;
inline constexpr std::size_t kMaxAttributeDepth = 16;

// CSV with a header row: the columns id, name, email, phone, company and notes (any case, any
// order; id required) are the contact's fields; every other column goes into its attributes,
// under the column's name. An empty cell is a field left out. Fails with the line of the first
// bad row: "line 7: no id", "line 9: 4 fields where the header has 6".
Result<nlohmann::json> contacts_from_csv(std::string_view text);

// JSON: one contact object or an array of them. Fails naming the first bad contact: "contact 3
// (id "c-17"): unknown field "fax"".
Result<nlohmann::json> contacts_from_json(std::string_view text);

// The array cut into POST bodies of at most kMaxImportBatch contacts and, where the contacts
// allow, kMaxImportBatchBytes of JSON, in order.
std::vector<nlohmann::json> import_batches(const nlohmann::json& contacts);

}  // namespace ims::tool
