#include "tools/imtool/contacts_file.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/util/strings.hpp"
#include "tools/imtool/csv.hpp"

namespace ims::tool {

namespace {

using nlohmann::json;

// A contact's own fields besides id and attributes, as the API names them.
constexpr std::array<std::string_view, 5> kTextFields = {"name", "email", "phone", "company",
                                                         "notes"};

Error bad(std::string why) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(why)};
}

bool is_text_field(std::string_view name) {
  return std::find(kTextFields.begin(), kTextFields.end(), name) != kTextFields.end();
}

// The switch's bound on a field, or 0 for none.
std::size_t max_bytes(std::string_view field) {
  if (field == "id") return kMaxContactIdBytes;
  if (field == "notes") return kMaxContactNotesBytes;
  if (is_text_field(field)) return kMaxContactFieldBytes;
  return 0;
}

// "" when the switch takes `value` as that field, else why not.
std::string too_long(std::string_view field, std::string_view value) {
  const std::size_t max = max_bytes(field);
  if (max == 0 || value.size() <= max) return {};
  return fmt::format("{} longer than {} bytes", field, max);
}

bool within_depth(const json& j, std::size_t depth) {
  if (!j.is_structured()) return true;
  if (depth == 0) return false;
  for (const auto& item : j)
    if (!within_depth(item, depth - 1)) return false;
  return true;
}

Error too_many() {
  return bad(fmt::format("more than {} contacts in one file: split it", kMaxImportContacts));
}

}  // namespace

Result<json> contacts_from_csv(std::string_view text) {
  if (text.size() > kMaxImportFileBytes)
    return bad(fmt::format("the file is larger than {} bytes: split it", kMaxImportFileBytes));
  auto records = read_csv(text);
  if (!records) return records.error();
  if (records->empty()) return bad("no header row (id,name,email,phone,company,notes,...)");

  // The header: what each column is.
  const CsvRecord& header = records->front();
  std::vector<std::string> columns;  // "id", a text field, or "" + name for an attribute
  std::vector<std::string> attribute_names(header.fields.size());
  std::size_t id_column = header.fields.size();
  for (std::size_t k = 0; k < header.fields.size(); ++k) {
    const std::string& raw = header.fields[k];
    const std::string name = util::to_lower(raw);
    if (raw.empty())
      return bad(fmt::format("line {}: column {} has no name", header.line, k + 1));
    for (std::size_t j = 0; j < k; ++j) {
      if (util::iequals(header.fields[j], raw))
        return bad(fmt::format("line {}: column \"{}\" given twice", header.line, raw));
    }
    if (name == "id") id_column = k;
    if (name == "id" || is_text_field(name)) {
      columns.push_back(name);
    } else {
      columns.emplace_back();
      attribute_names[k] = raw;
    }
  }
  if (id_column == header.fields.size()) {
    return bad(fmt::format("line {}: the header names no id column (expected columns: id, name, "
                           "email, phone, company, notes, and any others as attributes)",
                           header.line));
  }

  json out = json::array();
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& row = (*records)[r];
    if (row.fields.size() != columns.size()) {
      return bad(fmt::format("line {}: {} field{} where the header has {}", row.line,
                             row.fields.size(), row.fields.size() == 1 ? "" : "s",
                             columns.size()));
    }
    if (row.fields[id_column].empty()) return bad(fmt::format("line {}: no id", row.line));
    if (out.size() == kMaxImportContacts) return too_many();
    json contact = json::object();
    json attributes = json::object();
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const std::string& cell = row.fields[k];
      if (cell.empty()) continue;  // a field left out
      if (columns[k].empty()) {
        attributes[attribute_names[k]] = cell;
      } else {
        if (auto why = too_long(columns[k], cell); !why.empty())
          return bad(fmt::format("line {}: {}", row.line, why));
        contact[columns[k]] = cell;
      }
    }
    if (!attributes.empty()) contact["attributes"] = std::move(attributes);
    out.push_back(std::move(contact));
  }
  return out;
}

Result<json> contacts_from_json(std::string_view text) {
  if (text.size() > kMaxImportFileBytes)
    return bad(fmt::format("the file is larger than {} bytes: split it", kMaxImportFileBytes));
  json parsed;
  try {
    parsed = json::parse(text);  // throws with the place of the error; it stops here (rule 8)
  } catch (const json::exception& e) {
    return bad(std::string("not JSON: ") + e.what());
  }
  if (parsed.is_object()) parsed = json::array({std::move(parsed)});
  if (!parsed.is_array()) return bad("expected a contact object or an array of them");
  if (parsed.size() > kMaxImportContacts) return too_many();
  for (std::size_t k = 0; k < parsed.size(); ++k) {
    const json& c = parsed[k];
    auto where = [&] {
      std::string w = fmt::format("contact {}", k + 1);
      if (c.is_object()) {
        if (auto id = c.find("id"); id != c.end() && id->is_string())
          w += fmt::format(" (id \"{}\")", id->get<std::string>());
      }
      return w;
    };
    if (!c.is_object()) return bad(where() + ": not a JSON object");
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string& key = it.key();
      if (key == "id") {
        if (!it->is_string() || it->get<std::string>().empty())
          return bad(where() + ": id must be a non-empty string");
      } else if (is_text_field(key)) {
        if (!it->is_string() && !it->is_null())
          return bad(where() + ": " + key + " must be a string");
      } else if (key == "attributes") {
        if (!it->is_object() && !it->is_null())
          return bad(where() + ": attributes must be a JSON object");
        if (!within_depth(*it, kMaxAttributeDepth))
          return bad(fmt::format("{}: attributes nested deeper than {} levels", where(),
                                 kMaxAttributeDepth));
      } else {
        return bad(where() + ": unknown field \"" + key +
                   "\" (known: id, name, email, phone, company, notes, attributes)");
      }
      if (it->is_string()) {
        if (auto why = too_long(key, it->get_ref<const std::string&>()); !why.empty())
          return bad(where() + ": " + why);
      }
    }
    if (!c.contains("id")) return bad(where() + ": no id");
  }
  return parsed;
}

std::vector<json> import_batches(const json& contacts) {
  std::vector<json> out;
  json batch = json::array();
  std::size_t bytes = 2;  // "[]"
  for (const auto& c : contacts) {
    const std::size_t size = c.dump().size() + 1;  // and a comma
    if (!batch.empty() && (batch.size() == kMaxImportBatch || bytes + size > kMaxImportBatchBytes)) {
      out.push_back(std::move(batch));
      batch = json::array();
      bytes = 2;
    }
    batch.push_back(c);
    bytes += size;
  }
  if (!batch.empty()) out.push_back(std::move(batch));
  return out;
}

}  // namespace ims::tool
