// Contacts and their history (PRODUCT §5): POST /api/v1/contacts (admin: one contact or an
// array, inserted or updated by id, all or nothing), POST /api/v1/contacts/{id}/history (admin:
// past interactions from the contact centre's other systems), GET /api/v1/contacts?q= (name,
// email or phone), GET /api/v1/contacts/{id}, GET /api/v1/contacts/{id}/history?q=&until=
// (its entries and the IM sessions whose case data named it, newest first). Reads are open to
// any caller: the agent a consultation reaches reads the contact it is about.

#include <limits>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/util/strings.hpp"
#include "switch/app/api.hpp"
#include "switch/app/api_json.hpp"
#include "switch/app/switch_tu.hpp"
#include "switch/store/errors.hpp"
#include "switch/store/search.hpp"

namespace ims::sw::app {

namespace {

using nlohmann::json;

// Bounds on what a caller may send (STYLE rule 9); the body as a whole is bounded by
// http.max_body_bytes.
constexpr std::size_t kMaxItemsPerRequest = 10000;  // contacts, or history entries
constexpr std::size_t kMaxIdBytes = 256;            // a contact's id, a session id
constexpr std::size_t kMaxFieldBytes = 1024;        // name, email, phone, company
constexpr std::size_t kMaxTextBytes = 64 * 1024;    // notes, a history entry's summary
constexpr std::size_t kMaxAttributeDepth = 16;      // nesting of attributes

Error invalid(std::string what) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(what)};
}

// Whether `j` nests no deeper than `depth` levels (objects and arrays); stops descending there,
// so a hostile document cannot exhaust the stack.
bool within_depth(const json& j, std::size_t depth) {
  if (!j.is_structured()) return true;
  if (depth == 0) return false;
  for (const auto& item : j) {
    if (!within_depth(item, depth - 1)) return false;
  }
  return true;
}

// The items of a body that is one object or an array of them, with the prefix that names each
// in an error ("contacts[3]"); 413 past kMaxItemsPerRequest.
struct Items {
  std::vector<const json*> list;
  unsigned status = 200;
  std::string error;
};

Items items_of(const json& doc, std::string_view what) {
  Items out;
  if (doc.is_object()) {
    out.list.push_back(&doc);
  } else if (doc.is_array()) {
    if (doc.size() > kMaxItemsPerRequest) {
      out.status = 413;
      out.error = fmt::format("{} {} in one request; at most {}", doc.size(), what,
                              kMaxItemsPerRequest);
      return out;
    }
    for (const auto& item : doc) out.list.push_back(&item);
  } else {
    out.status = 400;
    out.error = fmt::format("the body must be a JSON object or an array of them ({})", what);
  }
  return out;
}

// A string member: absent or null leaves `out` alone.
Result<void> read_text(const json& value, std::string_view where, std::string_view key,
                       std::size_t max, std::string& out) {
  if (value.is_null()) return {};
  const std::string* text = value.get_ptr<const std::string*>();
  if (!text) return invalid(fmt::format("{}.{}: a string", where, key));
  if (text->size() > max) return invalid(fmt::format("{}.{}: at most {} bytes", where, key, max));
  out = *text;
  return {};
}

Result<store::Contact> contact_of(const json& item, std::size_t index, std::int64_t now) {
  const std::string where = fmt::format("contacts[{}]", index);
  if (!item.is_object()) return invalid(where + ": a JSON object");
  store::Contact c;
  c.created_at_ms = now;
  c.updated_at_ms = now;
  for (const auto& [key, value] : item.items()) {
    Result<void> r;
    if (key == "id") {
      r = read_text(value, where, key, kMaxIdBytes, c.id);
    } else if (key == "name") {
      r = read_text(value, where, key, kMaxFieldBytes, c.name);
    } else if (key == "email") {
      r = read_text(value, where, key, kMaxFieldBytes, c.email);
    } else if (key == "phone") {
      r = read_text(value, where, key, kMaxFieldBytes, c.phone);
    } else if (key == "company") {
      r = read_text(value, where, key, kMaxFieldBytes, c.company);
    } else if (key == "notes") {
      r = read_text(value, where, key, kMaxTextBytes, c.notes);
    } else if (key == "attributes") {
      if (value.is_null()) continue;
      if (!value.is_object()) return invalid(where + ".attributes: a JSON object");
      if (!within_depth(value, kMaxAttributeDepth))
        return invalid(fmt::format("{}.attributes: nested deeper than {} levels", where,
                                   kMaxAttributeDepth));
      c.attributes = value.dump(-1, ' ', false, json::error_handler_t::replace);
    } else {
      return invalid(fmt::format("{}: unknown field '{}'", where, field_name(key)));
    }
    if (!r) return r.error();
  }
  if (c.id.empty()) return invalid(where + ".id: required, a non-empty string");
  return c;
}

