#include "client/sip_text.hpp"

#include <fmt/format.h>

#include "common/sip/uri.hpp"

namespace ims::client::detail {

std::string user_of(const std::optional<sip::NameAddr>& name_addr) {
  if (!name_addr) return {};
  auto uri = sip::parse_uri(name_addr->uri);
  if (!uri) return {};
  return sip::unescape(uri->user).value_or(std::string(uri->user));
}

std::string status_line(const sip::Message& response) {
  return fmt::format("{} {}", response.status(), response.reason());
}

}  // namespace ims::client::detail
