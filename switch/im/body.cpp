#include "switch/im/body.hpp"

#include <nlohmann/json.hpp>

#include "common/sip/header_values.hpp"
#include "common/sip/multipart.hpp"
#include "common/util/strings.hpp"

namespace ims::sw::im {

namespace {

bool type_is(std::string_view content_type, std::string_view type, std::string_view subtype) {
  const auto ct = sip::parse_content_type(content_type);
  return ct && util::iequals(ct->type, type) && util::iequals(ct->subtype, subtype);
}

Error unsupported(std::string what) {
  return Error{std::make_error_code(std::errc::not_supported), std::move(what)};
}

}  // namespace

bool is_message_type(std::string_view content_type) {
  return type_is(content_type, "text", "plain") || type_is(content_type, "message", "cpim");
}

Result<FirstMessage> first_message(std::string_view content_type, std::string_view body) {
  if (is_message_type(content_type))
    return FirstMessage{std::string(content_type), std::string(body)};
  if (!type_is(content_type, "multipart", "mixed"))
    return unsupported("the body is not text/plain, message/cpim or multipart/mixed");
  auto boundary = sip::multipart_boundary(content_type);
  if (!boundary) return boundary.error();
  auto parts = sip::parse_multipart(body, *boundary);
  if (!parts) return parts.error();
  for (const auto& part : *parts) {
    // RFC 2046 §5.1: a part without Content-Type is text/plain.
    const std::string_view type =
        part.content_type().empty() ? std::string_view("text/plain") : part.content_type();
    if (is_message_type(type)) return FirstMessage{std::string(type), std::string(part.body)};
  }
  return unsupported("the multipart body holds no text/plain or message/cpim part");
}

namespace {

std::vector<std::pair<std::string, std::string>> json_members(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  // No exceptions: a document that does not parse is "discarded".
  const auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  for (const auto& [key, value] : doc.items()) {
    if (out.size() == kMaxCaseDataKeys) break;
    std::string v;
    if (value.is_string()) {
      v = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      v = value.dump();
    } else {
      continue;
    }
    if (key.empty() || key.size() > kMaxCaseDataValue || v.size() > kMaxCaseDataValue) continue;
    out.emplace_back(key, std::move(v));
  }
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> case_data(std::string_view content_type,
                                                           std::string_view body) {
  if (type_is(content_type, "application", "json")) return json_members(body);
  if (!type_is(content_type, "multipart", "mixed")) return {};
  auto boundary = sip::multipart_boundary(content_type);
  if (!boundary) return {};
  auto parts = sip::parse_multipart(body, *boundary);
  if (!parts) return {};
  for (const auto& part : *parts)
    if (type_is(part.content_type(), "application", "json")) return json_members(part.body);
  return {};
}

}  // namespace ims::sw::im