Result<store::ContactHistoryEntry> entry_of(const json& item, std::size_t index,
                                            const std::string& contact) {
  const std::string where = fmt::format("items[{}]", index);
  if (!item.is_object()) return invalid(where + ": a JSON object");
  store::ContactHistoryEntry e;
  e.contact_id = contact;
  bool has_at = false, has_channel = false, has_summary = false;
  for (const auto& [key, value] : item.items()) {
    if (key == "at_ms") {
      const bool whole = value.is_number_unsigned() ||
                         (value.is_number_integer() && value.get<std::int64_t>() >= 0);
      if (!whole || value.get<std::uint64_t>() > kMaxUnixMs)
        return invalid(where + ".at_ms: Unix milliseconds, a whole number");
      e.at_ms = value.get<std::int64_t>();
      has_at = true;
    } else if (key == "channel") {
      const std::string* text = value.get_ptr<const std::string*>();
      const auto channel = text ? store::channel_named(*text) : std::nullopt;
      if (!channel)
        return invalid(where + R"(.channel: "voice", "email", "chat", "workitem" or "im")");
      e.channel = *channel;
      has_channel = true;
    } else if (key == "summary") {
      if (!value.is_string()) return invalid(where + ".summary: a string");
      if (auto r = read_text(value, where, key, kMaxTextBytes, e.summary); !r) return r.error();
      has_summary = true;
    } else if (key == "session_id") {
      if (auto r = read_text(value, where, key, kMaxIdBytes, e.session_id); !r) return r.error();
    } else {
      return invalid(fmt::format("{}: unknown field '{}'", where, field_name(key)));
    }
  }
  if (!has_at) return invalid(where + ".at_ms: required");
  if (!has_channel) return invalid(where + ".channel: required");
  if (!has_summary) return invalid(where + ".summary: required");
  return e;
}

json contact_json(const store::Contact& c) {
  auto attributes = json::parse(c.attributes.empty() ? std::string("{}") : c.attributes, nullptr,
                                false);
  if (attributes.is_discarded() || !attributes.is_object()) attributes = json::object();
  return json{{"id", c.id},
              {"name", c.name},
              {"email", c.email},
              {"phone", c.phone},
              {"company", c.company},
              {"notes", c.notes},
              {"attributes", std::move(attributes)},
              {"created_at_ms", c.created_at_ms},
              {"updated_at_ms", c.updated_at_ms}};
}

json history_json(store::ContactHistoryItem& it) {
  json j{{"channel", std::string(store::channel_name(it.channel))},
         {"at_ms", it.at_ms},
         {"at", utc_text(it.at_ms)}};
  if (!it.summary.empty()) j["summary"] = it.summary;
  if (!it.session_id.empty()) j["session_id"] = it.session_id;
  if (!it.initiator.empty()) j["parties"] = json::array({it.initiator, it.target});
  if (!it.snippet.empty()) j["snippet"] = marked(std::move(it.snippet));
  if (it.entry_id != 0) j["entry_id"] = it.entry_id;
  return j;
}

// {"count", "items", "next_until"?}. A full page (page_size items) may have more below it. The
// next one starts at the page's last millisecond, so the items of that millisecond are left to
// it (none shown twice, none skipped), unless they alone fill the page: then it starts below that
// millisecond (contact_history_page widens such a page first).
json history_page(std::vector<store::ContactHistoryItem> items, std::size_t page_size) {
  json body = json::object();
  if (items.size() == page_size && !items.empty()) {
    const std::int64_t last = items.back().at_ms;
    std::size_t keep = items.size();
    while (keep > 0 && items[keep - 1].at_ms == last) --keep;
    if (keep > 0) {
      items.resize(keep);
      body["next_until"] = last;
    } else if (last > 0) {
      body["next_until"] = last - 1;
    }
  }
  json list = json::array();
  for (auto& it : items) list.push_back(history_json(it));
  body["count"] = list.size();
  body["items"] = std::move(list);
  return body;
}

}  // namespace

void Api::contact_upsert(const Caller& caller, http::Request&& request, http::Reply reply) {
  if (!caller.admin) return reply(http::error_response(403, "only the admin imports contacts"));
  auto doc = json_body(request);
  if (!doc) return reply(http::error_response(400, doc.error().message));
  const Items items = items_of(*doc, "contacts");
  if (items.status != 200) return reply(http::error_response(items.status, items.error));
  const std::int64_t now = unix_now_ms();
  std::vector<store::Contact> contacts;
  contacts.reserve(items.list.size());
  for (std::size_t i = 0; i < items.list.size(); ++i) {
    auto c = contact_of(*items.list[i], i, now);
    if (!c) return reply(http::error_response(400, c.error().message));
    contacts.push_back(std::move(*c));
  }
  const std::size_t n = contacts.size();
  store_->upsert_contacts(std::move(contacts), [reply = std::move(reply), n](Result<void> r) {
    if (!r) return reply(store_failure(r.error()));
    reply(http::json_response(200, json{{"upserted", n}}));
  });
}

