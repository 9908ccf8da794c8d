#include "switch/im/body.hpp"

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

}  // namespace ims::sw::im