void Api::contact_history_add(const Caller& caller, http::Request&& request, http::Reply reply) {
  if (!caller.admin)
    return reply(http::error_response(403, "only the admin adds to a contact's history"));
  const std::string contact(*request.param("id"));
  auto doc = json_body(request);
  if (!doc) return reply(http::error_response(400, doc.error().message));
  const Items items = items_of(*doc, "history entries");
  if (items.status != 200) return reply(http::error_response(items.status, items.error));
  std::vector<store::ContactHistoryEntry> entries;
  entries.reserve(items.list.size());
  for (std::size_t i = 0; i < items.list.size(); ++i) {
    auto e = entry_of(*items.list[i], i, contact);
    if (!e) return reply(http::error_response(400, e.error().message));
    entries.push_back(std::move(*e));
  }
  const std::size_t n = entries.size();
  store_->add_contact_history(std::move(entries), [reply = std::move(reply), n](Result<void> r) {
    if (!r) {
      if (r.error().code == store::StoreErrc::NotFound)
        return reply(http::error_response(404, "no such contact"));
      return reply(store_failure(r.error()));
    }
    reply(http::json_response(200, json{{"added", n}}));
  });
}

void Api::contact_search(const Caller&, http::Request&& request, http::Reply reply) {
  std::string text(request.query_value("q").value_or(""));
  if (util::trim(text).empty()) return reply(http::error_response(400, "q: text to find"));
  if (text.size() > store::kMaxSearchBytes)
    return reply(http::error_response(
        400, fmt::format("q: at most {} bytes", store::kMaxSearchBytes)));
  const auto limit = read_limit(request, 20, store::kMaxSearchLimit);
  if (!limit) return reply(http::error_response(400, limit.error().message));
  store_->search_contacts(
      std::move(text), *limit,
      on_api<std::vector<store::Contact>>(
          [reply = std::move(reply)](Result<std::vector<store::Contact>> found) {
            if (!found) return reply(store_failure(found.error()));
            json contacts = json::array();
            for (const auto& c : *found) contacts.push_back(contact_json(c));
            reply(http::json_response(
                200, json{{"count", contacts.size()}, {"contacts", std::move(contacts)}}));
          }));
}

void Api::contact_details(const Caller&, http::Request&& request, http::Reply reply) {
  store_->get_contact(std::string(*request.param("id")),
                      on_api<store::Contact>([reply = std::move(reply)](Result<store::Contact> c) {
                        if (!c) {
                          if (c.error().code == store::StoreErrc::NotFound)
                            return reply(http::error_response(404, "no such contact"));
                          return reply(store_failure(c.error()));
                        }
                        reply(http::json_response(200, contact_json(*c)));
                      }));
}

void Api::contact_history_list(const Caller&, http::Request&& request, http::Reply reply) {
  store::ContactHistoryQuery q;
  q.contact_id = std::string(*request.param("id"));
  q.words = std::string(request.query_value("q").value_or(""));
  if (q.words.size() > store::kMaxSearchBytes)
    return reply(http::error_response(
        400, fmt::format("q: at most {} bytes", store::kMaxSearchBytes)));
  if (!read_ms(request, "until", q.until_ms))
    return reply(http::error_response(400, "until: Unix milliseconds"));
  const auto limit = read_limit(request, q.limit, store::kMaxSearchLimit);
  if (!limit) return reply(http::error_response(400, limit.error().message));
  q.limit = *limit;
  // The contact first: an unknown one is 404, where its history alone would just be empty.
  std::string id = q.contact_id;
  store_->get_contact(
      std::move(id),
      [this, q = std::move(q), reply = std::move(reply)](Result<store::Contact> c) mutable {
        if (!c) {
          if (c.error().code == store::StoreErrc::NotFound)
            return reply(http::error_response(404, "no such contact"));
          return reply(store_failure(c.error()));
        }
        contact_history_page(std::move(q), std::move(reply));
      });
}

void Api::contact_history_page(store::ContactHistoryQuery q, http::Reply reply) {
  using Items = std::vector<store::ContactHistoryItem>;
  const std::size_t asked = q.limit;
  store::ContactHistoryQuery wider = q;
  store_->contact_history(
      std::move(q), on_api<Items>([this, asked, wider = std::move(wider),
                                   reply = std::move(reply)](Result<Items> found) mutable {
        if (!found) return reply(store_failure(found.error()));
        const bool one_moment = found->size() == asked && !found->empty() &&
                                found->front().at_ms == found->back().at_ms;
        if (!one_moment || asked >= store::kMaxSearchLimit)
          return reply(http::json_response(200, history_page(std::move(*found), asked)));
        // Items of one millisecond fill the page: it shows all of them (up to the store's
        // largest page), and the next starts below that millisecond.
        const std::int64_t moment = found->back().at_ms;
        wider.until_ms = moment;
        wider.limit = store::kMaxSearchLimit;
        store_->contact_history(
            std::move(wider),
            on_api<Items>([reply = std::move(reply), moment](Result<Items> all) mutable {
              if (!all) return reply(store_failure(all.error()));
              std::erase_if(*all, [moment](const auto& it) { return it.at_ms != moment; });
              json body = history_page(std::move(*all), 0);
              if (moment > 0) body["next_until"] = moment - 1;
              reply(http::json_response(200, body));
            }));
      }));
}

}  // namespace ims::sw::app
